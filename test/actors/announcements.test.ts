/**
 * Announcements on becoming master, on the virtual clock (keepalived garp_master_repeat, garp_master_delay,
 * garp_master_refresh, vrrp_garp_interval): the burst at once, again after the delay, then every refresh, each
 * burst spaced by the interval; all of it stops when the instance leaves MASTER.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimHost } from '../../sim/sim-host.js';
import { Bus } from '../../actors/bus.js';
import { VrrpNode } from '../../actors/vrrp/vrrp-node.js';
import { nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import { loadConfigText } from '../../config/load.js';

const CONFIG = `global_defs {
  vrrp_garp_interval 0.1
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 7
  priority 100
  advert_int 1
  garp_master_repeat 3
  garp_master_delay 2
  garp_master_refresh 10
  garp_master_refresh_repeat 3
  virtual_ipaddress {
    192.168.77.100/24
    192.168.77.101/24 dev eth1
  }
}`;

/**
 * A node of CONFIG (or `config`) on the virtual clock whose host has eth0 and, with `eth1`, eth1 on one segment;
 * `announce` sees every announcement.
 */
function garpNode(announce: (clock: VirtualClock) => (name: string, addresses: readonly { address: string }[]) => void, options: { config?: string; eth1?: boolean } = {}) {
  const clock = new VirtualClock();
  const segment = new LanSegment('lan', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('n', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  if (options.eth1 ?? true) host.addInterface('eth1', segment, [{ address: '192.168.77.12', prefix: 24, family: 4 }]);
  const announcer = { announce: announce(clock) };
  const node = new VrrpNode('n', nodeSpec(loadConfigText(options.config ?? CONFIG, 'garp.conf').config), { clock, link: host, addresses: host, announcer }, new Bus());
  return { clock, node };
}

/** Each announcement as "time interface addresses". */
const described = (seen: string[]) => (clock: VirtualClock) => (name: string, addresses: readonly { address: string }[]) => {
  seen.push(`${clock.now()} ${name} ${addresses.map((a) => a.address).join(',')}`);
};

test('GARP bursts: repeat, delay, refresh and interval, per interface; stopped by leaving MASTER', () => {
  const seen: string[] = [];
  const { clock, node } = garpNode(described(seen));
  node.start();
  clock.runUntil(25_000);
  const T = 3609.375;
  const at = (offsets: number[]) => offsets.flatMap((o) => [`${T + o} eth0 192.168.77.100`, `${T + o} eth1 192.168.77.101`]);
  assert.deepEqual(seen, at([0, 100, 200, 2000, 2100, 2200, 10_000, 10_100, 10_200, 20_000, 20_100, 20_200]));
  // A higher-priority master appears: this one yields and its pending announcements are cancelled.
  seen.length = 0;
  const runner = node.runners.get('VI_1')!;
  const advert = () =>
    runner.receive(
      { bytes: new Uint8Array(), family: 4, source: '192.168.77.200', destination: '224.0.0.18', ttl: 255, interface: 'eth0' },
      { version: 2, vrid: 7, priority: 200, intervalCs: 100, family: 4, addresses: ['192.168.77.100', '192.168.77.101'], authType: 0, authPassword: '' },
    );
  // The higher master keeps advertising past the time the next refresh (T + 30 s) would have been due.
  for (let t = 25_000; t <= 36_000; t += 1000) {
    clock.runUntil(t);
    advert();
  }
  assert.equal(runner.state, 'BACKUP');
  assert.deepEqual(seen, []);
  node.halt();
});

test('garp_master_refresh_repeat: a refresh is its own burst (keepalived default 1), not garp_master_repeat', () => {
  const seen: number[] = [];
  const config = CONFIG.replace('  garp_master_refresh_repeat 3\n', '').replace(/vrrp_garp_interval 0.1/, 'vrrp_garp_interval 0').replace('    192.168.77.101/24 dev eth1\n', '');
  assert.ok(!config.includes('refresh_repeat') && !config.includes('eth1'));
  const { clock, node } = garpNode((clock) => () => {
    seen.push(clock.now());
  }, { config, eth1: false });
  node.start();
  clock.runUntil(25_000);
  const T = 3609.375;
  // Three at once, three after garp_master_delay 2, then one every garp_master_refresh 10.
  assert.deepEqual(seen, [T, T, T, T + 2000, T + 2000, T + 2000, T + 10_000, T + 20_000]);
  node.halt();
});

test('announceOnce (DBus SendGarp): one round from a master, nothing from a backup', () => {
  const seen: string[] = [];
  const { clock, node } = garpNode(described(seen));
  node.start();
  const runner = node.runners.get('VI_1')!;
  clock.runUntil(1000);
  assert.equal(runner.state, 'BACKUP');
  runner.announceOnce();
  assert.deepEqual(seen, []);
  clock.runUntil(9000);
  assert.equal(runner.state, 'MASTER');
  seen.length = 0;
  runner.announceOnce();
  assert.deepEqual(seen, ['9000 eth0 192.168.77.100', '9000 eth1 192.168.77.101']);
  node.stop();
});
