/**
 * Route and rule notifications (protocol/rtnetlink-notices.ts): read from payloads laid out as the kernel sends
 * them (struct rtmsg / fib_rule_hdr and attributes, here made with the request encoder, which has the same layout),
 * and keepalived's test of whether one is about a route or rule of ours. Real notifications from the kernel are
 * in test/daemon/routes.test.ts.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isRouteOf, isRuleOf, parseRouteNotice, parseRuleNotice } from '../../protocol/rtnetlink-notices.js';
import { routeRequest, ruleRequest, RTPROT_KEEPALIVED, type RouteSpec, type RuleSpec } from '../../protocol/rtnetlink-routes.js';

const NAMES = new Map([[2, 'eth0']]);
const indexOf = (name: string): number => [...NAMES].find(([, n]) => n === name)![0];

function route(over: Partial<RouteSpec>): RouteSpec {
  return { family: 4, type: 1, destination: { address: '10.9.0.0', prefix: 16 }, tos: 0, table: 254, protocol: RTPROT_KEEPALIVED, onlink: false, metrics: {}, lock: 0, nexthops: [], mode: 'prepend', tracked: true, ...over };
}

function rule(over: Partial<RuleSpec>): RuleSpec {
  return { family: 4, action: 1, table: 100, invert: false, priority: 100, tos: 0, l3mdev: false, tracked: true, protocol: RTPROT_KEEPALIVED, ...over };
}

const noticeOf = (spec: RouteSpec) => parseRouteNotice(routeRequest('add', spec, indexOf).payload, (i) => NAMES.get(i))!;

test('a route notice: family, type, table (RTA_TABLE above 255), protocol, destination, tos, metric, interface by name', () => {
  const spec = route({ dev: 'eth0', table: 1000, metric: 5, tos: 0x10, type: 6 });
  assert.deepEqual(noticeOf(spec), { family: 4, type: 6, table: 1000, protocol: 18, destination: { address: '10.9.0.0', prefix: 16 }, tos: 0x10, metric: 5, dev: 'eth0' });
  assert.ok(isRouteOf(spec, noticeOf(spec)));
  // An address family other than IPv4 / IPv6 is not ours to read.
  assert.equal(parseRouteNotice(Uint8Array.of(7, ...new Array<number>(11).fill(0)), () => undefined), undefined);
});

test("a route notice about another route: each key of keepalived's comparison tells them apart", () => {
  const spec = route({ dev: 'eth0', metric: 5 });
  for (const other of [
    route({ dev: 'eth0', metric: 6 }),
    route({ dev: 'eth0', metric: 5, table: 100 }),
    route({ dev: 'eth0', metric: 5, tos: 4 }),
    route({ dev: 'eth0', metric: 5, protocol: 4 }),
    route({ dev: 'eth0', metric: 5, destination: { address: '10.9.0.0', prefix: 24 } }),
    route({ metric: 5 }),
  ]) {
    assert.equal(isRouteOf(spec, noticeOf(other)), false, JSON.stringify(other));
  }
  // Next hops and the gateway are not part of the key.
  assert.ok(isRouteOf(spec, noticeOf(route({ dev: 'eth0', metric: 5, gateway: '10.1.1.1' }))));
});

test('a route given no metric: none in an IPv4 notice, 1024 (the kernel default) in an IPv6 one', () => {
  assert.ok(isRouteOf(route({}), noticeOf(route({}))));
  const v6 = route({ family: 6, destination: { address: '2001:db8::', prefix: 32 } });
  assert.ok(isRouteOf(v6, noticeOf({ ...v6, metric: 1024 })));
  assert.equal(isRouteOf(v6, noticeOf(v6)), false);
});

test('a rule notice: the rule read back, and told apart from others by priority, action, table, matches and protocol', () => {
  const spec = rule({ from: { address: '10.1.0.0', prefix: 16 }, fwmark: 0x10, fwmask: 0xff, iif: 'eth0', invert: true, tos: 8 });
  const notice = parseRuleNotice(ruleRequest('add', spec).payload)!;
  assert.deepEqual(notice, {
    family: 4,
    action: 1,
    table: 100,
    priority: 100,
    protocol: 18,
    invert: true,
    from: { address: '10.1.0.0', prefix: 16 },
    to: undefined,
    tos: 8,
    fwmark: 0x10,
    fwmask: 0xff,
    iif: 'eth0',
    oif: undefined,
  });
  assert.ok(isRuleOf(spec, notice));
  for (const other of [{ priority: 101 }, { action: 6 }, { table: 101 }, { invert: false }, { iif: 'eth1' }, { protocol: 12 }, { from: { address: '10.1.0.0', prefix: 24 } }]) {
    assert.equal(isRuleOf(spec, parseRuleNotice(ruleRequest('add', { ...spec, ...other }).payload)!), false, JSON.stringify(other));
  }
  // The kernel reports the table of a rule that looks none up as 0.
  const blackhole = rule({ action: 6, table: 0 });
  assert.ok(isRuleOf(blackhole, parseRuleNotice(ruleRequest('add', blackhole).payload)!));
});
