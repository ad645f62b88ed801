/**
 * DBus (issue 16): keepalived 2.2.7 and vigil, each alone on a LAN of its own with the same configuration, each
 * owning org.keepalived.Vrrp1 on a private system bus of its own. Once every instance is master, both must offer
 * the same object tree, the same interfaces, methods, properties and signals on each object (busctl's table of
 * each, made from the introspection), the same property values (Get and GetAll), and send the same signals on
 * the same transitions (eth0 down and up again), on a reload and at a graceful stop.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { requireNetns, type Lan, type LanHost } from '../netns/harness.js';
import { eventually, startDaemon, type Daemon } from '../daemon/daemons.js';
import { busctl, introspectTable, introspectXml, monitor, objectPaths, serviceUp, startBus, type Monitor, type TestBus } from './dbus-peers.js';
import { block, commandsAvailable, sideBySide, vrrpInstance, type DaemonKind } from './daemon-sites.js';

const SERVICE = 'org.keepalived.Vrrp1';
const IFACE = 'org.keepalived.Vrrp1.Instance';

const CONFIG = [
  block('global_defs', ['router_id dbusdiff', 'enable_dbus']),
  vrrpInstance('VI_1', { state: 'MASTER', vrid: 51, priority: 150, lines: ['advert_int 1'], vips: ['192.168.77.100/24'] }),
  vrrpInstance('VI_2', { state: 'BACKUP', vrid: 52, priority: 100, lines: ['version 3', 'advert_int 0.5'], vips: ['192.168.77.102/24'] }),
  vrrpInstance('VI_6', { state: 'BACKUP', vrid: 53, priority: 90, lines: ['version 3'], vips: ['fd77::100/64'] }),
].join('');

interface Site {
  readonly host: LanHost;
  readonly bus: TestBus;
  readonly daemon: Daemon;
}

async function setUp(lan: Lan, kind: DaemonKind): Promise<Site> {
  const host = lan.host('h');
  const bus = await startBus(lan, host, mkdtempSync(join(tmpdir(), `dbus-${kind}-`)));
  const daemon = startDaemon(lan, host, kind, CONFIG, { env: bus.env });
  return { host, bus, daemon };
}

const leaves = (paths: readonly string[]): string[] => paths.filter((p) => /\/(Vrrp|IPv4|IPv6)$/.test(p));

async function properties(s: Site, path: string): Promise<string[]> {
  return Promise.all([
    busctl(s.bus, ['get-property', SERVICE, path, IFACE, 'Name']),
    busctl(s.bus, ['get-property', SERVICE, path, IFACE, 'State']),
    busctl(s.bus, ['call', SERVICE, path, 'org.freedesktop.DBus.Properties', 'GetAll', 's', IFACE]),
  ]).then((r) => r.map((x) => x.trim()));
}

/** The signals a monitor saw, as sorted lines (instances moving in the same millisecond may be told in either order). */
const told = (m: Monitor): string[] => m.signals().map((x) => JSON.stringify(x)).sort();

test('org.keepalived.Vrrp1: vigil offers the objects, values and signals keepalived 2.2.7 does for the same configuration', { timeout: 240_000 }, async (t) => {
  if (!requireNetns(t, commandsAvailable('keepalived', 'dbus-daemon', 'busctl'))) return;
  await sideBySide({ name: 'dbus', hosts: ['h'], v4Start: 10, v6: true }, setUp, async (sites) => {
    const [k, v] = sites;
    for (const s of sites) await serviceUp(s.bus, SERVICE, () => `${s.daemon.kind}: ${s.daemon.log().slice(-3000)}`);
    const kPaths = await objectPaths(k.bus, SERVICE);
    assert.equal(leaves(kPaths).length, 4, kPaths.join('\n'));
    assert.deepEqual(await objectPaths(v.bus, SERVICE), kPaths, 'the same object tree');

    // Every instance master on both.
    for (const s of sites) {
      for (const path of leaves(kPaths).filter((p) => p.includes('/Instance/'))) {
        const state = async (): Promise<string> => (await busctl(s.bus, ['get-property', SERVICE, path, IFACE, 'State']).catch((e: unknown) => String(e))).trim();
        await eventually(async () => (await state()) === '(us) 2 "Master"', 30_000, async () => `${s.daemon.kind} ${path}: ${await state()}\n${s.daemon.log().slice(-2000)}`, 250);
      }
    }
    // The introspection XML of every node, objects and the nodes above them.
    for (const path of kPaths) {
      const [kx, vx] = await Promise.all([introspectXml(k.bus, SERVICE, path), introspectXml(v.bus, SERVICE, path)]);
      assert.ok(kx.length >= 2, `${path}: ${kx.join('')}`);
      assert.deepEqual(vx, kx, `${path}: the introspection XML`);
    }
    for (const path of leaves(kPaths)) {
      assert.deepEqual(await introspectTable(v.bus, SERVICE, path), await introspectTable(k.bus, SERVICE, path), `${path}: interfaces, methods, properties, signals`);
      if (path.includes('/Instance/')) assert.deepEqual(await properties(v, path), await properties(k, path), `${path}: property values`);
    }
    // The Vrrp object has no properties on either.
    const vrrp = leaves(kPaths).find((p) => p.endsWith('/Vrrp'))!;
    const getAll = (s: Site): Promise<string> => busctl(s.bus, ['call', SERVICE, vrrp, 'org.freedesktop.DBus.Properties', 'GetAll', 's', 'org.keepalived.Vrrp1.Vrrp']);
    assert.equal(await getAll(v), await getAll(k));

    // The same signals on the same transitions: eth0 down (FAULT), up (BACKUP, then MASTER), then a reload.
    const watches = sites.map((s) => monitor(s.bus, SERVICE));
    try {
      await delay(1000);
      await Promise.all(sites.map((s) => s.lan.exec(s.host.ns, ['ip', 'link', 'set', 'eth0', 'down'])));
      const count = (m: Monitor, code: number): number => m.signals().filter(([, member, d]) => member === 'VrrpStatusChange' && JSON.stringify(d) === JSON.stringify([code])).length;
      for (const w of watches) await eventually(async () => count(w, 3) === 3, 15_000, () => JSON.stringify(w.signals()), 200);
      await Promise.all(sites.map((s) => s.lan.exec(s.host.ns, ['ip', 'link', 'set', 'eth0', 'up'])));
      for (const w of watches) await eventually(async () => count(w, 2) === 3, 30_000, () => JSON.stringify(w.signals()), 200);
      for (const s of sites) s.daemon.kill('SIGHUP');
      for (const w of watches) await eventually(async () => w.signals().some(([, m]) => m === 'VrrpReloaded'), 20_000, () => JSON.stringify(w.signals()), 200);
      await delay(1000);
      assert.deepEqual(await objectPaths(v.bus, SERVICE), await objectPaths(k.bus, SERVICE), 'the same objects after the reload');
      // A graceful stop (SIGTERM to the daemon: keepalived's parent, which stops its VRRP child).
      for (const s of sites) process.kill(s.daemon.proc.pid!, 'SIGTERM');
      for (const w of watches) await eventually(async () => w.signals().some(([, m]) => m === 'VrrpStopped'), 20_000, () => JSON.stringify(w.signals()), 200);
      await Promise.all(sites.map((s) => s.daemon.exited(20_000)));
      const [kt, vt] = watches.map(told);
      assert.ok(kt.length >= 11, kt.join('\n'));
      assert.deepEqual(vt, kt, `keepalived:\n${kt.join('\n')}\nvigil:\n${vt.join('\n')}`);
    } finally {
      for (const w of watches) w.stop();
    }
  });
});
