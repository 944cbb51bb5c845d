import { GithubForge } from './github.ts';
import { GitlabForge } from './gitlab.ts';
import type { Forge, ForgeConfig } from './types.ts';

export function forgeFor(config: ForgeConfig): Forge {
  return config.kind === 'github' ? new GithubForge(config) : new GitlabForge(config);
}
