/**
 * A node's announcements (`announce_table`), part of the node assembly in the daemon and the simulator alike: one
 * AnnouncementRunner per announced virtual server or VRRP instance, told its health (the checker side's quorum;
 * the instance's state) and kept across reloads when its routes do not change. A reload that drops or changes one
 * withdraws it; a stop withdraws every one; a crash leaves them to the kernel (the route announcer's device dies
 * with the process).
 */
import type { InspectionEvent } from 'xstate';
import type { Clock } from '../../machines/clock.js';
import type { RouteAnnouncer } from '../../transport/route-announcer.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import { AnnouncementRunner } from './announcement-runner.js';
import { announcementSpecs, type AnnouncementSpec } from './announcement-specs.js';

/** One announced route, for `vigil status` and `/metrics` (`vigil_announced{vip,table}`). */
export interface AnnouncementStatus {
  readonly owner: string;
  readonly vip: string;
  readonly table: number;
  readonly announced: boolean;
}

export interface NodeAnnouncementsEnvironment {
  readonly clock: Clock;
  readonly announcer: RouteAnnouncer | undefined;
  readonly warn: (message: string) => void;
  readonly changed: (spec: AnnouncementSpec, announced: boolean) => void;
  readonly inspect?: ((event: InspectionEvent) => void) | undefined;
}

export class NodeAnnouncements {
  private readonly runners = new Map<string, AnnouncementRunner>();
  /** Quorum by virtual server key, while the checker side is attached. */
  private readonly quorums = new Map<string, boolean>();
  /** MASTER or not, by instance name. */
  private readonly masters = new Map<string, boolean>();

  constructor(private readonly env: NodeAnnouncementsEnvironment) {}

  /** Starts, keeps or stops runners for `config`'s announcements (a start, a reload). */
  apply(config: KeepalivedConfig): void {
    const announcer = this.env.announcer;
    const specs = announcer === undefined ? [] : announcementSpecs(config);
    if (specs.length > 0) {
      const kept = announcer?.useDevice?.(config.globalDefs.announceDevice);
      if (kept !== undefined) this.env.warn(kept);
    }
    const wanted = new Map(specs.map((s) => [s.owner, s]));
    for (const [owner, runner] of [...this.runners]) {
      const next = wanted.get(owner);
      if (next !== undefined && JSON.stringify(next.routes) === JSON.stringify(runner.spec.routes)) continue;
      runner.stop();
      this.runners.delete(owner);
    }
    if (announcer === undefined) return;
    for (const spec of specs) {
      if (this.runners.has(spec.owner)) continue;
      const runner = new AnnouncementRunner(spec, { ...this.env, announcer }, this.healthy(spec));
      this.runners.set(spec.owner, runner);
      runner.start();
    }
  }

  private healthy(spec: AnnouncementSpec): boolean {
    return (spec.kind === 'virtual_server' ? this.quorums.get(spec.name) : this.masters.get(spec.name)) ?? false;
  }

  /** A VRRP instance of this node changed state. */
  vrrpState(instance: string, state: string): void {
    this.masters.set(instance, state === 'MASTER');
    this.tell('vrrp_instance', instance);
  }

  /** A virtual server's quorum, at its start and at each change. */
  quorum(vs: string, up: boolean): void {
    this.quorums.set(vs, up);
    this.tell('virtual_server', vs);
  }

  /** The checker side stopped (vigil stops): no virtual server is healthy any more. */
  checksStopped(): void {
    for (const vs of [...this.quorums.keys()]) this.quorum(vs, false);
    this.quorums.clear();
  }

  private tell(kind: AnnouncementSpec['kind'], name: string): void {
    for (const runner of this.runners.values()) if (runner.spec.kind === kind && runner.spec.name === name) runner.health(this.healthy(runner.spec));
  }

  /** A stop: every announcement is withdrawn. */
  stop(): void {
    for (const runner of this.runners.values()) runner.stop();
    this.runners.clear();
  }

  /** A crash: the runners end without a word; the kernel takes the routes with the process's device. */
  halt(): void {
    for (const runner of this.runners.values()) runner.halt();
    this.runners.clear();
  }

  /** The last of a stop: the device goes (with any route still through it). */
  async close(): Promise<void> {
    await this.env.announcer?.close();
  }

  statuses(): AnnouncementStatus[] {
    return [...this.runners.values()].flatMap((r) => r.spec.routes.map((route) => ({ owner: r.spec.owner, vip: route.vip, table: route.table, announced: r.announced })));
  }
}
