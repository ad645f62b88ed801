/**
 * Fault campaign (issue 13), the network and the process: kill -9 of the master at seeded random points, the
 * master's link set down and up, and its carrier lost (the far end of its cable down). Each case on its own LAN,
 * run side by side; each ends with exactly one VIP holder and both daemons running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, vigilStatus } from '../daemon/daemons.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { linkDownAndBack, withPair } from './fault-pair.js';

/** VIGIL_FAULT_SEED replays a failing run's kill points. */
const SEED = Number(process.env['VIGIL_FAULT_SEED'] ?? 1);

test(`faults on the wire and in the process (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  await Promise.all([
    t.test('kill -9 of the master at seeded random points: the other takes over alone, the restarted one preempts', () =>
      withPair('fk', { start: 1, vip: '192.168.77.60', vrid: 61 }, async (p) => {
        const random = new SeededRandom(SEED);
        for (let round = 0; round < 3; round++) {
          // A random point within two advertisement intervals (0.5 s) after the master is settled.
          await delay(Math.floor(random.next() * 1000));
          p.dm.kill('SIGKILL');
          await p.dm.exited();
          // SIGKILL leaves the VIP on the dead master's interface (nobody removed it): what matters on the LAN is
          // that the backup takes over and answers; its VIP is then the one advertised.
          await eventually(async () => (await p.holders()).includes('b'), 10_000, p.describe, 100);
          assert.equal((await vigilStatus(p.lan, p.db)).instances[0]!.state, 'MASTER');
          p.dm.restart();
          // The restarted master removes the leftover VIP at start, then preempts (priority 150 > 100).
          await p.heldBy('m', 15_000);
          p.assertRunning();
        }
      }),
    ),
    t.test('link down on the master: FAULT, addresses removed, the backup takes over; link up: the master preempts back', () =>
      withPair('fl', { start: 5, vip: '192.168.77.61', vrid: 62 }, linkDownAndBack),
    ),
    t.test('carrier lost under the master (the far end of its link down): FAULT, the backup takes over; carrier back: preempts', () =>
      withPair('fc', { start: 9, vip: '192.168.77.62', vrid: 63 }, async (p) => {
        // The master is the LAN's first host: its cable's far end is the bridge's port p0.
        await p.lan.exec(p.lan.bridgeNs, ['ip', 'link', 'set', 'p0', 'down']);
        await p.heldBy('b');
        await eventually(async () => (await vigilStatus(p.lan, p.dm)).instances[0]!.state === 'FAULT', 5000, p.describe, 100);
        await p.lan.exec(p.lan.bridgeNs, ['ip', 'link', 'set', 'p0', 'up']);
        await p.heldBy('m', 15_000);
        p.assertRunning();
      }),
    ),
  ]);
});
