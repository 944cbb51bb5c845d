import { createHash } from 'node:crypto';
import { FailureTypes, permanent } from '../errors.ts';
import { downloadPackageFile, storedPackageFiles, uploadPackageFile } from '../forge/gitlab-packages.ts';
import { heartbeatWhile } from './context.ts';
import { CopyHeartbeat } from './copy-heartbeat.ts';
import { defaultStallTimeoutMs } from './copy-oci-artifact.ts';
import { TransferWatch } from '../registry/transfer-watch.ts';
import type { BodyWatch } from '../http/read-watched.ts';
import type { ForgeConfig, GenericPackageInput, PackageFile } from '../config/spec.ts';

export interface GenericPackageCopy {
  name: string;
  version: string;
  files: (PackageFile & { uploaded: boolean })[];
}

/** Records each file's sha256 and size at the source: the package is addressed by these from now on. */
export async function resolveGenericPackage(input: GenericPackageInput): Promise<PackageFile[]> {
  const files = await storedPackageFiles(input.source, input.name, input.version, input.files);
  return input.files.map((fileName) => {
    const file = files.find((f) => f.file_name === fileName);
    if (!file?.file_sha256) {
      throw permanent(
        FailureTypes.sourceArtifactMissing,
        `package "${input.name}" ${input.version}: file ${fileName} is not in ${input.source.project}'s generic package registry; upload it there first or fix the package's files in the plan`,
      );
    }
    return { name: fileName, sha256: file.file_sha256, size: file.size };
  });
}

/**
 * Copies a GitLab generic package (seed 000: download from the security mirror, upload to canonical), one
 * file after another, each checked by sha256 after the upload. Looks first: a file already at the destination
 * with the recorded checksum is left alone, so a retry converges. A "duplicate" answer counts as success only
 * when the stored checksum matches.
 */
export async function copyGenericPackage(
  input: GenericPackageInput & { destination: ForgeConfig; resolved: PackageFile[]; stallTimeoutMs?: number },
): Promise<GenericPackageCopy> {
  const names = input.resolved.map((file) => file.name);
  const present = await storedPackageFiles(input.destination, input.name, input.version, names);
  const result: GenericPackageCopy = { name: input.name, version: input.version, files: [] };
  const beat = new CopyHeartbeat(input.name);
  beat.set({
    phase: 'copying',
    blobsTotal: input.resolved.length,
    bytesTotal: input.resolved.reduce((sum, file) => sum + file.size, 0),
  });
  for (const file of input.resolved) {
    const where = `package "${input.name}" ${input.version} file ${file.name}`;
    const existing = present.find((f) => f.file_name === file.name);
    if (existing?.file_sha256 === file.sha256) {
      result.files.push({ ...file, uploaded: false });
      beat.bytes(file.size);
      beat.blobDone();
      continue;
    }
    if (existing) {
      throw permanent(
        FailureTypes.tagConflict,
        `${where}: ${input.destination.project} already holds it with sha256 ${existing.file_sha256}, not ${file.sha256}; a released package is never replaced: release a new version`,
      );
    }
    const ref = { name: input.name, version: input.version, file: file.name, where };
    const progress = () => ({ ...beat.progress, at: Date.now() });
    const bytes = await fetchWatched(input, file, input.stallTimeoutMs ?? defaultStallTimeoutMs, beat);
    // The upload is one request with the whole file: no byte counts to watch, its timeout bounds it.
    const stored = await heartbeatWhile(progress, () => uploadPackageFile(input.destination, ref, bytes));
    const storedSha =
      stored ?? (await storedPackageFiles(input.destination, input.name, input.version, [file.name]))[0]?.file_sha256;
    if (storedSha !== file.sha256) {
      throw permanent(
        FailureTypes.packageChecksumMismatch,
        `${where}: destination stored sha256 ${storedSha ?? 'nothing'}, expected ${file.sha256}`,
      );
    }
    result.files.push({ ...file, uploaded: true });
    beat.blobDone();
  }
  return result;
}

/** A download whose bytes feed the progress and whose silence past the idle limit fails it as retryable. */
async function fetchWatched(
  input: GenericPackageInput,
  file: PackageFile,
  idleMs: number,
  beat: CopyHeartbeat,
): Promise<Buffer> {
  const key = `file ${file.name}`;
  const watch = new TransferWatch(`package "${input.name}" ${input.version}`, input.source.project, idleMs, (n) =>
    beat.bytes(n),
  );
  watch.start(key, file.size);
  try {
    return await fetchResolvedFile(input, file, { signal: watch.signal, bytes: (n) => watch.bytes(key, n) });
  } finally {
    watch.stop();
  }
}

/** One file of a package from its source project, checked against the sha256 recorded at resolve. */
export async function fetchResolvedFile(
  input: GenericPackageInput,
  file: PackageFile,
  watch?: BodyWatch,
): Promise<Buffer> {
  const where = `package "${input.name}" ${input.version} file ${file.name}`;
  const ref = { name: input.name, version: input.version, file: file.name, where };
  const bytes = await downloadPackageFile(input.source, ref, watch);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== file.sha256) {
    throw permanent(
      FailureTypes.digestMismatch,
      `${where}: downloaded sha256 ${sha256}, recorded ${file.sha256}; the source changed after resolve`,
    );
  }
  return bytes;
}
