/**
 * LoadBalancerSync (actors/lvs/lb-sync.ts) computes again only the virtual servers that changed: with 2,000
 * checkers reporting a slice per turn, recomputing and stringifying every virtual server's services per slice held
 * the VRRP thread (issue 13, Liveness). The state it applies is the same as the whole recomputation would give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { LoadBalancerSync } from '../../actors/lvs/lb-sync.js';
import type { AddressService, VirtualService } from '../../machines/desired-state.js';
import { natDestination, webService } from './fixtures.js';

/** A virtual server as the sync sees it: its services now, and how often they were computed. */
function owner(port: number): { services: () => VirtualService[]; calls: number; weight: number; empty: boolean } {
  const o = {
    calls: 0,
    weight: 1,
    empty: false,
    services: (): VirtualService[] => {
      o.calls++;
      if (o.empty) return [];
      const s: AddressService = { ...webService('rr', [natDestination(67, 80, o.weight)]), key: `vs${port}`, port };
      return [s];
    },
  };
  return o;
}

test('a flush computes only the virtual servers set since the last one; the state applied is whole and in order', () => {
  const clock = new VirtualClock();
  const backend = new SimulatedBackend(clock);
  const sync = new LoadBalancerSync(backend, clock, { immediate: true });
  const a = owner(80);
  const b = owner(81);
  const c = owner(82);
  sync.set('a', a.services);
  sync.set('b', b.services);
  sync.set('c', c.services);
  clock.runFor(1);
  assert.deepEqual([a.calls, b.calls, c.calls], [1, 1, 1]);
  assert.equal(sync.applies, 1);
  assert.deepEqual(backend.current.services.map((s) => s.key), ['vs80', 'vs81', 'vs82']);

  // One real server's weight changes in b: b alone is computed again, the state applied has all three.
  b.weight = 3;
  sync.set('b', b.services);
  clock.runFor(1);
  assert.deepEqual([a.calls, b.calls, c.calls], [1, 2, 1]);
  assert.equal(sync.applies, 2);
  assert.deepEqual(backend.current.services.map((s) => [s.key, s.destinations[0]?.weight]), [['vs80', 1], ['vs81', 3], ['vs82', 1]]);

  // c set again with the same services: computed, nothing applied.
  sync.set('c', c.services);
  clock.runFor(1);
  assert.equal(c.calls, 2);
  assert.equal(sync.applies, 2);

  // b changes and changes back before the flush: nothing to apply.
  b.weight = 5;
  sync.set('b', b.services);
  b.weight = 3;
  sync.set('b', b.services);
  clock.runFor(1);
  assert.equal(sync.applies, 2);

  // An owner without services goes: nothing to apply; one with services goes: applied without it.
  const d = owner(83);
  d.empty = true;
  sync.set('d', d.services);
  clock.runFor(1);
  sync.delete('d');
  clock.runFor(1);
  assert.equal(sync.applies, 2);
  sync.delete('a');
  clock.runFor(1);
  assert.equal(sync.applies, 3);
  assert.deepEqual(backend.current.services.map((s) => s.key), ['vs81', 'vs82']);
  assert.deepEqual([a.calls, b.calls, c.calls], [1, 3, 2]);
});

test('a failed apply is tried again on the next change even when the state is the same', async () => {
  const clock = new VirtualClock();
  const backend = new SimulatedBackend(clock);
  let fail = true;
  const applied: number[] = [];
  const flaky = {
    name: 'flaky',
    apply: async (state: Parameters<SimulatedBackend['apply']>[0]) => {
      if (fail) throw new Error('nft: busy');
      applied.push(state.services.length);
      return backend.apply(state);
    },
    clear: async () => backend.clear(),
  };
  const errors: string[] = [];
  const sync = new LoadBalancerSync(flaky, clock, { onError: (e) => errors.push((e as Error).message) });
  const a = owner(80);
  sync.set('a', a.services);
  await sync.flush();
  assert.deepEqual(errors, ['nft: busy']);
  fail = false;
  sync.set('a', a.services);
  await sync.flush();
  assert.deepEqual(applied, [1]);
});
