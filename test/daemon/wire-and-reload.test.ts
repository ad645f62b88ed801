/**
 * A vigil daemon under bad input on the wire (TTL 254, bad checksum, wrong auth, unknown VRID, truncated: each
 * dropped and counted, the state unchanged — and a valid packet then shows the state could have changed), under a
 * storm of 50 SIGHUPs (no VIP flap), and across reloads that remove an instance or bring a broken configuration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { startAgent } from '../real/agent-client.js';
import { encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import type { VrrpAdvertisement } from '../../protocol/vrrp-types.js';
import { addressesIn, eventually, startDaemon, VIGIL, type Daemon, stopDaemons, monitorAddresses } from './daemons.js';

interface Status {
  reloads: number;
  drops: Record<string, number>;
  instances: { name: string; state: string; counters: { drops: Record<string, number>; release_master: number } }[];
}

function status(ns: string, d: Daemon): Status {
  const r = spawnSync('ip', ['netns', 'exec', ns, VIGIL, 'status', '--json', '--socket', d.statusSocket], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Status;
}

const CONFIG = `
vrrp_instance V3 {
  interface eth0
  virtual_router_id 81
  priority 100
  version 3
  advert_int 1
  virtual_ipaddress {
    192.168.77.180/26
  }
}
vrrp_instance V2 {
  interface eth0
  virtual_router_id 82
  priority 100
  version 2
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass secret
  }
  virtual_ipaddress {
    192.168.77.181/26
  }
}
`;

test('bad packets on the wire are dropped and counted; the state does not change', { timeout: 60_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'wb', hosts: ['v', 'x'], v4Prefix: '192.168.77.X', v4Start: 161, v4PrefixLength: 26 });
  const v = lan.host('v');
  const x = lan.host('x');
  const daemons: Daemon[] = [];
  try {
    const d = startDaemon(lan, v, 'vigil', CONFIG);
    daemons.push(d);
    const vips = () => addressesIn(lan, v);
    await eventually(async () => (await vips()).includes('192.168.77.180') && (await vips()).includes('192.168.77.181'), 10_000, () => d.log());
    const agent = await startAgent(lan, x.ns);
    const good = await agent.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: x.ipv4 });
    const ttl254 = await agent.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: x.ipv4, hopLimit: 254 });
    const adv = (o: Partial<VrrpAdvertisement>): Buffer =>
      Buffer.from(
        encodeAdvertisement(
          { version: 3, vrid: 81, priority: 254, intervalCs: 100, family: 4, addresses: ['192.168.77.180'], authType: 0, authPassword: '', ...o },
          { source: x.ipv4, destination: '224.0.0.18' },
        ),
      );
    const send = (channel: number, bytes: Buffer, repeat = 5) => agent.call('send', { channel, destination: '224.0.0.18', bytes: bytes.toString('hex'), repeat });
    const badChecksum = adv({});
    badChecksum[6]! ^= 0xff;
    await send(ttl254, adv({}));
    await send(good, badChecksum);
    await send(good, adv({ version: 2, vrid: 82, authType: 1, authPassword: 'wrong' }));
    await send(good, adv({ vrid: 99 }));
    await send(good, adv({}).subarray(0, 10));
    // Every bad packet counted: the daemon has seen them all (rather than a fixed wait), and nothing changed.
    const counted = (s: Status): boolean => {
      const v3 = s.instances.find((i) => i.name === 'V3')!;
      const v2 = s.instances.find((i) => i.name === 'V2')!;
      return (v3.counters.drops['ttl'] ?? 0) >= 5 && (v2.counters.drops['auth'] ?? 0) >= 5 && ['checksum', 'vrid', 'length'].every((r) => (s.drops[r] ?? 0) >= 5);
    };
    await eventually(async () => counted(status(v.ns, d)), 5000, () => JSON.stringify(status(v.ns, d)));
    const s = status(v.ns, d);
    const v3 = s.instances.find((i) => i.name === 'V3')!;
    const v2 = s.instances.find((i) => i.name === 'V2')!;
    assert.equal(v3.state, 'MASTER');
    assert.equal(v2.state, 'MASTER');
    assert.ok((v3.counters.drops['ttl'] ?? 0) >= 5, JSON.stringify(s));
    assert.ok((v2.counters.drops['auth'] ?? 0) >= 5, JSON.stringify(s));
    assert.ok((s.drops['checksum'] ?? 0) >= 5, JSON.stringify(s));
    assert.ok((s.drops['vrid'] ?? 0) >= 5, JSON.stringify(s));
    assert.ok((s.drops['length'] ?? 0) >= 5, JSON.stringify(s));
    assert.deepEqual(
      (await vips()).filter((a) => a.startsWith('192.168.77.18')),
      ['192.168.77.180', '192.168.77.181'],
    );
    // Control: the same advertisement, well formed, does make the master yield (priority 254 > 100).
    await send(good, adv({}), 1);
    await eventually(async () => !(await vips()).includes('192.168.77.180'), 3000, () => d.log());
    // It stepped down (counted): its state now may be MASTER again, once Master_Down_Interval (3.6 s) passed
    // without x's advertisements, which a loaded machine can take to see the VIP go.
    assert.equal(status(v.ns, d).instances.find((i) => i.name === 'V3')!.counters.release_master, 1);
    await agent.stop();
  } finally {
    await stopDaemons(lan, daemons);
  }
});

test('reloads: 50 SIGHUPs without a VIP flap; a removed instance releases its VIP; a broken config is rejected', { timeout: 60_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'rl', hosts: ['v'], v4Prefix: '192.168.77.X', v4Start: 170, v4PrefixLength: 26 });
  const v = lan.host('v');
  const daemons: Daemon[] = [];
  const monitor = monitorAddresses(lan, v.ns);
  try {
    const d = startDaemon(lan, v, 'vigil', CONFIG.replace('version 2', 'version 3'));
    daemons.push(d);
    const vips = () => addressesIn(lan, v);
    await eventually(async () => (await vips()).includes('192.168.77.181') && (await vips()).includes('192.168.77.180'), 10_000, () => d.log());
    const pid = d.vrrpPid()!;
    for (let i = 0; i < 50; i++) {
      process.kill(pid, 'SIGHUP');
      await delay(10);
    }
    // The storm coalesces: wait until every reload begun has finished (each logs "reloaded:" at its end).
    const finished = (): number => (d.log().match(/reloaded: kept/g) ?? []).length;
    await eventually(async () => finished() >= 1 && finished() === status(v.ns, d).reloads, 10_000, () => d.log());
    assert.doesNotMatch(monitor.text(), /Deleted.*192\.168\.77\.18[01]/, 'no VIP removed during the storm');
    const afterStorm = status(v.ns, d);
    assert.ok(afterStorm.reloads >= 1 && afterStorm.reloads <= 50);
    assert.ok(afterStorm.instances.every((i) => i.state === 'MASTER'));

    // SIGUSR1: data dump; SIGUSR2: stats dump; JSON (SIGRTMIN+2): JSON dump (keepalived's /tmp/keepalived.* as
    // vigil.* in --dump-dir).
    const dump = (name: string): string => join(d.dumpDir, name);
    process.kill(pid, 'SIGUSR1');
    process.kill(pid, 'SIGUSR2');
    process.kill(pid, Number(spawnSync(VIGIL, ['--signum=JSON'], { encoding: 'utf8' }).stdout));
    // Each file appears whole (written under a temporary name, then renamed).
    await eventually(async () => existsSync(dump('vigil.data')) && existsSync(dump('vigil.stats')) && existsSync(dump('vigil.json')), 3000, () => d.log());
    assert.match(readFileSync(dump('vigil.data'), 'utf8'), /VRRP instance V3\n {3}state {18}MASTER/);
    assert.match(readFileSync(dump('vigil.stats'), 'utf8'), /VRRP instance: V2\n {2}advertisements received: 0\n {2}advertisements sent: +[1-9]/);
    const json = JSON.parse(readFileSync(dump('vigil.json'), 'utf8')) as Status;
    assert.deepEqual(json.instances.map((i) => [i.name, i.state]), [['V3', 'MASTER'], ['V2', 'MASTER']]);

    // Remove V2: its VIP goes (priority 0 sent), V3 keeps its VIP without a flap.
    writeFileSync(d.conf, CONFIG.slice(0, CONFIG.indexOf('vrrp_instance V2')));
    process.kill(pid, 'SIGHUP');
    await eventually(async () => !(await vips()).includes('192.168.77.181'), 3000, () => d.log());
    assert.ok((await vips()).includes('192.168.77.180'));
    assert.doesNotMatch(monitor.text(), /Deleted.*192\.168\.77\.180/);
    assert.deepEqual(status(v.ns, d).instances.map((i) => i.name), ['V3']);

    // A broken configuration: rejected with file:line in the log, the running one stays.
    writeFileSync(d.conf, 'vrrp_instance V3 {\n interface eth0\n virtual_router_id 300\n}\n');
    process.kill(pid, 'SIGHUP');
    await eventually(async () => /reload rejected.*:3: .*virtual_router_id/.test(d.log()), 3000, () => d.log());
    assert.ok((await vips()).includes('192.168.77.180'));
    assert.equal(status(v.ns, d).instances[0]!.state, 'MASTER');
  } finally {
    monitor.stop();
    await stopDaemons(lan, daemons);
  }
});
