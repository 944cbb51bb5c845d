import { compareSemver, formatSemver, isStable, parseSemver, type SemVer } from './semver.ts';
import type { OciLocation } from './types.ts';

/** Which floating tags a repository carries: latest, X.Y ("minor") and X ("major"), as seed 004 derives them. */
export type FloatingTagKind = 'latest' | 'minor' | 'major';

export interface TagMove {
  tag: string;
  /** Digest the tag pointed at before, undefined when it did not exist. */
  from: string | undefined;
  to: string;
  /** The version the tag pointed at before, when one version tag shares its digest. */
  fromVersion: string | undefined;
}

export interface TagDecision {
  tag: string;
  move: boolean;
  reason: string;
  from: string | undefined;
  fromVersion: string | undefined;
}

function floatingTagName(kind: FloatingTagKind, version: SemVer): string {
  if (kind === 'latest') return 'latest';
  return kind === 'minor' ? `${version.major}.${version.minor}` : `${version.major}`;
}

function inRange(kind: FloatingTagKind, candidate: SemVer, version: SemVer): boolean {
  if (kind === 'latest') return true;
  if (candidate.major !== version.major) return false;
  return kind === 'major' || candidate.minor === version.minor;
}

/**
 * Decides, for each floating tag, whether promoting `version` moves it. A floating tag only ever moves
 * forward: it moves when it does not exist yet, or when the version it points at now (the version tag that
 * shares its digest) is lower than this one within the tag's range. So a 1.2.5 backport never takes `latest`
 * from 1.3.0, and a prerelease moves nothing. Versions published but never promoted do not block a move:
 * only what a floating tag points at counts. `allowBackwards` is for rollback, and then moves only backwards:
 * a rollback never creates a floating tag nor moves one forward (that is a promotion, with its own gate).
 */
export function decideFloatingTags(
  version: string,
  kinds: FloatingTagKind[],
  tags: Map<string, string>,
  options: { allowBackwards?: boolean } = {},
): TagDecision[] {
  const target = parseSemver(version);
  if (!target) throw new Error(`"${version}" is not a semantic version`);
  const versionsByDigest = new Map<string, SemVer[]>();
  for (const [tag, digest] of tags) {
    const parsed = parseSemver(tag);
    if (parsed && isStable(parsed)) versionsByDigest.set(digest, [...(versionsByDigest.get(digest) ?? []), parsed]);
  }
  return kinds.map((kind) => {
    const tag = floatingTagName(kind, target);
    const from = tags.get(tag);
    if (!isStable(target)) {
      return { tag, move: false, reason: 'prereleases move no floating tag', from, fromVersion: undefined };
    }
    if (from === undefined)
      return options.allowBackwards
        ? { tag, move: false, reason: 'tag does not exist: nothing to roll back', from, fromVersion: undefined }
        : { tag, move: true, reason: 'tag does not exist yet', from, fromVersion: undefined };
    const current = (versionsByDigest.get(from) ?? [])
      .filter((candidate) => inRange(kind, candidate, target))
      .sort(compareSemver)
      .at(-1);
    const fromVersion = current && formatSemver(current);
    if (!current && options.allowBackwards)
      return {
        tag,
        move: false,
        reason: 'tag points at no known version: a rollback does not guess',
        from,
        fromVersion,
      };
    if (!current) return { tag, move: true, reason: 'tag points at no known version', from, fromVersion };
    const order = compareSemver(target, current);
    if (order === 0) return { tag, move: false, reason: `already on ${fromVersion}`, from, fromVersion };
    if (order > 0 && options.allowBackwards)
      return {
        tag,
        move: false,
        reason: `${fromVersion} is older: a rollback never moves a tag forward (promote ${formatSemver(target)} instead)`,
        from,
        fromVersion,
      };
    if (order > 0)
      return { tag, move: true, reason: `${formatSemver(target)} is newer than ${fromVersion}`, from, fromVersion };
    if (options.allowBackwards) {
      return { tag, move: true, reason: `rollback from ${fromVersion}`, from, fromVersion };
    }
    return {
      tag,
      move: false,
      reason: `${fromVersion} is newer; a floating tag never moves backwards`,
      from,
      fromVersion,
    };
  });
}

export interface MoveFloatingTagsInput {
  name: string;
  destination: OciLocation;
  /** The version tag as pushed ("v1.2.3" or "1.2.3"). */
  versionTag: string;
  /** The digest recorded at publish; the version tag must still point at it. */
  digest: string;
  kinds: FloatingTagKind[];
  allowBackwards?: boolean;
}

export interface MoveFloatingTagsResult {
  name: string;
  moves: TagMove[];
  decisions: TagDecision[];
}
