/**
 * The route announcer of a simulated host: its announce tables, held by the node's process. A crash takes them
 * all at once, as the kernel deletes the real one's TUN device with its routes when vigil dies. Every change is told
 * with its virtual time (the ECMP router's next hops, sim/ecmp-flows.ts).
 */
import type { Clock } from '../machines/clock.js';
import { announcedKey, type AnnouncedRoute, type RouteAnnouncer } from '../transport/route-announcer.js';

export interface AnnouncementChange {
  readonly t_ms: number;
  readonly node: string;
  readonly vip: string;
  readonly table: number;
  readonly announced: boolean;
}

export class SimulatedRouteAnnouncer implements RouteAnnouncer {
  private readonly routes = new Map<string, AnnouncedRoute>();

  constructor(
    private readonly clock: Clock,
    private readonly node: string,
    private readonly changed: (change: AnnouncementChange) => void = () => {},
  ) {}

  async announce(route: AnnouncedRoute): Promise<void> {
    this.set(route, true);
  }

  async withdraw(route: AnnouncedRoute): Promise<void> {
    this.set(route, false);
  }

  async close(): Promise<void> {
    this.processDied();
  }

  /** The node's process is gone: its device, and every route through it, with it. */
  processDied(): void {
    for (const route of [...this.routes.values()]) this.set(route, false);
  }

  /** The routes in the tables now (`VIP table T`), sorted. */
  table(): string[] {
    return [...this.routes.keys()].sort();
  }

  private set(route: AnnouncedRoute, announced: boolean): void {
    const key = announcedKey(route);
    if (this.routes.has(key) === announced) return;
    if (announced) this.routes.set(key, { vip: route.vip, table: route.table });
    else this.routes.delete(key);
    this.changed({ t_ms: Math.round(this.clock.now() * 1000) / 1000, node: this.node, vip: route.vip, table: route.table, announced });
  }
}
