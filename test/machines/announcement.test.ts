/**
 * The announcement machine (machines/announcement.ts) alone, on the virtual clock: announce on entering
 * `announced`, withdraw on leaving it however it is left (unhealthy, a refusal, STOP), a refusal retried after
 * `retryMs` while healthy and not while unhealthy, the same health twice changing nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { announcementMachine } from '../../machines/announcement.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

function run(healthy: boolean) {
  const clock = new VirtualClock();
  const log: string[] = [];
  const actor = createActor(
    announcementMachine.provide({ actions: { announce: () => log.push(`${clock.now()} announce`), withdraw: () => log.push(`${clock.now()} withdraw`) } }),
    { input: { healthy, retryMs: 5000 }, clock },
  );
  actor.start();
  return { clock, log, actor, state: () => String(actor.getSnapshot().value) };
}

test('healthy at start: announced at once; unhealthy: withdrawn; healthy again: announced; the same health twice changes nothing', () => {
  const { log, actor, state } = run(true);
  assert.deepEqual([state(), ...log], ['announced', '0 announce']);
  actor.send({ type: 'HEALTH', healthy: true });
  actor.send({ type: 'HEALTH', healthy: false });
  actor.send({ type: 'HEALTH', healthy: false });
  actor.send({ type: 'HEALTH', healthy: true });
  assert.deepEqual(log, ['0 announce', '0 withdraw', '0 announce']);
});

test('unhealthy at start: nothing until healthy', () => {
  const { log, actor, state } = run(false);
  assert.deepEqual([state(), ...log], ['withdrawn']);
  actor.send({ type: 'HEALTH', healthy: true });
  assert.deepEqual(log, ['0 announce']);
});

test('a refusal withdraws and tries again retryMs later, while healthy; unhealthy meanwhile, it waits for health', () => {
  const healthy = run(true);
  healthy.clock.runFor(1000);
  healthy.actor.send({ type: 'FAILED' });
  assert.equal(healthy.state(), 'failed');
  healthy.clock.runFor(5000);
  assert.deepEqual(healthy.log, ['0 announce', '1000 withdraw', '6000 announce']);

  const sick = run(true);
  sick.actor.send({ type: 'FAILED' });
  sick.actor.send({ type: 'HEALTH', healthy: false });
  sick.clock.runFor(10_000);
  assert.deepEqual([sick.state(), ...sick.log], ['withdrawn', '0 announce', '0 withdraw']);
  sick.actor.send({ type: 'HEALTH', healthy: true });
  assert.equal(sick.log.at(-1), '10000 announce');
});

test('STOP withdraws what is announced and ends; from withdrawn it only ends', () => {
  const a = run(true);
  a.actor.send({ type: 'STOP' });
  assert.deepEqual([a.actor.getSnapshot().status, ...a.log], ['done', '0 announce', '0 withdraw']);
  const b = run(false);
  b.actor.send({ type: 'STOP' });
  assert.deepEqual([b.actor.getSnapshot().status, ...b.log], ['done']);
});
