/**
 * vrrp_netlink_monitor_rcv_bufs(_force) and vrrp_netlink_cmd_rcv_bufs(_force) against the kernel: vigil in a
 * namespace sizes its notification and request sockets and logs what getsockopt(SO_RCVBUF) read back. Asked for
 * more than net.core.rmem_max, SO_RCVBUF is capped there and SO_RCVBUFFORCE is not (the kernel doubles both).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { vrrpNetlinkBuffers } from '../../actors/daemon/netlink-buffers.js';
import { eventually, startDaemon, type Daemon, stopDaemons } from './daemons.js';

test('global_defs netlink buffer keywords as keepalived reads them: a _force alone asks for 64 KiB', () => {
  assert.deepEqual(vrrpNetlinkBuffers({}), { monitor: undefined, command: undefined });
  assert.deepEqual(vrrpNetlinkBuffers({ vrrpNetlinkMonitorRcvBufs: 1000 }), { monitor: { bytes: 1000, force: false }, command: undefined });
  assert.deepEqual(vrrpNetlinkBuffers({ vrrpNetlinkCmdRcvBufsForce: true }), { monitor: undefined, command: { bytes: 65536, force: true } });
});

test('vigil: the netlink sockets get the receive buffers asked, forced past rmem_max or capped there', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
  const asked = rmemMax + 1_000_000;
  const lan = await createLan({ name: 'kwnlb', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 185, v4PrefixLength: 24 });
  let daemon: Daemon | undefined;
  try {
    const d = startDaemon(
      lan,
      lan.host('a'),
      'vigil',
      `global_defs {
  vrrp_netlink_monitor_rcv_bufs ${asked}
  vrrp_netlink_monitor_rcv_bufs_force
  vrrp_netlink_cmd_rcv_bufs ${asked}
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 85
  priority 100
  virtual_ipaddress {
    192.168.77.189/24
  }
}
`,
    );
    daemon = d;
    await eventually(async () => /netlink receive buffers:/.test(d.log()), 15_000, () => d.log());
    const m = /notifications (\d+) bytes, requests (\d+) bytes/.exec(d.log());
    assert.ok(m, d.log());
    assert.equal(Number(m[1]), 2 * asked);
    assert.equal(Number(m[2]), 2 * rmemMax);
  } finally {
    await stopDaemons(lan, [daemon]);
  }
});
