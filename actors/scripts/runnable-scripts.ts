/**
 * The configuration as the daemon runs it: every script keepalived would run, each with the user it runs as
 * written as ids, and none of those keepalived would not run (config/script-resolution.ts judges each, with the code
 * `vigil config test` uses). Refused are: a script or FIFO whose user or group does not exist, one without a user of
 * its own when there is no default script user (script_user unknown; or enable_script_security with neither
 * script_user nor keepalived_script: never root), a missing or non-executable file, and with
 * enable_script_security a script run as root whose path a user other than root could change. Each refusal is
 * said once, at load, with its line and reason; what was refused then simply does not exist for the runtime (a
 * refused vrrp_script leaves the instances that tracked it, a refused MISC_CHECK its real server: keepalived's
 * behaviour).
 *
 * Without a host to judge against (the simulator, tests on simulated transports), nothing is refused and every
 * script runs as this process: the users are dropped.
 */
import type { HostFacts } from '../../config/host-facts.js';
import { defaultScriptUser, judgeScriptUse } from '../../config/script-resolution.js';
import { mapScriptUses } from '../../config/script-uses.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';

export interface RunnableScripts {
  readonly config: KeepalivedConfig;
  /** One line per refused script or FIFO: `FILE:LINE: OWNER: reason; ...`. */
  readonly refused: readonly string[];
}

export function runnableScripts(config: KeepalivedConfig, host: HostFacts | undefined): RunnableScripts {
  if (host === undefined) return { config: mapScriptUses(config, () => ({})), refused: [] };
  const g = config.globalDefs;
  const security = g.enableScriptSecurity === true;
  const defaults = defaultScriptUser(g, host);
  const refused: string[] = [];
  const runnable = mapScriptUses(config, (use) => {
    const verdict = judgeScriptUse(use, defaults, security, host);
    if (verdict.ok) return { user: String(verdict.account.uid), group: String(verdict.account.gid) };
    const where = use.at.file === '' ? '' : `${use.at.file}:${use.at.line}: `;
    const what = use.command === undefined ? 'the FIFO is not used' : 'the script does not run';
    refused.push(`${where}${use.owner}: ${verdict.problem}; ${what}`);
    return undefined;
  });
  return { config: runnable, refused };
}
