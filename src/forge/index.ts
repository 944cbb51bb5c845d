import { GithubForge } from './github.ts';
import { GitlabForge } from './gitlab.ts';
import type { Forge } from './types.ts';
import type { ForgeConfig } from '../config/spec.ts';

export function forgeFor(config: ForgeConfig): Forge {
  return config.kind === 'github' ? new GithubForge(config) : new GitlabForge(config);
}
