/**
 * The VRRP socket's receive buffer against the kernel, in a namespace: SO_RCVBUF as keepalived computes it
 * (actors/vrrp/receive-buffer.ts), read back with getsockopt. The kernel doubles what is asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from './helpers.js';

const CLI = fileURLToPath(new URL('./receive-buffer-cli.js', import.meta.url));

test('VRRP socket: SO_RCVBUF of the bytes asked plus MTU multiples, read back with getsockopt', { timeout: 60_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'kwrb', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 181, v4PrefixLength: 24 });
  try {
    const ns = lan.host('a').ns;
    const run = async (bytes: number, mtuMultiple: number): Promise<{ before: number; after: number }> =>
      JSON.parse((await lan.exec(ns, [process.execPath, CLI, 'eth0', String(bytes), String(mtuMultiple)])).stdout) as { before: number; after: number };
    await lan.exec(ns, ['ip', 'link', 'set', 'eth0', 'mtu', '1400']);
    // vrrp_rx_bufs_policy MTU, vrrp_rx_bufs_multiplier 4: 4 × 1400.
    const mtu = await run(0, 4);
    assert.equal(mtu.after, 2 * 4 * 1400);
    // vigil's own default (no keyword) is larger: the keyword sets what keepalived would.
    assert.ok(mtu.before > mtu.after, JSON.stringify(mtu));
    // kernel_rx_buf_size 50000 on one instance, 4 MTUs from another on the same socket.
    assert.equal((await run(50_000, 4)).after, 2 * (50_000 + 4 * 1400));
  } finally {
    await lan.cleanup();
  }
});
