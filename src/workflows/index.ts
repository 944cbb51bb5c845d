// The workflows a shipgate worker runs (bundled by the Temporal worker; deterministic code only).
export { release } from './release.ts';
export { floatingTags } from './floating-tags.ts';
export { rollback } from './rollback.ts';
