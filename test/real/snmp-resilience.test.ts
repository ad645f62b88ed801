/**
 * Issue 16: "snmpd restarts and a missing snmpd must not affect VRRP; the subagent reconnects". Host `a` runs vigil
 * with enable_snmp_vrrp and enable_traps, its snmp_socket naming a socket no snmpd listens on yet; host `b` runs the
 * backup of a's VI_1. vigil starts, says once that the AgentX master is missing (naming the socket) and a becomes
 * master; snmpd started later is joined by the subagent (snmpwalk shows vigil's instances); snmpd killed and started
 * again is joined again: the walk works, and a trap raised after the restart (VI_2 to FAULT through its track_file)
 * reaches snmptrapd. Meanwhile VI_1's adverts never stop: b never becomes master.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { requireNetns } from '../netns/harness.js';
import { cleanupDir, eventually, holders, startDaemon, vigilStatus, type Daemon } from '../daemon/daemons.js';
import { snmpWalk, startSnmpd, trapsLogged } from './snmp-peers.js';
import { block, commandsAvailable, testLan, vrrpInstance } from './daemon-sites.js';

const INSTANCES = '.1.3.6.1.4.1.9586.100.5.2.3.1';
const NAME = `${INSTANCES}.2`;
const STATE = `${INSTANCES}.4`;
const STATE_CHANGE = '.1.3.6.1.4.1.9586.100.5.2.10.0.2';
const VIP = '192.168.77.150';

test('a missing snmpd is one warning and VRRP runs; snmpd started later, killed and restarted: the subagent joins each time, traps flow, b never takes over', { timeout: 300_000 }, async (t) => {
  if (!requireNetns(t, commandsAvailable('snmpd', 'snmpwalk', 'snmptrapd'))) return;
  const lan = await testLan({ name: 'snmpres', hosts: ['a', 'b'], v4Start: 140 });
  const daemons: Daemon[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'snmpres-'));
  try {
    const [a, b] = [lan.host('a'), lan.host('b')];
    const snmp = await startSnmpd(lan, a, dir, { snmpd: false });
    const trackFile = join(dir, 'vi2-fault');
    writeFileSync(trackFile, '0\n');
    const aConf =
      block('global_defs', ['router_id snmpres-a', 'enable_snmp_vrrp', 'enable_traps', `snmp_socket unix:${snmp.agentxSocket}`]) +
      block('vrrp_track_file vi2', [`file ${trackFile}`, 'weight 0']) +
      vrrpInstance('VI_1', { state: 'MASTER', vrid: 91, priority: 150, lines: ['advert_int 1'], vips: [`${VIP}/24`] }) +
      vrrpInstance('VI_2', { state: 'MASTER', vrid: 92, priority: 150, lines: ['advert_int 1'], vips: ['192.168.77.151/24'], after: [block('track_file', ['vi2'])] });
    const bConf = block('global_defs', ['router_id snmpres-b']) + vrrpInstance('VI_1', { state: 'BACKUP', vrid: 91, priority: 100, lines: ['advert_int 1'], vips: [`${VIP}/24`] });
    const backup = startDaemon(lan, b, 'vigil', bConf);
    const vigil = startDaemon(lan, a, 'vigil', aConf);
    daemons.push(backup, vigil);
    const logs = () => daemons.map((d) => `--- ${d.host.name}\n${d.log().slice(-3000)}`).join('\n');
    const missing = () => vigil.log().split('\n').filter((l) => l.includes(`AgentX master at unix:${snmp.agentxSocket} unavailable`));
    const connected = () => vigil.log().split('\n').filter((l) => l.includes(`AgentX subagent connected to unix:${snmp.agentxSocket}`));
    const walk = () => snmpWalk(lan, a, INSTANCES).catch(() => new Map<string, string>());
    const walked = async (): Promise<Map<string, string>> => {
      let last = new Map<string, string>();
      await eventually(async () => (last = await walk()).get(`${NAME}.1`) === 'STRING: "VI_1"', 30_000, () => `no walk of vigil's instances: ${JSON.stringify([...last])}\n${logs()}`, 500);
      return last;
    };

    // No snmpd: one warning naming the socket, a normal start, a master holding the VIP.
    await eventually(async () => (await holders(lan, [a, b], VIP)).join() === 'a', 30_000, logs, 250);
    await eventually(async () => (await vigilStatus(lan, backup)).instances.every((i) => i.state === 'BACKUP'), 20_000, logs, 250);
    assert.equal(missing().length, 1, logs());
    assert.match(missing()[0]!, /"level":40/, 'a warning (pino level 40)');
    assert.equal(connected().length, 0);
    // Several retry periods without a master: still the one line.
    await delay(12_000);
    assert.equal(missing().length, 1, logs());
    assert.equal(vigil.proc.exitCode, null, 'vigil runs');

    // snmpd comes: the subagent joins and the walk shows vigil's instances, VI_1 master.
    await snmp.startSnmpd();
    const first = await walked();
    assert.equal(first.get(`${STATE}.1`), 'INTEGER: 2', 'VI_1 master');
    assert.equal(first.get(`${NAME}.2`), 'STRING: "VI_2"');
    assert.equal(connected().length, 1, logs());

    // snmpd killed: one more warning; started again: joined again, the walk works.
    await snmp.stopSnmpd('SIGKILL');
    await eventually(async () => missing().length === 2, 20_000, logs, 250);
    assert.deepEqual(await walk(), new Map(), 'nothing answers without snmpd');
    await delay(6_000);
    await snmp.startSnmpd();
    await walked();
    await eventually(async () => connected().length === 2, 20_000, logs, 250);

    // A graceful stop (SIGTERM: snmpd closes the session) and a start again, then a trap raised after the restart.
    await snmp.stopSnmpd('SIGTERM');
    await eventually(async () => missing().length === 3, 20_000, logs, 250);
    await snmp.startSnmpd();
    await walked();
    await eventually(async () => connected().length === 3, 20_000, logs, 250);
    const faultTraps = () => trapsLogged(snmp).filter((l) => l.includes(`OID: ${STATE_CHANGE}`) && l.includes('"VI_2"') && l.includes(`${STATE}`) && / = INTEGER: 3\b/.test(l));
    assert.equal(faultTraps().length, 0);
    writeFileSync(trackFile, '1\n');
    await eventually(async () => faultTraps().length === 1, 20_000, () => `${trapsLogged(snmp).join('\n')}\n${logs()}`, 250);
    assert.match(faultTraps()[0]!, new RegExp(`${STATE.replace(/\./g, '\\.')} = INTEGER: 3`));
    const after = await walked();
    assert.equal(after.get(`${STATE}.2`), 'INTEGER: 3', 'VI_2 in FAULT');
    assert.equal(after.get(`${STATE}.1`), 'INTEGER: 2', 'VI_1 master');

    // VRRP never noticed: a held the VIP throughout, b never became master and kept hearing a.
    assert.deepEqual(await holders(lan, [a, b], VIP), ['a']);
    const bStatus = await vigilStatus(lan, backup);
    const vi1 = bStatus.instances.find((i) => i.name === 'VI_1')!;
    assert.equal(vi1.state, 'BACKUP');
    assert.equal((vi1.counters as { become_master?: number }).become_master ?? 0, 0, 'b never took over');
    assert.ok(vi1.counters.adverts_received > 30, `b heard a all along (${vi1.counters.adverts_received} adverts)`);
    assert.equal(vigil.proc.exitCode, null);
  } finally {
    await lan.cleanup();
    for (const d of daemons) cleanupDir(d);
    rmSync(dir, { recursive: true, force: true });
  }
});
