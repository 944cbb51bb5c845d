import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes, permanent } from '../errors.ts';
import { jsonRequest } from '../http/json-client.ts';
import { secretFromEnv } from '../http/secret-from-env.ts';
import type { NotificationEvent } from '../config/spec.ts';

export interface Notification {
  /** The webhook URL, or (urlEnv) the worker variable holding it when the URL itself is a secret. */
  url?: string;
  urlEnv?: string;
  event: NotificationEvent;
  project: string;
  version: string;
  phase: string;
  message: string;
  workflowId: string;
}

/** Calls a webhook when a release waits for a decision, needs attention or ends. Retried on 5xx like any call. */
export async function notify(notification: Notification): Promise<void> {
  const { url: plain, urlEnv, ...body } = notification;
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
      body: { source: 'shipgate', ...body },
      what: `${notification.event} notification`,
      authHint: 'check the webhook URL in notifications.webhooks',
    }),
  );
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
