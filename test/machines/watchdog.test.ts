/** The watchdog machine on the virtual clock: heartbeats, hang detection, restart backoff and its reset. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { watchdogMachine } from '../../machines/watchdog.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

function watch(clock: VirtualClock, answerPings = false, startLimitMs?: number) {
  const log: string[] = [];
  let actor: ReturnType<typeof createActor<typeof watchdogMachine>>;
  actor = createActor(
    watchdogMachine.provide({
      actions: {
        spawn: (_, p) => log.push(`${clock.now()} ${p.restart ? 'respawn' : 'spawn'}`),
        ping: () => {
          log.push(`${clock.now()} ping`);
          if (answerPings) clock.setTimeout(() => actor.send({ type: 'PONG' }), 1);
        },
        terminate: () => log.push(`${clock.now()} terminate`),
        report: (_, p) => log.push(`${clock.now()} ${p.event}${p.code !== undefined ? ` ${p.code}` : ''}`),
      },
    }),
    {
      input: { heartbeatMs: 1000, hangAfterMs: 2500, restartDelayMs: 100, maxRestartDelayMs: 350, stableAfterMs: 30_000, ...(startLimitMs !== undefined ? { startLimitMs } : {}) },
      clock,
    },
  );
  actor.start();
  return { actor, log };
}

test('pings every heartbeat; answered pings keep it alive; silence for hangAfter terminates it as hung', () => {
  const clock = new VirtualClock();
  const { actor, log } = watch(clock);
  for (let t = 1000; t <= 5000; t += 1000) clock.setTimeout(() => actor.send({ type: 'PONG' }), t + 1);
  clock.runUntil(8000);
  assert.deepEqual(log, ['0 spawn', '1000 ping', '2000 ping', '3000 ping', '4000 ping', '5000 ping', '6000 ping', '7000 ping', '7501 hung', '7501 terminate', '8000 ping']);
  actor.stop();
});

test('crashes restart after a backoff that doubles up to the maximum; a worker that lived 30 s resets it', () => {
  const clock = new VirtualClock();
  const { actor, log } = watch(clock, true);
  const crash = (at: number) => clock.setTimeout(() => actor.send({ type: 'EXITED', code: 1 }), at - clock.now());
  crash(500);
  clock.runUntil(600); // respawn at 600 (100 ms)
  crash(700);
  clock.runUntil(900); // respawn at 900 (200 ms)
  crash(1000);
  clock.runUntil(1400); // 350 ms (capped), respawn at 1350
  crash(40_000); // lived > 30 s: the backoff starts over at 100 ms
  clock.runUntil(40_200);
  const lifecycle = log.filter((l) => !l.endsWith('ping'));
  assert.deepEqual(lifecycle, ['0 spawn', '500 crashed 1', '600 respawn', '700 crashed 1', '900 respawn', '1000 crashed 1', '1350 respawn', '40000 crashed 1', '40100 respawn']);
  assert.equal(actor.getSnapshot().context.restarts, 4);
  // STOP: no restart after the next exit.
  actor.send({ type: 'STOP' });
  assert.equal(actor.getSnapshot().status, 'done');
});

test('a worker still starting is judged by the start limit, not by hangAfter; once ready, by hangAfter', () => {
  const clock = new VirtualClock();
  const { actor, log } = watch(clock, false, 6000);
  // Loading takes 4 s (longer than hangAfter, 2.5 s): not hung. Then it answers nothing: hung 2.5 s after ready.
  clock.setTimeout(() => actor.send({ type: 'READY' }), 4000);
  clock.runUntil(7000);
  assert.deepEqual(log.filter((l) => !l.endsWith('ping')), ['0 spawn', '6500 hung', '6500 terminate']);
  actor.stop();
});

test('a worker that never starts is terminated at the start limit', () => {
  const clock = new VirtualClock();
  const { actor, log } = watch(clock, false, 6000);
  clock.runUntil(7000);
  assert.deepEqual(log.filter((l) => !l.endsWith('ping')), ['0 spawn', '6000 hung', '6000 terminate']);
  actor.stop();
});
