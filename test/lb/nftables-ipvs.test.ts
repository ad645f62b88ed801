/**
 * keepalived's global_defs nftables_ipvs / nftables_ipvs_priority / nftables_ipvs_start_fwmark (check_nftables.c):
 * a virtual server on a group of addresses is one IPVS fwmark service per family (the mark given out from 1000, or
 * the start given, one per group and protocol), and an nftables table marks the group's addresses and ports; the
 * table goes when vigil stops. From keepalived.conf to the IPVS messages (the stand-in kernel), the nft text, and
 * the kernel's nftables in a namespace (the mark is set on a packet to an address of the group).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedProber } from '../../sim/simulated-prober.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { NodeChecks } from '../../actors/lvs/node-checks.js';
import { ScriptRunner } from '../../actors/scripts/script-runner.js';
import type { NodeEnvironment } from '../../actors/environment.js';
import { IpvsBackend } from '../../transport/real/lb/ipvs-backend.js';
import { NftablesBackend } from '../../transport/real/lb/nftables-backend.js';
import { ExecNftRunner } from '../../transport/real/lb/nft-runner.js';
import { ipvsMarkSettings, renderIpvsMarks } from '../../transport/lb/nftables-ipvs-marks.js';
import { groupFwmarks } from '../../actors/checks/group-fwmarks.js';
import { loadConfigText } from '../../config/load.js';
import { FakeIpvsKernel } from './fake-ipvs-kernel.js';
import { commandAvailable, createLan, requireNetns } from '../netns/harness.js';

const GROUPS = `virtual_server_group WEB {
  192.168.77.150-152 80
  192.168.77.160 8080
}
virtual_server_group MARKED {
  fwmark 7
}
`;
const vs = (group: string, protocol = 'TCP') =>
  `virtual_server group ${group} {\n  protocol ${protocol}\n  lb_algo rr\n  lb_kind NAT\n  real_server 192.168.77.11 80 {\n  }\n}\n`;

const configOf = (globals: string, servers = vs('WEB')) => loadConfigText(`global_defs {\n${globals}\n}\n${GROUPS}${servers}`, '/cfg/keepalived.conf').config;

test('marks: from 1000 (or nftables_ipvs_start_fwmark), one per group and protocol; a group with a fwmark entry is not marked', () => {
  const c = configOf('  nftables_ipvs', `${vs('WEB')}${vs('WEB', 'UDP')}${vs('MARKED')}`);
  const marks = groupFwmarks(c);
  assert.deepEqual([marks.markOf('WEB', 'tcp'), marks.markOf('WEB', 'udp'), marks.markOf('MARKED', 'tcp')], [1000, 1001, undefined]);
  assert.deepEqual(groupFwmarks(configOf('  nftables_ipvs\n  nftables_ipvs_start_fwmark 50')).markOf('WEB', 'tcp'), 50);
  assert.deepEqual(groupFwmarks(configOf('')).elements, [], 'without nftables_ipvs nothing is marked');
  const text = renderIpvsMarks(ipvsMarkSettings(c.globalDefs), marks.elements);
  assert.match(text, /table ip keepalived_ipvs \{/);
  assert.match(text, /elements = \{ 192\.168\.77\.150-192\.168\.77\.152 \. 80 : 1000, 192\.168\.77\.160 \. 8080 : 1000 \}/);
  assert.match(text, /type filter hook input priority -1; policy accept;/);
  assert.match(text, /meta l4proto udp meta mark set ip daddr \. udp dport map @udp_map counter return/);
  assert.doesNotMatch(text, /table ip6 keepalived_ipvs \{/, 'no IPv6 address: no ip6 table defined');
  const named = renderIpvsMarks(ipvsMarkSettings(configOf('  nftables_ipvs lbmarks\n  nftables_ipvs_priority -50').globalDefs), marks.elements);
  assert.match(named, /table ip lbmarks \{[\s\S]*priority -50;/);
});

function nodeChecks(globals: string, backend: 'ipvs' | 'nftables' = 'ipvs') {
  const config = configOf(globals);
  const clock = new VirtualClock();
  const logs: string[] = [];
  const log = { debug: () => {}, info: () => {}, warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
  const env = { clock, log } as unknown as NodeEnvironment;
  const host = new InProcessCheckerHost({ clock, random: new SeededRandom(1).fork('checkers'), prober: new SimulatedProber(clock, {}, []) });
  const kernel = new FakeIpvsKernel();
  const nftTexts: string[] = [];
  const nft = { run: async (_args: readonly string[], stdin?: string) => void nftTexts.push(stdin ?? '') };
  const lb = backend === 'ipvs' ? new IpvsBackend(kernel) : new NftablesBackend({ runner: { run: async () => ({ stdout: '', stderr: '' }) } });
  const checks = new NodeChecks(env, config, { host, backend: lb, immediateApply: true, nft });
  const scripts = { runner: new ScriptRunner(new SimulatedProcessRunner(clock), { info: () => {}, warn: () => {} }) };
  return { checks, kernel, nftTexts, logs, scripts, clock };
}

test('with IPVS: one fwmark service (mark 1000) instead of four address services, the table applied, removed at stop', async () => {
  const w = nodeChecks('  nftables_ipvs');
  await w.checks.start(new Set(), w.scripts);
  w.clock.runUntil(100);
  await new Promise((r) => setTimeout(r, 50));
  const services = [...w.kernel.services.values()].map((s) => s.service);
  assert.deepEqual(services.map((s) => [s.fwmark, s.af, s.scheduler]), [[1000, 2, 'rr']]);
  assert.equal(w.nftTexts.length, 1);
  assert.match(w.nftTexts[0]!, /192\.168\.77\.150-192\.168\.77\.152 \. 80 : 1000/);
  await w.checks.stop(true);
  assert.equal(w.nftTexts.length, 2);
  assert.match(w.nftTexts[1]!, /delete table ip keepalived_ipvs/);
  assert.doesNotMatch(w.nftTexts[1]!, /\{/);

  const without = nodeChecks('');
  await without.checks.start(new Set(), without.scripts);
  without.clock.runUntil(100);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(without.kernel.services.size, 4, 'address by address without nftables_ipvs');
  assert.deepEqual(without.nftTexts, []);
});

test('on the nftables load balancer the groups stay address by address, with a warning', async () => {
  const w = nodeChecks('  nftables_ipvs', 'nftables');
  await w.checks.start(new Set(), w.scripts);
  assert.deepEqual(w.nftTexts, []);
  assert.deepEqual(w.logs, ['warn nftables_ipvs: the nftables load balancer dispatches groups itself; virtual server groups are programmed address by address']);
  await w.checks.stop(true);
});

test('in a namespace: the table marks a packet to an address of the group (and not one outside it)', async (t: TestContext) => {
  if (!requireNetns(t, () => commandAvailable('nft'))) return;
  const lan = await createLan({ name: 'kwcipvs', hosts: ['director'], v4Prefix: '192.168.77.X', v4Start: 240 });
  try {
    const ns = lan.host('director').ns;
    await lan.exec(ns, ['ip', 'addr', 'add', '192.168.77.151/32', 'dev', 'lo']);
    await lan.exec(ns, ['ip', 'addr', 'add', '192.168.77.170/32', 'dev', 'lo']);
    const c = configOf('  nftables_ipvs');
    const nft = new ExecNftRunner({ netns: ns });
    await nft.run(['-f', '-'], renderIpvsMarks(ipvsMarkSettings(c.globalDefs), groupFwmarks(c).elements));
    // A later input chain counts what arrives with the mark.
    await nft.run(['-f', '-'], 'table ip kwcount {\n  chain in {\n    type filter hook input priority 10;\n    tcp dport 80 meta mark 1000 counter\n    tcp dport 80 meta mark 0 counter\n  }\n}\n');
    const knock = (address: string) =>
      lan.exec(ns, [process.execPath, '-e', `const s=require('net').connect(80,'${address}');s.on('error',()=>{});s.on('connect',()=>s.destroy())`]);
    await knock('192.168.77.151');
    await knock('192.168.77.170');
    const { stdout } = await nft.run(['list', 'table', 'ip', 'kwcount']);
    const counts = [...stdout.matchAll(/meta mark (0x[0-9a-f]+) counter packets (\d+)/g)].map((m) => `${Number(m[1])}:${m[2]}`);
    assert.deepEqual(counts, ['1000:1', '0:1'], stdout);
  } finally {
    await lan.cleanup();
  }
});
