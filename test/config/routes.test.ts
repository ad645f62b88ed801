/**
 * virtual_routes / static_routes and virtual_rules / static_rules read as keepalived 2.2.7 reads them
 * (config/keywords/routes.ts, rules.ts) and resolved once for the kernel (config/finalize-routes.ts): names from
 * made-up iproute2 files, keepalived's units and limits, its marking of what it adds (protocol 18), and what it
 * drops. What reaches the kernel from these specs is test/daemon/routes.test.ts.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ipProtocolNames } from '../../config/ip-protocols.js';
import { iproute2Names } from '../../config/iproute2-names.js';
import type { Route, Rule } from '../../config/model.js';
import { RTPROT_KEEPALIVED, type RouteSpec, type RuleSpec } from '../../protocol/rtnetlink-routes.js';
import { instance, MAIN, parse, parserWarningsOf } from './helpers.js';

const FILES: Readonly<Record<string, string>> = {
  '/etc/iproute2/rt_tables': '255 local\n254 main\n253 default\n100 web\n',
  '/etc/iproute2/rt_tables.d/more.conf': '1000 big\n',
  '/etc/iproute2/rt_protos': '12 bird\n18 keepalived\n',
  '/etc/iproute2/rt_dsfield': '0x28 AF11\n',
  '/etc/iproute2/rt_realms': '7 cosmos\n8 chaos\n',
  '/etc/iproute2/group': '0 default\n5 edge\n',
  '/etc/protocols': 'tcp\t6\tTCP\t\t# transmission control protocol\nudp 17 UDP\n',
};

const routeNames = {
  iproute2: iproute2Names({ read: (p) => FILES[p], list: (d) => Object.keys(FILES).filter((p) => p.startsWith(`${d}/`)).map((p) => p.slice(d.length + 1)) }, '/etc/iproute2', '/nowhere'),
  ipProtocols: ipProtocolNames({ read: (p) => FILES[p], list: () => [] }),
};

function read(body: string): { routes: readonly Route[]; rules: readonly Rule[]; warnings: string[] } {
  const r = parse(`static_routes {\n${body.split('|')[0]}\n}\nstatic_rules {\n${body.split('|')[1] ?? ''}\n}\n`, {}, { routeNames });
  return { routes: r.config.staticRoutes, rules: r.config.staticRules, warnings: parserWarningsOf(r).map((w) => w.slice(MAIN.length + 1)) };
}

function kernelRoute(line: string): RouteSpec | undefined {
  return read(line).routes[0]?.kernel;
}

function kernelRule(line: string): RuleSpec | undefined {
  return read(`|${line}`).rules[0]?.kernel;
}

test('names resolve to numbers once, from the name files: table (rt_tables.d too), protocol, scope, tos, realms, group, ipproto', () => {
  const r = kernelRoute('10.9.0.0/16 dev eth0 table big protocol bird no_track scope link tos AF11 realms cosmos/chaos');
  assert.deepEqual([r?.table, r?.protocol, r?.scope, r?.tos, r?.realms], [1000, 12, 253, 0x28, (7 << 16) | 8]);
  const rule = kernelRule('from 10.9.0.0/16 lookup web tos AF11 realms chaos suppress_ifgroup edge ipproto udp priority 10');
  assert.deepEqual([rule?.table, rule?.tos, rule?.realms, rule?.suppressIfgroup, rule?.ipProto], [100, 0x28, 8, 5, 17]);
});

test('an unknown name: the entry keeps no kernel form (nothing reaches the kernel) and is warned about at its line', () => {
  const { routes, rules, warnings } = read('10.9.0.0/16 dev eth0 table nosuch|from 10.1.0.0/16 lookup nosuch priority 5');
  assert.equal(routes.length, 1, 'kept for the host checks and config dump');
  assert.equal(routes[0]!.kernel, undefined);
  assert.equal(rules[0]!.kernel, undefined);
  assert.deepEqual(warnings, [
    "2: static_routes 10.9.0.0/16: routing table 'nosuch' is not a number or a name in /etc/iproute2/rt_tables or rt_tables.d/*.conf - skipping route",
    "5: static_rules: routing table 'nosuch' is not a number or a name in /etc/iproute2/rt_tables or rt_tables.d/*.conf - skipping rule",
  ]);
});

test("protocol keepalived (18) marks what vigil adds: a tracked route or rule always has it, no_track keeps one's own", () => {
  assert.equal(kernelRoute('10.9.0.0/16 dev eth0')?.protocol, RTPROT_KEEPALIVED);
  assert.equal(kernelRoute('10.9.0.0/16 dev eth0 no_track')?.protocol, RTPROT_KEEPALIVED);
  assert.equal(kernelRoute('10.9.0.0/16 dev eth0 protocol bird no_track')?.protocol, 12);
  const tracked = read('10.9.0.0/16 dev eth0 protocol bird');
  assert.equal(tracked.routes[0]!.kernel?.protocol, RTPROT_KEEPALIVED);
  assert.deepEqual(tracked.warnings, ["2: static_routes 10.9.0.0/16: a tracked route's protocol is keepalived (18) - protocol bird ignored (no_track keeps it)"]);
  assert.equal(kernelRule('to 10.1.0.0/16 table 5 priority 1')?.protocol, RTPROT_KEEPALIVED);
  assert.equal(kernelRule('to 10.1.0.0/16 table 5 priority 1 no_track protocol 12')?.protocol, 12);
  assert.equal(kernelRule('to 10.1.0.0/16 table 5 priority 1 no_track')?.protocol, undefined);
});

test('a route is tracked through its interface: without dev it is not, with a warning as keepalived gives', () => {
  assert.equal(kernelRoute('10.9.0.0/16 dev eth0')?.tracked, true);
  const { routes, warnings } = read('blackhole 10.9.0.0/16');
  assert.equal(routes[0]!.kernel?.tracked, false);
  assert.deepEqual(warnings, ['2: static_routes 10.9.0.0/16: cannot be tracked with no interface (dev) given - not tracking, as keepalived']);
});

test("metrics in the kernel's units: rtt in 1/8 ms, rttvar in 1/4 ms, rto_min in ms, held to [200 ms, 120 s]; lock bits", () => {
  const r = kernelRoute('10.9.0.0/16 dev eth0 rtt 1.5s rttvar lock 300ms rto_min 2s mtu lock 1400 advmss 1300 congctl lock cubic hoplimit 64 features ecn quickack 1');
  assert.deepEqual(r?.metrics, { rtt: 12000, rttvar: 1200, rto_min: 2000, mtu: 1400, advmss: 1300, congctl: 'cubic', hoplimit: 64, features: 1, quickack: 1 });
  // RTAX_RTTVAR 5, RTAX_MTU 2, RTAX_CC_ALGO 16.
  assert.equal(r?.lock, (1 << 5) | (1 << 2) | (1 << 16));
  const clamped = read('10.9.0.0/16 dev eth0 rtt 100ms rto_min 200s');
  assert.deepEqual(clamped.routes[0]!.kernel?.metrics, { rtt: 1600, rto_min: 120_000 });
  assert.equal(clamped.warnings.length, 2);
  // A bare number is already in the kernel's units.
  assert.equal(kernelRoute('10.9.0.0/16 dev eth0 rtt 8000')?.metrics.rtt, 8000);
});

test('the other route options: type, from, src, via, onlink, encap, expires, pref, ttl-propagate, add / append, nexthops', () => {
  const v6 = kernelRoute('unreachable 2001:db8:1::/48 from 2001:db8:5::/56 dev eth0 pref low expires 30 append');
  assert.deepEqual([v6?.family, v6?.type, v6?.from, v6?.pref, v6?.expires, v6?.mode], [6, 7, { address: '2001:db8:5::', prefix: 56 }, 3, 30, 'append']);
  const v4 = kernelRoute('src 192.0.2.1 to 10.9.0.0/16 via 192.0.2.254 dev eth0 onlink metric 9 ttl-propagate enabled encap ip id 5 dst 10.0.0.9 ttl 3 add');
  assert.deepEqual(
    [v4?.source, v4?.gateway, v4?.onlink, v4?.metric, v4?.ttlPropagate, v4?.encap, v4?.mode],
    ['192.0.2.1', '192.0.2.254', true, 9, true, { kind: 'ip', id: '5', dst: '10.0.0.9', ttl: 3 }, 'add'],
  );
  const ecmp = kernelRoute('10.9.0.0/16 nexthop via 192.0.2.1 dev eth0 weight 3 nexthop via 192.0.2.2 dev eth1 onlink realms cosmos encap mpls 100/200');
  assert.deepEqual(ecmp?.nexthops, [
    { onlink: false, gateway: '192.0.2.1', dev: 'eth0', weight: 3 },
    { onlink: true, gateway: '192.0.2.2', dev: 'eth1', realms: 7, encap: { kind: 'mpls', labels: [100, 200] } },
  ]);
  assert.equal(kernelRoute('default via 192.0.2.254 dev eth0')?.destination.address, '0.0.0.0');
  assert.equal(kernelRoute('default6 via 2001:db8::1 dev eth0')?.destination.address, '::');
});

test("keepalived's grammar: `proto` is not one of its words, inet6 steps over the next word, `or` makes two next hops", () => {
  assert.deepEqual(read('10.9.0.0/16 dev eth0 proto 4').warnings, ['2: route: unknown route keyword proto - skipping route']);
  // keepalived 2.2.7 reads `inet6 default …` as `inet6` and then the word after `default`.
  assert.deepEqual(read('inet6 default via 2001:db8::1 dev eth0').warnings.at(-1), '2: route: no destination - skipping route');
  assert.equal(kernelRoute('2001:db8:9::/48 via 2001:db8::1 dev eth0 inet6')?.family, 6);
  const or = read('10.9.0.0/16 via 192.0.2.1 or 192.0.2.2 dev eth0').routes[0]!.kernel;
  assert.deepEqual([or?.gateway, or?.nexthops.map((h) => h.gateway)], [undefined, ['192.0.2.1', '192.0.2.2']]);
  assert.deepEqual(read('10.9.0.0/16 dev eth0 realms 1 pref high').warnings, ['2: route: pref is only for IPv6 routes - skipping route']);
  assert.deepEqual(read('10.9.0.0/16 dev eth0 from 10.1.0.0/16').warnings, ['2: route: a from address is only for IPv6 routes (10.1.0.0/16) - skipping route']);
});

test('rule actions: table lookup, goto (after its preference), nop, blackhole, unreachable, prohibit, l3mdev; one only', () => {
  assert.deepEqual([kernelRule('from 10.1.0.0/16 goto 200 priority 100')?.action, kernelRule('from 10.1.0.0/16 goto 200 priority 100')?.gotoTarget], [2, 200]);
  assert.deepEqual(['nop', 'blackhole', 'unreachable', 'prohibit', 'type prohibit'].map((a) => kernelRule(`to 10.1.0.0/16 ${a} priority 3`)?.action), [3, 6, 7, 8, 8]);
  const l3 = kernelRule('to 10.1.0.0/16 l3mdev priority 3');
  assert.deepEqual([l3?.action, l3?.l3mdev, l3?.table], [1, true, 0]);
  const dropped = (line: string): string | undefined => read(`|${line}`).warnings.at(-1);
  assert.equal(dropped('from 10.1.0.0/16 priority 5'), '5: rule: no action (table, goto, nop, blackhole, prohibit, unreachable or l3mdev) - skipping rule');
  assert.equal(dropped('from 10.1.0.0/16 table 5 nop priority 5'), '5: rule: more than one of table / goto / nop / blackhole / prohibit / unreachable / l3mdev - skipping rule');
  assert.equal(dropped('from 10.1.0.0/16 goto 100 priority 100'), '5: rule: preference 100 is not below the goto target 100 - skipping rule');
  assert.equal(dropped('from 10.1.0.0/16 goto 100'), '5: rule: goto 100 given without a preference - skipping rule');
  assert.equal(dropped('from 10.1.0.0/16 nop realms 4 priority 5'), '5: rule: realms / suppress_prefixlength / suppress_ifgroup given without a table lookup - skipping rule');
  assert.equal(dropped('from 10.1.0.0/16 table 0 priority 5'), '5: static_rules: table 0 is not valid - skipping rule');
  assert.equal(dropped('from 10.1.0.0/16 table 5 pref 5'), '5: rule: unknown rule option pref - skipping rule');
});

test('rule matches: not, from / to, fwmark with its mask, uidrange, ports, tunnel-id; a single port is a bad range, as in keepalived', () => {
  const r = kernelRule('not from 10.1.0.0/16 to 10.2.0.0/24 fwmark 0x10/0xff uidrange 100-200 sport 10-20 tunnel-id 7 iif eth0 oif eth1 table 5 priority 9');
  assert.deepEqual(
    [r?.invert, r?.from, r?.to, r?.fwmark, r?.fwmask, r?.uidRange, r?.sport, r?.tunnelId, r?.iif, r?.oif, r?.priority],
    [true, { address: '10.1.0.0', prefix: 16 }, { address: '10.2.0.0', prefix: 24 }, 0x10, 0xff, { start: 100, end: 200 }, { start: 10, end: 20 }, '7', 'eth0', 'eth1', 9],
  );
  const single = read('|to 10.1.0.0/16 table 5 dport 80 priority 5');
  assert.equal(single.rules[0]!.kernel?.dport, undefined);
  assert.deepEqual(single.warnings, ["5: static_rules: invalid dport range '80' - ignoring"]);
});

test('a rule without a preference gets the one keepalived gives: 16384 down, per family, in reading order across static and virtual rules', () => {
  const text =
    'static_rules {\n  from 10.1.0.0/16 table 5\n  from 2001:db8::/32 table 5\n}\n' +
    instance('  virtual_rules {\n    from 10.2.0.0/16 table 5\n  }') +
    'static_rules {\n  from 10.3.0.0/16 table 5\n}\n';
  const c = parse(text, {}, { routeNames }).config;
  assert.deepEqual(c.staticRules.map((r) => r.kernel?.priority), [16384, 16384, 16382]);
  assert.deepEqual(c.vrrpInstances[0]!.virtualRules.map((r) => r.kernel?.priority), [16383]);
});
