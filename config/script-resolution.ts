/**
 * Who runs a script, and whether keepalived would run it at all (lib/notify.c: set_uid_gid,
 * get_default_script_user, check_script_secure):
 * - a script naming its own `user [group]` runs as them (the group defaults to the user's own); a user or group the
 *   host does not know drops the script, never falls back to root;
 * - a script without one runs as the default script user: `script_user`, else `keepalived_script` when that user
 *   exists, else root, which enable_script_security refuses (then every such script is dropped);
 * - its file must be there and executable by that user, and when it runs as root with enable_script_security, no
 *   part of its path may be writable by a user other than root (config/script-files.ts).
 *
 * `vigil config test` turns a verdict into a diagnostic (config/host-check-scripts.ts); the daemon runs what is
 * allowed, as its user, and logs why the rest does not run (actors/scripts/runnable-scripts.ts).
 */
import type { GlobalDefs } from './model.js';
import type { HostAccount, HostFacts } from './host-facts.js';
import { scriptStatus } from './script-files.js';
import type { ScriptUse } from './script-uses.js';

/** keepalived's default script user when script_user is not set and the user exists. */
export const DEFAULT_SCRIPT_USER_NAME = 'keepalived_script';

export type DefaultScriptUser =
  | { readonly kind: 'account'; readonly account: HostAccount }
  /** script_user names a user or group this host does not have (said at script_user's line). */
  | { readonly kind: 'script_user unknown'; readonly problem: string }
  /** No script_user, no keepalived_script, and enable_script_security will not fall back to root. */
  | { readonly kind: 'none'; readonly problem: string };

export type ScriptVerdict =
  | { readonly ok: true; readonly account: HostAccount }
  | {
      readonly ok: false;
      readonly cause: 'user' | 'default user' | 'missing' | 'not executable' | 'insecure';
      readonly problem: string;
    };

/** uid and gid of `user` (and `group`), or why not. */
export function scriptAccount(user: string, group: string | undefined, host: HostFacts): HostAccount | string {
  const u = host.user(user);
  if (!u) return `user ${user} does not exist`;
  if (group === undefined) return u;
  const gid = host.group(group);
  return gid === undefined ? `group ${group} does not exist` : { uid: u.uid, gid };
}

export function defaultScriptUser(g: Pick<GlobalDefs, 'scriptUser' | 'enableScriptSecurity'>, host: HostFacts): DefaultScriptUser {
  if (g.scriptUser !== undefined) {
    const a = scriptAccount(g.scriptUser.user, g.scriptUser.group, host);
    return typeof a === 'string' ? { kind: 'script_user unknown', problem: `script_user: ${a}` } : { kind: 'account', account: a };
  }
  const fallback = host.user(DEFAULT_SCRIPT_USER_NAME);
  if (fallback) return { kind: 'account', account: fallback };
  if (g.enableScriptSecurity !== true) return { kind: 'account', account: { uid: 0, gid: 0 } };
  return {
    kind: 'none',
    problem: `no script_user, no user ${DEFAULT_SCRIPT_USER_NAME} on this host, and enable_script_security will not run scripts as root`,
  };
}

/** What keepalived makes of one script (or notify FIFO) of the configuration on this host. */
export function judgeScriptUse(use: ScriptUse, defaults: DefaultScriptUser, security: boolean, host: HostFacts): ScriptVerdict {
  let who: HostAccount;
  if (use.user !== undefined) {
    const a = scriptAccount(use.user, use.group, host);
    if (typeof a === 'string') return { ok: false, cause: 'user', problem: a };
    who = a;
  } else if (defaults.kind === 'account') who = defaults.account;
  else return { ok: false, cause: 'default user', problem: defaults.problem };
  if (use.command === undefined) return { ok: true, account: who };
  const status = scriptStatus(use.command, who, security, host);
  switch (status.kind) {
    case 'missing':
      return { ok: false, cause: 'missing', problem: `${status.path} not found${status.path.includes('/') ? '' : ' in $PATH'}` };
    case 'not executable':
      return { ok: false, cause: 'not executable', problem: `${status.path} is not executable by uid ${who.uid}` };
    case 'insecure':
      return {
        ok: false,
        cause: 'insecure',
        problem: `${status.part === status.path ? status.path : `${status.path} is insecure: ${status.part}`} can be changed by a user other than root (enable_script_security refuses that)`,
      };
    default:
      return { ok: true, account: who };
  }
}
