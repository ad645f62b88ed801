/**
 * Supervision: an instance actor whose action throws (here: its channel fails on the fifth advertisement) is
 * restarted by its runner; a master comes back as MASTER at once and its VIP is never removed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { singleHost, singleNode } from './single-node.js';
import type { VrrpChannelOptions, VrrpLink } from '../../transport/vrrp-link.js';
import { wrapChannel } from '../channel-wrapper.js';

test('a failing instance actor is restarted; a master stays MASTER and keeps its VIP', () => {
  const { clock, host } = singleHost();
  let sends = 0;
  const link: VrrpLink = {
    open(options: VrrpChannelOptions) {
      const channel = host.open(options);
      return wrapChannel(channel, {
        send(destination: string, bytes: Uint8Array) {
          sends++;
          if (sends === 5) throw new Error('sendmsg: ENOBUFS');
          channel.send(destination, bytes);
        },
      });
    },
  };
  const { node, messages } = singleNode(clock, host, link);
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
