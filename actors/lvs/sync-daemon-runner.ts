/**
 * keepalived's `lvs_sync_daemon`, run as keepalived runs it:
 * - naming a VRRP instance (`lvs_sync_daemon IF [inst] NAME`, or the instance's `lvs_sync_daemon_interface`), the
 *   daemon follows that instance (vrrp.c, vrrp_scheduler.c): it starts as backup (as master when the instance
 *   is MASTER already); the instance becoming MASTER stops the backup daemon and starts the master one; leaving
 *   MASTER (to BACKUP or FAULT) does the reverse; vigil's stop stops the one running.
 * - naming none, both daemons run from start to stop (check_daemon.c).
 * Commands go one at a time, in order; a failure is logged and the next transition tries again from the kernel's
 * state (the control converges).
 */
import type { GlobalDefs } from '../../config/keywords/global-defs.js';
import type { SyncDaemonConfig, SyncDaemonControl, SyncDaemonRole } from '../../transport/lb/sync-daemon.js';
import type { DaemonLog } from '../environment.js';

export interface SyncDaemonSpec {
  readonly config: SyncDaemonConfig;
  /** The VRRP instance it follows; absent: master and backup both run. */
  readonly instance?: string;
}

/** The sync daemon of a finalized configuration (config/finalize-lvs.ts filled the sync id), if any. */
export function syncDaemonSpec(g: Pick<GlobalDefs, 'lvsSyncDaemon'>): SyncDaemonSpec | undefined {
  const s = g.lvsSyncDaemon;
  if (s === undefined) return undefined;
  const config: SyncDaemonConfig = {
    interface: s.interface,
    syncId: s.id ?? 0,
    ...(s.maxlen !== undefined ? { maxlen: s.maxlen } : {}),
    ...(s.port !== undefined ? { port: s.port } : {}),
    ...(s.ttl !== undefined ? { ttl: s.ttl } : {}),
    ...(s.group !== undefined ? { group: s.group } : {}),
  };
  return s.instance === undefined ? { config } : { config, instance: s.instance };
}

export class SyncDaemonRunner {
  /** The roles running (or asked for). */
  private running: readonly SyncDaemonRole[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly control: SyncDaemonControl,
    readonly spec: SyncDaemonSpec,
    private readonly log: DaemonLog,
  ) {}

  /** `masters`: the VRRP instances that are MASTER now. */
  start(masters: ReadonlySet<string>): void {
    if (this.spec.instance === undefined) {
      this.switchTo(['master', 'backup']);
      return;
    }
    this.switchTo([masters.has(this.spec.instance) ? 'master' : 'backup']);
  }

  /** A VRRP instance of this node changed state; STOP (a stop of vigil) is left to stop(). */
  vrrpState(instance: string, state: string): void {
    if (this.spec.instance === undefined || instance !== this.spec.instance || this.running.length === 0 || state === 'STOP') return;
    this.switchTo([state === 'MASTER' ? 'master' : 'backup']);
  }

  /** Resolves when every command asked for so far has been sent. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** vigil stops: the running daemons stop. */
  async stop(): Promise<void> {
    const roles = this.running;
    this.running = [];
    for (const role of roles) this.enqueue(`stop the ${role} sync daemon`, () => this.control.stop(role, this.spec.config));
    await this.chain;
  }

  private switchTo(roles: readonly SyncDaemonRole[]): void {
    const before = this.running;
    if (before.length === roles.length && before.every((r) => roles.includes(r))) return;
    this.running = roles;
    const { config } = this.spec;
    for (const role of before) if (!roles.includes(role)) this.enqueue(`stop the ${role} sync daemon`, () => this.control.stop(role, config));
    for (const role of roles) if (!before.includes(role)) this.enqueue(`start the ${role} sync daemon on ${config.interface} (sync id ${config.syncId})`, () => this.control.start(role, config));
  }

  private enqueue(what: string, step: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      try {
        await step();
        this.log.info(`lvs_sync_daemon: ${what}`);
      } catch (error) {
        this.log.error(`lvs_sync_daemon: cannot ${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }
}
