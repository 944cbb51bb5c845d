import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../src/tools/locate.ts';
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
});
