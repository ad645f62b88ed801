/**
 * global_defs log_unknown_vrids: an advertisement for a VRID that no instance on its interface has is logged,
 * every one, in keepalived's words (vrrp_scheduler.c vrrp_dispatcher_read), and counted either way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimDaemons } from './sim-daemons.js';

function conf(vrid: number, global: string): string {
  return `global_defs {\n ${global}\n}\nvrrp_instance VI_${vrid} {\n state BACKUP\n interface eth0\n virtual_router_id ${vrid}\n priority 100\n advert_int 1\n virtual_ipaddress {\n  192.168.77.${vrid}/24\n }\n}\n`;
}

async function run(global: string): Promise<{ infos: string[]; drops: number }> {
  const infos: string[] = [];
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  return runSimDaemons(
    3,
    [
      { name: 'a', address: '192.168.77.11', config: conf(51, ''), log: quiet },
      { name: 'b', address: '192.168.77.12', config: conf(52, global), log: { ...quiet, info: (m: string) => void infos.push(m) } },
    ],
    // Both become master after Master_Down_Interval (about 3.6 s), then advertise every second.
    10_000,
    (daemons) => ({ infos: infos.filter((m) => m.startsWith('Unknown VRID')), drops: daemons[1]!.status().drops['vrid'] ?? 0 }),
  );
}

test('log_unknown_vrids: each advertisement for an unknown VRID is logged as keepalived logs it; without it, counted only', async () => {
  const on = await run('log_unknown_vrids');
  assert.ok(on.drops >= 5, `drops ${on.drops}`);
  assert.equal(on.infos.length, on.drops);
  assert.equal(on.infos[0], 'Unknown VRID(51) received on interface(eth0). ignoring...');
  const off = await run('router_id b');
  assert.ok(off.drops >= 5);
  assert.deepEqual(off.infos, []);
});
