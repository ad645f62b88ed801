/**
 * interface_up_down_delays and linkbeat with the real daemon in a namespace, the carrier taken away at the
 * bridge's end of the veth: a loss shorter than the down delay never reaches the instance, a longer one puts it
 * in FAULT and the link coming back (no up delay) makes it MASTER again; with linkbeat_interfaces the loss is
 * found by polling. Judged from the daemon's log of its transitions (keepalived's "Entering … STATE").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { createLan, type Lan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, vrrpConfig, type Daemon, stopDaemons } from './daemons.js';

/** The bridge-side end of host 0's veth (test/netns/harness.ts names them p0, p1, …). */
async function carrier(lan: Lan, up: boolean): Promise<void> {
  await lan.exec(lan.bridgeNs, ['ip', 'link', 'set', 'p0', up ? 'up' : 'down']);
}

const faults = (d: Daemon): number => d.log().split('\n').filter((l) => l.includes('(VI_1) Entering FAULT STATE')).length;
const masters = (d: Daemon): number => d.log().split('\n').filter((l) => l.includes('(VI_1) Entering MASTER STATE')).length;

async function run(name: string, top: string, body: (lan: Lan, d: Daemon) => Promise<void>): Promise<void> {
  const lan = await createLan({ name, hosts: ['v'], v4Prefix: '192.168.77.X', v4Start: 193, v4PrefixLength: 26 });
  let d: Daemon | undefined;
  try {
    d = startDaemon(lan, lan.host('v'), 'vigil', top + vrrpConfig({ name: 'v', vrid: 80, priority: 255, version: 2, vip: '192.168.77.250/32' }));
    const daemon = d;
    await eventually(async () => masters(daemon) === 1, 15_000, () => daemon.log());
    await body(lan, daemon);
  } finally {
    await stopDaemons(lan, [d]);
  }
}

test('interface_up_down_delays: a carrier loss shorter than the down delay is never acted on; a longer one is, and its end at once', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  await run('tgl', 'interface_up_down_delays {\n  eth0 1.9\n}\n', async (lan, d) => {
    await carrier(lan, false);
    await delay(300);
    await carrier(lan, true);
    // Past the 1.9 s the flap would have needed.
    await delay(3000);
    assert.equal(faults(d), 0, d.log());
    await carrier(lan, false);
    await eventually(async () => faults(d) === 1, 10_000, () => d.log());
    await carrier(lan, true);
    await eventually(async () => masters(d) === 2, 10_000, () => d.log());
  });
});

test('linkbeat_interfaces: the carrier is polled, and a loss is found', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  await run('tgp', 'linkbeat_interfaces {\n  eth0\n}\n', async (lan, d) => {
    await carrier(lan, false);
    await eventually(async () => faults(d) === 1, 10_000, () => d.log());
    await carrier(lan, true);
    await eventually(async () => masters(d) === 2, 10_000, () => d.log());
  });
});
