/**
 * One announced thing's machine (machines/announcement.ts) bound to the route announcer: its `announce` and
 * `withdraw` actions put and take the host routes of every address, a refused announcement is a warning and a retry.
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import { announcementMachine } from '../../machines/announcement.js';
import type { Clock } from '../../machines/clock.js';
import type { RouteAnnouncer } from '../../transport/route-announcer.js';
import type { AnnouncementSpec } from './announcement-specs.js';

/** A refused announcement is tried again this long after (the kernel's table full, the device not yet there …). */
export const ANNOUNCE_RETRY_MS = 5000;

export interface AnnouncementEnvironment {
  readonly clock: Clock;
  readonly announcer: RouteAnnouncer;
  readonly warn: (message: string) => void;
  /** Each change of what is announced (the status, the metrics, the log). */
  readonly changed: (spec: AnnouncementSpec, announced: boolean) => void;
  readonly inspect?: ((event: InspectionEvent) => void) | undefined;
}

export class AnnouncementRunner {
  private readonly actor: Actor<typeof announcementMachine>;
  private announcedNow = false;

  constructor(
    readonly spec: AnnouncementSpec,
    private readonly env: AnnouncementEnvironment,
    healthy: boolean,
  ) {
    const machine = announcementMachine.provide({
      actions: {
        announce: () => this.announce(),
        withdraw: () => this.withdraw(),
      },
    });
    this.actor = createActor(machine, { clock: env.clock, inspect: env.inspect, id: `announce:${spec.owner}`, input: { healthy, retryMs: ANNOUNCE_RETRY_MS } });
  }

  start(): void {
    this.actor.start();
  }

  health(healthy: boolean): void {
    this.actor.send({ type: 'HEALTH', healthy });
  }

  /** Withdraws (when announced) and ends. */
  stop(): void {
    this.actor.send({ type: 'STOP' });
    this.actor.stop();
  }

  /** The process dies: the machine ends without a word (the kernel takes the routes with the process's device). */
  halt(): void {
    this.actor.stop();
    if (this.announcedNow) this.env.changed(this.spec, false);
    this.announcedNow = false;
  }

  get announced(): boolean {
    return this.announcedNow;
  }

  get state(): string {
    return String(this.actor.getSnapshot().value);
  }

  private announce(): void {
    this.announcedNow = true;
    this.env.changed(this.spec, true);
    for (const route of this.spec.routes) {
      this.env.announcer.announce(route).catch((error: unknown) => {
        this.env.warn(`${this.spec.owner}: cannot announce ${route.vip} in table ${route.table}: ${error instanceof Error ? error.message : String(error)}; trying again in ${ANNOUNCE_RETRY_MS / 1000}s`);
        if (this.actor.getSnapshot().status === 'active') this.actor.send({ type: 'FAILED' });
      });
    }
  }

  private withdraw(): void {
    if (this.announcedNow) this.env.changed(this.spec, false);
    this.announcedNow = false;
    for (const route of this.spec.routes) {
      this.env.announcer.withdraw(route).catch((error: unknown) => {
        this.env.warn(`${this.spec.owner}: cannot withdraw ${route.vip} from table ${route.table}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }
}
