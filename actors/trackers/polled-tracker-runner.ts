/**
 * Runs a track_file as an actor: the polled-tracker machine bound to a look function (reading the file). Each
 * change goes to `onStatus` as (up, value).
 *
 * A look answers with a promise (a real host) or by calling `done` on the clock (the simulator, whose virtual
 * clock would run on before a promise settles).
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import type { Clock } from '../../machines/clock.js';
import { polledTrackerMachine } from '../../machines/polled-tracker.js';
import type { Answering } from '../environment.js';
import { OwnedActor } from '../owned-actor.js';

export interface Observation {
  readonly up: boolean;
  readonly value?: number | undefined;
}

export type Look = Answering<Observation>;

export class PolledTracker extends OwnedActor<Actor<typeof polledTrackerMachine>> {
  constructor(
    readonly id: string,
    intervalMs: number,
    look: Look,
    env: { clock: Clock; onStatus: (id: string, seen: Observation) => void; inspect?: (event: InspectionEvent) => void },
    /** What was seen before (and already reported): the first poll reports only a change from it. */
    initial?: Observation,
  ) {
    super();
    const machine = polledTrackerMachine.provide({
      actions: {
        poll: () => {
          const seen = (observation: Observation): void => {
            if (!this.stopped) this.actor.send({ type: 'SEEN', up: observation.up, value: observation.value });
          };
          void look(seen)
            ?.catch((): Observation => ({ up: false }))
            .then(seen);
        },
        report: (_, params) => env.onStatus(id, params),
      },
    });
    this.actor = createActor(machine, { input: { name: id, intervalMs, seen: initial }, clock: env.clock, inspect: env.inspect, id });
  }

  get seen(): Observation | undefined {
    return this.actor.getSnapshot().context.seen;
  }
}

/**
 * keepalived vrrp_track_file: the file holds an integer (a missing or unreadable file, or no number, reads as 0
 * — keepalived's behaviour for an absent file when `init_file` is not given).
 */
export function parseTrackFile(text: string | undefined): Observation {
  const n = text === undefined ? 0 : Number.parseInt(text.trim(), 10);
  const value = Number.isFinite(n) ? n : 0;
  return { up: value === 0, value };
}
