import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderNftClear, renderNftRuleset } from '../../transport/lb/nftables-ruleset.js';
import { SCHEDULERS, type AddressService, type Destination, type FwmarkService, type VirtualService } from '../../machines/desired-state.js';
import { NFT_HOOKS, natDestination, webService } from './fixtures.js';

const d = (last: number, weight = 1, port = 8080, forwarding: Destination['forwarding'] = 'NAT'): Destination => ({
  address: `192.168.77.${last}`,
  port,
  weight,
  forwarding,
});

const web: AddressService = webService('rr', [d(67), d(68), d(69)]);

const HEAD4 = `add table ip vigil
delete table ip vigil
table ip vigil {
${NFT_HOOKS}`;
const CLEAR6 = 'add table ip6 vigil\ndelete table ip6 vigil\n';

/** The single service rule of a one-service IPv4 rendering. */
function ruleOf(service: VirtualService): string {
  const text = renderNftRuleset({ services: [service] }).text;
  const m = /chain svc_0 \{\n\t\t(.*)\n/.exec(text);
  assert.ok(m?.[1] !== undefined, text);
  return m[1];
}

test('rr: the whole transaction, exactly', () => {
  const r = renderNftRuleset({ services: [web] });
  assert.equal(
    r.text,
    HEAD4 +
      `\tchain services {
\t\tip daddr . meta l4proto . th dport vmap { 192.168.77.100 . tcp . 80 : jump svc_0 }
\t}
\tchain svc_0 {
\t\tmeta l4proto tcp dnat to numgen inc mod 3 map { 0 : 192.168.77.67 . 8080, 1 : 192.168.77.68 . 8080, 2 : 192.168.77.69 . 8080 } comment "web"
\t}
}
` +
      CLEAR6,
  );
  assert.deepEqual(r.approximations, []);
  assert.equal(r.services, 1);
  assert.equal(r.liveDestinations, 3);
});

test('wrr: slots sized by weight, reduced by their GCD; weight 0 excluded', () => {
  const rule = ruleOf({ ...web, scheduler: 'wrr', destinations: [d(67, 2), d(68, 4), d(70, 0), d(69, 6)] });
  assert.equal(rule, 'meta l4proto tcp dnat to numgen inc mod 6 map { 0 : 192.168.77.67 . 8080, 1-2 : 192.168.77.68 . 8080, 3-5 : 192.168.77.69 . 8080 } comment "web"');
});

test('sh and dh: jhash of the source / destination address over weighted slots', () => {
  assert.equal(
    ruleOf({ ...web, scheduler: 'sh', destinations: [d(67, 1), d(68, 3)] }),
    'meta l4proto tcp dnat to jhash ip saddr mod 4 seed 0x0 map { 0 : 192.168.77.67 . 8080, 1-3 : 192.168.77.68 . 8080 } comment "web"',
  );
  assert.equal(
    ruleOf({ ...web, scheduler: 'dh', destinations: [d(67), d(68)] }),
    'meta l4proto tcp dnat to jhash ip daddr mod 2 seed 0x0 map { 0 : 192.168.77.67 . 8080, 1 : 192.168.77.68 . 8080 } comment "web"',
  );
});

test('fo: the highest weight only; a single destination needs no map', () => {
  assert.equal(ruleOf({ ...web, scheduler: 'fo', destinations: [d(67, 5), d(68, 9), d(69, 9)] }), 'meta l4proto tcp dnat to 192.168.77.68:8080 comment "web"');
  assert.equal(ruleOf({ ...web, destinations: [d(67, 0), d(69)] }), 'meta l4proto tcp dnat to 192.168.77.69:8080 comment "web"');
});

test('every scheduler renders, and the inexact ones are reported with what was used', () => {
  const expected: Record<string, string> = { lc: 'rr', wlc: 'wrr', sed: 'wrr', nq: 'wrr', lblc: 'dh', lblcr: 'dh', ovf: 'fo', twos: 'wrr' };
  for (const scheduler of SCHEDULERS) {
    const r = renderNftRuleset({ services: [{ ...web, scheduler }] });
    const used = expected[scheduler];
    if (used === undefined) assert.deepEqual(r.approximations, [], scheduler);
    else assert.deepEqual(r.approximations.map((a) => [a.requested, a.used]), [[scheduler, used]], scheduler);
  }
  assert.match(ruleOf({ ...web, scheduler: 'lblc' }), /jhash ip daddr mod 3/);
  assert.match(ruleOf({ ...web, scheduler: 'wlc', destinations: [d(67, 1), d(68, 2)] }), /numgen inc mod 3 map \{ 0 : 192\.168\.77\.67 \. 8080, 1-2 :/);
});

test('persistence: rotating schedulers become masked source hashing (slots listed one by one), reported', () => {
  const r = renderNftRuleset({
    services: [{ ...web, scheduler: 'wrr', persistenceTimeout: 300, persistenceGranularity: '255.255.255.0', destinations: [d(67, 1), d(68, 2)] }],
  });
  assert.match(r.text, /dnat to jhash ip saddr & 255\.255\.255\.0 mod 3 seed 0x0 map \{ 0 : 192\.168\.77\.67 \. 8080, 1 : 192\.168\.77\.68 \. 8080, 2 : 192\.168\.77\.68 \. 8080 \}/);
  assert.deepEqual(r.approximations.map((a) => a.requested), ['persistence_timeout 300']);
});

test('fwmark services dispatch on meta mark; port 0 keeps the packet port', () => {
  const fw: FwmarkService = { kind: 'fwmark', key: 'fw', protocol: 'tcp', family: 4, fwmark: 9, scheduler: 'rr', destinations: [d(67, 1, 0), d(68, 1, 0)] };
  const r = renderNftRuleset({ services: [web, fw] });
  assert.match(r.text, /\t\tmeta mark vmap \{ 0x00000009 : jump svc_1 \}\n/);
  assert.match(r.text, /chain svc_1 \{\n\t\tdnat to numgen inc mod 2 map \{ 0 : 192\.168\.77\.67, 1 : 192\.168\.77\.68 \} comment "fw"\n/);
});

test('IPv6 services go to table ip6 vigil; the IPv4 table is then only cleared', () => {
  const v6: AddressService = {
    ...web,
    key: 'v6',
    family: 6,
    protocol: 'udp',
    address: 'fd77::100',
    port: 53,
    scheduler: 'sh',
    persistenceTimeout: 10,
    persistenceGranularity: 56,
    destinations: [
      { address: 'fd77::67', port: 53, weight: 1, forwarding: 'NAT' },
      { address: 'fd77::68', port: 53, weight: 1, forwarding: 'NAT' },
    ],
  };
  const r = renderNftRuleset({ services: [v6] });
  assert.ok(r.text.startsWith('add table ip vigil\ndelete table ip vigil\nadd table ip6 vigil\ndelete table ip6 vigil\ntable ip6 vigil {\n'), r.text);
  assert.match(r.text, /\t\tip6 daddr \. meta l4proto \. th dport vmap \{ fd77::100 \. udp \. 53 : jump svc_0 \}\n/);
  assert.match(r.text, /meta l4proto udp dnat to jhash ip6 saddr & ffff:ffff:ffff:ff00:: mod 2 seed 0x0 map \{ 0 : fd77::67 \. 53, 1 : fd77::68 \. 53 \}/);
  const one = [{ address: 'fd77::67', port: 53, weight: 1, forwarding: 'NAT' as const }];
  assert.equal(ruleOf({ ...v6, destinations: one }), 'meta l4proto udp dnat to [fd77::67]:53 comment "v6"');
});

test('no live destination: the sorry server, or no rule at all', () => {
  const down = { ...web, destinations: [d(67, 0), d(68, 0)] };
  assert.equal(ruleOf({ ...down, sorry: d(99, 1, 80) }), 'meta l4proto tcp dnat to 192.168.77.99:80 comment "web"');
  assert.equal(renderNftRuleset({ services: [down] }).text, renderNftClear());
  assert.equal(renderNftRuleset({ services: [] }).text, 'add table ip vigil\ndelete table ip vigil\n' + CLEAR6);
});

test('DR / TUN destinations are DNATed and reported; destination port 0 means the service port', () => {
  const r = renderNftRuleset({ services: [{ ...web, destinations: [d(67, 1, 0, 'DR'), d(68, 1, 8080, 'TUN')] }] });
  assert.match(r.text, /map \{ 0 : 192\.168\.77\.67 \. 80, 1 : 192\.168\.77\.68 \. 8080 \}/);
  assert.deepEqual(r.approximations.map((a) => a.requested), ['lb_kind DR (192.168.77.67)', 'lb_kind TUN (192.168.77.68)']);
});

test('keys are safe inside comments; table names are checked; invalid states refused', () => {
  assert.match(ruleOf({ ...web, key: 'a "quoted"\nkey' }), /comment "a _quoted__key"$/);
  assert.throws(() => renderNftRuleset({ services: [] }, { table: 'bad name' }), /bad nftables table name/);
  assert.throws(() => renderNftRuleset({ services: [{ ...web, address: 'fd77::1' }] }), /is not IPv4/);
  assert.equal(renderNftRuleset({ services: [web] }, { table: 'vigil_t' }).text.split('\n')[0], 'add table ip vigil_t');
});

test('sh with flag-2 (sh-port) hashes the source port too, mh with flag-2 (mh-port) the 5-tuple; other schedulers and flags leave the rule as it was', () => {
  const dests = [natDestination(67, 8080, 1), natDestination(68, 8080, 1)];
  assert.match(renderNftRuleset({ services: [webService('sh', dests, { schedulerFlags: ['flag-2'] })] }).text, /jhash ip saddr \. th sport mod 2 seed 0x0/);
  assert.match(renderNftRuleset({ services: [webService('mh', dests, { schedulerFlags: ['flag-2'] })] }).text, /jhash ip saddr \. th sport \. ip daddr \. th dport \. meta l4proto mod 8191 seed 0x0 map @svc_0_maglev/);
  assert.match(renderNftRuleset({ services: [webService('mh', dests)] }).text, /jhash ip saddr mod 8191 seed 0x0 map @svc_0_maglev/);
  const plain = renderNftRuleset({ services: [webService('sh', dests)] }).text;
  assert.match(plain, /jhash ip saddr mod 2 seed 0x0/);
  assert.equal(renderNftRuleset({ services: [webService('sh', dests, { schedulerFlags: ['flag-1', 'flag-3'] })] }).text, plain);
  assert.equal(renderNftRuleset({ services: [webService('wrr', dests, { schedulerFlags: ['flag-2'] })] }).text, renderNftRuleset({ services: [webService('wrr', dests)] }).text);
});

test('states rebuilt from the same service objects (the LB sync) render as fresh copies do: kept per object, never stale', () => {
  const services: AddressService[] = Array.from({ length: 20 }, (_, i) => ({ ...webService(i % 2 === 0 ? 'wrr' : 'sh', [d(10 + i, 1), d(40 + i, 2)]), key: `svc-${i}`, port: 1000 + i }));
  const fresh = (s: readonly VirtualService[]) => renderNftRuleset({ services: JSON.parse(JSON.stringify(s)) as VirtualService[] });
  const first = renderNftRuleset({ services });
  assert.deepEqual(first, fresh(services));
  // One service changes (a new object, as the sync computes it), one goes, the rest are the same objects.
  const changed = services.map((s, i) => (i === 7 ? { ...s, destinations: [d(17, 5), d(47, 0)] } : s)).filter((_, i) => i !== 3);
  const second = renderNftRuleset({ services: changed });
  assert.deepEqual(second, fresh(changed));
  assert.notEqual(second.text, first.text);
  assert.match(second.text, /dnat to 192\.168\.77\.17:8080 comment "svc-7"/);
  // The warnings and approximations of reused services are told again on every render.
  const approximations = (r: typeof first) => r.approximations.map((a) => a.key);
  assert.deepEqual(approximations(renderNftRuleset({ services: changed })), approximations(second));
});
