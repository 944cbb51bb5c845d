import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes, permanent } from '../errors.ts';
import { jsonRequest } from '../http/json-client.ts';
import { secretFromEnv } from '../http/secret-from-env.ts';
import { activityContext } from './context.ts';
import { notificationBody, type NotificationContent } from './notification-body.ts';
import type { NotificationFormat } from '../config/spec.ts';

export interface Notification extends Omit<NotificationContent, 'link'> {
  /** The webhook URL, or (urlEnv) the worker variable holding it when the URL itself is a secret. */
  url?: string;
  urlEnv?: string;
  /** Which service's body: slack, teams, discord, or shipgate's own JSON (generic). */
  format?: NotificationFormat;
}

/**
 * Calls a webhook when a release waits for a decision, needs attention or ends, in the body its service
 * accepts. Retried on 5xx like any call; a refusal (4xx) is permanent, and the workflow records it in status.
 */
export async function notify(notification: Notification): Promise<void> {
  const { url: plain, urlEnv, format = 'generic', ...content } = notification;
  const link = uiLink(content.workflowId);
  const body = notificationBody(format, { ...content, ...(link ? { link } : {}) });
  const url = plain ?? secretFromEnv(urlEnv ?? '', 'notifications.webhooks[].urlEnv');
  if (!/^https?:\/\//.test(url)) {
    throw permanent(
      FailureTypes.invalidInput,
      `notifications.webhooks[].urlEnv: ${urlEnv} does not hold an http(s) URL; set it to the webhook URL`,
    );
  }
  await redactUrl(url, urlEnv, () =>
    jsonRequest<unknown>({
      method: 'POST',
      url,
      headers: {},
      body,
      what: `${notification.event} notification`,
      authHint: 'check the webhook URL in notifications.webhooks',
    }),
  );
}

/** The release's page in the Temporal web UI, when the worker is told where the UI is (SHIPGATE_UI_URL). */
function uiLink(workflowId: string): string | undefined {
  const base = process.env.SHIPGATE_UI_URL ?? process.env.TEMPORAL_UI_URL;
  if (!base) return undefined;
  const namespace = activityContext()?.info.workflowNamespace ?? 'default';
  return `${base.replace(/\/$/, '')}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}

/** A URL from urlEnv is a secret: failure messages (which reach workflow history) name the variable instead. */
async function redactUrl<T>(url: string, urlEnv: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!urlEnv) throw error;
    const failure: ApplicationFailure | undefined = error instanceof ApplicationFailure ? error : undefined;
    const message = (error instanceof Error ? error.message : String(error)).split(url).join(`$${urlEnv}`);
    throw ApplicationFailure.create({
      type: failure?.type ?? FailureTypes.transient,
      message: message.split(new URL(url).host).join(`$${urlEnv}`),
      nonRetryable: failure?.nonRetryable === true,
      // Keeps a Retry-After the webhook sent. (The SDK types the delay as ms's template-literal string or a number.)
      ...(failure?.nextRetryDelay != null ? { nextRetryDelay: failure.nextRetryDelay as number } : {}),
    });
  }
}
