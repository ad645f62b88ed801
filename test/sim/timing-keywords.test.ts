/**
 * keepalived's timing keywords through the node assembly the daemon and the simulator share
 * (actors/node-assembly.ts), from keepalived.conf text to what goes on the simulated LAN, at exact virtual times:
 * vrrp_startup_delay, down_timer_adverts, higher_prio_send_advert with garp_lower_prio_repeat / _delay,
 * vrrp_min_garp, garp_extra_if, dont_track_primary, interface_up_down_delays, track_src_ip and linkbeat. The LAN's latency
 * is 1 ms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../actors/bus.js';
import { NodeAssembly } from '../../actors/node-assembly.js';
import { runnableScripts } from '../../actors/scripts/runnable-scripts.js';
import { loadNodeConfig } from '../../sim/node-config-reader.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimHost } from '../../sim/sim-host.js';
import { SimTrackedObjects } from '../../sim/sim-tracked-objects.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { InterfaceAddress } from '../../transport/address-manager.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function instance(body: string, extraGlobal = ''): string {
  return `global_defs {
    router_id test
${extraGlobal}
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    advert_int 1
    virtual_ipaddress {
        192.168.77.100/24
    }
${body}
}
`;
}

interface World {
  readonly clock: VirtualClock;
  /** "time node what": advertisements sent (with their priority), announcements (interface and count), transitions. */
  readonly log: string[];
  readonly nodes: Map<string, NodeAssembly>;
  start(name: string): void;
  crash(name: string): void;
  /** `silent`: the carrier changes and netlink says nothing (a driver linkbeat polling exists for). */
  link(name: string, ifname: string, up: boolean, silent?: boolean): void;
  /** `ip addr del` / `ip addr add` of a configured address. */
  address(name: string, ifname: string, address: string, present: boolean): void;
}

/** Nodes on one LAN (eth0, and eth1 where a node has it), each running `configs[name]` as lb1..lbN. */
function world(configs: Record<string, string>, withEth1 = false): World {
  const clock = new VirtualClock();
  const random = new SeededRandom(1);
  const quality = { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 };
  const eth0 = new LanSegment('eth0', clock, random.fork('eth0'), quality);
  const eth1 = new LanSegment('eth1', clock, random.fork('eth1'), quality);
  const bus = new Bus();
  const log: string[] = [];
  bus.messages$.subscribe((m) => {
    if (m.kind === 'advert_sent') log.push(`${m.at} ${m.node} advert ${m.priority}`);
    if (m.kind === 'transition') log.push(`${m.at} ${m.node} ${m.to}`);
  });
  const nodes = new Map<string, NodeAssembly>();
  const hosts = new Map<string, SimHost>();
  const make = (name: string): NodeAssembly => {
    const index = Object.keys(configs).indexOf(name);
    const host = new SimHost(name, index);
    host.addInterface('eth0', eth0, [{ address: `192.168.77.${11 + index}`, prefix: 24, family: 4 }]);
    if (withEth1) host.addInterface('eth1', eth1, [{ address: `10.1.0.${11 + index}`, prefix: 24, family: 4 }]);
    const announce = host.announce.bind(host);
    host.announce = (ifname: string, addresses: readonly InterfaceAddress[]) => {
      log.push(`${clock.now()} ${name} garp ${ifname} ${addresses.map((a) => a.address).join(',')}`);
      announce(ifname, addresses);
    };
    hosts.set(name, host);
    const loaded = loadNodeConfig(configs[name]!, 'keepalived.conf', name);
    const tracked = new SimTrackedObjects(clock, loaded.config, () => undefined);
    const env = { clock, link: host, addresses: host, announcer: host, log: quiet, ...tracked.environment() };
    return new NodeAssembly(env, bus, { name, config: runnableScripts(loaded.config, undefined).config });
  };
  return {
    clock,
    log,
    nodes,
    start(name) {
      const node = make(name);
      nodes.set(name, node);
      node.start();
    },
    crash(name) {
      nodes.get(name)!.halt();
      hosts.get(name)!.crash();
    },
    link(name, ifname, up, silent = false) {
      hosts.get(name)!.setLink(ifname, up, silent);
    },
    address(name, ifname, address, present) {
      hosts.get(name)!.setConfiguredAddress(ifname, address, present);
    },
  };
}

/** The log lines of one node, between two times (inclusive), without the time filter's lines of others. */
function lines(w: World, node: string, from = 0, to = Infinity): string[] {
  return w.log.filter((l) => {
    const [t, n] = l.split(' ');
    return n === node && Number(t) >= from && Number(t) <= to;
  });
}

test('vrrp_startup_delay: a backup alone becomes master only after the delay plus its Master_Down_Interval', () => {
  const w = world({ lb1: instance('    priority 150', '    vrrp_startup_delay 5') });
  w.start('lb1');
  w.clock.runUntil(20_000);
  // Master_Down_Interval of priority 150: 3 s + (256 − 150) × 1 s / 256 = 3414.0625 ms, from 5 s.
  assert.deepEqual(
    lines(w, 'lb1').filter((l) => !l.includes('advert') && !l.includes('garp')),
    ['0 lb1 BACKUP', '8414.062 lb1 MASTER'],
  );
});

test('vrrp_startup_delay: the address owner waits for the end of the delay, then advertises and announces', () => {
  const w = world({ lb1: instance('    priority 255', '    vrrp_startup_delay 2.5\n    vrrp_garp_master_delay 0') });
  w.start('lb1');
  w.clock.runUntil(2499);
  assert.deepEqual(lines(w, 'lb1'), []);
  w.clock.runUntil(3600);
  assert.deepEqual(lines(w, 'lb1'), ['2500 lb1 advert 255', '2500 lb1 garp eth0 192.168.77.100', '2500 lb1 garp eth0 192.168.77.100', '2500 lb1 garp eth0 192.168.77.100', '2500 lb1 garp eth0 192.168.77.100', '2500 lb1 garp eth0 192.168.77.100', '2500 lb1 MASTER', '3500 lb1 advert 255']);
});

test('down_timer_adverts: the backup takes over N advertisement intervals plus skew after the last advertisement', () => {
  for (const [adverts, expected] of [
    [3, 3609.375],
    [6, 6609.375],
  ] as const) {
    const w = world({ lb1: instance('    priority 150'), lb2: instance(`    priority 100\n    down_timer_adverts ${adverts}`) });
    w.start('lb1');
    w.start('lb2');
    w.clock.runUntil(10_000);
    const lastAdvert = Math.max(...lines(w, 'lb1', 0, 10_000).filter((l) => l.includes('advert')).map((l) => Number(l.split(' ')[0])));
    w.crash('lb1');
    w.clock.runUntil(30_000);
    const master = lines(w, 'lb2').filter((l) => l.endsWith('MASTER'));
    // Heard 1 ms after it was sent (the LAN's latency).
    assert.deepEqual(master, [`${lastAdvert + 1 + expected} lb2 MASTER`], `down_timer_adverts ${adverts}`);
  }
});

test('higher_prio_send_advert: the old master advertises once on hearing the new one; garp_lower_prio_repeat answers it, and again after garp_lower_prio_delay', () => {
  const w = world({
    lb1: instance('    priority 150\n    higher_prio_send_advert\n    garp_master_delay 0\n    garp_master_repeat 1'),
    lb2: instance('    priority 200\n    garp_master_delay 0\n    garp_master_repeat 1\n    garp_lower_prio_repeat 2\n    garp_lower_prio_delay 3'),
  });
  w.start('lb1');
  w.clock.runUntil(10_000);
  assert.ok(lines(w, 'lb1').includes('3414.062 lb1 MASTER'));
  w.start('lb2');
  w.clock.runUntil(20_000);
  // lb2 (200) ignores lb1's lower advertisements and takes over when its Master_Down_Timer expires (keepalived
  // 2.x preempts so): 10 s + 3 s + (256 − 200) × 1 s / 256. lb1 hears lb2's advertisement 1 ms later: it
  // advertises 150 once and steps down; lb2 hears that 150 1 ms after that.
  const at = 13_218.75;
  assert.deepEqual(lines(w, 'lb1', at).slice(0, 2), [`${at + 1} lb1 advert 150`, `${at + 1} lb1 BACKUP`]);
  assert.deepEqual(
    lines(w, 'lb2', 10_001, 20_000).filter((l) => !l.includes('advert')),
    [
      `${at} lb2 garp eth0 192.168.77.100`,
      `${at} lb2 MASTER`,
      // Its own burst on hearing the lower priority, and the same again 3 s later.
      `${at + 2} lb2 garp eth0 192.168.77.100`,
      `${at + 2} lb2 garp eth0 192.168.77.100`,
      `${at + 2 + 3000} lb2 garp eth0 192.168.77.100`,
      `${at + 2 + 3000} lb2 garp eth0 192.168.77.100`,
    ],
  );

  // Without higher_prio_send_advert lb1 steps down silently, and lb2 announces nothing more.
  const quiet = world({
    lb1: instance('    priority 150\n    garp_master_delay 0\n    garp_master_repeat 1'),
    lb2: instance('    priority 200\n    garp_master_delay 0\n    garp_master_repeat 1\n    garp_lower_prio_repeat 2\n    garp_lower_prio_delay 3'),
  });
  quiet.start('lb1');
  quiet.clock.runUntil(10_000);
  quiet.start('lb2');
  quiet.clock.runUntil(20_000);
  assert.deepEqual(lines(quiet, 'lb1', at).slice(0, 1), [`${at + 1} lb1 BACKUP`]);
  assert.deepEqual(lines(quiet, 'lb2', 10_001).filter((l) => l.includes('garp')), [`${at} lb2 garp eth0 192.168.77.100`]);
});

test('vrrp_min_garp: one announcement on becoming master and no second burst; a given value still counts', () => {
  const w = world({ lb1: instance('    priority 255', '    vrrp_min_garp') });
  w.start('lb1');
  w.clock.runUntil(20_000);
  assert.deepEqual(lines(w, 'lb1').filter((l) => l.includes('garp')), ['0 lb1 garp eth0 192.168.77.100']);

  const given = world({ lb1: instance('    priority 255', '    vrrp_min_garp\n    vrrp_garp_master_repeat 2') });
  given.start('lb1');
  given.clock.runUntil(20_000);
  assert.deepEqual(lines(given, 'lb1').filter((l) => l.includes('garp')), ['0 lb1 garp eth0 192.168.77.100', '0 lb1 garp eth0 192.168.77.100']);

  // Without it, keepalived's defaults: 5 at once and 5 more after 5 s.
  const plain = world({ lb1: instance('    priority 255') });
  plain.start('lb1');
  plain.clock.runUntil(20_000);
  assert.deepEqual(
    lines(plain, 'lb1').filter((l) => l.includes('garp')).map((l) => l.split(' ')[0]),
    ['0', '0', '0', '0', '0', '5000', '5000', '5000', '5000', '5000'],
  );
});

test('garp_extra_if all: while master, one announcement on each other VIP interface every interval', () => {
  const conf = `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 255
    advert_int 1
    garp_master_delay 0
    garp_master_repeat 1
    garp_extra_if all 10
    virtual_ipaddress {
        192.168.77.100/24
        10.1.0.100/24 dev eth1
        10.1.0.101/24 dev eth1
    }
}
`;
  const w = world({ lb1: conf }, true);
  w.start('lb1');
  w.clock.runUntil(35_000);
  assert.deepEqual(lines(w, 'lb1').filter((l) => l.includes('garp')), [
    '0 lb1 garp eth0 192.168.77.100',
    '0 lb1 garp eth1 10.1.0.100,10.1.0.101',
    '10000 lb1 garp eth1 10.1.0.100',
    '20000 lb1 garp eth1 10.1.0.100',
    '30000 lb1 garp eth1 10.1.0.100',
  ]);
  // Without `all` the extra interfaces count only when they are VMACs of the instance's own: none here.
  const w2 = world({ lb1: conf.replace('garp_extra_if all 10', 'garp_extra_if 10') }, true);
  w2.start('lb1');
  w2.clock.runUntil(35_000);
  assert.equal(lines(w2, 'lb1').filter((l) => l.includes('garp')).length, 2);
});

/** The transitions of one node. */
function states(w: World, node: string): string[] {
  return lines(w, node).filter((l) => /(INIT|BACKUP|MASTER|FAULT|STOP)$/.test(l));
}

test('dont_track_primary: the instance is not put in FAULT when its interface goes down, even when track_interface names it', () => {
  const plain = world({ lb1: instance('    priority 255') });
  plain.start('lb1');
  plain.clock.runUntil(5000);
  plain.link('lb1', 'eth0', false);
  plain.clock.runUntil(6000);
  assert.deepEqual(states(plain, 'lb1'), ['0 lb1 MASTER', '5000 lb1 FAULT']);

  const dont = world({ lb1: instance('    priority 255\n    dont_track_primary') });
  dont.start('lb1');
  dont.clock.runUntil(5000);
  dont.link('lb1', 'eth0', false);
  dont.clock.runUntil(6000);
  assert.deepEqual(states(dont, 'lb1'), ['0 lb1 MASTER']);

  const named = world({ lb1: instance('    priority 255\n    dont_track_primary\n    track_interface {\n        eth0\n    }') });
  named.start('lb1');
  named.clock.runUntil(5000);
  named.link('lb1', 'eth0', false);
  named.clock.runUntil(6000);
  // keepalived: "Ignoring track_interface eth0 since own interface" (vrrp.c vrrp_complete_instance).
  assert.deepEqual(states(named, 'lb1'), ['0 lb1 MASTER']);
});

test('interface_up_down_delays: a link change reaches the instance after its delay; a shorter flap never does', () => {
  const delays = 'interface_up_down_delays {\n    eth0 1.5 1.8\n}\n';
  const w = world({ lb1: delays + instance('    priority 255') });
  w.start('lb1');
  w.clock.runUntil(5000);
  // A flap of 1 s: shorter than the down delay.
  w.link('lb1', 'eth0', false);
  w.clock.runUntil(6000);
  w.link('lb1', 'eth0', true);
  w.clock.runUntil(10_000);
  assert.deepEqual(states(w, 'lb1'), ['0 lb1 MASTER']);
  w.link('lb1', 'eth0', false);
  w.clock.runUntil(20_000);
  w.link('lb1', 'eth0', true);
  w.clock.runUntil(30_000);
  assert.deepEqual(states(w, 'lb1'), ['0 lb1 MASTER', '11500 lb1 FAULT', '21800 lb1 MASTER']);
});

test('interface_up_down_delays: a delay not below (down_timer_adverts - 1) advertisement intervals is cut to that less 1/256 of one', () => {
  // 3 adverts of 1 s: at most 2 s less 1/256 s; the 5 s down delay becomes 1996.09375 ms.
  const delays = 'interface_up_down_delays {\n    eth0 5\n}\n';
  const w = world({ lb1: delays + instance('    priority 255') });
  w.start('lb1');
  w.clock.runUntil(5000);
  w.link('lb1', 'eth0', false);
  w.clock.runUntil(10_000);
  assert.deepEqual(states(w, 'lb1'), ['0 lb1 MASTER', '6996.09375 lb1 FAULT']);
  // No up delay given: the link coming back is acted on at once.
  w.link('lb1', 'eth0', true);
  assert.deepEqual(states(w, 'lb1').at(-1), '10000 lb1 MASTER');
});

test("garp_lower_prio_repeat in a sync group: a member hearing a lower priority makes the others send their own burst", () => {
  const member = (name: string, vrid: number, vip: string, repeat: number) => `vrrp_instance ${name} {
    state BACKUP
    interface eth0
    virtual_router_id ${vrid}
    priority 150
    advert_int 1
    garp_master_delay 0
    garp_master_repeat 1
    garp_lower_prio_repeat ${repeat}
    garp_lower_prio_delay 0
    virtual_ipaddress {
        ${vip}/24
    }
}
`;
  const lb1 = `vrrp_sync_group G {
    group {
        VI_1
        VI_2
    }
}
${member('VI_1', 51, '192.168.77.100', 1)}${member('VI_2', 52, '192.168.77.101', 3)}`;
  // lb2 is VI_1's master first; on hearing lb1 it advertises its 100 once more (higher_prio_send_advert).
  const w = world({ lb1, lb2: instance('    priority 100\n    higher_prio_send_advert') });
  w.start('lb2');
  w.clock.runUntil(10_000);
  w.start('lb1');
  w.clock.runUntil(20_000);
  const garps = lines(w, 'lb1').filter((l) => l.includes('garp'));
  // Becoming master (one each), then on lb2's last advertisement: VI_1's burst of 1 and VI_2's of 3.
  assert.equal(garps.length, 6, garps.join('\n'));
  const heardAt = garps[2]!.split(' ')[0];
  assert.deepEqual(garps.slice(2), [
    `${heardAt} lb1 garp eth0 192.168.77.100`,
    `${heardAt} lb1 garp eth0 192.168.77.101`,
    `${heardAt} lb1 garp eth0 192.168.77.101`,
    `${heardAt} lb1 garp eth0 192.168.77.101`,
  ]);
  assert.ok(lines(w, 'lb2').some((l) => l === `${Number(heardAt) - 1} lb2 advert 100`), lines(w, 'lb2').join('\n'));
});

test('track_src_ip: the instance is FAULT while its unicast_src_ip is off the interface; without the keyword, or without unicast_src_ip, nothing happens', () => {
  const unicast = '    priority 255\n    unicast_src_ip 192.168.77.11\n    unicast_peer {\n        192.168.77.12\n    }';
  const run = (body: string): string[] => {
    const w = world({ lb1: instance(body) });
    w.start('lb1');
    w.clock.runUntil(5000);
    w.address('lb1', 'eth0', '192.168.77.11', false);
    w.clock.runUntil(8000);
    w.address('lb1', 'eth0', '192.168.77.11', true);
    w.clock.runUntil(10_000);
    return states(w, 'lb1');
  };
  assert.deepEqual(run(`${unicast}\n    track_src_ip`), ['0 lb1 MASTER', '5000 lb1 FAULT', '8000 lb1 MASTER']);
  assert.deepEqual(run(unicast), ['0 lb1 MASTER']);
  assert.deepEqual(run('    priority 255\n    track_src_ip'), ['0 lb1 MASTER']);
});

test('linkbeat_interfaces / linkbeat_use_polling: the carrier is read every second; notifications for the interface are ignored', () => {
  const run = (prefix: string, body: string, silent: boolean, flap = false): string[] => {
    const w = world({ lb1: prefix + instance(`    priority 255${body}`) });
    w.start('lb1');
    w.clock.runUntil(5300);
    w.link('lb1', 'eth0', false, silent);
    if (flap) {
      w.clock.runUntil(5600);
      w.link('lb1', 'eth0', true, silent);
      w.clock.runUntil(20_000);
      return states(w, 'lb1');
    }
    w.clock.runUntil(8300);
    w.link('lb1', 'eth0', true, silent);
    w.clock.runUntil(20_000);
    return states(w, 'lb1');
  };
  // A driver that never tells netlink: without polling the loss is never seen.
  assert.deepEqual(run('', '', true), ['0 lb1 MASTER']);
  // Polled every second from the start: seen at the polls after the changes.
  const polled = ['0 lb1 MASTER', '6000 lb1 FAULT', '9000 lb1 MASTER'];
  assert.deepEqual(run('linkbeat_interfaces {\n    eth0\n}\n', '', true), polled);
  assert.deepEqual(run('linkbeat_use_polling\n', '', true), polled);
  assert.deepEqual(run('', '\n    linkbeat_use_polling', true), polled);
  // The notifications are ignored: the poll decides, and a flap between two polls is not seen at all.
  assert.deepEqual(run('linkbeat_interfaces {\n    eth0\n}\n', '', false), polled);
  assert.deepEqual(run('linkbeat_interfaces {\n    eth0\n}\n', '', false, true), ['0 lb1 MASTER']);
  // Not polled: an interface no instance follows.
  assert.deepEqual(run('linkbeat_interfaces {\n    eth1\n}\n', '', true), ['0 lb1 MASTER']);
});

test('interface_up_down_delays: a shorter advertisement interval learnt from the master cuts the delays again', () => {
  const v3 = (body: string) => `global_defs {\n    vrrp_version 3\n}\n` + instance(body).replace(/global_defs \{[^}]*\}\n/, '');
  const delays = 'interface_up_down_delays {\n    eth0 1.9\n}\n';
  // Alone, lb2's own 1 s interval allows 1.9 s.
  const alone = world({ lb2: delays + v3('    priority 100') });
  alone.start('lb2');
  alone.clock.runUntil(10_000);
  alone.link('lb2', 'eth0', false);
  alone.clock.runUntil(15_000);
  assert.deepEqual(states(alone, 'lb2').slice(-1), ['11900 lb2 FAULT']);
  // Hearing lb1's 0.5 s: (3 - 1) × 500 ms less 500/256 ms.
  const w = world({ lb1: v3('    priority 150\n    advert_int 0.5'), lb2: delays + v3('    priority 100') });
  w.start('lb1');
  w.start('lb2');
  w.clock.runUntil(10_000);
  assert.equal(states(w, 'lb2').at(-1), '0 lb2 BACKUP');
  w.link('lb2', 'eth0', false);
  w.clock.runUntil(15_000);
  assert.deepEqual(states(w, 'lb2').slice(-1), ['10998.046875 lb2 FAULT']);
});
