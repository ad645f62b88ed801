/**
 * What the inspection stream carries: one record per thing that happened to an actor (registered, changed state,
 * received an event) or on the bus, stamped with the injected clock's time. Plain data (strings, numbers, arrays,
 * objects), so the same records go to the flight recorder (msgpackr), the page (JSON over server-sent events) and
 * the metrics without conversion.
 */
import type { BusMessage } from '../actors/bus.js';
import type { MachineGraph } from './machine-graph.js';

/** Small per-machine facts taken from an actor's context (e.g. the effective priority of a VRRP instance). */
export type ActorInfo = Readonly<Record<string, string | number | boolean | null>>;

export type ObservedEvent =
  /** A machine seen for the first time: its graph, so a recording can draw it without the code. */
  | { readonly kind: 'machine'; readonly at: number; readonly graph: MachineGraph }
  /** An actor was created. `actor` is unique in the stream: `node/actor-id`. */
  | { readonly kind: 'actor'; readonly at: number; readonly actor: string; readonly node: string; readonly id: string; readonly machine: string }
  /**
   * An actor processed an event. `state` lists the active leaf states as dotted paths (a parallel state has
   * several); `changed` is false when the event left them as they were.
   */
  | {
      readonly kind: 'step';
      readonly at: number;
      readonly actor: string;
      readonly event: string;
      readonly state: readonly string[];
      readonly changed: boolean;
      readonly info?: ActorInfo;
    }
  /**
   * A run of `count` identical events an actor's runner answered without the machine (the steady-state shortcut,
   * actors/steady-shortcut.ts: a backup hearing its master, a checker's server answering), from `first` to `last`:
   * each left the actor in `state`, unchanged, as an unchanged step would. Emitted when the run ends (anything else
   * happens to the actor) or has lasted the stream's window, so `at` (the time it was emitted) is ≥ `last`.
   */
  | {
      readonly kind: 'steady';
      readonly at: number;
      readonly actor: string;
      readonly event: string;
      readonly state: readonly string[];
      readonly count: number;
      readonly first: number;
      readonly last: number;
    }
  /**
   * `count` messages published on the bus that were the same but for their time (today: a master's
   * advertisements, `advert_sent` at one priority), the first being `message`, the last at `last`. Emitted when
   * the run ends (another message about the instance, another priority, its node's process down) or has lasted
   * the stream's window; `at` (when it was emitted) is ≥ `last`.
   */
  | { readonly kind: 'repeated'; readonly at: number; readonly message: BusMessage; readonly count: number; readonly last: number }
  /** A message published on the bus (transitions with keepalived's names, VIPs, drops, warnings, …). */
  | { readonly kind: 'bus'; readonly at: number; readonly message: BusMessage }
  /** A fault injected by the simulator (crash, partition, link down, …), described in words. */
  | { readonly kind: 'fault'; readonly at: number; readonly text: string }
  /**
   * A node's vigil process went down (`cause` crash, stop, restart) or came up (start, restart): while it is
   * down its actors are in no state at all, and the page draws a DOWN band over its lanes.
   */
  | { readonly kind: 'process'; readonly at: number; readonly node: string; readonly up: boolean; readonly cause: string };
