/**
 * Fault campaign (issue 13) with keepalived 2.2.7 as the backup of a vigil master: kill -9 of vigil at seeded
 * points, its link down and up, and 20 SIGHUPs alternating a good and a broken file. keepalived must take over
 * alone when vigil is gone or deaf, give the VIP back when vigil preempts, and never take over while vigil
 * reloads. Each case on its own LAN, side by side; each ends with exactly one VIP holder and both daemons running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually } from '../daemon/daemons.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { alternateReloads, count, linkDownAndBack, withPair, type PairOptions } from './fault-pair.js';

/** VIGIL_FAULT_SEED replays a failing run's kill points. */
const SEED = Number(process.env['VIGIL_FAULT_SEED'] ?? 1);

const keepalivedMasters = (log: string): number => count(log, /Entering MASTER STATE/g);

test(`faults of a vigil master beside a keepalived backup (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'))) return;
  await Promise.all([
    t.test('kill -9 of vigil at seeded points: keepalived takes over alone, vigil restarted preempts', () =>
      withPair('kk', { start: 41, vip: '192.168.77.71', vrid: 71, peer: 'keepalived' }, async (p) => {
        const random = new SeededRandom(SEED);
        for (let round = 0; round < 3; round++) {
          await delay(Math.floor(random.next() * 1000));
          const taken = keepalivedMasters(p.db.log());
          p.dm.kill('SIGKILL');
          await p.dm.exited();
          // The dead master's VIP stays on its interface (nobody removed it): keepalived must take over and hold it.
          await eventually(async () => (await p.holders()).includes('b') && keepalivedMasters(p.db.log()) > taken, 10_000, p.describe, 100);
          p.dm.restart();
          // vigil removes the leftover VIP at start, then preempts (150 > 100); keepalived gives it back.
          await p.heldBy('m', 15_000);
          await eventually(async () => /Entering BACKUP STATE/.test(p.db.log().slice(p.db.log().lastIndexOf('Entering MASTER STATE'))), 10_000, p.describe, 100);
          p.assertRunning();
        }
      }),
    ),
    t.test('link down on vigil: FAULT, keepalived takes over; link up: vigil preempts back', () =>
      withPair('kl', { start: 45, vip: '192.168.77.72', vrid: 72, peer: 'keepalived' }, linkDownAndBack),
    ),
    t.test('20 SIGHUPs of vigil alternating a good and a broken file: keepalived never takes over', () => {
      const o: PairOptions = { start: 49, vip: '192.168.77.73', vrid: 73, peer: 'keepalived' };
      return withPair('kr', o, async (p) => {
        const masters = keepalivedMasters(p.db.log());
        await alternateReloads(p, o, 20);
        assert.equal(count(p.dm.log(), /reload rejected, the running configuration stays: .*:\d+: .*virtual_router_id/g), 10);
        assert.equal(keepalivedMasters(p.db.log()), masters, 'keepalived took over during the reloads');
        assert.deepEqual(await p.holders(), ['m']);
        p.assertRunning();
      });
    }),
  ]);
});
