/**
 * The rtnetlink requests for routes and rules (protocol/rtnetlink-routes.ts), without a kernel: whole messages byte
 * for byte where they are small enough to write out (linux/rtnetlink.h: struct nlmsghdr, struct rtmsg / struct
 * fib_rule_hdr, then 4-byte aligned attributes; host byte order, little-endian here), and every option read back by
 * an independent decoder (the `netlink` package's parsers).
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { rt } from '../../transport/real/netlink-package.js';
import {
  getLinkRequest,
  linkIndexOf,
  routeRequest,
  rtnetlinkMessage,
  ruleRequest,
  RTPROT_KEEPALIVED,
  type RouteSpec,
  type RuleSpec,
} from '../../protocol/rtnetlink-routes.js';
import { LITTLE_ENDIAN } from '../../protocol/genl.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const INDEXES: Readonly<Record<string, number>> = { eth0: 2, eth1: 3 };
const ifindex = (name: string): number => INDEXES[name] ?? assert.fail(`no index for ${name}`);

function route(over: Partial<RouteSpec>): RouteSpec {
  return { family: 4, type: 1, destination: { address: '10.9.0.0', prefix: 16 }, tos: 0, table: 254, protocol: RTPROT_KEEPALIVED, onlink: false, metrics: {}, lock: 0, nexthops: [], mode: 'prepend', tracked: true, ...over };
}

function rule(over: Partial<RuleSpec>): RuleSpec {
  return { family: 4, action: 1, table: 100, invert: false, priority: 100, tos: 0, l3mdev: false, tracked: true, protocol: RTPROT_KEEPALIVED, ...over };
}

const u32At = (b: Buffer | undefined): number => (b === undefined ? NaN : b.readUInt32LE(0));

test('a route, byte for byte: RTM_NEWROUTE with NLM_F_CREATE only (prepend), rtmsg, then DST, GATEWAY, OIF, PRIORITY', { skip: !LITTLE_ENDIAN && 'written for a little-endian host' }, () => {
  const r = route({ gateway: '192.168.77.1', dev: 'eth0', table: 100, metric: 5 });
  const message = rtnetlinkMessage(routeRequest('add', r, ifindex), 1);
  assert.equal(
    hex(message),
    [
      '3c000000', '1800', '0504', '01000000', '00000000', // nlmsghdr: 60 bytes, RTM_NEWROUTE, CREATE|ACK|REQUEST, seq 1, pid 0
      '02100000', '64120001', '00000000', // rtmsg: AF_INET /16, src 0, tos 0, table 100, proto 18, scope universe, unicast; flags
      '08000100', '0a090000', // RTA_DST 10.9.0.0
      '08000500', 'c0a84d01', // RTA_GATEWAY 192.168.77.1
      '08000400', '02000000', // RTA_OIF 2
      '08000600', '05000000', // RTA_PRIORITY 5
    ].join(''),
  );
});

test('a route deleted: RTM_DELROUTE without create flags, scope nowhere (any) unless given, the protocol kept to match only ours', () => {
  const request = routeRequest('delete', route({ table: 1000 }), ifindex);
  assert.equal(request.type, 25);
  assert.equal(request.flags, 0);
  const { data, attrs } = rt.parseRouteMessage(Buffer.from(request.payload));
  assert.equal(data.scope, 'NOWHERE');
  assert.equal(request.payload[5], RTPROT_KEEPALIVED);
  // A table above 255: RT_TABLE_UNSPEC in the header and the number in RTA_TABLE.
  assert.equal(data.table, 0);
  assert.equal(attrs.table, 1000);
  assert.equal(routeRequest('delete', route({ scope: 253 }), ifindex).payload[6], 253);
});

test('add, prepend and append: NLM_F_EXCL, nothing, NLM_F_APPEND beside NLM_F_CREATE', () => {
  assert.equal(routeRequest('add', route({ mode: 'add' }), ifindex).flags, 0x400 | 0x200);
  assert.equal(routeRequest('add', route({ mode: 'prepend' }), ifindex).flags, 0x400);
  assert.equal(routeRequest('add', route({ mode: 'append' }), ifindex).flags, 0x400 | 0x800);
});

test('every route option, read back by the netlink package: header fields, attributes, metrics with their lock, multipath', () => {
  const r = route({
    family: 6,
    type: 6,
    destination: { address: '2001:db8:1::', prefix: 48 },
    from: { address: '2001:db8:5::', prefix: 56 },
    source: '2001:db8::1',
    gateway: 'fe80::1',
    dev: 'eth1',
    tos: 0x10,
    table: 100,
    protocol: 12,
    scope: 200,
    metric: 7,
    onlink: true,
    expires: 300,
    pref: 1,
    ttlPropagate: true,
    metrics: { mtu: 1400, window: 1000, rtt: 1600, rttvar: 800, ssthresh: 20, cwnd: 10, advmss: 1300, reordering: 3, hoplimit: 64, initcwnd: 11, features: 1, rto_min: 200, initrwnd: 21, quickack: 1, congctl: 'cubic', fastopen_no_cookie: 1 },
    lock: (1 << 2) | (1 << 16),
  });
  const payload = routeRequest('add', r, ifindex).payload;
  const { data, attrs } = rt.parseRouteMessage(Buffer.from(payload));
  // rtm_flags: RTNH_F_ONLINK (4), which the package's flag names leave out.
  const onlink = (Buffer.from(payload).readUInt32LE(8) & 4) !== 0;
  assert.deepEqual(
    { family: data.family, dstLen: data.dstLen, srcLen: data.srcLen, tos: data.tos, table: data.table, protocol: data.protocol, scope: data.scope, type: data.type, onlink },
    { family: 10, dstLen: 48, srcLen: 56, tos: 0x10, table: 100, protocol: 'BIRD', scope: 'SITE', type: 'BLACKHOLE', onlink: true },
  );
  assert.equal(hex(attrs.dst!), '20010db8000100000000000000000000');
  assert.equal(hex(attrs.src!), '20010db8000500000000000000000000');
  assert.equal(hex(attrs.prefsrc!), '20010db8000000000000000000000001');
  assert.equal(hex(attrs.gateway!), 'fe800000000000000000000000000001');
  assert.deepEqual([attrs.oif, attrs.priority, u32At(attrs.expires), hex(attrs.pref!), attrs.ttlPropagate], [3, 7, 300, '01', 1]);
  const m = attrs.metrics!;
  assert.deepEqual(
    [m.mtu, m.window, m.rtt, m.rttvar, m.ssthresh, m.cwnd, m.advmss, m.reordering, m.hoplimit, m.initcwnd, m.features, m.rtoMin, m.initrwnd, m.quickack, m.fastopenNoCookie, m.lock].map(u32At),
    [1400, 1000, 1600, 800, 20, 10, 1300, 3, 64, 11, 1, 200, 21, 1, 1, (1 << 2) | (1 << 16)],
  );
  assert.equal(m.ccAlgo?.toString(), 'cubic');
});

test('nexthops: struct rtnexthop with hops = weight - 1, flags onlink, ifindex, and each hop its gateway and realms', () => {
  const r = route({
    nexthops: [
      { gateway: '192.168.77.1', dev: 'eth0', weight: 3, onlink: false },
      { gateway: '192.168.77.2', dev: 'eth1', weight: 1, onlink: true, realms: (4 << 16) | 5 },
    ],
  });
  const { attrs } = rt.parseRouteMessage(Buffer.from(routeRequest('add', r, ifindex).payload));
  assert.equal(
    hex(attrs.multipath!),
    [
      '1000', '00', '02', '02000000', '08000500c0a84d01', // 16 bytes, no flags, weight 3, eth0, RTA_GATEWAY
      '1800', '04', '00', '03000000', '08000500c0a84d02', '08000b0005000400', // onlink, weight 1, eth1, gateway, RTA_FLOW 4/5
    ].join(''),
  );
});

test('encapsulation: RTA_ENCAP (nested) and RTA_ENCAP_TYPE for ip, ip6, mpls and ila', () => {
  const bytesOf = (encap: RouteSpec['encap']): { type: number | undefined; encap: string } => {
    const { attrs } = rt.parseRouteMessage(Buffer.from(routeRequest('add', route({ encap }), ifindex).payload));
    return { type: attrs.encapType, encap: hex(attrs.encap!) };
  };
  // LWTUNNEL_IP_ID (be64 100) and LWTUNNEL_IP_DST.
  assert.deepEqual(bytesOf({ kind: 'ip', id: '100', dst: '10.0.0.9', ttl: 3 }), { type: 2, encap: '0c0001000000000000000064' + '080002000a000009' + '0500040003000000' });
  assert.deepEqual(bytesOf({ kind: 'ip6', dst: '2001:db8::9', tc: 8 }), { type: 4, encap: '1400020020010db8000000000000000000000009' + '0500050008000000' });
  // MPLS_IPTUNNEL_DST: label 100 then label 200 with the bottom-of-stack bit.
  assert.deepEqual(bytesOf({ kind: 'mpls', labels: [100, 200] }), { type: 1, encap: '0c000100' + '00064000' + '000c8100' });
  assert.deepEqual(bytesOf({ kind: 'ila', locator: String(0x0001000200030004n) }), { type: 3, encap: '0c0001000001000200030004' });
});

test('a rule, byte for byte: RTM_NEWRULE with NLM_F_CREATE | NLM_F_EXCL, fib_rule_hdr, then SRC, PRIORITY, PROTOCOL', { skip: !LITTLE_ENDIAN && 'written for a little-endian host' }, () => {
  const message = rtnetlinkMessage(ruleRequest('add', rule({ from: { address: '10.1.0.0', prefix: 16 } })), 7);
  assert.equal(
    hex(message),
    [
      '34000000', '2000', '0506', '07000000', '00000000', // 52 bytes, RTM_NEWRULE, CREATE|EXCL|ACK|REQUEST, seq 7
      '02001000', '64000001', '00000000', // AF_INET, dst_len 0, src_len 16, tos 0, table 100, res, res, FR_ACT_TO_TBL; flags
      '08000200', '0a010000', // FRA_SRC
      '08000600', '64000000', // FRA_PRIORITY 100
      '05001500', '12000000', // FRA_PROTOCOL 18
    ].join(''),
  );
  assert.equal(ruleRequest('delete', rule({})).type, 33);
  assert.equal(ruleRequest('delete', rule({})).flags, 0);
});

test('every rule option, read back by the netlink package', () => {
  const r = rule({
    family: 6,
    table: 1000,
    invert: true,
    from: { address: '2001:db8::', prefix: 32 },
    to: { address: '2001:db8:1::', prefix: 48 },
    tos: 0x28,
    fwmark: 0x10,
    fwmask: 0xff,
    realms: (1 << 16) | 2,
    suppressPrefixLength: 8,
    suppressIfgroup: 3,
    iif: 'eth0',
    oif: 'eth1',
    tunnelId: '7',
    uidRange: { start: 100, end: 200 },
    ipProto: 6,
    sport: { start: 10, end: 20 },
    dport: { start: 30, end: 30 },
  });
  const { data, attrs } = rt.parseRuleMessage(Buffer.from(ruleRequest('add', r).payload));
  assert.deepEqual([data.family, data.srcLen, data.dstLen, data.tos, data.table, data.action, data.flags?.invert], [10, 32, 48, 0x28, 0, 'toTbl', true]);
  assert.deepEqual([attrs.table, attrs.priority, attrs.fwmark, attrs.fwmask, attrs.flow, attrs.iifname, attrs.oifname, attrs.protocol, attrs.ipProto], [1000, 100, 0x10, 0xff, 0x10002, 'eth0', 'eth1', 18, 6]);
  assert.equal(hex(attrs.src!), '20010db8000000000000000000000000');
  assert.equal(hex(attrs.dst!), '20010db8000100000000000000000000');
  assert.deepEqual([u32At(attrs.suppressPrefixlen), u32At(attrs.suppressIfgroup), hex(attrs.tunId!)], [8, 3, '0000000000000007']);
  assert.deepEqual([attrs.uidRange?.start, attrs.uidRange?.end, attrs.sportRange?.start, attrs.sportRange?.end, attrs.dportRange?.start, attrs.dportRange?.end], [100, 200, 10, 20, 30, 30]);
});

test('rule actions: goto with its target, l3mdev without a table, blackhole / nop with no table at all', () => {
  const goto = rt.parseRuleMessage(Buffer.from(ruleRequest('add', rule({ action: 2, gotoTarget: 300, table: 0 })).payload));
  assert.deepEqual([goto.data.action, goto.data.table, goto.attrs.goto, goto.attrs.table], ['goto', 0, 300, undefined]);
  const l3 = rt.parseRuleMessage(Buffer.from(ruleRequest('add', rule({ l3mdev: true, table: 0 })).payload));
  assert.deepEqual([l3.data.action, l3.data.table, l3.attrs.l3Mdev, l3.attrs.table], ['toTbl', 0, 1, undefined]);
  for (const [action, name] of [[6, 'blackhole'], [3, 'nop'], [7, 'unreachable'], [8, 'prohibit']] as const) {
    const m = rt.parseRuleMessage(Buffer.from(ruleRequest('add', rule({ action, table: 0 })).payload));
    assert.deepEqual([m.data.action, m.data.table], [name, 0]);
  }
  // An untracked rule without its own protocol sends none.
  assert.equal(rt.parseRuleMessage(Buffer.from(ruleRequest('add', rule({ protocol: undefined, tracked: false })).payload)).attrs.protocol, undefined);
});

test('RTM_GETLINK by name, and the index read from the ifinfomsg of the reply', () => {
  const request = getLinkRequest('eth0');
  assert.equal(request.type, 18);
  assert.equal(hex(request.payload), '00'.repeat(16) + '0900030065746830' + '00000000');
  const reply = new Uint8Array(16);
  new DataView(reply.buffer).setInt32(4, 42, LITTLE_ENDIAN);
  assert.equal(linkIndexOf(reply), 42);
});
