// The demo: starts the local stack (Temporal dev server with its web UI, two OCI registries, a stand-in for
// GitHub and a control plane, a shipgate worker), builds and signs demo artifacts, then drives a release
// with the real `shipgate` CLI: start, status at the gate, approve, promoted, then checks the signed promotion
// record with stock cosign and `shipgate verify`. Run it again for the next version.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startLocalRegistry } from '../src/devstack/registry.ts';
import { localSigners } from '../src/devstack/signing-keys.ts';
import { freePort } from '../src/devstack/processes.ts';
import { localPromotionKey } from '../src/devstack/promotion-key.ts';
import { startTemporalDevServer } from '../src/devstack/temporal-dev-server.ts';
import { repoRoot } from '../src/tools/locate.ts';
import { createShipgateWorker } from '../src/worker/create-worker.ts';
import { startFakeForge } from '../test/support/fake-forge.ts';
import { pushChart } from '../test/support/fixtures/charts.ts';
import { pushImage } from '../test/support/fixtures/images.ts';
import { generateKeyPair, signAndAttest, signArtifact } from '../test/support/fixtures/signing.ts';
import { checkPromotionRecord } from './demo-evidence.ts';

const state = join(repoRoot, '.state', 'demo');
const step = (text: string): void => console.log(`\n\x1b[1m==> ${text}\x1b[0m`);

async function main(): Promise<void> {
  mkdirSync(state, { recursive: true });
  const runFile = join(state, 'runs');
  const run = (existsSync(runFile) ? Number(readFileSync(runFile, 'utf8')) : 0) + 1;
  writeFileSync(runFile, String(run));
  const version = `1.${run}.0`;

  step('starting the local stack: Temporal dev server + web UI, two registries, a stand-in forge, a worker');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const uiPort = await freePort();
  const temporal = await startTemporalDevServer({ stateDir: join(state, 'temporal'), uiPort });
  const credentials = { username: 'releaser', password: 'demo-password' };
  const source = await startLocalRegistry({ stateDir: join(state, 'staging-registry') });
  const destination = await startLocalRegistry({ stateDir: join(state, 'production-registry'), credentials });
  const forge = await startFakeForge({ tokens: ['demo-token'] });
  // The promotion key signs a record beside every promoted digest; the plan names these variables, never the key.
  const promotionKey = await localPromotionKey(join(state, 'promotion-key'));
  Object.assign(process.env, {
    SHIPGATE_PROMOTION_KEY: promotionKey.privateKey,
    SHIPGATE_PROMOTION_KEY_PASSWORD: promotionKey.password,
    PROD_REGISTRY_USER: credentials.username,
    PROD_REGISTRY_PASSWORD: credentials.password,
    GITHUB_TOKEN: 'demo-token',
    CONTROL_PLANE_TOKEN: 'demo-token',
    TEMPORAL_ADDRESS: temporal.address,
    SHIPGATE_UI_URL: temporal.uiUrl,
  });
  const connection = await NativeConnection.connect({ address: temporal.address });
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  const worker = await createShipgateWorker({ connection, client });
  const running = worker.run();
  console.log(`temporal ${temporal.address}   web UI ${temporal.uiUrl}`);
  console.log(`staging registry ${source.host}   production registry ${destination.host} (basic auth)`);

  const stop = async (): Promise<void> => {
    worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await forge.close();
    await Promise.all([source.stop(), destination.stop()]);
    await temporal.stop();
  };

  try {
    step(`building and signing ${version}: a multi-arch image (linux/amd64, linux/arm64) and a Helm chart`);
    const key = await generateKeyPair(join(state, `keys-${run}`));
    const image = await pushImage({
      registry: source.host,
      repository: 'staging/gateway',
      tag: `v${version}`,
      layerBytes: 2 * 1024 * 1024,
    });
    await signAndAttest(image, {
      key,
      format: 'bundle',
      attestations: ['slsaprovenance', 'spdxjson', 'vuln'],
      workDir: join(state, 'predicates'),
      perPlatform: false,
    });
    const chart = await pushChart({
      registry: source.host,
      repositoryPrefix: 'staging/charts',
      name: 'gateway',
      version,
    });
    await signArtifact(`${source.host}/${chart.repository}@${chart.digest}`, { key, format: 'legacy' });
    const commit = Buffer.from(`demo-${version}`).toString('hex').padEnd(40, '0').slice(0, 40);
    forge.seedGithubCommit('acme/gateway', commit);
    // The release PR of this version, found at publish by its head branch (promotion.mergePullRequest.head).
    forge.seedGithubPull('acme/gateway', run, { mergeable: true, head: `release/${version}` });

    // Signed decisions, the safe way: throwaway SSH keys for alice (approver) and ci-bot (starter), and the
    // allowed-signers file that names them, as git's gpg.ssh.allowedSignersFile does.
    const signers = await localSigners(join(state, 'signing'), ['alice', 'ci-bot']);
    const planPath = join(state, 'shipgate.yaml');
    writeFileSync(
      planPath,
      [
        'project: acme/gateway',
        'registries:',
        `  source: { host: "${source.host}", plainHttp: true }`,
        `  destination: { host: "${destination.host}", plainHttp: true, usernameEnv: PROD_REGISTRY_USER, passwordEnv: PROD_REGISTRY_PASSWORD }`,
        'images:',
        '  - { name: gateway, source: staging/gateway, destination: acme/gateway }',
        'charts:',
        '  - { name: gateway-chart, source: staging/charts/gateway, destination: acme/charts/gateway }',
        'policy:',
        `  key: { path: "${key.publicKey}" }`,
        '  tlog: ignore # the demo signs offline, without a transparency log',
        '  attestations: [slsaprovenance, spdxjson, vuln]',
        `forge: { kind: github, baseUrl: "${forge.githubUrl}", project: acme/gateway, tokenEnv: GITHUB_TOKEN }`,
        'gate:',
        '  mode: auto-when-public',
        '  approvers: [alice]',
        '  allowSelfApproval: false',
        '  deadline: 7d',
        `  identity: { mode: signed, sshAllowedSigners: "${signers.allowedSigners}" }`,
        'promotion:',
        '  floatingTags: [latest, minor, major]',
        '  publishRelease: true',
        "  mergePullRequest: { head: 'release/{version}' }",
        `  pins: [{ url: "${forge.pinsUrl}/{name}", tokenEnv: CONTROL_PLANE_TOKEN, readBack: true }]`,
        'evidence: # a signed promotion record (SLSA VSA v1 + who approved) on every promoted digest, step attest',
        '  key: { pathEnv: SHIPGATE_PROMOTION_KEY, passwordEnv: SHIPGATE_PROMOTION_KEY_PASSWORD }',
        '',
      ].join('\n'),
    );

    const shipgate = (args: string[], env: Record<string, string> = {}) =>
      execa(join(repoRoot, 'bin', 'shipgate'), args, {
        stdio: 'inherit',
        env: { SHIPGATE_USER: 'ci-bot', ...env },
        reject: false,
      });

    step(`CI starts the release: shipgate start --version v${version} --key <ci-bot's key> --wait awaiting-approval`);
    const started = await shipgate([
      'start',
      '--plan',
      planPath,
      '--version',
      `v${version}`,
      '--commit',
      commit,
      '--key',
      signers.keys['ci-bot'] ?? '',
      '--wait',
      'awaiting-approval',
    ]);
    if (started.exitCode !== 0) throw new Error(`shipgate start exited ${started.exitCode}`);

    step('the release waits at the gate, for minutes or weeks, at no cost: shipgate status');
    await shipgate(['status', 'acme/gateway', version]);
    console.log(
      `\nopen the Temporal web UI: ${temporal.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent("ShipgatePhase='awaiting-approval'")}`,
    );

    step(
      "alice approves the exact digest set, signed with her key: shipgate approve --as alice --key <alice's key> --yes",
    );
    const approved = await shipgate([
      'approve',
      'acme/gateway',
      version,
      '--as',
      'alice',
      '--key',
      signers.keys.alice ?? '',
      '--yes',
      '--comment',
      'demo approval',
    ]);
    if (approved.exitCode !== 0) throw new Error(`shipgate approve exited ${approved.exitCode}`);

    step('promotion: re-verify, sign the promotion records, floating tags, publish the release, merge the PR, pin');
    const handle = client.workflow.getHandle(`release:acme/gateway:${version}`);
    await handle.result();
    await shipgate(['status', 'acme/gateway', version]);
    step('anyone can check who approved, offline: shipgate verify-decisions');
    await shipgate(['verify-decisions', 'acme/gateway', version, '--plan', planPath]);
    await checkPromotionRecord({
      reference: `${destination.host}/acme/gateway@${image.digest}`,
      publicKey: relative(repoRoot, promotionKey.publicKey),
      registry: { host: destination.host, ...credentials },
      dockerConfig: relative(repoRoot, join(state, 'docker')),
      step,
      shipgate,
    });
    step(`done: ${version} promoted. Run ./scripts/demo again for 1.${run + 1}.0; the stack state lives in ${state}`);
  } finally {
    await stop();
  }
}

await main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
