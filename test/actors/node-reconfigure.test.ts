/**
 * VrrpNode.reconfigure opens what the new configuration needs before it stops anything (issue 13): a new
 * instance whose channel cannot be opened makes it throw with the running instances untouched. Before, the changed
 * instances were already stopped (priority 0, VIPs released) when the open threw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../actors/bus.js';
import { VrrpNode } from '../../actors/vrrp/vrrp-node.js';
import { nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import { loadConfigText } from '../../config/load.js';
import type { VrrpLink } from '../../transport/vrrp-link.js';
import { wrapChannel } from '../channel-wrapper.js';
import { singleHost } from './single-node.js';

function instance(name: string, o: { vrid: number; priority: number; vip: string; iface?: string }): string {
  return `vrrp_instance ${name} {
  interface ${o.iface ?? 'eth0'}
  virtual_router_id ${o.vrid}
  priority ${o.priority}
  advert_int 1
  virtual_ipaddress {
    ${o.vip}
  }
}
`;
}

const spec = (text: string) => nodeSpec(loadConfigText(text, 'test.conf').config);

test('a reconfigure whose new channel cannot be opened throws before anything stops; a good one then applies', () => {
  const { clock, host } = singleHost();
  let sent = 0;
  const link: VrrpLink = {
    open(options) {
      const channel = host.open(options);
      return wrapChannel(channel, {
        send(destination, bytes, source) {
          sent++;
          channel.send(destination, bytes, source);
        },
      });
    },
  };
  const first = instance('VI_1', { vrid: 7, priority: 200, vip: '192.168.77.100/24' });
  const node = new VrrpNode('n', spec(first), { clock, link, addresses: host, announcer: host }, new Bus());
  node.start();
  clock.runUntil(5_000);
  const runner = node.runners.get('VI_1')!;
  assert.equal(runner.state, 'MASTER');

  // VI_1 changed (it would restart) and VI_2 on an interface this host does not have: its channel cannot open.
  const bad = instance('VI_1', { vrid: 7, priority: 150, vip: '192.168.77.100/24' }) + instance('VI_2', { vrid: 8, priority: 100, vip: '192.168.77.101/24', iface: 'eth9' });
  assert.throws(() => node.reconfigure(spec(bad)), /no interface eth9/);
  assert.equal(node.runners.get('VI_1'), runner, 'VI_1 was restarted');
  assert.equal(runner.state, 'MASTER');
  assert.equal(runner.spec.priority, 200);
  assert.deepEqual([...node.runners.keys()], ['VI_1']);
  const before = sent;
  clock.runUntil(10_000);
  assert.ok(host.heldAddresses().includes('192.168.77.100'));
  assert.ok(sent - before >= 4, 'VI_1 still advertises on its channel');

  // The running configuration is intact: a good reconfigure applies.
  const good = first + instance('VI_3', { vrid: 9, priority: 100, vip: '192.168.77.102/24' });
  assert.deepEqual(node.reconfigure(spec(good)), { kept: ['VI_1'], started: ['VI_3'], stopped: [] });
  clock.runUntil(15_000);
  assert.equal(node.runners.get('VI_3')?.state, 'MASTER');
  assert.ok(host.heldAddresses().includes('192.168.77.102'));
});
