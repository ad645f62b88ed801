/**
 * Issue 16: a missing dbus-daemon is a warning, never a failed start; as keepalived (which asks for its name once,
 * at start), vigil joins the bus at start and at a reload only. Here: enable_dbus with no bus at the system bus
 * address: one warning, the instance master; a dbus-daemon started there later is not joined until a reload
 * (SIGHUP), then the service is on it with the instance's state; the bus stopped and started again: joined at the
 * next reload likewise. A bus whose policy refuses vigil's name (the policy file not installed): one warning at start
 * and at each reload, and no connection of vigil's left on the bus (one stayed open per try, owning nothing).
 */
import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { requireNetns, type Lan, type LanHost } from '../netns/harness.js';
import { cleanupDir, eventually, startDaemon, vigilStatus, type Daemon } from '../daemon/daemons.js';
import { busctl, serviceUp, startBus, type TestBus } from './dbus-peers.js';
import { block, commandsAvailable, testLan, vrrpInstance } from './daemon-sites.js';

const SERVICE = 'org.keepalived.Vrrp1';
const I1 = '/org/keepalived/Vrrp1/Instance/eth0/93/IPv4';

/** What a test here has: one host `h` on a LAN, a directory for the bus, and what it starts for the cleanup. */
interface BusLan {
  readonly lan: Lan;
  readonly host: LanHost;
  readonly dir: string;
  vigil?: Daemon;
  bus?: TestBus;
}

/** Runs `body` on a fresh BusLan, then stops the bus and the daemon, and removes the namespaces and files. */
async function onBusLan(t: TestContext, name: string, v4Start: number, body: (w: BusLan) => Promise<void>): Promise<void> {
  if (!requireNetns(t, commandsAvailable('dbus-daemon', 'busctl'))) return;
  const lan = await testLan({ name, hosts: ['h'], v4Start });
  const w: BusLan = { lan, host: lan.host('h'), dir: mkdtempSync(join(tmpdir(), `${name}-`)) };
  try {
    await body(w);
  } finally {
    w.bus?.stop();
    await lan.cleanup();
    if (w.vigil) cleanupDir(w.vigil);
    rmSync(w.dir, { recursive: true, force: true });
  }
}

/** Once the status socket answers with every instance MASTER (the daemon has started). */
const allMaster = (lan: Lan, d: Daemon): Promise<number> =>
  eventually(async () => (await vigilStatus(lan, d).catch(() => undefined))?.instances.every((i) => i.state === 'MASTER') === true, 20_000, () => d.log().slice(-3000), 250);

test('enable_dbus without a bus: one warning, a normal start; a bus started later is joined at the next reload', { timeout: 240_000 }, async (t) => {
  await onBusLan(t, 'snmpresdbus', 160, async (w) => {
    const { lan, host, dir } = w;
    const socket = join(dir, 'system_bus_socket');
    const conf = block('global_defs', ['router_id snmpres-dbus', 'enable_dbus']) + vrrpInstance('VI_1', { state: 'MASTER', vrid: 93, priority: 150, lines: ['advert_int 1'], vips: ['192.168.77.170/24'] });
    const d = startDaemon(lan, host, 'vigil', conf, { env: { DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${socket}` } });
    w.vigil = d;
    const dbusLines = () => d.log().split('\n').filter((l) => l.includes('DBus'));
    const onBus = async (b: TestBus) => (await busctl(b, ['list', '--no-legend']).catch(() => '')).split('\n').some((l) => l.startsWith(`${SERVICE} `));
    const state = (b: TestBus) => busctl(b, ['get-property', SERVICE, I1, 'org.keepalived.Vrrp1.Instance', 'State']).then((s) => s.trim());

    // No bus: master all the same, and one warning.
    // (The status socket is there once the daemon has started.)
    await allMaster(lan, d);
    assert.equal(dbusLines().length, 1, dbusLines().join('\n'));
    assert.match(dbusLines()[0]!, /"level":40.*cannot own org\.keepalived\.Vrrp1 on the system bus.*DBus is off/);

    // A bus comes: not joined by itself (keepalived neither), joined at the reload.
    w.bus = await startBus(lan, host, dir);
    await delay(5_000);
    assert.equal(await onBus(w.bus), false, 'joined without a reload');
    d.kill('SIGHUP');
    const b1 = w.bus;
    await serviceUp(b1, SERVICE, () => d.log().slice(-3000));
    await eventually(async () => (await state(b1)) === '(us) 2 "Master"', 15_000, async () => `${await state(b1)}\n${d.log().slice(-2000)}`, 250);

    // The bus stops: one warning, VRRP carries on; a new bus is joined at the next reload.
    b1.stop();
    await eventually(async () => dbusLines().some((l) => l.includes('DBus: connection lost')), 15_000, () => d.log().slice(-2000), 250);
    rmSync(socket, { force: true });
    w.bus = await startBus(lan, host, dir);
    const b2 = w.bus;
    d.kill('SIGHUP');
    await serviceUp(b2, SERVICE, () => d.log().slice(-3000));
    await eventually(async () => (await state(b2)) === '(us) 2 "Master"', 15_000, async () => `${await state(b2)}\n${d.log().slice(-2000)}`, 250);
    assert.equal(dbusLines().filter((l) => /"level":(40|50)/.test(l)).length, 2, dbusLines().join('\n'));
    assert.equal(d.proc.exitCode, null, 'vigil runs');
    assert.equal((await vigilStatus(lan, d)).instances[0]!.state, 'MASTER');
  });
});

test('a bus whose policy does not let vigil own its name: one warning per try, a normal start, no connection left on the bus', { timeout: 180_000 }, async (t) => {
  await onBusLan(t, 'snmpresdbr', 162, async (w) => {
    const { lan, host, dir } = w;
    w.bus = await startBus(lan, host, dir);
    const b = w.bus;
    // A name no policy lets anyone own (the policy file for it not installed).
    const conf = block('global_defs', ['router_id snmpres-dbusr', 'enable_dbus', 'dbus_service_name org.keepalived.VigilRefused1']) + vrrpInstance('VI_1', { state: 'MASTER', vrid: 95, priority: 150, lines: ['advert_int 1'], vips: ['192.168.77.171/24'] });
    const d = startDaemon(lan, host, 'vigil', conf, { env: b.env });
    w.vigil = d;
    const refusals = () => d.log().split('\n').filter((l) => /"level":40.*cannot own org\.keepalived\.VigilRefused1/.test(l));
    // The connections vigil's process holds on the bus (busctl list: NAME PID …).
    const connections = async () => (await busctl(b, ['list', '--no-legend', '--unique'])).split('\n').filter((l) => l.split(/\s+/)[1] === String(d.proc.pid)).length;
    await allMaster(lan, d);
    await eventually(async () => refusals().length === 1, 15_000, () => d.log().slice(-3000), 250);
    assert.match(refusals()[0]!, /AccessDenied|not allowed/);
    await eventually(async () => (await connections()) === 0, 10_000, async () => `${await busctl(b, ['list', '--no-legend', '--unique'])}\nvigil pid ${d.proc.pid}`, 250);

    // Each reload tries again, says so once, and leaves nothing open either.
    for (let i = 2; i <= 3; i++) {
      d.kill('SIGHUP');
      await eventually(async () => refusals().length === i, 15_000, () => d.log().slice(-3000), 250);
    }
    await eventually(async () => (await connections()) === 0, 10_000, async () => `${await busctl(b, ['list', '--no-legend', '--unique'])}\nvigil pid ${d.proc.pid}`, 250);

    // The bus stopping now is nothing to vigil: it holds no connection to lose.
    b.stop();
    await delay(3_000);
    assert.equal(d.log().split('\n').filter((l) => l.includes('DBus: connection lost')).length, 0, d.log().slice(-2000));
    assert.equal(d.proc.exitCode, null, 'vigil runs');
    assert.equal((await vigilStatus(lan, d)).instances[0]!.state, 'MASTER');
  });
});
