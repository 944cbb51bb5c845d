import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedStatement } from '../../src/cli/decision-proof.ts';
import { digestSetSha256 } from '../../src/config/decision-statement.ts';
import type { SignedStatement } from '../../src/config/decision-types.ts';
import {
  abortUpdate,
  approveSignal,
  approveUpdate,
  rejectUpdate,
  statusQuery,
  type ApproveRequest,
} from '../../src/workflows/messages.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startRelease,
  startReleaseBed,
  uniqueProject,
  waitForPhase,
  type ReleaseBed,
} from '../support/release-bed.ts';
import type { FakeIssuer } from '../support/fake-oidc-issuer.ts';
import { allowedSigners, sshKey, type SshKey } from '../support/ssh-keys.ts';

// Decisions that prove who made them, against the real stack (dev server, worker, registries, ssh-keygen, a
// local OIDC issuer): every way around a check is tried and refused, and the right proofs promote.

describe('release workflow: trusted approvals', () => {
  let bed: ReleaseBed;
  const keys: Record<string, SshKey> = {};
  let gitlab: FakeIssuer;
  beforeAll(async () => {
    bed = await startReleaseBed();
    for (const person of ['alice', 'bob', 'carol', 'mallory']) keys[person] = await sshKey(person);
    gitlab = bed.forge.oidcIssuer('gitlab');
  });
  afterAll(async () => {
    await bed?.close();
  });

  const signers = () => allowedSigners(Object.values(keys));
  const signedGate = (extra: Record<string, unknown> = {}) => ({
    gate: {
      approvers: ['alice', 'bob'],
      allowSelfApproval: false,
      deadline: '1h',
      identity: { mode: 'signed', sshAllowedSigners: signers() },
      ...extra,
    },
  });

  async function begin(
    project: string,
    overrides: Record<string, unknown>,
    starter?: (id: string) => Promise<SignedStatement>,
  ) {
    await signedImage(bed, `staging/${project}`, 'v1.0.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const extra = starter ? { starter: await starter(`release:${project}:1.0.0`) } : {};
    const handle = await startRelease(
      bed,
      planFor(bed, project, overrides),
      'v1.0.0',
      sha,
      'ci-bot',
      bed.taskQueue,
      extra,
    );
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.phase).toBe('awaiting-approval');
    return { handle, waiting, sha };
  }

  /** A statement for this release's open gate, signed as the CLI signs it (--key or --id-token-env). */
  async function sign(
    handle: WorkflowHandle,
    status: ReleaseStatus,
    proof: { key?: SshKey; token?: string; as?: string },
    overrides: Partial<{ release: string; run: string; digests: string[]; decision: string }> = {},
  ): Promise<SignedStatement> {
    const { runId } = await handle.describe();
    if (proof.token) process.env.TEST_ID_TOKEN = proof.token;
    const signed = await signedStatement(
      {
        release: overrides.release ?? handle.workflowId,
        run: overrides.run ?? runId,
        gate: status.gate?.kind ?? 'promotion',
        digests: digestSetSha256(overrides.digests ?? status.gate?.digests ?? []),
        decision: overrides.decision ?? 'approve',
      },
      {
        ...(proof.key ? { key: proof.key.path } : {}),
        ...(proof.token ? { idTokenEnv: 'TEST_ID_TOKEN' } : {}),
        // As a person runs it: --as (or $SHIPGATE_USER) names them, the key proves it; a token names its own person.
        ...(proof.as || proof.key ? { as: proof.as ?? proof.key?.principal } : {}),
      },
    );
    if (!signed) throw new Error('no proof');
    return signed;
  }

  async function refusal(handle: WorkflowHandle, request: ApproveRequest) {
    const error = await handle.executeUpdate(approveUpdate, { args: [request] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return ((error as WorkflowUpdateFailedError).cause as Error).message;
  }

  it('refuses a bare name, a forged signature, another digest set, release or run; 2 of N signed approvals promote', async () => {
    const project = uniqueProject('signed');
    const { handle, waiting } = await begin(project, signedGate({ required: 2 }));
    const digests = waiting.gate?.digests ?? [];
    expect(waiting.identity).toBe('signed');
    expect(waiting.gate?.needs).toMatch(/needs 2 more approval/);

    // --as alice, no proof: a name proves nothing.
    expect(await refusal(handle, { approver: 'alice', digests })).toMatch(
      /a signed statement is required.*--as\) proves nothing/,
    );
    // A statement naming alice, signed with mallory's key.
    const forged = await sign(handle, waiting, { key: keys.mallory, as: 'alice' });
    expect(await refusal(handle, { signed: forged })).toMatch(/signed with a key of mallory/);
    // alice's own key, but over another digest set; for another release; for another run.
    const otherSet = await sign(handle, waiting, { key: keys.alice }, { digests: [`app@sha256:${'0'.repeat(64)}`] });
    expect(await refusal(handle, { signed: otherSet })).toMatch(/different digest set/);
    const otherRelease = await sign(handle, waiting, { key: keys.alice }, { release: `release:${project}:0.9.0` });
    expect(await refusal(handle, { signed: otherRelease })).toMatch(/is for release:.*0\.9\.0, not release:.*1\.0\.0/);
    const otherRun = await sign(handle, waiting, { key: keys.alice }, { run: 'an-earlier-run' });
    expect(await refusal(handle, { signed: otherRun })).toMatch(/run an-earlier-run, not the current run/);
    // A signature that says "approve" does not reject.
    const approval = await sign(handle, waiting, { key: keys.alice });
    const asReject = await handle
      .executeUpdate(rejectUpdate, { args: [{ reason: 'x', signed: approval }] })
      .catch((e: unknown) => e);
    expect(((asReject as WorkflowUpdateFailedError).cause as Error).message).toMatch(/says "approve", not "reject"/);

    // The refused proof is recorded with its reason; the gate stays open.
    const afterRefusals = await handle.query(statusQuery);
    expect(afterRefusals.phase).toBe('awaiting-approval');
    expect(afterRefusals.decisions.map((d) => d.kind)).toEqual(['refused']);
    expect(afterRefusals.decisions[0]?.refusal).toMatch(/key of mallory/);

    const first = await handle.executeUpdate(approveUpdate, { args: [{ signed: approval }] });
    expect(first.verified).toMatchObject({ principal: 'alice', method: 'ssh' });
    expect(first.verified?.fingerprint).toMatch(/^SHA256:/);
    expect(await refusal(handle, { signed: approval })).toMatch(/already (used|approved)/);
    const stillWaiting = await handle.query(statusQuery);
    expect(stillWaiting.phase).toBe('awaiting-approval');
    expect(stillWaiting.gate?.approvals).toEqual(['alice']);
    expect(stillWaiting.gate?.needs).toMatch(/1 more approval/);

    await handle.executeUpdate(approveUpdate, { args: [{ signed: await sign(handle, waiting, { key: keys.bob }) }] });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    const approvals = done.decisions.filter((d) => d.kind === 'approve');
    expect(approvals.map((d) => [d.by, d.verified?.method])).toEqual([
      ['alice', 'ssh'],
      ['bob', 'ssh'],
    ]);
    expect(approvals[1]?.verified?.statement).toContain(`release: ${handle.workflowId}`);
    expect(JSON.stringify(approvals[1]?.verified?.proof)).toContain('BEGIN SSH SIGNATURE');
  });

  it('a two-group rule promotes only with one release manager and one security approver; the proven starter may not approve', async () => {
    const project = uniqueProject('groups');
    const { handle, waiting } = await begin(
      project,
      signedGate({
        approvers: [],
        required: 2,
        groups: { 'release-managers': { members: ['alice', 'bob'] }, security: { members: ['carol'] } },
      }),
      // The release is started by bob, proven by his key (as the CI job's token would prove it).
      async (id) =>
        (await signedStatement(
          {
            release: id,
            run: 'new',
            gate: 'start',
            digests: digestSetSha256([`commit@${commitSha(project)}`]),
            decision: 'start',
          },
          { key: keys.bob?.path ?? '', as: 'bob' },
        )) as SignedStatement,
    );
    expect(waiting.startedBy).toBe('bob');
    expect(waiting.startedByProof).toMatch(/^ssh key SHA256:/);
    expect(await refusal(handle, { signed: await sign(handle, waiting, { key: keys.bob }) })).toMatch(
      /bob started this release \(proven by ssh key SHA256:.*\) and the plan forbids self-approval/,
    );
    expect(await refusal(handle, { signed: await sign(handle, waiting, { key: keys.mallory }) })).toMatch(
      /mallory may not approve/,
    );
    await handle.executeUpdate(approveUpdate, { args: [{ signed: await sign(handle, waiting, { key: keys.alice }) }] });
    // Two release managers would make two people, but not the two-person rule: security is missing.
    const afterAlice = await handle.query(statusQuery);
    expect(afterAlice.gate?.needs).toMatch(/1 more approval\(s\) of 2 and 1 more from security \(carol\)/);
    await handle.executeUpdate(approveUpdate, { args: [{ signed: await sign(handle, waiting, { key: keys.carol }) }] });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
  });

  it('a signal from the Temporal UI with a valid statement and proof is honoured; without one it is refused and recorded', async () => {
    const project = uniqueProject('ui');
    const { handle, waiting } = await begin(project, signedGate());
    await handle.signal(approveSignal, { approver: 'alice', digests: waiting.gate?.digests ?? [] });
    await handle.signal(approveSignal, { signed: await sign(handle, waiting, { key: keys.mallory, as: 'alice' }) });
    // Signals are not answered: wait until both are in the record.
    let refused = await handle.query(statusQuery);
    for (let i = 0; i < 100 && refused.decisions.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      refused = await handle.query(statusQuery);
    }
    expect(refused.phase).toBe('awaiting-approval');
    expect(refused.decisions.map((d) => [d.kind, d.via, d.refusal])).toEqual([
      ['refused', 'signal', expect.stringMatching(/signed statement is required/)],
      ['refused', 'signal', expect.stringMatching(/key of mallory/)],
    ]);
    // What `shipgate approve --print-signal` prints, pasted into the UI's signal form, round-tripped through JSON.
    const pasted = JSON.parse(JSON.stringify({ signed: await sign(handle, waiting, { key: keys.alice }) })) as object;
    await handle.signal(approveSignal, pasted);
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect(done.decisions.at(-1)).toMatchObject({
      kind: 'approve',
      by: 'alice',
      via: 'signal',
      verified: { method: 'ssh' },
    });
  });

  it('abort at the gate needs its own signed statement: a bare name and an approval signature are refused', async () => {
    const project = uniqueProject('abort');
    const { handle, waiting } = await begin(project, signedGate());
    const abort = (request: object) =>
      handle.executeUpdate(abortUpdate, { args: [{ reason: 'wrong build', ...request }] }).catch((e: unknown) => e);
    const bare = await abort({ by: 'alice' });
    expect(((bare as WorkflowUpdateFailedError).cause as Error).message).toMatch(/signed statement is required/);
    const approval = await abort({ signed: await sign(handle, waiting, { key: keys.alice }) });
    expect(((approval as WorkflowUpdateFailedError).cause as Error).message).toMatch(/says "approve", not "abort"/);
    await handle.executeUpdate(abortUpdate, {
      args: [{ reason: 'wrong build', signed: await sign(handle, waiting, { key: keys.bob }, { decision: 'abort' }) }],
    });
    const done = await handle.result();
    expect(done.phase).toBe('aborted');
    expect(done.decisions.at(-1)).toMatchObject({ kind: 'abort', by: 'bob', verified: { method: 'ssh' } });
  });

  it('CI OIDC tokens: expired, wrong audience, unlisted issuer and reused tokens are refused, each saying why; a fresh one promotes', async () => {
    const project = uniqueProject('oidc');
    const claims = { project_path: `acme/${project}`, ref_protected: 'true', aud: 'shipgate' };
    const { handle, waiting } = await begin(project, {
      gate: {
        approvers: ['alice', 'bob'],
        deadline: '1h',
        required: 2,
        identity: {
          mode: 'oidc',
          oidc: {
            audience: 'shipgate',
            issuers: [
              {
                url: gitlab.url,
                personClaim: 'user_login',
                claims: { project_path: `acme/${project}`, ref_protected: true },
              },
            ],
          },
        },
      },
    });
    const now = Math.floor(Date.now() / 1000);
    const tokenRefusal = async (token: string) => refusal(handle, { signed: await sign(handle, waiting, { token }) });
    expect(
      await tokenRefusal(gitlab.token({ ...claims, user_login: 'alice', iat: now - 900, exp: now - 600 })),
    ).toMatch(/exp: the token expired/);
    expect(await tokenRefusal(gitlab.token({ ...claims, user_login: 'alice', aud: 'vault' }))).toMatch(
      /aud: the token is for audience vault/,
    );
    expect(await tokenRefusal(bed.forge.oidcIssuer('elsewhere').token({ ...claims, user_login: 'alice' }))).toMatch(
      /issuer ".*elsewhere" is not listed/,
    );
    expect(await tokenRefusal(gitlab.token({ ...claims, project_path: 'mallory/fork', user_login: 'alice' }))).toMatch(
      /claim project_path/,
    );
    const aliceToken = gitlab.token({ ...claims, user_login: 'alice' });
    const first = await handle.executeUpdate(approveUpdate, {
      args: [{ signed: await sign(handle, waiting, { token: aliceToken }) }],
    });
    expect(first.verified).toMatchObject({ principal: 'alice', method: 'oidc', issuer: gitlab.url });
    // The same token again: for a rejection under a fresh statement (single use), and under a statement naming bob.
    const reused = await handle
      .executeUpdate(rejectUpdate, {
        args: [
          { reason: 'replayed', signed: await sign(handle, waiting, { token: aliceToken }, { decision: 'reject' }) },
        ],
      })
      .catch((e: unknown) => e);
    expect(((reused as WorkflowUpdateFailedError).cause as Error).message).toMatch(
      /single use: this token was already used/,
    );
    expect(await refusal(handle, { signed: await sign(handle, waiting, { token: aliceToken, as: 'bob' }) })).toMatch(
      /token is alice's/,
    );
    await handle.executeUpdate(approveUpdate, {
      args: [{ signed: await sign(handle, waiting, { token: gitlab.token({ ...claims, user_login: 'bob' }) }) }],
    });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
  });
});
