/**
 * Every script of a configuration, and every notify FIFO (which needs a user too), named as keepalived names it
 * and visited in one order: startup and shutdown scripts, the FIFOs and their scripts, vrrp_scripts (where there is a
 * vrrp_instance: keepalived checks them only then), the instances' and sync groups' notify scripts, the virtual
 * servers' quorum scripts and their real servers' notify scripts and MISC_CHECKs.
 *
 * `vigil config test` visits them to judge them (config/host-check-scripts.ts); the daemon visits them to keep what
 * keepalived keeps, each with the user it runs as (actors/scripts/runnable-scripts.ts). The walk is this one code,
 * so the two cannot disagree on what a configuration's scripts are.
 */
import type { SourcePosition } from './diagnostics.js';
import type { Checker, Config, RealServer, Script, VirtualServer, VrrpInstance, VrrpScript, VrrpSyncGroup } from './model.js';

export interface ScriptUse {
  /** `vrrp_instance VI_1: notify_master`, `vrrp_script chk`, `notify_fifo`, … */
  readonly owner: string;
  readonly at: SourcePosition;
  /** The command line; absent for a notify FIFO, which is only created as its user. */
  readonly command?: string | undefined;
  readonly user?: string | undefined;
  readonly group?: string | undefined;
  /** A vrrp_script: a missing or insecure one makes `keepalived -t` fail (the others keepalived drops quietly). */
  readonly track: boolean;
  /** vrrp_script and MISC_CHECK: an unknown user is a configuration error. */
  readonly userIsError: boolean;
}

/** Who a kept script runs as, as the visitor wants it written back (`user`/`group` of the model). */
export interface ScriptIdentity {
  readonly user?: string | undefined;
  readonly group?: string | undefined;
}

/** What to keep of a use: its identity (possibly rewritten), or undefined to drop the script as keepalived does. */
export type ScriptVisitor = (use: ScriptUse) => ScriptIdentity | undefined;

const TOP: SourcePosition = { file: '', line: 0 };

function withIdentity<T extends ScriptIdentity>(s: T, id: ScriptIdentity): T {
  return { ...s, user: id.user, group: id.group };
}

/**
 * The configuration with each script replaced by what `visit` makes of it: a dropped notify script is gone (a
 * dropped notify_deleted script leaves `notify_deleted` itself on), a dropped vrrp_script leaves the instances and
 * sync groups that tracked it, a dropped MISC_CHECK leaves its real server, a dropped notify FIFO takes its script.
 */
export function mapScriptUses(config: Config, visit: ScriptVisitor): Config {
  const notify = (owner: string, fallbackAt: SourcePosition, s: Script | undefined, command = true): Script | undefined => {
    if (s === undefined) return undefined;
    const id = visit({ owner, at: s.at ?? fallbackAt, command: command ? s.command : undefined, user: s.user, group: s.group, track: false, userIsError: false });
    return id === undefined ? undefined : withIdentity(s, id);
  };
  const g = config.globalDefs;
  const startupScript = notify('startup_script', TOP, g.startupScript);
  const shutdownScript = notify('shutdown_script', TOP, g.shutdownScript);
  const fifo = (keyword: string, path: Script | undefined, script: Script | undefined): [Script | undefined, Script | undefined] => {
    const kept = notify(keyword, TOP, path, false);
    const keptScript = notify(`${keyword}_script`, TOP, script);
    // keepalived runs a FIFO's script only on a FIFO it could set up.
    return [kept, kept === undefined ? undefined : keptScript];
  };
  const [notifyFifo, notifyFifoScript] = fifo('notify_fifo', g.notifyFifo, g.notifyFifoScript);
  const [vrrpNotifyFifo, vrrpNotifyFifoScript] = fifo('vrrp_notify_fifo', g.vrrpNotifyFifo, g.vrrpNotifyFifoScript);
  const [lvsNotifyFifo, lvsNotifyFifoScript] = fifo('lvs_notify_fifo', g.lvsNotifyFifo, g.lvsNotifyFifoScript);

  let vrrpScripts: readonly VrrpScript[] = config.vrrpScripts;
  const droppedScripts = new Set<string>();
  if (config.vrrpInstances.length > 0) {
    vrrpScripts = config.vrrpScripts.flatMap((s) => {
      const id = visit({ owner: `vrrp_script ${s.name}`, at: s.at, command: s.script, user: s.user, group: s.group, track: true, userIsError: true });
      if (id === undefined) {
        droppedScripts.add(s.name);
        return [];
      }
      return [withIdentity(s, id)];
    });
  }
  const untracked = <T extends { readonly trackScripts: VrrpInstance['trackScripts'] }>(o: T): T =>
    droppedScripts.size === 0 ? o : { ...o, trackScripts: o.trackScripts.filter((t) => !droppedScripts.has(t.name)) };

  const vrrpInstances = config.vrrpInstances.map((v): VrrpInstance => {
    const o = `vrrp_instance ${v.name}: `;
    const notifyMaster = notify(`${o}notify_master`, v.at, v.notifyMaster);
    const notifyBackup = notify(`${o}notify_backup`, v.at, v.notifyBackup);
    const notifyFault = notify(`${o}notify_fault`, v.at, v.notifyFault);
    const notifyStop = notify(`${o}notify_stop`, v.at, v.notifyStop);
    const deleted = v.notifyDeleted === true || v.notifyDeleted === undefined ? v.notifyDeleted : (notify(`${o}notify_deleted`, v.at, v.notifyDeleted) ?? true);
    return untracked({
      ...v,
      notifyMaster,
      notifyBackup,
      notifyFault,
      notifyStop,
      notifyDeleted: deleted,
      notify: notify(`${o}notify`, v.at, v.notify),
      notifyMasterRxLowerPri: notify(`${o}notify_master_rx_lower_pri`, v.at, v.notifyMasterRxLowerPri),
    });
  });
  const vrrpSyncGroups = config.vrrpSyncGroups.map((sg): VrrpSyncGroup => {
    const o = `vrrp_sync_group ${sg.name}: `;
    return untracked({
      ...sg,
      notifyMaster: notify(`${o}notify_master`, sg.at, sg.notifyMaster),
      notifyBackup: notify(`${o}notify_backup`, sg.at, sg.notifyBackup),
      notifyFault: notify(`${o}notify_fault`, sg.at, sg.notifyFault),
      notifyStop: notify(`${o}notify_stop`, sg.at, sg.notifyStop),
      notify: notify(`${o}notify`, sg.at, sg.notify),
    });
  });
  const virtualServers = config.virtualServers.map((vs): VirtualServer => {
    const a = vs.address;
    const o = `virtual_server ${a.kind === 'ip' ? `${a.ip} ${a.port}` : a.kind === 'fwmark' ? `fwmark ${a.fwmark}` : `group ${a.group}`}: `;
    const quorumUp = notify(`${o}quorum_up`, vs.at, vs.quorumUp);
    const quorumDown = notify(`${o}quorum_down`, vs.at, vs.quorumDown);
    const realServers = vs.realServers.map((rs): RealServer => {
      const r = `real_server ${rs.ip} ${rs.port}: `;
      const notifyUp = notify(`${r}notify_up`, rs.at, rs.notifyUp);
      const notifyDown = notify(`${r}notify_down`, rs.at, rs.notifyDown);
      const checkers = rs.checkers.flatMap((c): Checker[] => {
        if (c.type !== 'MISC_CHECK') return [c];
        const id = visit({ owner: `${r}MISC_CHECK`, at: c.at, command: c.miscPath, user: c.user, group: c.group, track: false, userIsError: true });
        return id === undefined ? [] : [withIdentity(c, id)];
      });
      return { ...rs, notifyUp, notifyDown, checkers };
    });
    return { ...vs, quorumUp, quorumDown, realServers };
  });
  return {
    ...config,
    globalDefs: {
      ...g,
      startupScript,
      shutdownScript,
      notifyFifo,
      notifyFifoScript,
      vrrpNotifyFifo,
      vrrpNotifyFifoScript,
      lvsNotifyFifo,
      lvsNotifyFifoScript,
    },
    vrrpScripts,
    vrrpInstances,
    vrrpSyncGroups,
    virtualServers,
  };
}

/** Every use, in the order of the walk (nothing changed). */
export function scriptUses(config: Config): ScriptUse[] {
  const out: ScriptUse[] = [];
  mapScriptUses(config, (use) => {
    out.push(use);
    return use;
  });
  return out;
}
