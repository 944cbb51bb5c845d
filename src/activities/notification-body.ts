// The body each chat service documents for its incoming webhook. Shipgate's generic JSON is rejected by
// all three: Slack wants `text` (blocks optional), Teams Workflows an Adaptive Card in a message
// attachment, Discord `content` and/or `embeds`. Every body says the same: which release, which phase,
// what happened, who must act, and where to look.

import type { NotificationEvent, NotificationFormat } from '../config/spec.ts';

export interface NotificationContent {
  event: NotificationEvent;
  project: string;
  version: string;
  phase: string;
  message: string;
  workflowId: string;
  /** Who must act now (approvers at a gate), empty when nobody must. */
  actors: string[];
  /** The release's page in the Temporal web UI, when the worker knows the UI's address. */
  link?: string;
}

const headline: Record<NotificationEvent, string> = {
  waiting: 'waits for a decision',
  reminder: 'still waits: the gate deadline is near',
  'needs-attention': 'needs attention',
  finished: 'finished',
};

function title(n: NotificationContent): string {
  return `${n.project} ${n.version} ${n.event === 'finished' ? n.phase : headline[n.event]}`;
}

function actorsLine(n: NotificationContent): string {
  if (n.event === 'finished') return 'nobody';
  if (n.event === 'needs-attention') return 'whoever fixes the cause, then `shipgate retry` (or abort)';
  return n.actors.length ? n.actors.join(', ') : 'any approver';
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function notificationBody(format: NotificationFormat, n: NotificationContent): unknown {
  switch (format) {
    case 'slack':
      return slack(n);
    case 'teams':
      return teams(n);
    case 'discord':
      return discord(n);
    default:
      return { source: 'shipgate', ...n };
  }
}

/** Slack incoming webhook: `text` is the notification fallback; blocks carry the layout (header <= 150 chars). */
function slack(n: NotificationContent) {
  const fields = [`*Phase:* ${n.phase}`, `*Who must act:* ${actorsLine(n)}`, `*Release:* \`${n.workflowId}\``];
  return {
    text: clip(`${title(n)}: ${n.message}`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title(n), 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(n.message, 3000) } },
      { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
      ...(n.link
        ? [
            {
              type: 'actions',
              elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Temporal UI' }, url: n.link }],
            },
          ]
        : []),
    ],
  };
}

/** Teams (Workflows "post to a channel when a webhook request is received"): an Adaptive Card attachment. */
function teams(n: NotificationContent) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', size: 'Medium', weight: 'Bolder', text: title(n), wrap: true },
            { type: 'TextBlock', text: n.message, wrap: true },
            {
              type: 'FactSet',
              facts: [
                { title: 'Phase', value: n.phase },
                { title: 'Who must act', value: actorsLine(n) },
                { title: 'Release', value: n.workflowId },
              ],
            },
          ],
          ...(n.link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Temporal UI', url: n.link }] } : {}),
        },
      },
    ],
  };
}

/** Discord execute-webhook: content <= 2000 chars, one embed; mentions off so a message cannot ping @everyone. */
function discord(n: NotificationContent) {
  return {
    content: clip(`**${title(n)}**`, 2000),
    embeds: [
      {
        title: clip(title(n), 256),
        description: clip(n.message, 4096),
        ...(n.link ? { url: n.link } : {}),
        color: n.event === 'needs-attention' ? 0xd93f0b : n.event === 'finished' ? 0x2da44e : 0xbf8700,
        fields: [
          { name: 'Phase', value: clip(n.phase, 1024), inline: true },
          { name: 'Who must act', value: clip(actorsLine(n), 1024), inline: true },
          { name: 'Release', value: clip(n.workflowId, 1024), inline: false },
        ],
      },
    ],
    allowed_mentions: { parse: [] },
  };
}
