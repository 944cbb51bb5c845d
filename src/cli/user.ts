import { userInfo } from 'node:os';

/** Who is at the keyboard (or which CI identity): $SHIPGATE_USER, $GITHUB_ACTOR, $GITLAB_USER_LOGIN, else the login name. */
export function userName(): string {
  return process.env.SHIPGATE_USER ?? process.env.GITHUB_ACTOR ?? process.env.GITLAB_USER_LOGIN ?? userInfo().username;
}
