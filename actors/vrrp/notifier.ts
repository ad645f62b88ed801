/**
 * keepalived's VRRP notifications (vrrp_notify.c): on each state change of an instance or sync group, run
 * `notify_<state>`, then `notify` with four more arguments ("INSTANCE"|"GROUP", name, state, priority; a group's
 * priority is 0), then write the same as a line to the notify FIFOs: `INSTANCE "VI_1" MASTER 100`.
 *
 * Also as keepalived:
 * - a master that hears a lower priority runs `notify_master_rx_lower_pri` (no arguments) and writes
 *   `MASTER_RX_LOWER_PRI`, on every such advertisement;
 * - with notify_priority_changes (the instance's, else its sync group's, else global vrrp_notify_priority_changes)
 *   a change of effective priority writes `MASTER_PRIORITY` or `BACKUP_PRIORITY` to the FIFOs (no script);
 * - an instance a reload removes is not STOPped but DELETED when it has `notify_deleted` (its script, if any, then
 *   `notify … DELETED`), else it gets the FAULT notifications, unless it was in FAULT already (vrrp.c
 *   clear_diff_vrrp);
 * - notify_stop and `notify … STOP` are killed after one second (keepalived's TIMER_HZ for them).
 *
 * Scripts run through the node's bounded runner (actors/scripts/script-runner.ts) as their users; the daemon never
 * waits for them.
 */
import type { Subscription } from 'rxjs';
import type { Script } from '../../config/model.js';
import type { ScriptRunner } from '../scripts/script-runner.js';
import type { Bus } from '../bus.js';

export interface NotifyScripts {
  readonly notifyMaster?: Script | undefined;
  readonly notifyBackup?: Script | undefined;
  readonly notifyFault?: Script | undefined;
  readonly notifyStop?: Script | undefined;
  readonly notify?: Script | undefined;
  /** notify_deleted: DELETED rather than FAULT for an instance a reload removes; its script when it names one. */
  readonly notifyDeleted?: Script | true | undefined;
  readonly notifyMasterRxLowerPri?: Script | undefined;
  /** notify_priority_changes, already resolved from the sync group and global_defs. */
  readonly priorityChanges?: boolean | undefined;
}

export interface NotifierOptions {
  /** Only this node's changes (the simulator's bus carries every node's); all when absent. */
  readonly node?: string | undefined;
  readonly instances: ReadonlyMap<string, NotifyScripts>;
  readonly groups: ReadonlyMap<string, NotifyScripts>;
  readonly scripts: ScriptRunner;
  readonly timeoutMs: number;
  /** The notify FIFOs' VRRP lines (notify_fifo and vrrp_notify_fifo). */
  readonly fifo?: ((line: string) => void) | undefined;
}

/** keepalived kills notify_stop (and `notify` for STOP) after TIMER_HZ: the daemon is going away. */
export const STOP_SCRIPT_TIMEOUT_MS = 1000;

const STATE_SCRIPT: Record<string, 'notifyMaster' | 'notifyBackup' | 'notifyFault' | 'notifyStop'> = {
  MASTER: 'notifyMaster',
  BACKUP: 'notifyBackup',
  FAULT: 'notifyFault',
  STOP: 'notifyStop',
};

const KEYWORD: Record<string, string> = {
  notifyMaster: 'notify_master',
  notifyBackup: 'notify_backup',
  notifyFault: 'notify_fault',
  notifyStop: 'notify_stop',
};

export class Notifier {
  private subscription: Subscription | undefined;
  /** Instances a reload is removing: their STOP is a deletion. */
  private readonly deleting = new Set<string>();
  /** The last state each instance was notified in. */
  private readonly lastState = new Map<string, string>();

  constructor(private options: NotifierOptions) {}

  attach(bus: Bus): void {
    this.subscription = bus.messages$.subscribe((m) => {
      if (this.options.node !== undefined && m.node !== this.options.node) return;
      switch (m.kind) {
        case 'notify':
          this.instanceChanged(m.instance, m.state, m.priority);
          break;
        case 'sync':
          this.changed('GROUP', m.group, m.to, 0, this.options.groups.get(m.group));
          break;
        case 'priority':
          if (this.options.instances.get(m.instance)?.priorityChanges) this.fifoLine('INSTANCE', m.instance, m.state === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY', m.priority);
          break;
        case 'master_rx_lower_pri': {
          const script = this.options.instances.get(m.instance)?.notifyMasterRxLowerPri;
          if (script) this.run(script, [], `instance ${m.instance} notify_master_rx_lower_pri`, this.options.timeoutMs);
          this.fifoLine('INSTANCE', m.instance, 'MASTER_RX_LOWER_PRI', m.priority);
          break;
        }
        default:
          break;
      }
    });
  }

  /** A reload brings new script settings. */
  update(instances: ReadonlyMap<string, NotifyScripts>, groups: ReadonlyMap<string, NotifyScripts>): void {
    this.options = { ...this.options, instances, groups };
  }

  /** A reload renamed these instances (old name to new, ./vrrp-node.ts): each goes on from its last state. */
  renamed(names: ReadonlyMap<string, string>): void {
    const states = [...names].map(([from, to]) => [to, this.lastState.get(from)] as const);
    for (const from of names.keys()) this.lastState.delete(from);
    for (const [to, state] of states) if (state !== undefined) this.lastState.set(to, state);
  }

  /** A reload is about to remove these instances: their STOP is reported as keepalived reports a deletion. */
  removing(instances: Iterable<string>): void {
    this.deleting.clear();
    for (const name of instances) this.deleting.add(name);
  }

  detach(): void {
    this.subscription?.unsubscribe();
  }

  private instanceChanged(name: string, state: string, priority: number): void {
    const scripts = this.options.instances.get(name);
    const was = this.lastState.get(name);
    this.lastState.set(name, state);
    if (state !== 'STOP' || !this.deleting.delete(name)) {
      this.changed('INSTANCE', name, state, priority, scripts);
      return;
    }
    this.lastState.delete(name);
    const deleted = scripts?.notifyDeleted;
    if (deleted !== undefined) {
      if (deleted !== true) this.run(deleted, [], `instance ${name} notify_deleted`, this.options.timeoutMs);
      this.generic('INSTANCE', name, 'DELETED', priority, scripts);
      this.fifoLine('INSTANCE', name, 'DELETED', priority);
    } else if (was !== 'FAULT') {
      this.changed('INSTANCE', name, 'FAULT', priority, scripts);
    }
  }

  private changed(kind: 'INSTANCE' | 'GROUP', name: string, state: string, priority: number, scripts: NotifyScripts | undefined): void {
    const specific = STATE_SCRIPT[state];
    const script = specific !== undefined ? scripts?.[specific] : undefined;
    const timeoutMs = state === 'STOP' ? Math.min(STOP_SCRIPT_TIMEOUT_MS, this.options.timeoutMs) : this.options.timeoutMs;
    if (script && specific) this.run(script, [], `${kind.toLowerCase()} ${name} ${KEYWORD[specific]}`, timeoutMs, state === 'STOP');
    this.generic(kind, name, state, priority, scripts);
    this.fifoLine(kind, name, state, priority);
  }

  private generic(kind: 'INSTANCE' | 'GROUP', name: string, state: string, priority: number, scripts: NotifyScripts | undefined): void {
    if (!scripts?.notify) return;
    const stop = state === 'STOP';
    const timeoutMs = stop ? Math.min(STOP_SCRIPT_TIMEOUT_MS, this.options.timeoutMs) : this.options.timeoutMs;
    this.run(scripts.notify, [kind, name, state, String(priority)], `${kind.toLowerCase()} ${name} notify`, timeoutMs, stop);
  }

  private fifoLine(kind: 'INSTANCE' | 'GROUP', name: string, state: string, priority: number): void {
    this.options.fifo?.(`${kind} "${name}" ${state} ${priority}\n`);
  }

  private run(script: Script, args: readonly string[], what: string, timeoutMs: number, stopping = false): void {
    this.options.scripts.notify({ script, args, timeoutMs, what, stopping });
  }
}
