/** lb_algo mh on nftables: the Maglev map and the jhash rule, byte for byte (transport/lb/nftables-ruleset.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderNftRuleset } from '../../transport/lb/nftables-ruleset.js';
import { buildMaglevTable, maglevTableSize } from '../../protocol/maglev.js';
import type { AddressService, Destination, FwmarkService } from '../../machines/desired-state.js';
import { NFT_HOOKS } from './fixtures.js';

const d = (last: number, weight = 1): Destination => ({ address: `192.168.77.${last}`, port: 8080, weight, forwarding: 'NAT' });

const web: AddressService = {
  kind: 'address', key: 'web', protocol: 'tcp', family: 4, address: '192.168.77.100', port: 80,
  scheduler: 'mh', schedulerFlags: ['flag-2'], hashTableSize: 13, destinations: [d(67), d(68, 2), d(69, 0)],
};

test('mh with mh-port: a 13-slot Maglev map of weights 1:2 (weight 0 left out), hashed by the 5-tuple: the whole transaction', () => {
  const r = renderNftRuleset({ services: [web] });
  const [a, b] = ['192.168.77.67 . 8080', '192.168.77.68 . 8080'];
  const slots = [b, a, b, b, b, b, a, a, a, b, a, b, b];
  assert.equal(
    r.text,
    'add table ip vigil\ndelete table ip vigil\ntable ip vigil {\n' +
      `\tmap svc_0_maglev {\n\t\ttypeof numgen inc mod 13 : ip daddr . th dport\n\t\telements = { ${slots.map((v, i) => `${i} : ${v}`).join(', ')} }\n\t}\n` +
      NFT_HOOKS +
      '\tchain services {\n\t\tip daddr . meta l4proto . th dport vmap { 192.168.77.100 . tcp . 80 : jump svc_0 }\n\t}\n' +
      '\tchain svc_0 {\n\t\tmeta l4proto tcp dnat to jhash ip saddr . th sport . ip daddr . th dport . meta l4proto mod 13 seed 0x0 map @svc_0_maglev comment "web"\n\t}\n' +
      '}\nadd table ip6 vigil\ndelete table ip6 vigil\n',
  );
  assert.deepEqual(r.approximations, []);
  assert.equal(r.liveDestinations, 2);
  // The map is the protocol's table: slot i holds the backend buildMaglevTable puts there.
  const table = buildMaglevTable([{ name: '192.168.77.67:8080', weight: 1 }, { name: '192.168.77.68:8080', weight: 2 }], 13);
  assert.deepEqual(slots, [...table.slots].map((s) => (table.backends[s]!.name.endsWith('67:8080') ? a : b)));
});

test('mh on an IPv6 fwmark service keeping the port: a map of addresses, hashed by the source address as IPVS mh', () => {
  const fw6: FwmarkService = {
    kind: 'fwmark', key: 'fw6', protocol: 'udp', family: 6, fwmark: 7, scheduler: 'mh', hashTableSize: 7,
    destinations: [{ address: 'fd77::67', port: 0, weight: 1, forwarding: 'NAT' }, { address: 'fd77::68', port: 0, weight: 1, forwarding: 'NAT' }],
  };
  assert.equal(
    renderNftRuleset({ services: [fw6] }).text,
    'add table ip vigil\ndelete table ip vigil\nadd table ip6 vigil\ndelete table ip6 vigil\ntable ip6 vigil {\n' +
      '\tmap svc_0_maglev {\n\t\ttypeof numgen inc mod 7 : ip6 daddr\n\t\telements = { 0 : fd77::67, 1 : fd77::67, 2 : fd77::67, 3 : fd77::68, 4 : fd77::68, 5 : fd77::67, 6 : fd77::68 }\n\t}\n' +
      NFT_HOOKS +
      '\tchain services {\n\t\tmeta mark vmap { 0x00000007 : jump svc_0 }\n\t}\n' +
      '\tchain svc_0 {\n\t\tdnat to jhash ip6 saddr mod 7 seed 0x0 map @svc_0_maglev comment "fw6"\n\t}\n}\n',
  );
});

test('the table keeps its size when a server goes down, and the survivors keep their slots but for at most 2 % of the table', () => {
  const three = { ...web, schedulerFlags: [], hashTableSize: maglevTableSize(3), destinations: [d(67), d(68), d(69)] };
  const elements = (s: AddressService): string[] => /elements = \{ (.*) \}/.exec(renderNftRuleset({ services: [s] }).text)![1]!.split(', ');
  const before = elements(three);
  const after = elements({ ...three, destinations: [d(67), d(69)] });
  assert.equal(before.length, 8191);
  assert.equal(after.length, 8191);
  const survivorsMoved = before.filter((e, i) => !e.includes('.68 ') && after[i] !== e).length;
  assert.ok(survivorsMoved / 8191 <= 0.02, `${survivorsMoved} of the survivors' slots moved`);
  assert.ok(after.every((e) => !e.includes('.68 ')));
  // Without a size from the configuration, the listed destinations decide it.
  assert.match(renderNftRuleset({ services: [{ ...three, hashTableSize: undefined } as AddressService] }).text, /mod 8191 seed/);
});

test('persistence_granularity masks the source address; a bad table size is refused', () => {
  const masked = renderNftRuleset({ services: [{ ...web, persistenceGranularity: '255.255.255.0' }] }).text;
  assert.match(masked, /dnat to jhash ip saddr & 255\.255\.255\.0 \. th sport \. ip daddr/);
  assert.throws(() => renderNftRuleset({ services: [{ ...web, hashTableSize: 12 }] }), /not a prime/);
  assert.throws(() => renderNftRuleset({ services: [{ ...web, hashTableSize: 1.5 }] }), /bad hash table size/);
});

test('from the configuration: the size follows the configured real servers, so a server down keeps it', async () => {
  const { virtualServersOf } = await import('../checkers/lvs-config.js');
  const servers = [67, 68, 69, 70].map((n) => `  real_server 192.168.77.${n} 8080 {\n  }\n`).join('');
  const template = virtualServersOf(`virtual_server 192.168.77.100 80 {\n  lb_algo mh\n  protocol TCP\n${servers}}\n`)[0]!.services[0]!;
  assert.equal(template.hashTableSize, maglevTableSize(4));
  const up = { ...(template as Omit<AddressService, 'destinations'>), destinations: [d(67), d(68), d(70)] };
  assert.match(renderNftRuleset({ services: [up] }).text, new RegExp(`jhash ip saddr mod ${maglevTableSize(4)} seed 0x0 map @svc_0_maglev`));
  // Other schedulers carry no size.
  const wrr = virtualServersOf(`virtual_server 192.168.77.100 80 {\n  lb_algo wrr\n  protocol TCP\n${servers}}\n`)[0]!.services[0]!;
  assert.equal(wrr.hashTableSize, undefined);
});
