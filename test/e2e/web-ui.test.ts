import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../src/tools/locate.ts';
import { statusQuery } from '../../src/workflows/messages.ts';
import type { Phase } from '../../src/workflows/status.ts';
import { startPublicRelease, useReleaseBed, uniqueProject, waitForPhase } from '../support/release-bed.ts';

// The Temporal web UI in a real (headless) Chromium: a release waiting for approval is listed with its summary
// and found by shipgate's search attributes. The screenshots kept in docs/ come from this test: run it with
// SHIPGATE_UPDATE_SCREENSHOTS=1 to refresh them; otherwise they go to a temporary folder.
const shots = process.env.SHIPGATE_UPDATE_SCREENSHOTS
  ? join(repoRoot, 'docs')
  : mkdtempSync(join(tmpdir(), 'shipgate-ui-'));
describe('Temporal web UI', () => {
  const bed = useReleaseBed();
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lists a release waiting for approval by ShipgatePhase and ShipgateProject, and shows its summary', async () => {
    const project = uniqueProject('ui');
    const { sha, handle } = await startPublicRelease(bed, project, 'v1.0.0');
    await waitForPhase(handle, 'awaiting-approval');

    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const query = `ShipgatePhase="awaiting-approval" AND ShipgateProject="${project}"`;
    await page.goto(`${inject('temporalUiUrl')}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    const row = page.getByText(handle.workflowId).first();
    await row.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, 'ui-awaiting-approval.png') });

    // The same search with another phase finds nothing: the listing really comes from the search attributes.
    const other = `ShipgatePhase="promoted" AND ShipgateProject="${project}"`;
    await page.goto(`${inject('temporalUiUrl')}/namespaces/default/workflows?query=${encodeURIComponent(other)}`);
    await page
      .getByText(/No Results/i)
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await page.getByText(handle.workflowId).count()).toBe(0);

    await page.goto(`${inject('temporalUiUrl')}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`);
    // The release's static summary sits in the workflow's header.
    await page
      .getByText(`release ${project} 1.0.0 (${sha.slice(0, 12)})`)
      .first()
      .waitFor({ timeout: 30_000 });
    // User Metadata: each activity's summary reads like the release (resolve, verify, copy, draft).
    await page.getByText('User Metadata').first().click();
    for (const line of [
      /^resolve image app:v1\.0\.0$/,
      /^verify app@sha256:[0-9a-f]{12} at source$/,
      /^copy image app@sha256:/,
    ]) {
      await page.getByText(line).first().waitFor({ timeout: 30_000 });
    }
    // Current details (the workflow's own markdown, rendered by the UI in a sandboxed frame) says what it waits for.
    const everyFrameText = async (): Promise<string> =>
      (
        await Promise.all(
          page.frames().map((frame) =>
            frame
              .locator('body')
              .innerText()
              .catch(() => ''),
          ),
        )
      ).join('\n');
    await expect.poll(everyFrameText, { timeout: 30_000 }).toMatch(/waiting for approval by alice, bob until \d{4}-/);
    await page.screenshot({ path: join(shots, 'ui-release-metadata.png') });
  });

  /** What a person does in the UI: More Actions → Send a Signal → pick the name → paste the JSON → Submit. */
  async function signalFromUi(
    page: Page,
    workflowId: string,
    name: string,
    body: object,
    shot?: string,
  ): Promise<void> {
    await page.goto(`${inject('temporalUiUrl')}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByRole('button', { name: 'More Actions' }).first().click();
    await page.locator('[data-testid="signal-button"]:visible').first().click();
    // The form lists the signals the workflow declares (its metadata query): every decision is there by name.
    await page.locator('[data-testid="signal-select-button"]:visible').first().click();
    await page.getByRole('option', { name, exact: true }).locator('visible=true').first().click();
    await page.locator('dialog[open] [role="textbox"][data-language="json"]').first().click();
    await page.keyboard.insertText(JSON.stringify(body));
    // Leaving the editor formats the JSON and grows the form: only then is Submit where it stays.
    await page
      .locator('dialog[open] [role="textbox"]')
      .first()
      .evaluate((editor) => (editor as unknown as { blur: () => void }).blur());
    await page.waitForTimeout(500);
    if (shot) await page.screenshot({ path: join(shots, shot) });
    await page.locator('dialog[open] [data-testid="confirm-modal-button"]').first().click();
    await page.locator('dialog[open]').first().waitFor({ state: 'hidden', timeout: 30_000 });
  }

  /** Signals are not answered: waits until the release recorded a decision of this kind, then for the phase. */
  async function movesOn(
    handle: { query: (q: typeof statusQuery) => Promise<{ decisions: { kind: string }[] }> },
    kind: string,
    count: number,
  ) {
    await expect
      .poll(async () => (await handle.query(statusQuery)).decisions.filter((d) => d.kind === kind).length, {
        timeout: 30_000,
      })
      .toBe(count);
  }

  it('approves and retries from the signal form: the release promotes after a failed pin', async () => {
    const project = uniqueProject('uisig');
    // The control plane refuses the first pin (400: permanent), so the release needs attention after approval.
    bed.forge.failNext({ method: 'POST', pathPrefix: `/pins/${project}` }, [
      { status: 400, body: { error: 'unknown' } },
    ]);
    const { handle } = await startPublicRelease(bed, project, 'v1.0.0', {
      promotion: {
        floatingTags: ['latest'],
        publishRelease: true,
        pins: [{ url: `${bed.forge.pinsUrl}/${project}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
      },
    });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    // What `shipgate approve --print-signal` prints (this plan's gate.identity is unauthenticated: no statement).
    const approval = { approver: 'alice', digests: waiting.gate?.digests ?? [], comment: 'from the UI' };
    await signalFromUi(page, handle.workflowId, 'approve', approval, 'ui-signal-approve.png');
    await movesOn(handle, 'approve', 1);
    const stuck = await waitForPhase(handle, ['needs-attention', 'promoted'] satisfies Phase[]);
    expect(stuck.attention).toMatchObject({ step: 'pin', type: 'PinRejected' });

    await signalFromUi(
      page,
      handle.workflowId,
      'retry',
      { by: 'alice', comment: 'pin service fixed' },
      'ui-signal-retry.png',
    );
    await movesOn(handle, 'retry', 1);
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect(done.decisions.filter((d) => d.kind !== 'refused').map((d) => [d.kind, d.by, d.via, d.comment])).toEqual([
      ['approve', 'alice', 'signal', 'from the UI'],
      ['retry', 'alice', 'signal', 'pin service fixed'],
    ]);
    expect(bed.forge.pins().get(project)?.digest).toBe(done.artifacts[0]?.digest);
  });
});
