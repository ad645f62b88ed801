/**
 * The IPVS backend and the keepalived keywords beyond services (lvs_timeouts, lvs_flush, lvs_flush_on_stop,
 * lvs_sync_daemon, scheduler flags, persistence engines, tunnel types), judged from the stand-in kernel's table
 * (test/lb/fake-ipvs-kernel.ts: this kernel has no IPVS) and from the requests it received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpvsBackend } from '../../transport/real/lb/ipvs-backend.js';
import { IPVS_CMD, type IpvsService } from '../../protocol/ipvs-messages.js';
import { ipToBytes } from '../../protocol/ip-bytes.js';
import type { AddressService, DesiredState } from '../../machines/desired-state.js';
import { FakeIpvsKernel } from './fake-ipvs-kernel.js';
import { natDestination, webService } from './fixtures.js';

const web: AddressService = webService('wrr', [natDestination(67, 8080, 1), natDestination(68, 8080, 2)]);
const foreign: IpvsService = { af: 2, protocol: 6, address: ipToBytes('192.168.77.200'), port: 22, scheduler: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff };
const WEB = '2/6/c0a84d64/80';

test('lvs_timeouts: the originals are read once, all three are sent, and clear puts the originals back', async () => {
  const kernel = new FakeIpvsKernel();
  const backend = new IpvsBackend(kernel);
  const state: DesiredState = { services: [web], timeouts: { tcp: 7200, udp: 60 } };
  await backend.apply(state);
  assert.deepEqual(kernel.timeouts, { tcp: 7200, tcpFin: 120, udp: 60 }, 'tcpfin keeps the kernel value');
  assert.deepEqual(kernel.commands.slice(0, 2), [IPVS_CMD.GET_CONFIG, IPVS_CMD.SET_CONFIG]);
  kernel.commands.length = 0;
  await backend.apply(state);
  assert.ok(!kernel.commands.includes(IPVS_CMD.SET_CONFIG), 'unchanged timeouts are not sent again');
  await backend.apply({ ...state, timeouts: { tcpFin: 30 } });
  assert.deepEqual(kernel.timeouts, { tcp: 900, tcpFin: 30, udp: 300 }, 'a timeout no longer configured returns to the original');
  assert.ok(!kernel.commands.includes(IPVS_CMD.GET_CONFIG), 'the originals are read only once');
  await backend.clear();
  assert.deepEqual(kernel.timeouts, { tcp: 900, tcpFin: 120, udp: 300 });
});

test('without lvs_timeouts nothing about timeouts is sent', async () => {
  const kernel = new FakeIpvsKernel();
  const backend = new IpvsBackend(kernel);
  await backend.apply({ services: [web] });
  await backend.clear();
  assert.ok(!kernel.commands.includes(IPVS_CMD.GET_CONFIG) && !kernel.commands.includes(IPVS_CMD.SET_CONFIG));
});

test('lvs_flush: every service goes, vigil\'s or not', async () => {
  const kernel = new FakeIpvsKernel();
  kernel.services.set('2/6/c0a84dc8/22', { service: foreign, dests: new Map() });
  const backend = new IpvsBackend(kernel);
  await backend.flush();
  assert.equal(kernel.services.size, 0);
  assert.deepEqual(kernel.commands, [IPVS_CMD.FLUSH]);
});

test('lvs_flush_on_stop: each (default) deletes destinations then services; VS deletes services; full flushes all', async () => {
  for (const [mode, expected, left] of [
    ['each', [IPVS_CMD.DEL_DEST, IPVS_CMD.DEL_DEST, IPVS_CMD.DEL_SERVICE], 1],
    ['services', [IPVS_CMD.DEL_SERVICE], 1],
    ['all', [IPVS_CMD.FLUSH], 0],
  ] as const) {
    const kernel = new FakeIpvsKernel();
    kernel.services.set('2/6/c0a84dc8/22', { service: foreign, dests: new Map() });
    const backend = new IpvsBackend(kernel);
    await backend.apply({ services: [web] });
    kernel.commands.length = 0;
    await backend.clear(mode);
    assert.deepEqual(kernel.commands, expected, mode);
    assert.equal(kernel.services.size, left, mode);
    assert.ok(!kernel.services.has(WEB), mode);
  }
});

test('scheduler flags, persistence engine and tunnel options reach the kernel, and a change is an edit', async () => {
  const kernel = new FakeIpvsKernel();
  const backend = new IpvsBackend(kernel);
  const tun: AddressService = {
    ...web,
    scheduler: 'sh',
    schedulerFlags: ['flag-1', 'flag-2'],
    persistenceTimeout: 60,
    persistenceEngine: 'sip',
    destinations: [{ address: '192.168.77.67', port: 8080, weight: 1, forwarding: 'TUN', tunnel: { type: 'gue', port: 6080, checksum: 'remcsum' } }],
  };
  await backend.apply({ services: [tun] });
  const entry = kernel.services.get(WEB);
  assert.equal(entry?.service.flags, 0x01 | 0x08 | 0x10);
  assert.equal(entry?.service.peName, 'sip');
  const dest = [...(entry?.dests.values() ?? [])][0];
  assert.deepEqual([dest?.tunType, dest?.tunPort, dest?.tunFlags], [1, 6080, 2]);
  kernel.commands.length = 0;
  await backend.apply({ services: [tun] });
  assert.ok(!kernel.commands.includes(IPVS_CMD.SET_SERVICE) && !kernel.commands.includes(IPVS_CMD.SET_DEST), 'the kernel already matches');
  await backend.apply({ services: [{ ...tun, schedulerFlags: ['flag-2'], destinations: [{ ...tun.destinations[0]!, tunnel: { type: 'gre', checksum: 'csum' } }] }] });
  assert.ok(kernel.commands.includes(IPVS_CMD.SET_SERVICE) && kernel.commands.includes(IPVS_CMD.SET_DEST));
  assert.equal(kernel.services.get(WEB)?.service.flags, 0x01 | 0x10);
  const after = [...(kernel.services.get(WEB)?.dests.values() ?? [])][0];
  assert.deepEqual([after?.tunType, after?.tunPort, after?.tunFlags], [2, undefined, 1]);
});

test('the kernel sets IP_VS_SVC_F_HASHED on every service: that alone is no reason to edit', async () => {
  const kernel = new FakeIpvsKernel();
  const backend = new IpvsBackend(kernel);
  await backend.apply({ services: [web] });
  const entry = kernel.services.get(WEB)!;
  entry.service = { ...entry.service, flags: entry.service.flags | 0x2 };
  kernel.commands.length = 0;
  await backend.apply({ services: [{ ...web, destinations: [...web.destinations] }] });
  assert.ok(!kernel.commands.includes(IPVS_CMD.SET_SERVICE));
});

test('sync daemon: start converges (absent: started; same: left; different: restarted), stop tolerates absence', async () => {
  const kernel = new FakeIpvsKernel();
  const sync = new IpvsBackend(kernel).syncDaemon;
  const config = { interface: 'eth1', syncId: 51, port: 8848 };
  await sync.start('backup', config);
  assert.deepEqual(kernel.daemons.get(2), { state: 2, interface: 'eth1', syncId: 51, port: 8848 });
  kernel.commands.length = 0;
  await sync.start('backup', config);
  assert.deepEqual(kernel.commands, [IPVS_CMD.GET_DAEMON], 'a daemon that matches is left running');
  await sync.start('backup', { ...config, syncId: 52 });
  assert.deepEqual(kernel.commands.slice(1), [IPVS_CMD.GET_DAEMON, IPVS_CMD.DEL_DAEMON, IPVS_CMD.NEW_DAEMON]);
  assert.equal(kernel.daemons.get(2)?.syncId, 52);
  await sync.start('master', config);
  assert.deepEqual([...kernel.daemons.keys()].sort(), [1, 2], 'master and backup can run at once');
  await sync.stop('master', config);
  await sync.stop('master', config);
  assert.deepEqual([...kernel.daemons.keys()], [2]);
});
