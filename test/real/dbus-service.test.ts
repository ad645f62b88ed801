/**
 * enable_dbus on a real dbus-daemon (a private system bus whose policy is packaging/org.keepalived.Vrrp1.conf):
 * busctl sees vigil's objects, reads their properties as the state changes, calls the methods (a dump written, the
 * statistics zeroed after PrintStatsClear's dump, a reload that adds and removes instance objects, another
 * dbus_service_name), sees VrrpStatusChange on each transition; the policy lets anyone read and only root call; the bus stopping is one warning; a vigil with no bus
 * to talk to starts all the same, with one warning.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireNetns } from '../netns/harness.js';
import { eventually, startDaemon, vigilStatus } from '../daemon/daemons.js';
import { OTHER_NAME, busctl, monitor, objectPaths, serviceUp, startBus } from './dbus-peers.js';
import { block, commandsAvailable, testLan, vrrpInstance } from './daemon-sites.js';

const SERVICE = 'org.keepalived.Vrrp1';
const I4 = '/org/keepalived/Vrrp1/Instance/eth0/51/IPv4';
const I6 = '/org/keepalived/Vrrp1/Instance/eth0/53/IPv6';
const I7 = '/org/keepalived/Vrrp1/Instance/eth0/57/IPv4';
const VRRP = '/org/keepalived/Vrrp1/Vrrp';

function instance(name: string, vrid: number, vip: string): string {
  return vrrpInstance(name, { state: 'BACKUP', vrid, priority: 100, lines: ['advert_int 1'], vips: [vip] });
}

test('org.keepalived.Vrrp1 on a system bus: objects, properties, methods, signals, reload; no bus is a warning', { timeout: 240_000 }, async (t) => {
  if (!requireNetns(t, commandsAvailable('dbus-daemon', 'busctl', 'setpriv'))) return;
  const lan = await testLan({ name: 'dbuss', hosts: ['h', 'm'], v4Start: 30, v6: true });
  try {
    const host = lan.host('h');
    const bus = await startBus(lan, host, mkdtempSync(join(tmpdir(), 'dbus-vigil-')));
    const head = block('global_defs', ['router_id dbustest', 'enable_dbus']);
    const vigil = startDaemon(lan, host, 'vigil', head + instance('VI_1', 51, '192.168.77.131/24') + instance('VI_6', 53, 'fd77::131/64'), { env: bus.env });
    // Another vigil with no bus at all: it starts, says so once, and runs its instance.
    const lone = startDaemon(lan, lan.host('m'), 'vigil', head + instance('VI_9', 61, '192.168.77.139/24'), { env: { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/dbus-vigil-test' } });
    await serviceUp(bus, SERVICE, () => vigil.log().slice(-3000));
    assert.deepEqual((await objectPaths(bus, SERVICE)).filter((p) => /\/(Vrrp|IPv4|IPv6)$/.test(p)).sort(), [I4, I6, VRRP].sort());

    const state = (path: string): Promise<string> => busctl(bus, ['get-property', SERVICE, path, 'org.keepalived.Vrrp1.Instance', 'State']).then((s) => s.trim());
    for (const path of [I4, I6]) await eventually(async () => (await state(path)) === '(us) 2 "Master"', 15_000, async () => `${path}: ${await state(path)}\n${vigil.log().slice(-2000)}`, 250);
    assert.equal((await busctl(bus, ['get-property', SERVICE, I4, 'org.keepalived.Vrrp1.Instance', 'Name'])).trim(), '(s) "VI_1"');

    // The policy: anyone reads, only root calls.
    assert.equal((await busctl(bus, ['get-property', SERVICE, I6, 'org.keepalived.Vrrp1.Instance', 'Name'], 65534)).trim(), '(s) "VI_6"');
    await assert.rejects(busctl(bus, ['call', SERVICE, VRRP, 'org.keepalived.Vrrp1.Vrrp', 'PrintData'], 65534), /AccessDenied|Access denied/);
    await busctl(bus, ['call', SERVICE, VRRP, 'org.keepalived.Vrrp1.Vrrp', 'PrintData']);
    await eventually(async () => existsSync(join(vigil.dumpDir, 'vigil.data')), 10_000, () => `no data dump in ${vigil.dumpDir}`);
    await busctl(bus, ['call', SERVICE, VRRP, 'org.keepalived.Vrrp1.Vrrp', 'PrintStats']);
    await eventually(async () => existsSync(join(vigil.dumpDir, 'vigil.stats')), 10_000, () => `no stats dump in ${vigil.dumpDir}`);
    // PrintStatsClear: the dump, then the statistics from 0 (VI_1 became master once; it is still master).
    const counters = async () => (await vigilStatus(lan, vigil)).instances.find((i) => i.name === 'VI_1')!.counters as { become_master?: number };
    assert.equal((await counters()).become_master, 1);
    rmSync(join(vigil.dumpDir, 'vigil.stats'));
    await busctl(bus, ['call', SERVICE, VRRP, 'org.keepalived.Vrrp1.Vrrp', 'PrintStatsClear']);
    await eventually(async () => existsSync(join(vigil.dumpDir, 'vigil.stats')), 10_000, () => `no stats dump in ${vigil.dumpDir}`);
    assert.match(readFileSync(join(vigil.dumpDir, 'vigil.stats'), 'utf8'), /VRRP instance: VI_1\n(.*\n){2}  became master: +1\n/);
    assert.equal((await counters()).become_master, 0);
    await busctl(bus, ['call', SERVICE, I4, 'org.keepalived.Vrrp1.Instance', 'SendGarp']);

    // A transition: eth0 down is FAULT (3) for both, up again is BACKUP (1) then MASTER (2).
    const watch = monitor(bus, SERVICE);
    try {
      // Live once it shows a call to the service (a property read, asked again until seen), not after a fixed time.
      await eventually(async () => (await state(I4), watch.messages() > 0), 20_000, () => 'busctl monitor showed nothing', 200);
      await lan.exec(host.ns, ['ip', 'link', 'set', 'eth0', 'down']);
      const seen = (path: string, code: number) => () => watch.signals().some(([p, m, d]) => p === path && m === 'VrrpStatusChange' && JSON.stringify(d) === JSON.stringify([code]));
      await eventually(async () => seen(I4, 3)() && seen(I6, 3)(), 15_000, () => JSON.stringify(watch.signals()), 200);
      assert.equal(await state(I4), '(us) 3 "Fault"');
      await lan.exec(host.ns, ['ip', 'link', 'set', 'eth0', 'up']);
      await eventually(async () => seen(I4, 2)() && seen(I6, 2)(), 20_000, () => JSON.stringify(watch.signals()), 200);
      const codes = watch.signals().filter(([p]) => p === I4).map(([, , d]) => (d as number[])[0]);
      assert.deepEqual(codes, [3, 1, 2], 'FAULT, BACKUP, MASTER');

      // ReloadConfig: VI_6 goes, VI_7 comes; the answer comes before the reload.
      writeFileSync(vigil.conf, head + instance('VI_1', 51, '192.168.77.131/24') + instance('VI_7', 57, '192.168.77.137/24'));
      await busctl(bus, ['call', SERVICE, VRRP, 'org.keepalived.Vrrp1.Vrrp', 'ReloadConfig']);
      await eventually(async () => watch.signals().some(([p, m]) => p === VRRP && m === 'VrrpReloaded'), 20_000, () => `${JSON.stringify(watch.signals())}\n${vigil.log().slice(-2000)}`, 200);
      assert.deepEqual((await objectPaths(bus, SERVICE)).filter((p) => /\/(Vrrp|IPv4|IPv6)$/.test(p)).sort(), [I4, I7, VRRP].sort());
      await eventually(async () => (await state(I7)) === '(us) 2 "Master"', 15_000, async () => state(I7), 250);
    } finally {
      watch.stop();
    }

    // dbus_service_name at a reload: the service moves to the new name.
    writeFileSync(vigil.conf, block('global_defs', ['router_id dbustest', 'enable_dbus', `dbus_service_name ${OTHER_NAME}`]) + instance('VI_1', 51, '192.168.77.131/24'));
    await busctl(bus, ['call', SERVICE, VRRP, 'org.keepalived.Vrrp1.Vrrp', 'ReloadConfig']);
    await serviceUp(bus, OTHER_NAME, () => vigil.log().slice(-2000));
    const names = await busctl(bus, ['list', '--no-legend']);
    assert.ok(!names.split('\n').some((l) => l.startsWith(`${SERVICE} `)), names);
    assert.equal((await busctl(bus, ['get-property', OTHER_NAME, I4, 'org.keepalived.Vrrp1.Instance', 'State'])).trim(), '(us) 2 "Master"');

    // The bus goes away: one warning, and VRRP carries on.
    bus.stop();
    await eventually(async () => /DBus: connection lost/.test(vigil.log()), 10_000, () => vigil.log().slice(-2000), 200);
    assert.equal(vigil.log().split('\n').filter((l) => /DBus: connection lost/.test(l)).length, 1);
    await lan.exec(host.ns, ['ip', 'link', 'set', 'eth0', 'down']);
    await eventually(async () => (await vigilStatus(lan, vigil)).instances.every((i) => i.state === 'FAULT'), 15_000, () => vigil.log().slice(-2000), 250);
    assert.equal(vigil.proc.exitCode, null, 'vigil runs on');

    // The vigil without a bus: MASTER, and one warning about DBus.
    await eventually(async () => (await vigilStatus(lan, lone)).instances.every((i) => i.state === 'MASTER'), 15_000, () => lone.log().slice(-2000), 250);
    const warnings = lone.log().split('\n').filter((l) => /DBus/.test(l));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /cannot own org\.keepalived\.Vrrp1 on the system bus.*DBus is off/);
  } finally {
    await lan.cleanup();
  }
});
