/**
 * IPVS_CMD_SET_CONFIG / GET_CONFIG (lvs_timeouts) and IPVS_CMD_NEW_DAEMON / DEL_DAEMON / GET_DAEMON
 * (lvs_sync_daemon), byte for byte. Expected buffers are written by hand from include/uapi/linux/ip_vs.h
 * (IPVS_CMD_* 9..13, IPVS_CMD_ATTR_TIMEOUT_* 4..6, IPVS_DAEMON_ATTR_* 1..8) and the kernel's ip_vs_daemon_policy
 * (STATE and SYNC_ID u32, MCAST_IFN a NUL string, SYNC_MAXLEN and MCAST_PORT u16 in host order, MCAST_TTL u8,
 * MCAST_GROUP a __be32, MCAST_GROUP6 16 bytes); little-endian host, family id 0x23.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetlinkMessages } from '../../protocol/genl.js';
import {
  decodeDaemon,
  decodeTimeouts,
  delDaemonMessage,
  getDaemonsMessage,
  getTimeoutsMessage,
  IP_VS_STATE_BACKUP,
  IP_VS_STATE_MASTER,
  newDaemonMessage,
  setTimeoutsMessage,
} from '../../protocol/ipvs-daemon-messages.js';
import { toIpvsDaemon } from '../../transport/real/lb/ipvs-sync-daemon.js';

const h = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const f = (seq: number) => ({ familyId: 0x23, seq });
const one = (bytes: Uint8Array) => {
  const [m] = parseNetlinkMessages(bytes);
  assert.ok(m !== undefined);
  return m;
};

test('IPVS_CMD_SET_CONFIG carries the three timeouts as u32 (lvs_timeouts tcp 7200 tcpfin 60 udp 120)', () => {
  const expected = h(
    '2c000000 2300 0500 01000000 00000000', // 44 bytes, REQUEST|ACK, seq 1
    '0c 01 0000', // IPVS_CMD_SET_CONFIG (12), version 1
    '0800 0400 201c0000', // IPVS_CMD_ATTR_TIMEOUT_TCP 7200
    '0800 0500 3c000000', // IPVS_CMD_ATTR_TIMEOUT_TCP_FIN 60
    '0800 0600 78000000', // IPVS_CMD_ATTR_TIMEOUT_UDP 120
  );
  const msg = setTimeoutsMessage(f(1), { tcp: 7200, tcpFin: 60, udp: 120 });
  assert.equal(hex(msg), expected);
  assert.deepEqual(decodeTimeouts(one(msg)), { tcp: 7200, tcpFin: 60, udp: 120 });
});

test('IPVS_CMD_GET_CONFIG is a plain request (one reply, no dump)', () => {
  assert.equal(hex(getTimeoutsMessage(f(2))), h('14000000 2300 0100 02000000 00000000', '0d 01 0000'));
});

test('IPVS_CMD_NEW_DAEMON with every attribute keepalived sends (master, eth1, id 51, maxlen, port, ttl, IPv4 group)', () => {
  const expected = h(
    '54000000 2300 0500 03000000 00000000', // 84 bytes
    '09 01 0000', // IPVS_CMD_NEW_DAEMON (9)
    '4000 0380', // IPVS_CMD_ATTR_DAEMON | NLA_F_NESTED, 64 bytes
    '0800 0100 01000000', // STATE IP_VS_STATE_MASTER
    '0900 0200 65746831 00 000000', // MCAST_IFN "eth1\0" + 3 pad
    '0800 0300 33000000', // SYNC_ID 51
    '0600 0400 7805 0000', // SYNC_MAXLEN 1400 (host order)
    '0600 0700 9022 0000', // MCAST_PORT 8848 (host order: the kernel reads nla_get_u16)
    '0500 0800 02 000000', // MCAST_TTL 2
    '0800 0500 e0000051', // MCAST_GROUP 224.0.0.81 (network order)
  );
  const d = toIpvsDaemon('master', { interface: 'eth1', syncId: 51, maxlen: 1400, port: 8848, ttl: 2, group: '224.0.0.81' });
  const msg = newDaemonMessage(f(3), d);
  assert.equal(hex(msg), expected);
  const decoded = decodeDaemon(one(msg));
  assert.equal(decoded.cmd, 9);
  assert.deepEqual(decoded.daemon, d);
});

test('IPVS_CMD_NEW_DAEMON without options: state, interface and sync id only; an IPv6 group is MCAST_GROUP6', () => {
  const minimal = h('34000000 2300 0500 04000000 00000000', '09 01 0000', '2000 0380', '0800 0100 02000000', '0900 0200 65746831 00 000000', '0800 0300 00000000');
  assert.equal(hex(newDaemonMessage(f(4), toIpvsDaemon('backup', { interface: 'eth1', syncId: 0 }))), minimal);
  const v6 = h(
    '48000000 2300 0500 05000000 00000000',
    '09 01 0000',
    '3400 0380',
    '0800 0100 02000000',
    '0900 0200 65746831 00 000000',
    '0800 0300 07000000',
    '1400 0600 ff020000 00000000 00000000 00000081', // MCAST_GROUP6 ff02::81
  );
  assert.equal(hex(newDaemonMessage(f(5), toIpvsDaemon('backup', { interface: 'eth1', syncId: 7, group: 'ff02::81' }))), v6);
});

test('IPVS_CMD_DEL_DAEMON carries the state and the sync id', () => {
  const expected = h('28000000 2300 0500 06000000 00000000', '0a 01 0000', '1400 0380', '0800 0100 01000000', '0800 0300 33000000');
  assert.equal(hex(delDaemonMessage(f(6), IP_VS_STATE_MASTER, 51)), expected);
  assert.deepEqual(decodeDaemon(one(delDaemonMessage(f(6), IP_VS_STATE_BACKUP, 9))).daemon, { state: IP_VS_STATE_BACKUP, syncId: 9 });
});

test('IPVS_CMD_GET_DAEMON is a dump', () => {
  assert.equal(hex(getDaemonsMessage(f(7))), h('14000000 2300 0103 07000000 00000000', '0b 01 0000'));
});

test('an interface name the kernel cannot hold (16 characters or more) is refused before sending', () => {
  assert.throws(() => newDaemonMessage(f(8), toIpvsDaemon('master', { interface: 'a-very-long-name', syncId: 1 })), /bad sync daemon interface/);
});
