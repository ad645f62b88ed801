/**
 * Supervision: an instance actor whose action throws (here: its channel fails on the fifth advertisement) is
 * restarted by its runner; a master comes back as MASTER at once and its VIP is never removed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimHost } from '../../sim/sim-host.js';
import { Bus, type BusMessage } from '../../actors/bus.js';
import { VrrpNode } from '../../actors/vrrp/vrrp-node.js';
import { nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import { loadConfigText } from '../../config/load.js';
import type { VrrpChannelOptions, VrrpLink } from '../../transport/vrrp-link.js';

const CONFIG = `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 7
  priority 200
  advert_int 1
  virtual_ipaddress {
    192.168.77.100/24
  }
}`;

test('a failing instance actor is restarted; a master stays MASTER and keeps its VIP', () => {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('n', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  let sends = 0;
  const link: VrrpLink = {
    open(options: VrrpChannelOptions) {
      const channel = host.open(options);
      return {
        packets$: channel.packets$,
        get usable() {
          return channel.usable;
        },
        usable$: channel.usable$,
        sendErrors$: channel.sendErrors$,
        refresh: () => channel.refresh(),
        close: () => channel.close(),
        send(destination: string, bytes: Uint8Array) {
          sends++;
          if (sends === 5) throw new Error('sendmsg: ENOBUFS');
          channel.send(destination, bytes);
        },
      };
    },
  };
  const bus = new Bus();
  const messages: BusMessage[] = [];
  bus.messages$.subscribe((m) => messages.push(m));
  const node = new VrrpNode('n', nodeSpec(loadConfigText(CONFIG, 'test.conf').config), { clock, link, addresses: host, announcer: host }, bus);
  node.start();
  clock.runUntil(20_000);
  const runner = node.runners.get('VI_1')!;
  assert.equal(runner.restarts, 1);
  assert.equal(runner.state, 'MASTER');
  assert.ok(host.heldAddresses().includes('192.168.77.100'));
  assert.deepEqual(messages.filter((m) => m.kind === 'vip' && m.action === 'del'), [], 'the VIP was never removed');
  const warning = messages.find((m) => m.kind === 'warning');
  assert.match(warning && warning.kind === 'warning' ? warning.message : '', /ENOBUFS.*restarted as MASTER/);
  // Transitions seen by the outside world: INIT→BACKUP→MASTER once, nothing from the restart.
  assert.deepEqual(
    messages.filter((m) => m.kind === 'transition').map((m) => (m.kind === 'transition' ? `${m.from}>${m.to}` : '')),
    ['INIT>BACKUP', 'BACKUP>MASTER'],
  );
  // It keeps advertising after the restart: about one per second from 3.x s to 20 s.
  assert.ok(sends > 15, `${sends} sends`);
  node.stop();
});
