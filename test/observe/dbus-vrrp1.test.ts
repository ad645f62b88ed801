/**
 * observe/dbus/ on a connection of the test's own (no bus): the objects made from the configuration, the answers to
 * Introspect, Get / GetAll / Set and the methods, the signals on start, state changes, reload and stop. The same
 * service on a real dbus-daemon, and compared with keepalived's, is in test/real/dbus-*.test.ts.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Subject } from 'rxjs';
import type { BusMessage } from '../../actors/bus.js';
import type { DaemonStatus, InstanceStatus } from '../../actors/status.js';
import type { Config } from '../../config/model.js';
import { loadConfigText } from '../../config/load.js';
import type { VrrpStateName } from '../../machines/vrrp-instance.js';
import type { DbusCall, DbusConnection, DbusConnectionOptions, DbusReply } from '../../transport/dbus-connection.js';
import { Vrrp1Service } from '../../observe/dbus/vrrp1-service.js';
import { stateCode } from '../../observe/dbus/vrrp1-objects.js';
import { KEEPALIVED_GLOBAL, globalScalars } from '../../observe/snmp/keepalived-mib.js';

function config(extra: string, instances = ['VI_1 eth0 51 192.168.77.100', 'VI_6 eth0.10 53 fd77::100'], top = ''): Config {
  const blocks = instances.map((line) => {
    const [name, iface, vrid, vip] = line.split(' ');
    return `vrrp_instance ${name} {\n  interface ${iface}\n  virtual_router_id ${vrid}\n  priority 100\n  virtual_ipaddress {\n    ${vip}\n  }\n}\n`;
  });
  return loadConfigText(`${top}global_defs {\n  ${extra}\n}\n${blocks.join('')}`, 'keepalived.conf').config;
}

interface Signal {
  path: string;
  iface: string;
  member: string;
  body: readonly unknown[];
}

class World {
  conf: Config | undefined;
  states = new Map<string, VrrpStateName>();
  readonly messages$ = new Subject<BusMessage>();
  readonly signals: Signal[] = [];
  readonly opened: string[] = [];
  readonly closed: string[] = [];
  readonly warnings: string[] = [];
  readonly done: string[] = [];
  garpable = new Set<string>();
  openResult: () => Promise<void> = () => Promise.resolve();
  readonly service: Vrrp1Service;

  lost: (() => void) | undefined;

  constructor(conf: Config, vrrp?: boolean) {
    this.conf = conf;
    this.service = new Vrrp1Service({
      config: () => this.conf,
      status: () => ({ instances: [...this.states].map(([name, state]) => ({ name, state }) as InstanceStatus) }) as unknown as DaemonStatus,
      messages$: this.messages$,
      vrrp,
      log: { info: () => {}, warn: (m) => this.warnings.push(m) },
      connection: (o: DbusConnectionOptions): DbusConnection => ({
        open: () => {
          this.opened.push(o.name);
          this.lost = o.onLost;
          return this.openResult();
        },
        signal: (path, iface, member, _sig, body) => this.signals.push({ path, iface, member, body }),
        close: () => this.closed.push(o.name),
      }),
      actions: {
        printData: () => this.done.push('data'),
        printStats: (clear) => this.done.push(clear ? 'stats+clear' : 'stats'),
        reload: () => this.done.push('reload'),
        sendGarp: (name) => {
          if (!this.garpable.has(name)) return false;
          this.done.push(`garp ${name}`);
          return true;
        },
      },
    });
  }

  call(path: string, iface: string | undefined, member: string, body: unknown[] = []): DbusReply | undefined {
    const call: DbusCall = { path, interface: iface, member, signature: '', body };
    return this.service.onCall(call);
  }
}

const I4 = '/org/keepalived/Vrrp1/Instance/eth0/51/IPv4';
const I6 = '/org/keepalived/Vrrp1/Instance/eth0_10/53/IPv6';
const VRRP = '/org/keepalived/Vrrp1/Vrrp';
/** The text of a return (Introspect's XML). */
function text(reply: DbusReply | undefined): string {
  assert.equal(reply?.kind, 'return', JSON.stringify(reply));
  return String((reply as { body: readonly unknown[] }).body[0]);
}
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

test('enable_dbus: the service owns org.keepalived.Vrrp1, says VrrpStarted and every state once on the bus', async () => {
  const w = new World(config('enable_dbus'));
  w.states.set('VI_1', 'MASTER').set('VI_6', 'BACKUP');
  w.service.apply();
  assert.deepEqual(w.opened, ['org.keepalived.Vrrp1']);
  // A state change before the name is owned is not sent (keepalived: no connection yet).
  w.messages$.next({ kind: 'notify', at: 0, node: 'n', instance: 'VI_1', state: 'MASTER', priority: 100 });
  assert.equal(w.signals.length, 0);
  await flush();
  assert.equal(w.service.connected, true);
  assert.deepEqual(
    w.signals.map((s) => [s.path, s.member, s.body]),
    [
      [VRRP, 'VrrpStarted', []],
      [I4, 'VrrpStatusChange', [2]],
      [I6, 'VrrpStatusChange', [1]],
    ],
  );
  w.signals.length = 0;
  w.messages$.next({ kind: 'notify', at: 0, node: 'n', instance: 'VI_6', state: 'FAULT', priority: 100 });
  assert.deepEqual(w.signals, [{ path: I6, iface: 'org.keepalived.Vrrp1.Instance', member: 'VrrpStatusChange', body: [3] }]);
});

test('without enable_dbus nothing connects; dbus_service_name is the name owned', async () => {
  const off = new World(config('router_id x'));
  off.service.apply();
  assert.deepEqual(off.opened, []);
  const named = new World(config('enable_dbus\n  dbus_service_name org.example.Vrrp9'));
  named.service.apply();
  assert.deepEqual(named.opened, ['org.example.Vrrp9']);
});

test('introspection: the tree of objects and each object interfaces, as keepalived has them', () => {
  const w = new World(config('enable_dbus', undefined, 'net_namespace blue-1\n'));
  w.service.apply();
  const root = w.call('/', 'org.freedesktop.DBus.Introspectable', 'Introspect');
  assert.match(text(root), /<node name="org"\/>/);
  // net_namespace is a path element (made valid: `-` becomes `_`).
  const mid = text(w.call('/org/keepalived/Vrrp1/blue_1', 'org.freedesktop.DBus.Introspectable', 'Introspect'));
  assert.match(mid, /<node name="Vrrp"\/>/);
  assert.match(mid, /<node name="Instance"\/>/);
  assert.doesNotMatch(mid, /<interface/);
  const vrrp = text(w.call('/org/keepalived/Vrrp1/blue_1/Vrrp', 'org.freedesktop.DBus.Introspectable', 'Introspect'));
  for (const m of ['PrintData', 'PrintStats', 'PrintStatsClear', 'ReloadConfig']) assert.match(vrrp, new RegExp(`<method name="${m}"/>`));
  for (const s of ['VrrpStarted', 'VrrpReloaded', 'VrrpStopped']) assert.match(vrrp, new RegExp(`<signal name="${s}"/>`));
  assert.doesNotMatch(vrrp, /CreateInstance/);
  const inst = text(w.call('/org/keepalived/Vrrp1/blue_1/Instance/eth0_10/53/IPv6', 'org.freedesktop.DBus.Introspectable', 'Introspect'));
  assert.match(inst, /<property type="\(us\)" name="State" access="read"\/>/);
  assert.match(inst, /<property type="s" name="Name" access="read"\/>/);
  assert.match(inst, /<method name="SendGarp"\/>/);
});

test('properties: Name and State as keepalived sends them, read when asked; Set refused', () => {
  const w = new World(config('enable_dbus'));
  w.service.apply();
  w.states.set('VI_1', 'BACKUP');
  const P = 'org.freedesktop.DBus.Properties';
  const IF = 'org.keepalived.Vrrp1.Instance';
  assert.deepEqual(w.call(I4, P, 'Get', [IF, 'State']), { kind: 'return', signature: 'v', body: [{ variant: '(us)', value: [1, 'Backup'] }] });
  w.states.set('VI_1', 'MASTER');
  assert.deepEqual(w.call(I4, P, 'Get', [IF, 'State']), { kind: 'return', signature: 'v', body: [{ variant: '(us)', value: [2, 'Master'] }] });
  assert.deepEqual(w.call(I4, P, 'Get', [IF, 'Name']), { kind: 'return', signature: 'v', body: [{ variant: '(s)', value: ['VI_1'] }] });
  assert.deepEqual(w.call(I4, P, 'GetAll', [IF]), {
    kind: 'return',
    signature: 'a{sv}',
    body: [{ Name: { variant: '(s)', value: ['VI_1'] }, State: { variant: '(us)', value: [2, 'Master'] } }],
  });
  assert.deepEqual(w.call(VRRP, P, 'GetAll', ['org.keepalived.Vrrp1.Vrrp']), { kind: 'return', signature: 'a{sv}', body: [{}] });
  assert.equal((w.call(I4, P, 'Set', [IF, 'Name', 'x']) as { message: string }).message, 'Property “Name” is not writable');
  assert.equal((w.call(I4, P, 'Get', [IF, 'Nope']) as { message: string }).message, 'No such property “Nope”');
  // VI_6 is configured but not running: keepalived's "not found".
  assert.equal((w.call(I6, P, 'Get', [IF, 'State']) as { message: string }).message, "Instance 'eth0_10/53/IPv6' not found");
  assert.equal(w.call('/nope', IF, 'SendGarp')?.kind, 'error');
  // Peer is the library's.
  assert.equal(w.call(VRRP, 'org.freedesktop.DBus.Peer', 'Ping'), undefined);
});

test('methods: the dumps, a reload (answered first), SendGarp on a running instance only', async () => {
  const w = new World(config('enable_dbus'));
  w.service.apply();
  const V = 'org.keepalived.Vrrp1.Vrrp';
  for (const m of ['PrintData', 'PrintStats', 'PrintStatsClear']) assert.deepEqual(w.call(VRRP, V, m), { kind: 'return', signature: '', body: [] });
  assert.deepEqual(w.done, ['data', 'stats', 'stats+clear']);
  assert.equal(w.call(VRRP, V, 'ReloadConfig')?.kind, 'return');
  assert.deepEqual(w.done.slice(3), [], 'the reload starts after the answer');
  await flush();
  assert.deepEqual(w.done.slice(3), ['reload']);
  assert.equal(w.call(VRRP, V, 'CreateInstance', ['x', 'eth0', 9, 4])?.kind, 'error');
  assert.equal(w.call(I4, 'org.keepalived.Vrrp1.Instance', 'SendGarp')?.kind, 'error');
  w.garpable.add('VI_1');
  assert.equal(w.call(I4, 'org.keepalived.Vrrp1.Instance', 'SendGarp')?.kind, 'return');
  assert.equal(w.call(I4, undefined, 'SendGarp')?.kind, 'return');
  assert.deepEqual(w.done.slice(4), ['garp VI_1', 'garp VI_1']);
});

test('reload: instance objects come and go, VrrpReloaded; enable_dbus removed: VrrpStopped and off the bus', async () => {
  const w = new World(config('enable_dbus'));
  w.service.apply();
  await flush();
  w.signals.length = 0;
  w.conf = config('enable_dbus', ['VI_1 eth0 51 192.168.77.100', 'VI_7 eth0 57 192.168.77.107']);
  w.service.apply();
  assert.deepEqual(w.opened, ['org.keepalived.Vrrp1'], 'the same connection');
  assert.deepEqual(w.signals.map((s) => [s.path, s.member]), [[VRRP, 'VrrpReloaded']]);
  const tree = text(w.call('/org/keepalived/Vrrp1/Instance/eth0', 'org.freedesktop.DBus.Introspectable', 'Introspect'));
  assert.match(tree, /<node name="57"\/>/);
  assert.equal(w.call(I6, 'org.freedesktop.DBus.Properties', 'Get', ['org.keepalived.Vrrp1.Instance', 'Name'])?.kind, 'error');
  w.conf = config('router_id x');
  w.service.apply();
  assert.deepEqual(w.signals.map((s) => s.member).slice(-1), ['VrrpStopped']);
  assert.deepEqual(w.closed, ['org.keepalived.Vrrp1']);
  w.messages$.next({ kind: 'notify', at: 0, node: 'n', instance: 'VI_1', state: 'MASTER', priority: 100 });
  assert.equal(w.signals.at(-1)?.member, 'VrrpStopped');
});

test("a reload's notifications: the new configuration's objects from the first one on, a removed instance on the object it had", async () => {
  const w = new World(config('enable_dbus'));
  w.service.apply();
  await flush();
  w.signals.length = 0;
  // VI_1 removed, VI_7 added: the daemon runs the new configuration while the reload notifies.
  w.conf = config('enable_dbus', ['VI_7 eth0 57 192.168.77.107']);
  w.messages$.next({ kind: 'notify', at: 0, node: 'n', instance: 'VI_1', state: 'STOP', priority: 100 });
  w.messages$.next({ kind: 'notify', at: 0, node: 'n', instance: 'VI_7', state: 'BACKUP', priority: 100 });
  // `vigil run` applies the configuration after the reload: done already, VrrpReloaded is not said twice.
  w.service.apply();
  const I7 = '/org/keepalived/Vrrp1/Instance/eth0/57/IPv4';
  assert.deepEqual(
    w.signals.map((s) => [s.path, s.member, ...s.body]),
    [[VRRP, 'VrrpReloaded'], [I4, 'VrrpStatusChange', stateCode('STOP')], [I7, 'VrrpStatusChange', stateCode('BACKUP')]],
  );
});

test('a missing bus is one warning, and the service stays off', async () => {
  const w = new World(config('enable_dbus'));
  w.openResult = () => Promise.reject(new Error('connect ENOENT /run/dbus/system_bus_socket'));
  w.service.apply();
  await flush();
  assert.equal(w.warnings.length, 1);
  assert.match(w.warnings[0]!, /cannot own org\.keepalived\.Vrrp1 .*ENOENT.*DBus is off/);
  assert.equal(w.service.connected, false);
  w.messages$.next({ kind: 'notify', at: 0, node: 'n', instance: 'VI_1', state: 'MASTER', priority: 100 });
  assert.equal(w.signals.length, 0);
});

test('KEEPALIVED-MIB global dbus(9): true(1) with enable_dbus, false(2) without', () => {
  const dbusScalar = (c: Config): unknown => {
    const vars = globalScalars({ config: c, status: { instances: [] } as unknown as DaemonStatus, ifIndex: () => undefined, version: 'v', hostname: 'h' });
    const found = vars.find((v) => v.oid.join('.') === [...KEEPALIVED_GLOBAL, 9, 0].join('.'));
    return found !== undefined && 'value' in found ? found.value : undefined;
  };
  assert.equal(dbusScalar(config('enable_dbus')), 1);
  assert.equal(dbusScalar(config('router_id x')), 2);
});

test('-C (no VRRP here): no DBus, as keepalived serves it from its VRRP process', () => {
  const w = new World(config('enable_dbus'), false);
  w.service.apply();
  assert.deepEqual(w.opened, []);
});

test('a bus lost after start: off, and the next reload connects again', async () => {
  const w = new World(config('enable_dbus'));
  w.states.set('VI_1', 'MASTER');
  w.service.apply();
  await flush();
  assert.equal(w.service.connected, true);
  w.lost?.();
  assert.equal(w.service.connected, false);
  assert.deepEqual(w.closed, ['org.keepalived.Vrrp1']);
  w.signals.length = 0;
  w.messages$.next({ kind: 'notify', at: 0, node: 'n', instance: 'VI_1', state: 'BACKUP', priority: 100 });
  assert.equal(w.signals.length, 0);
  w.service.apply();
  await flush();
  assert.deepEqual(w.opened, ['org.keepalived.Vrrp1', 'org.keepalived.Vrrp1']);
  assert.equal(w.service.connected, true);
  assert.deepEqual(w.signals.map((s) => s.member), ['VrrpStarted', 'VrrpStatusChange']);
});
