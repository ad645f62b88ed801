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

test("a `netlink` package socket: its descriptor found from its port id, SO_RCVBUFFORCE past rmem_max", async (t) => {
  if (!requireRealNetwork(t)) return;
  const { readFileSync } = await import('node:fs');
  const { RawNetlinkSocket } = await import('../../transport/real/netlink-package.js');
  const { netlinkDescriptor, sizePackageSocket } = await import('../../transport/real/netlink-buffers.js');
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
  const socket = new RawNetlinkSocket(0, { recvBufferSize: 0, sendBufferSize: 0 });
  try {
    assert.ok(netlinkDescriptor(socket.address().port)! > 2);
    assert.equal(sizePackageSocket(socket, { bytes: rmemMax + 4096, force: false }), 2 * rmemMax);
    assert.equal(sizePackageSocket(socket, { bytes: rmemMax + 4096, force: true }), 2 * (rmemMax + 4096));
  } finally {
    socket.close();
  }
});

/** This process's netlink sockets of a protocol (11: the connector), by descriptor. */
async function netlinkDescriptorsOf(protocol: number): Promise<number[]> {
  const { readFileSync, readdirSync, readlinkSync } = await import('node:fs');
  const inodes = new Set(
    readFileSync('/proc/net/netlink', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 10 && Number(f[1]) === protocol)
      .map((f) => `socket:[${f[9]}]`),
  );
  const out: number[] = [];
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      if (inodes.has(readlinkSync(`/proc/self/fd/${name}`))) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

test('process_monitor_rcv_bufs with _force: the process events socket gets SO_RCVBUFFORCE past rmem_max', async (t) => {
  if (!requireRealNetwork(t)) return;
  const { readFileSync } = await import('node:fs');
  const { ProcConnectorMonitor } = await import('../../transport/real/proc-connector.js');
  const { receiveBuffer } = await import('../../native/index.js');
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
  const bytes = rmemMax + 8192;
  const sizes = async (force: boolean): Promise<number[]> => {
    const before = new Set(await netlinkDescriptorsOf(11));
    const watch = new ProcConnectorMonitor().watch({ comm: true, cmdlineBytes: 0 }, { ready() {}, event() {}, lost() {} }, { receiveBufferBytes: bytes, receiveBufferForce: force });
    try {
      return (await netlinkDescriptorsOf(11)).filter((fd) => !before.has(fd)).map((fd) => receiveBuffer(fd));
    } finally {
      watch.close();
    }
  };
  assert.deepEqual(await sizes(false), [2 * rmemMax]);
  assert.deepEqual(await sizes(true), [2 * bytes]);
});
