/**
 * Fault campaign (issue 13), reloads: 100 SIGHUPs alternating a good and a broken file (no VIP flap, every
 * broken one rejected with its line, the good ones applied), and SIGTERM right after a SIGHUP (a clean exit with
 * the VIP released, the backup taking over).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, monitorAddresses, vigilStatus } from '../daemon/daemons.js';
import { alternateReloads, count, pairConfig, withPair, type PairOptions } from './fault-pair.js';


test('faults in reloads', { timeout: 240_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  await Promise.all([
    t.test('100 SIGHUPs alternating a good and a broken file: the broken ones rejected, no VIP flap, the daemon runs on', () => {
      const o: PairOptions = { start: 13, vip: '192.168.77.63', vrid: 64 };
      return withPair('rh', o, async (p) => {
        const monitor = monitorAddresses(p.lan, p.m.ns);
        await alternateReloads(p, o, 100);
        monitor.stop();
        assert.equal(count(p.dm.log(), /reload rejected, the running configuration stays: .*:\d+: .*virtual_router_id/g), 50);
        assert.equal((await vigilStatus(p.lan, p.dm)).reloads, 50);
        assert.doesNotMatch(monitor.text(), /Deleted.*192\.168\.77\.63/, 'the VIP never left the master');
        assert.deepEqual(await p.holders(), ['m']);
        p.assertRunning();
      });
    }),
    t.test('SIGTERM right after a SIGHUP: a clean exit, the VIP released, the backup takes over', () => {
      const o: PairOptions = { start: 17, vip: '192.168.77.64', vrid: 65 };
      return withPair('rt', o, async (p) => {
        // The new file adds a second VIP: the reload has work to do when the SIGTERM comes.
        writeFileSync(p.dm.conf, pairConfig({ ...o, vip: '192.168.77.64/26\n    192.168.77.65' }, 'm'));
        p.dm.proc.kill('SIGHUP');
        p.dm.proc.kill('SIGTERM');
        assert.equal(await p.dm.exited(15_000), 0, p.dm.log());
        await p.heldBy('b');
        const left = (await p.lan.exec(p.m.ns, ['ip', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout;
        assert.doesNotMatch(left, /192\.168\.77\.6[45]\//, 'no VIP left behind on the stopped master');
      });
    }),
  ]);
});
