import { defineSearchAttributeKey } from '@temporalio/common';

// Custom search attributes, registered on the server by `shipgate dev` and the test harness, so the
// Temporal web UI can list releases by project, version and phase (e.g. all releases awaiting approval).
export const projectKey = defineSearchAttributeKey('ShipgateProject', 'KEYWORD');
export const versionKey = defineSearchAttributeKey('ShipgateVersion', 'KEYWORD');
export const phaseKey = defineSearchAttributeKey('ShipgatePhase', 'KEYWORD');

export const searchAttributeKeys = [projectKey, versionKey, phaseKey] as const;

/** `--search-attribute Name=Keyword` flags for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  return searchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}
