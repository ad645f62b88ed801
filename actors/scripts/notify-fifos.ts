/**
 * keepalived's notify FIFOs: `notify_fifo` takes every line (VRRP and checker), `vrrp_notify_fifo` the VRRP lines,
 * `lvs_notify_fifo` the checker lines. Each is created when missing (transport/real/notify-fifo.ts), and its
 * `*_notify_fifo_script` is started on it with the FIFO's name as its last argument, runs as long as the FIFO is
 * open (no timeout), and gets SIGTERM when the FIFO closes (lib/notify.c fifo_open, script_killall).
 *
 * A side opens its FIFOs when it starts: the VRRP side the global and VRRP ones, the checker side the global and LVS
 * ones (so `vigil run -C` makes no VRRP FIFO, as keepalived's checker process makes none). keepalived's rules for
 * FIFOs that share a name (global_data.c): a VRRP or LVS FIFO named as the global one is ignored (its lines would
 * come twice); the VRRP and LVS FIFOs may share one, and when both have a script the LVS one is ignored. vigil is
 * one process, so the global FIFO's script runs once (keepalived's VRRP and checker processes each start it).
 *
 * A reload keeps a FIFO whose settings did not change (its reader too); keepalived closes and recreates every FIFO
 * and restarts its script.
 */
import type { GlobalDefs, Script } from '../../config/model.js';
import type { NotifyFifo, OpenNotifyFifo } from '../../transport/notify-fifo.js';
import { runAsOf } from './script-command.js';
import type { RunningScript, ScriptLog, ScriptRunner } from './script-runner.js';

type Role = 'global' | 'vrrp' | 'lvs';
export type FifoSide = 'vrrp' | 'lvs';

interface FifoSetting {
  readonly path: string;
  /** The FIFO's own `notify_fifo PATH [user [group]]`, as ids in the runnable configuration. */
  readonly owner: Script;
  readonly script?: Script | undefined;
  readonly roles: readonly Role[];
}

interface OpenFifo {
  readonly key: string;
  readonly fifo: NotifyFifo;
  readonly reader: RunningScript | undefined;
}

const ROLES_OF: Record<FifoSide, readonly Role[]> = { vrrp: ['global', 'vrrp'], lvs: ['global', 'lvs'] };

function settingsOf(g: GlobalDefs, log: ScriptLog): Map<string, FifoSetting> {
  const global = g.notifyFifo;
  let vrrp = g.vrrpNotifyFifo;
  let lvs = g.lvsNotifyFifo;
  let lvsScript = g.lvsNotifyFifoScript;
  if (global && vrrp?.command === global.command) {
    log.info(`notify FIFO ${vrrp.command} is both notify_fifo and vrrp_notify_fifo: vrrp_notify_fifo ignored`);
    vrrp = undefined;
  }
  if (global && lvs?.command === global.command) {
    log.info(`notify FIFO ${lvs.command} is both notify_fifo and lvs_notify_fifo: lvs_notify_fifo ignored`);
    lvs = undefined;
  }
  if (vrrp && lvs?.command === vrrp.command && lvsScript && g.vrrpNotifyFifoScript) {
    log.info(`notify FIFO ${lvs.command} is both vrrp_notify_fifo and lvs_notify_fifo, each with a script: lvs_notify_fifo_script ignored`);
    lvsScript = undefined;
  }
  const out = new Map<string, FifoSetting>();
  const add = (role: Role, fifo: Script | undefined, script: Script | undefined): void => {
    if (fifo === undefined) return;
    const known = out.get(fifo.command);
    if (known) out.set(fifo.command, { ...known, script: known.script ?? script, roles: [...known.roles, role] });
    else out.set(fifo.command, { path: fifo.command, owner: fifo, script, roles: [role] });
  };
  add('global', global, g.notifyFifoScript);
  add('vrrp', vrrp, g.vrrpNotifyFifoScript);
  add('lvs', lvs, lvsScript);
  return out;
}

function keyOf(s: FifoSetting): string {
  return JSON.stringify([s.path, s.owner.user, s.owner.group, s.script?.command, s.script?.user, s.script?.group]);
}

export class NotifyFifos {
  private settings: Map<string, FifoSetting>;
  private readonly open = new Map<string, OpenFifo>();
  private readonly sides = new Set<FifoSide>();

  constructor(
    private readonly env: { readonly openFifo?: OpenNotifyFifo | undefined; readonly log: ScriptLog },
    private readonly scripts: ScriptRunner,
    globalDefs: GlobalDefs,
  ) {
    this.settings = settingsOf(globalDefs, env.log);
  }

  /** A side starts: its FIFOs are created and opened, and their scripts started (once each). */
  openSide(side: FifoSide): void {
    this.sides.add(side);
    for (const s of this.settings.values()) {
      if (this.open.has(s.path) || !s.roles.some((r) => ROLES_OF[side].includes(r))) continue;
      this.openOne(s);
    }
  }

  /** A VRRP line: to notify_fifo and vrrp_notify_fifo. */
  vrrp(line: string): void {
    this.write('vrrp', line);
  }

  /** A checker line: to notify_fifo and lvs_notify_fifo. */
  lvs(line: string): void {
    this.write('lvs', line);
  }

  /** A reload: FIFOs whose settings changed are closed, and what the open sides now name is opened. */
  reconfigure(globalDefs: GlobalDefs): void {
    this.settings = settingsOf(globalDefs, this.env.log);
    const wanted = new Set([...this.settings.values()].map(keyOf));
    for (const [path, o] of this.open) {
      if (wanted.has(o.key)) continue;
      this.closeOne(o);
      this.open.delete(path);
    }
    for (const side of this.sides) this.openSide(side);
  }

  /** vigil stops: the readers get SIGTERM first (keepalived's order); they read on until the FIFO closes. */
  stopReaders(): void {
    for (const o of this.open.values()) o.reader?.stop();
  }

  close(): void {
    for (const o of this.open.values()) this.closeOne(o);
    this.open.clear();
    this.sides.clear();
  }

  private write(side: FifoSide, line: string): void {
    for (const [path, o] of this.open) {
      if (this.settings.get(path)?.roles.some((r) => ROLES_OF[side].includes(r))) o.fifo.write(line);
    }
  }

  private openOne(s: FifoSetting): void {
    const owner = runAsOf(s.owner);
    if (owner === 'unresolved' || this.env.openFifo === undefined) return;
    const fifo = this.env.openFifo(s.path, owner);
    if (fifo === undefined) return;
    let reader: RunningScript | undefined;
    if (s.script !== undefined) {
      const what = `${s.roles[0] === 'global' ? '' : `${s.roles[0]}_`}notify_fifo_script`;
      reader = this.scripts.start({ script: s.script, args: [s.path], timeoutMs: Infinity, what }, (outcome) => {
        if (outcome !== undefined) this.env.log.info(`${what} ${s.script?.command ?? ''} terminated`);
      });
    }
    this.open.set(s.path, { key: keyOf(s), fifo, reader });
  }

  private closeOne(o: OpenFifo): void {
    o.reader?.stop();
    o.fifo.close();
  }
}
