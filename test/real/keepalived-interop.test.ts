import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable, createLan, type Lan } from '../netns/harness.js';
import { startAgent, type AgentEvent } from './agent-client.js';
import { requireRealNetwork } from './helpers.js';
import { readPid } from './bfd-peers.js';
import { ahKey, decodeAhHeader, verifyAhDatagram } from '../../protocol/ipsec-ah.js';
import { decodeAdvertisement } from '../../protocol/vrrp-codec.js';

// VRRPv3 with 100 cs adverts: a `state MASTER` non-owner still waits a master-down interval (3 × 0.1 s + skew).
const CONFIG = `
global_defs {
  router_id vigil_interop
  vrrp_version 3
}
vrrp_instance V4 {
  state MASTER
  interface eth0
  virtual_router_id 71
  priority 150
  advert_int 0.1
  virtual_ipaddress {
    192.168.77.110/32
  }
}
vrrp_instance V6 {
  state MASTER
  interface eth0
  virtual_router_id 72
  priority 140
  advert_int 0.1
  virtual_ipaddress {
    fd77::64:110/128
  }
}
`;

interface Keepalived {
  log(): string;
  /** SIGTERM (keepalived stops its VRRP child), then SIGKILL by PID to whatever is left; removes its files. */
  stop(): Promise<void>;
}

/** Debian's keepalived in a namespace with its own pid files. */
async function startKeepalived(lan: Lan, ns: string, config: string): Promise<Keepalived> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-ka-'));
  const files = { conf: join(dir, 'keepalived.conf'), pid: join(dir, 'main.pid'), vrrp: join(dir, 'vrrp.pid'), check: join(dir, 'check.pid') };
  await writeFile(files.conf, config);
  let log = '';
  const keepalived = lan.spawn(ns, ['keepalived', '-n', '-l', '-D', '-f', files.conf, '-p', files.pid, '-r', files.vrrp, '-c', files.check]);
  keepalived.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  keepalived.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  return {
    log: () => log,
    async stop() {
      const vrrpPid = await readPid(files.vrrp);
      if (keepalived.pid !== undefined && keepalived.exitCode === null) {
        process.kill(keepalived.pid, 'SIGTERM');
        const stopped = new AbortController();
        await Promise.race([
          new Promise<void>((resolve) => keepalived.once('exit', () => resolve())),
          delay(3000, undefined, { signal: stopped.signal }).catch(() => undefined),
        ]);
        stopped.abort();
      }
      for (const pid of [vrrpPid, await readPid(files.check)]) {
        if (pid === undefined) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already exited
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

test("Debian's keepalived advertisements received through RawVrrpLink", { timeout: 30_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'))) return;
  const lan = await createLan({ name: 'ka', hosts: ['ka', 'vg'], v4Prefix: '192.168.77.X', v4Start: 105, v4PrefixLength: 26, v6Prefix: 'fd77::64:X', v6PrefixLength: 112 });
  const ka = lan.host('ka');
  const vg = lan.host('vg');
  const agent = await startAgent(lan, vg.ns);
  const keepalived = await startKeepalived(lan, ka.ns, CONFIG);
  try {
    const v4 = await agent.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: vg.ipv4 });
    const v6 = await agent.call<number>('open', { interface: 'eth0', family: 6, unicastPeers: [], sourceAddress: vg.ipv6LinkLocal });
    const fromKeepalived = (channel: number, vrid: number) => (e: AgentEvent) =>
      e.event === 'packet' && e['channel'] === channel && Buffer.from(String(e['bytes']), 'hex')[1] === vrid;

    const p4 = await agent.waitFor(fromKeepalived(v4, 71), 8000).catch((e: Error) => assert.fail(`${e.message}\nkeepalived log:\n${keepalived.log()}`));
    const b4 = Buffer.from(String(p4['bytes']), 'hex');
    assert.equal(b4[0], 0x31, 'VRRPv3 advertisement'); // version 3, type 1 (RFC 5798 §5.2.1, §5.2.2)
    assert.equal(b4[2], 150, 'priority');
    assert.equal(b4[3], 1, 'one address');
    assert.equal(b4.subarray(8, 12).join('.'), '192.168.77.110');
    assert.equal(p4['ttl'], 255);
    assert.equal(p4['source'], ka.ipv4);
    assert.equal(p4['destination'], '224.0.0.18');

    const p6 = await agent.waitFor(fromKeepalived(v6, 72), 8000).catch((e: Error) => assert.fail(`${e.message}\nkeepalived log:\n${keepalived.log()}`));
    const b6 = Buffer.from(String(p6['bytes']), 'hex');
    assert.equal(b6[0], 0x31);
    assert.equal(b6[2], 140);
    assert.equal(p6['ttl'], 255);
    assert.equal(p6['source'], ka.ipv6LinkLocal);
    assert.equal(p6['destination'], 'ff02::12');
  } finally {
    await keepalived.stop();
    await agent.stop();
    await lan.cleanup();
  }
});

// VRRPv2 with AH: the owner (255) may start as MASTER, so it advertises at once.
const AH_CONFIG = `
vrrp_instance AH {
  state MASTER
  interface eth0
  virtual_router_id 73
  priority 255
  advert_int 1
  authentication {
    auth_type AH
    auth_pass secret
  }
  virtual_ipaddress {
    192.168.77.111/32
  }
}
`;

test("Debian's keepalived AH advertisements received through an AH RawVrrpLink channel and verified", { timeout: 30_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'))) return;
  const lan = await createLan({ name: 'kah', hosts: ['ka', 'vg'], v4Prefix: '192.168.77.X', v4Start: 105, v4PrefixLength: 26 });
  const ka = lan.host('ka');
  const vg = lan.host('vg');
  const agent = await startAgent(lan, vg.ns);
  const keepalived = await startKeepalived(lan, ka.ns, AH_CONFIG);
  try {
    const ah = await agent.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: vg.ipv4, ipsecAh: true });
    const plain = await agent.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: vg.ipv4 });
    const fromKeepalived = (e: AgentEvent): boolean => e.event === 'packet' && e['channel'] === ah;
    const first = await agent.waitFor(fromKeepalived, 8000).catch((e: Error) => assert.fail(`${e.message}\nkeepalived log:\n${keepalived.log()}`));
    const second = await agent.waitFor((e) => fromKeepalived(e) && e !== first, 4000, agent.events.indexOf(first) + 1);
    const numbers = [first, second].map((p) => {
      const datagram = new Uint8Array(Buffer.from(String(p['datagram']), 'hex'));
      assert.equal(datagram[9], 51, 'protocol AH');
      const verdict = verifyAhDatagram(datagram, ahKey('secret'), false);
      assert.ok(verdict.ok, `ICV verifies: ${JSON.stringify(verdict)}`);
      assert.equal(verifyAhDatagram(datagram, ahKey('other'), false).ok, false);
      assert.equal(decodeAhHeader(datagram, 20)!.spi, Buffer.from(ka.ipv4.split('.').map(Number)).readUInt32BE(0), 'SPI = source');
      const vrrp = decodeAdvertisement(new Uint8Array(Buffer.from(String(p['bytes']), 'hex')), { family: 4, source: ka.ipv4, destination: '224.0.0.18' });
      assert.ok(vrrp.ok);
      assert.equal(vrrp.advertisement.authType, 2);
      assert.equal(vrrp.advertisement.priority, 255);
      assert.equal(p['ttl'], 255);
      return verdict.sequence;
    });
    assert.equal(numbers[1], numbers[0]! + 1, 'one sequence number per advertisement');
    // A protocol-112 channel never sees them.
    assert.equal(agent.events.some((e) => e.event === 'packet' && e['channel'] === plain), false);
  } finally {
    await keepalived.stop();
    await agent.stop();
    await lan.cleanup();
  }
});
