/**
 * MISC_CHECK `user USERNAME [GROUPNAME]`: names to ids from /etc/passwd and /etc/group (numbers pass through).
 * Without a group, the user's primary group is used, as keepalived does.
 */
import { readFileSync } from 'node:fs';

function field(file: string, name: string, index: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const parts = line.split(':');
    if (parts[0] === name && parts[index] !== undefined) return Number(parts[index]);
  }
  return undefined;
}

/** uid and gid for a user (and optional group), or a one-line reason why not. */
export function lookupUser(user: string, group?: string): { uid: number; gid: number } | string {
  const uid = /^\d+$/.test(user) ? Number(user) : field('/etc/passwd', user, 2);
  if (uid === undefined) return `unknown user ${user}`;
  let gid: number | undefined;
  if (group !== undefined) gid = /^\d+$/.test(group) ? Number(group) : field('/etc/group', group, 2);
  else gid = /^\d+$/.test(user) ? uid : field('/etc/passwd', user, 3);
  if (gid === undefined) return `unknown group ${group ?? user}`;
  return { uid, gid };
}
