/**
 * track_src_ip with the real daemon in a namespace: `ip addr del` of the instance's unicast_src_ip puts it in
 * FAULT (the VIP goes), `ip addr add` brings it back to MASTER, as keepalived 2.2.7 follows the address through
 * netlink (keepalived_netlink.c netlink_if_address_filter).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { addressesIn, eventually, startDaemon, vigilStatus, vrrpConfig, type Daemon, stopDaemons } from './daemons.js';

test('track_src_ip: vigil is FAULT while its unicast_src_ip is off the interface, MASTER again once it is back', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'tgs', hosts: ['v'], v4Prefix: '192.168.77.X', v4Start: 193, v4PrefixLength: 26 });
  const v = lan.host('v');
  const vip = '192.168.77.250';
  let d: Daemon | undefined;
  try {
    d = startDaemon(
      lan,
      v,
      'vigil',
      vrrpConfig({ name: 'v', vrid: 79, priority: 255, version: 2, vip: `${vip}/32`, unicastSrc: v.ipv4, unicastPeers: ['192.168.77.200'], extra: 'track_src_ip' }),
    );
    const daemon = d;
    const state = async (): Promise<string | undefined> => (await vigilStatus(lan, daemon).catch(() => undefined))?.instances[0]?.state;
    const why = async () => `state ${await state()}, addresses ${JSON.stringify(await addressesIn(lan, v))}\n${daemon.log().slice(-3000)}`;
    await eventually(async () => (await state()) === 'MASTER' && (await addressesIn(lan, v)).includes(vip), 15_000, why);
    await lan.exec(v.ns, ['ip', 'addr', 'del', `${v.ipv4}/${v.ipv4Prefix}`, 'dev', 'eth0']);
    await eventually(async () => (await state()) === 'FAULT' && !(await addressesIn(lan, v)).includes(vip), 10_000, why);
    await lan.exec(v.ns, ['ip', 'addr', 'add', `${v.ipv4}/${v.ipv4Prefix}`, 'dev', 'eth0']);
    await eventually(async () => (await state()) === 'MASTER' && (await addressesIn(lan, v)).includes(vip), 10_000, why);
    assert.equal(await state(), 'MASTER');
  } finally {
    await stopDaemons(lan, [d]);
  }
});
