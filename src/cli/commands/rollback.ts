import type { Command } from 'commander';
export function registerRollback(_program: Command): void {}
