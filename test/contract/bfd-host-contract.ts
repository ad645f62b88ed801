/**
 * The BfdHost contract (actors/bfd/bfd-host.ts): where a node's BFD sessions run, in-process (the simulator) or in
 * a worker thread (the daemon). Run on the loopback link (./bfd-loopback-link.ts), where two sessions of the host
 * are each other's neighbor: they come Up, and every change is reported as a message with the epoch of the
 * `apply` that started the session; a session whose neighbor goes away goes Down with diagnostic 1; a session a
 * reload keeps keeps its epoch and state, a changed one starts again under the new epoch; packets for no session
 * are reported and counted; stop() completes the stream. Nothing is judged by elapsed time.
 */
import assert from 'node:assert/strict';
import type { BfdHost, BfdHostChange, BfdHostEvent } from '../../actors/bfd/bfd-host.js';
import type { BfdSessionSpec } from '../../actors/bfd/bfd-session-spec.js';
import type { ContractCase } from './contract.js';
import { bfdSessionSpec } from '../bfd-session-spec.js';

export interface BfdHostRig {
  /** A fresh host on the loopback link (each case stops its own). */
  host(): BfdHost;
  /** Lets the host's time go on until `done()` holds: runs the virtual clock, or waits in real time. */
  until(done: () => boolean): Promise<void>;
}

/** A session at 20 ms × `detectMult` (note the order: source before neighbor). */
export function spec(name: string, source: string, neighbor: string, detectMult = 3): BfdSessionSpec {
  return bfdSessionSpec(name, neighbor, source, { detectMult, desiredMinTxUs: 20_000, requiredMinRxUs: 20_000 });
}

const A = spec('a', '10.0.0.1', '10.0.0.2');
const B = spec('b', '10.0.0.2', '10.0.0.1');

interface Watched {
  readonly host: BfdHost;
  readonly events: BfdHostEvent[];
  changes(name: string): BfdHostChange[];
  state(name: string): string | undefined;
  completed(): boolean;
}

function watch(host: BfdHost): Watched {
  const events: BfdHostEvent[] = [];
  let completed = false;
  host.events$.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
  const changes = (name: string) => events.flatMap((e) => (e.kind === 'change' && e.change.name === name ? [e.change] : []));
  return { host, events, changes, state: (name) => changes(name).at(-1)?.to, completed: () => completed };
}

async function bothUp(rig: BfdHostRig, w: Watched): Promise<void> {
  await rig.until(() => w.state('a') === 'Up' && w.state('b') === 'Up');
}

/** Runs `body` on a new host of the rig, watched from its start, and stops the host after it whatever happened. */
async function withWatchedHost(rig: BfdHostRig, body: (w: Watched) => Promise<void>): Promise<void> {
  const w = watch(rig.host());
  try {
    await body(w);
  } finally {
    w.host.stop();
  }
}

export const bfdHostContract: readonly ContractCase<BfdHostRig>[] = [
  {
    name: 'two sessions that are each other\'s neighbor come Up; each change carries its epoch and detection time',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        w.host.apply([A, B], 1);
        await bothUp(rig, w);
        for (const c of [...w.changes('a'), ...w.changes('b')]) {
          assert.equal(c.epoch, 1);
          assert.ok(c.at >= (c.lastReceivedAt ?? c.at), 'a change comes after the packet that caused it');
        }
        assert.ok((w.changes('a').at(-1)?.detectionTimeMs ?? 0) > 0, 'the Detection Time in force comes with the change');
        // Once the Poll Sequence to the configured rates is over (RFC 5880 §6.8.3), 3 x 20 ms.
        await rig.until(() => w.host.sessions().filter((s) => s.state === 'Up' && s.detectionTimeMs === 60 && s.packetsSent > 0 && s.packetsReceived > 0).length === 2);
      }),
  },
  {
    name: 'a kept session whose neighbor goes away goes Down with diagnostic 1, under its first epoch',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        w.host.apply([A, B], 1);
        await bothUp(rig, w);
        w.host.apply([A], 2);
        await rig.until(() => w.state('a') === 'Down');
        const down = w.changes('a').at(-1)!;
        assert.deepEqual([down.from, down.localDiag, down.epoch, down.byAdmin], ['Up', 1, 1, false]);
        await rig.until(() => w.host.sessions().length === 1 && w.host.sessions()[0]?.name === 'a');
      }),
  },
  {
    name: 'a session a reload changes starts again under the new epoch',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        w.host.apply([A, B], 1);
        await bothUp(rig, w);
        w.host.apply([spec('a', '10.0.0.1', '10.0.0.2', 5), B], 2);
        await rig.until(() => w.changes('a').some((c) => c.epoch === 2 && c.to === 'Up'));
        assert.ok(w.changes('b').every((c) => c.epoch === 1), 'the unchanged session keeps its epoch');
        // RFC 5880 §6.8.4: b's Detection Time is a's new Detect Mult (5) x 20 ms.
        await rig.until(() => w.host.sessions().find((s) => s.name === 'b')?.detectionTimeMs === 100);
      }),
  },
  {
    name: 'a packet for no session is reported as a drop and counted',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        // Its packets come back from 10.9.9.8, which is nobody's neighbor.
        w.host.apply([spec('c', '10.9.9.8', '10.9.9.9')], 1);
        await rig.until(() => w.events.some((e) => e.kind === 'drop' && e.reason === 'no_session') && (w.host.dropCounts().get('no_session') ?? 0) > 0);
      }),
  },
  {
    name: 'stop() completes the stream',
    async check(rig) {
      const w = watch(rig.host());
      w.host.apply([A, B], 1);
      await bothUp(rig, w);
      w.host.stop();
      assert.ok(w.completed());
    },
  },
];
