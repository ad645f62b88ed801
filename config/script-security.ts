/**
 * keepalived refuses to run scripts as root unless `enable_script_security` is set, and `keepalived -t` reports
 * that as a SECURITY VIOLATION. vigil warns where keepalived would: a script with no user of its own, no
 * non-root global script_user, and script security off.
 */
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { Config, Script } from './model.js';

export function checkScriptSecurity(config: Config, d: Diagnostics): void {
  const g = config.globalDefs;
  if (g.enableScriptSecurity) return;
  if (g.scriptUser !== undefined && g.scriptUser.user !== 'root') return;
  const asRoot = (s: Script | true | undefined): boolean => s !== undefined && (s === true || s.user === undefined || s.user === 'root');
  let first: SourcePosition | undefined;
  const found = (at: SourcePosition): void => {
    first ??= at;
  };
  for (const s of config.vrrpScripts) if (s.user === undefined || s.user === 'root') found(s.at);
  for (const v of config.vrrpInstances) {
    if ([v.notifyMaster, v.notifyBackup, v.notifyFault, v.notifyStop, v.notify, v.notifyMasterRxLowerPri].some(asRoot) || (v.notifyDeleted !== true && asRoot(v.notifyDeleted))) found(v.at);
  }
  for (const sg of config.vrrpSyncGroups) if ([sg.notifyMaster, sg.notifyBackup, sg.notifyFault, sg.notifyStop, sg.notify].some(asRoot)) found(sg.at);
  for (const vs of config.virtualServers) {
    if (first) break;
    if (asRoot(vs.quorumUp) || asRoot(vs.quorumDown)) found(vs.at);
    for (const rs of vs.realServers) {
      if (asRoot(rs.notifyUp) || asRoot(rs.notifyDown)) found(rs.at);
      for (const c of rs.checkers) if (c.type === 'MISC_CHECK' && (c.user === undefined || c.user === 'root')) found(c.at);
    }
  }
  if (first) d.warning(first, 'scripts would run as root without enable_script_security (keepalived -t reports a SECURITY VIOLATION); set enable_script_security or script_user');
}
