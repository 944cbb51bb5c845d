import type { WorkflowHandle } from '@temporalio/client';
import type { Fault, FaultProxy } from '../support/fault-rules-proxy.ts';

/**
 * When to SIGKILL the worker: an activity seen running (pending, STARTED), an activity just completed, a request seen
 * by a proxy (with enough body bytes passed, or its answer produced upstream and held back), the gate open, or the
 * approval just accepted.
 */
export type Trigger =
  | { kind: 'started'; activity: string; nth?: number; workflow?: 'release' | 'tags' }
  | { kind: 'completed'; activity: string }
  | {
      kind: 'proxy';
      proxy: 'source' | 'destination' | 'forge';
      method: string;
      path: RegExp;
      minBytes?: number;
      answered?: boolean;
      activity: string;
      workflow?: 'release' | 'tags';
    }
  | { kind: 'gate' }
  | { kind: 'approved' };

export interface KillPoint {
  name: string;
  stage: 'publish' | 'gate' | 'promote';
  trigger: Trigger;
  /** Faults that make the step last long enough to be caught (holds), on while the point waits. */
  faults?: (
    project: string,
  ) => { proxy: 'source' | 'destination' | 'forge'; method?: string; path: RegExp; fault: Fault }[];
}

export interface Scenario {
  name: string;
  layerBytes: number;
  /** On for the whole run (a slowed source, so a kill lands mid-blob). */
  faults?: KillPoint['faults'];
  points: KillPoint[];
}

const hold = (ms: number): Fault => ({ kind: 'hold', ms });
const repo = (side: 'staging' | 'prod', project: string) => new RegExp(`^/v2/${side}/${project}/`);
const floatingTagPut = (project: string) => new RegExp(`^/v2/prod/${project}/manifests/(latest|\\d+|\\d+\\.\\d+)$`);

const slowSource: KillPoint['faults'] = (p) => [
  {
    proxy: 'source',
    method: 'GET',
    path: new RegExp(`^/v2/staging/${p}/blobs/`),
    fault: { kind: 'slow', bytesPerSecond: 3 << 20 },
  },
];

/** A kill while `minBytes` of the source's layers have passed the (slowed) proxy: mid-blob. One per run, since the
 * copy completes on the next worker before the run goes on. */
const midBlob = (minBytes: number): KillPoint => ({
  name: `copy mid-blob (${minBytes >> 20} MiB in)`,
  stage: 'publish',
  trigger: { kind: 'proxy', proxy: 'source', method: 'GET', path: /\/blobs\//, minBytes, activity: 'copyImage' },
});

/**
 * 23 points across publish, the gate and promote. A point's recovery waits for the killed step to complete, so the
 * points of one run are in the order of the steps and at most one per step (the copy, the tag move); the runs go
 * side by side.
 */
export const scenarios: Scenario[] = [
  {
    name: 'publish: resolve, verify, canonical check, copy',
    layerBytes: 8 * 1024 * 1024,
    faults: slowSource,
    points: [
      {
        name: 'resolve',
        stage: 'publish',
        trigger: { kind: 'started', activity: 'resolveOciArtifact' },
        faults: (p) => [{ proxy: 'source', method: 'GET', path: repo('staging', p), fault: hold(1500) }],
      },
      {
        name: 'verify at the source',
        stage: 'publish',
        trigger: { kind: 'started', activity: 'verifyArtifact', nth: 1 },
        faults: (p) => [{ proxy: 'source', method: 'GET', path: repo('staging', p), fault: hold(1500) }],
      },
      {
        name: 'commit is public',
        stage: 'publish',
        trigger: { kind: 'started', activity: 'checkCommitIsPublic' },
        // Held long enough for the started activity to be seen on a loaded host.
        faults: (p) => [{ proxy: 'forge', path: new RegExp(`/repos/acme/${p}/`), fault: hold(4000) }],
      },
      { name: 'copy starts', stage: 'publish', trigger: { kind: 'started', activity: 'copyImage' } },
    ],
  },
  {
    name: 'publish end and gate',
    layerBytes: 8 * 1024 * 1024,
    faults: slowSource,
    points: [
      midBlob(4 << 20),
      {
        name: 'verify at the destination',
        stage: 'publish',
        trigger: { kind: 'started', activity: 'verifyArtifact', nth: 2 },
        faults: (p) => [{ proxy: 'destination', method: 'GET', path: repo('prod', p), fault: hold(1500) }],
      },
      {
        name: 'draft release created, answer lost',
        stage: 'publish',
        trigger: {
          kind: 'proxy',
          proxy: 'forge',
          method: 'POST',
          path: /\/releases$/,
          answered: true,
          activity: 'draftRelease',
        },
        faults: (p) => [
          { proxy: 'forge', method: 'POST', path: new RegExp(`/repos/acme/${p}/releases$`), fault: hold(3000) },
        ],
      },
      { name: 'smoke check', stage: 'publish', trigger: { kind: 'started', activity: 'runSmokeCommand' } },
      { name: 'gate open, waiting', stage: 'gate', trigger: { kind: 'gate' } },
      { name: 'approval just accepted', stage: 'gate', trigger: { kind: 'approved' } },
    ],
  },
  {
    name: 'promote: re-verify, record, publish, merge',
    layerBytes: 8 * 1024 * 1024,
    faults: slowSource,
    points: [
      midBlob(12 << 20),
      {
        name: 're-verify before promotion',
        stage: 'promote',
        trigger: { kind: 'started', activity: 'verifyArtifact', nth: 3 },
        faults: (p) => [{ proxy: 'destination', method: 'GET', path: repo('prod', p), fault: hold(1500) }],
      },
      {
        name: 'signing the promotion record',
        stage: 'promote',
        trigger: { kind: 'started', activity: 'attestPromotion' },
        faults: (p) => [{ proxy: 'destination', path: repo('prod', p), fault: hold(1000) }],
      },
      {
        name: 'between attestation and tag move',
        stage: 'promote',
        trigger: { kind: 'completed', activity: 'attestPromotion' },
      },
      {
        name: 'release published, answer lost',
        stage: 'promote',
        trigger: {
          kind: 'proxy',
          proxy: 'forge',
          method: 'PATCH',
          path: /\/releases\/\d+$/,
          answered: true,
          activity: 'publishRelease',
        },
        faults: (p) => [
          { proxy: 'forge', method: 'PATCH', path: new RegExp(`/repos/acme/${p}/releases/`), fault: hold(3000) },
        ],
      },
      {
        name: 'PR merged, answer lost',
        stage: 'promote',
        trigger: {
          kind: 'proxy',
          proxy: 'forge',
          method: 'PUT',
          path: /\/merge$/,
          answered: true,
          activity: 'mergePullRequest',
        },
        faults: (p) => [
          { proxy: 'forge', method: 'PUT', path: new RegExp(`/repos/acme/${p}/pulls/7/merge$`), fault: hold(3000) },
        ],
      },
    ],
  },
  {
    name: 'promote: tag hand-off and pin',
    layerBytes: 8 * 1024 * 1024,
    faults: slowSource,
    points: [
      midBlob(20 << 20),
      {
        // The release has sent its move request (signal-with-start) and waits for the owner's answer signal.
        name: 'tag hand-off: request sent, answer awaited',
        stage: 'promote',
        trigger: { kind: 'completed', activity: 'sendFloatingTagMove' },
        faults: (p) => [{ proxy: 'destination', method: 'GET', path: repo('prod', p), fault: hold(1500) }],
      },
      {
        name: 'pin written, answer lost',
        stage: 'promote',
        trigger: {
          kind: 'proxy',
          proxy: 'forge',
          method: 'POST',
          path: /^\/pins\//,
          answered: true,
          activity: 'pinDigest',
        },
        faults: (p) => [{ proxy: 'forge', method: 'POST', path: new RegExp(`^/pins/${p}$`), fault: hold(3000) }],
      },
      { name: 'after the pin', stage: 'promote', trigger: { kind: 'completed', activity: 'pinDigest' } },
    ],
  },
  {
    name: 'promote: the tag owner killed while it moves, then the pin',
    layerBytes: 1024 * 1024,

    points: [
      {
        name: 'tag owner moving',
        stage: 'promote',
        trigger: { kind: 'started', activity: 'moveFloatingTags', workflow: 'tags' },
        faults: (p) => [{ proxy: 'destination', method: 'GET', path: repo('prod', p), fault: hold(1500) }],
      },
      {
        name: 'pin: reading the control plane',
        stage: 'promote',
        trigger: { kind: 'started', activity: 'pinDigest' },
        faults: (p) => [{ proxy: 'forge', method: 'GET', path: new RegExp(`^/pins/${p}$`), fault: hold(1500) }],
      },
    ],
  },
  {
    name: 'promote: between two tag moves',
    layerBytes: 1024 * 1024,

    points: [
      {
        name: 'between tag moves',
        stage: 'promote',
        trigger: {
          kind: 'proxy',
          proxy: 'destination',
          method: 'PUT',
          path: /\/manifests\/(latest|\d+|\d+\.\d+)$/,
          answered: true,
          activity: 'moveFloatingTags',
          workflow: 'tags',
        },
        faults: (p) => [{ proxy: 'destination', method: 'PUT', path: floatingTagPut(p), fault: hold(3000) }],
      },
    ],
  },
];

/** Milliseconds since the epoch of a history event's time. */
export function eventMs(event: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }): number {
  const raw = event.eventTime?.seconds as number | { toNumber: () => number } | null | undefined;
  const seconds = typeof raw === 'object' && raw ? raw.toNumber() : Number(raw ?? 0);
  return seconds * 1000 + Math.round((event.eventTime?.nanos ?? 0) / 1e6);
}

export interface PendingActivity {
  activityId: string;
  type: string;
  started: boolean;
}

export async function pendingActivities(handle: WorkflowHandle): Promise<PendingActivity[]> {
  const description = await handle.describe().catch(() => undefined);
  return (description?.raw.pendingActivities ?? []).map((p) => ({
    activityId: p.activityId ?? '',
    type: p.activityType?.name ?? '',
    // PENDING_ACTIVITY_STATE_STARTED
    started: Number(p.state) === 2,
  }));
}

/** The activity ids scheduled in a history, by type, in order. */
export async function scheduledIds(handle: WorkflowHandle, type: string): Promise<{ id: string; eventId: string }[]> {
  const events = (await handle.fetchHistory().catch(() => undefined))?.events ?? [];
  return events.flatMap((e) =>
    e.activityTaskScheduledEventAttributes?.activityType?.name === type
      ? [{ id: e.activityTaskScheduledEventAttributes.activityId ?? '', eventId: String(e.eventId) }]
      : [],
  );
}

export function proxyOf(
  proxies: { source: FaultProxy; destination: FaultProxy; forge: FaultProxy },
  name: 'source' | 'destination' | 'forge',
): FaultProxy {
  return proxies[name];
}
