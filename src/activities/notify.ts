import { jsonRequest } from '../forge/http.ts';

export type NotificationEvent = 'waiting' | 'needs-attention' | 'finished';

export interface Notification {
  url: string;
  event: NotificationEvent;
  project: string;
  version: string;
  phase: string;
  message: string;
  workflowId: string;
}

/** Calls a webhook when a release waits for a decision, needs attention or ends. Retried on 5xx like any call. */
export async function notify(notification: Notification): Promise<void> {
  const { url, ...body } = notification;
  await jsonRequest<unknown>({
    method: 'POST',
    url,
    headers: {},
    body: { source: 'shipgate', ...body },
    what: `${notification.event} notification`,
    authHint: 'check the webhook URL in notifications.webhooks',
  });
}
