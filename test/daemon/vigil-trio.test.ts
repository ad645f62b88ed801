/**
 * Three vigil daemons over IPv6 (VRRPv3, link-local sources, ff02::12), nopreempt, and the announcements a new
 * master sends: unsolicited neighbour advertisements for IPv6 and gratuitous ARP for IPv4, seen with tcpdump.
 */
import { test } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { commandAvailable, createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, holders, startDaemon, vigilStatus, vrrpConfig, type Daemon, stopDaemons } from './daemons.js';

/** Whether tcpdump says it is listening (it prints that to stderr once attached). */
function listening(tcpdump: ChildProcess): () => Promise<boolean> {
  let said = '';
  tcpdump.stderr?.on('data', (c: Buffer) => (said += c.toString()));
  return async () => said.includes('listening on');
}

test('three IPv6 daemons: highest wins, failover to the next, nopreempt keeps the new master; NA seen on the wire', { timeout: 90_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('tcpdump'))) return;
  const lan = await createLan({ name: 'tr', hosts: ['a', 'b', 'c', 'w'], v4Prefix: '192.168.77.X', v4Start: 140, v4PrefixLength: 26, v6Prefix: 'fd77::a0:X', v6PrefixLength: 112 });
  const [a, b, c, w] = ['a', 'b', 'c', 'w'].map((n) => lan.host(n)) as [ReturnType<typeof lan.host>, ReturnType<typeof lan.host>, ReturnType<typeof lan.host>, ReturnType<typeof lan.host>];
  const VIP = 'fd77::a0:99';
  const daemons: Daemon[] = [];
  let capture = '';
  const tcpdump = lan.spawn(w.ns, ['tcpdump', '-l', '-n', '-i', 'eth0', 'icmp6 and ip6[40] == 136']);
  tcpdump.stdout?.on('data', (chunk: Buffer) => (capture += chunk.toString()));
  const attached = listening(tcpdump);
  const who = () => holders(lan, [a, b, c], VIP);
  const describe = async () => `holders ${JSON.stringify(await who())}\n${daemons.map((d) => `--- ${d.host.name}\n${d.log().slice(-2000)}`).join('\n')}`;
  try {
    await eventually(attached, 5000, () => 'tcpdump did not attach');
    const conf = (p: number, extra = '') => vrrpConfig({ vrid: 30, priority: p, version: 3, vip: `${VIP}/112`, extra });
    // With nopreempt the first to time out wins, whatever its priority: a starts first so that it is master
    // before the others run (under load, a late timer would otherwise hand the election to b, correctly).
    const da = startDaemon(lan, a, 'vigil', conf(150, 'nopreempt'));
    daemons.push(da);
    await eventually(async () => JSON.stringify(await who()) === '["a"]', 10_000, describe);
    const db = startDaemon(lan, b, 'vigil', conf(120));
    const dc = startDaemon(lan, c, 'vigil', conf(100));
    daemons.push(db, dc);
    // b and c hear a for longer than their Master_Down_Interval (3 advertisements and the skew) without taking
    // over: the condition, rather than a fixed 4.5 s.
    const heard = async (d: Daemon, n: number): Promise<boolean> => ((await vigilStatus(lan, d).catch(() => undefined))?.instances[0]?.counters.adverts_received ?? 0) >= n;
    await eventually(async () => (await heard(db, 5)) && (await heard(dc, 5)), 8000, describe);
    assert.deepEqual(await who(), ['a'], await describe());
    // keepalived: garp_master_repeat (5) unsolicited NAs for the VIP when becoming master.
    await eventually(async () => (capture.match(new RegExp(`tgt is ${VIP}`, 'g')) ?? []).length >= 5, 3000, () => capture);

    da.kill('SIGKILL');
    await da.exited();
    await eventually(async () => (await who()).includes('b'), 6000, describe);
    assert.ok(!(await who()).includes('c'), 'the 100 stays backup behind the 120');

    // a comes back with nopreempt: b stays master; a's leftover VIP is cleaned up at start.
    da.restart();
    // a hears b for longer than its Master_Down_Interval and stays backup (nopreempt).
    await eventually(async () => heard(da, 5), 10_000, describe);
    assert.deepEqual(await who(), ['b'], await describe());
  } finally {
    tcpdump.kill('SIGKILL');
    await stopDaemons(lan, daemons);
  }
});

test('VRRPv2 unicast pair: gratuitous ARP on takeover, seen on the wire', { timeout: 60_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('tcpdump'))) return;
  const lan = await createLan({ name: 'ua', hosts: ['a', 'b', 'w'], v4Prefix: '192.168.77.X', v4Start: 150, v4PrefixLength: 26 });
  const [a, b, w] = [lan.host('a'), lan.host('b'), lan.host('w')];
  const VIP = '192.168.77.159';
  const daemons: Daemon[] = [];
  let capture = '';
  const tcpdump = lan.spawn(w.ns, ['tcpdump', '-l', '-n', '-i', 'eth0', 'arp']);
  tcpdump.stdout?.on('data', (chunk: Buffer) => (capture += chunk.toString()));
  const attached = listening(tcpdump);
  const who = () => holders(lan, [a, b], VIP);
  const describe = async () => `holders ${JSON.stringify(await who())}\n${daemons.map((d) => `--- ${d.host.name}\n${d.log().slice(-2000)}`).join('\n')}`;
  try {
    await eventually(attached, 5000, () => 'tcpdump did not attach');
    const conf = (self: typeof a, peer: typeof a, p: number) =>
      vrrpConfig({ vrid: 31, priority: p, version: 2, vip: `${VIP}/26`, unicastSrc: self.ipv4, unicastPeers: [peer.ipv4], extra: 'authentication {\n auth_type PASS\n auth_pass pw\n }' });
    const da = startDaemon(lan, a, 'vigil', conf(a, b, 150));
    const db = startDaemon(lan, b, 'vigil', conf(b, a, 100));
    daemons.push(da, db);
    await eventually(async () => JSON.stringify(await who()) === '["a"]', 10_000, describe);
    const before = capture.length;
    da.kill('SIGTERM');
    await eventually(async () => JSON.stringify(await who()) === '["b"]', 3000, describe);
    // Gratuitous ARP: a request for the VIP from the VIP (RFC 5798 §6.4.2 / keepalived garp).
    await eventually(async () => new RegExp(`Request who-has ${VIP.replace(/\./g, '\\.')} (\\(ff:ff:ff:ff:ff:ff\\) )?tell ${VIP.replace(/\./g, '\\.')}`).test(capture.slice(before)), 3000, () => capture);
  } finally {
    tcpdump.kill('SIGKILL');
    await stopDaemons(lan, daemons);
  }
});
