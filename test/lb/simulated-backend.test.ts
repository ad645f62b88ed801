import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import type { AddressService } from '../../machines/desired-state.js';
import { natDestination, webService } from './fixtures.js';

const web: AddressService = webService('wrr', [natDestination(67, 80, 1), natDestination(68, 80, 2)], { sorry: natDestination(99, 80, 1) });

test('records every apply at the clock time, with the pool it leaves', async () => {
  const clock = new VirtualClock();
  const lb = new SimulatedBackend(clock);
  clock.setTimeout(() => void lb.apply({ services: [web] }), 1000);
  clock.setTimeout(() => void lb.apply({ services: [web] }), 2000);
  const down = { ...web, destinations: web.destinations.map((d) => ({ ...d, weight: 0 })) };
  clock.setTimeout(() => void lb.apply({ services: [down] }), 3500);
  clock.setTimeout(() => void lb.clear(), 4000);
  const pools: string[][] = [];
  for (const t of [1500, 3600, 4100]) clock.setTimeout(() => pools.push(lb.pool('web')), t);
  while (clock.step()) {
    // run the schedule
  }
  assert.deepEqual(
    lb.history.map((h) => [h.at, h.state?.services.length, h.changed]),
    [
      [1000, 1, true],
      [2000, 1, false],
      [3500, 1, true],
      [4000, undefined, true],
    ],
  );
  assert.deepEqual(pools, [['192.168.77.67:80', '192.168.77.68:80'], ['192.168.77.99:80'], []]);
});

test('choose() follows the weights deterministically; history is a copy', async () => {
  const lb = new SimulatedBackend(new VirtualClock());
  const mutable = { services: [{ ...web }] };
  const report = await lb.apply(mutable);
  assert.equal(report.liveDestinations, 2);
  const picks = Array.from({ length: 6 }, () => lb.choose('web')?.address);
  assert.deepEqual(picks, ['192.168.77.67', '192.168.77.68', '192.168.77.68', '192.168.77.67', '192.168.77.68', '192.168.77.68']);
  mutable.services[0] = { ...web, port: 81 };
  assert.equal((lb.history[0]?.state?.services[0] as AddressService).port, 80);
  await assert.rejects(lb.apply({ services: [{ ...web, scheduler: 'bogus' as 'rr' }] }), /unknown scheduler/);
});
