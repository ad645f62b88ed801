/**
 * Script users and script files, checked as `keepalived -t` checks them (lib/notify.c, vrrp_parser.c,
 * check_misc.c, vrrp.c check_vrrp_script_security):
 * - `script_user`, a vrrp_script's `user` and a MISC_CHECK's `user` must name a user (and group) of this host;
 * - a script without a user of its own runs as script_user, else as keepalived_script when that user exists, else
 *   as root; with enable_script_security root is refused, so keepalived_script missing is an error at the first
 *   script (or notify FIFO) that needs it;
 * - a vrrp_script (when there is a vrrp_instance) must be found (a bare name through $PATH) and, run as root with
 *   enable_script_security, no part of its path may be writable by a non-root user (a directory with the sticky
 *   bit excepted), else keepalived disables it and `-t` fails.
 * keepalived drops, without failing `-t`, a notify or MISC_CHECK script that is missing, not executable or
 * insecure, or whose user does not exist: those are warnings here.
 */
import type { Diagnostics } from './diagnostics.js';
import type { HostFacts } from './host-facts.js';
import type { Config } from './model.js';
import { defaultScriptUser, judgeScriptUse } from './script-resolution.js';
import { scriptUses } from './script-uses.js';

export function checkScripts(config: Config, host: HostFacts, d: Diagnostics): void {
  const g = config.globalDefs;
  const security = g.enableScriptSecurity === true;
  const defaults = defaultScriptUser(g, host);
  if (defaults.kind === 'script_user unknown') d.error(g.scriptUser?.at ?? { file: '', line: 0 }, defaults.problem);
  let defaultUserSaid = false;
  for (const use of scriptUses(config)) {
    const verdict = judgeScriptUse(use, defaults, security, host);
    if (verdict.ok) continue;
    switch (verdict.cause) {
      case 'user':
        if (use.userIsError) d.error(use.at, `${use.owner}: ${verdict.problem}`);
        else d.warning(use.at, `${use.owner}: ${verdict.problem} - keepalived ignores this script`);
        break;
      case 'default user':
        // An unknown script_user is said once, at its own line; keepalived reports a missing default user once too.
        if (defaults.kind === 'none' && !defaultUserSaid) d.error(use.at, `${use.owner}: ${verdict.problem} - set script_user`);
        defaultUserSaid = true;
        break;
      default:
        // keepalived refuses a missing or insecure vrrp_script; a non-executable one it disables quietly.
        if (use.track && verdict.cause !== 'not executable') d.error(use.at, `${use.owner}: ${verdict.problem}`);
        else d.warning(use.at, `${use.owner}: ${verdict.problem} - keepalived disables this script`);
    }
  }
}
