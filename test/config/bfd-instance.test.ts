/**
 * `bfd_instance` as keepalived 2.2.7 reads it (bfd_parser.c, bfd_data.c alloc_bfd): defaults, ranges, the checks
 * of its end handler with FILE:LINE errors, and the session specs the BFD node runs (actors/bfd/specs-from-config.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, parse } from './helpers.js';
import { bfdSpecsFromConfig } from '../../actors/bfd/specs-from-config.js';

const block = (name: string, body: string): string => `bfd_instance ${name} {\n${body}\n}\n`;

test('defaults: min_rx / min_tx 10 ms, idle_tx 1000 ms, multiplier 5, ttl 255 (IPv4) or hop limit 64 (IPv6), max_hops 0, both processes', () => {
  const r = parse(block('b4', '  neighbor_ip 192.168.77.2') + block('b6', '  neighbour_ip fd77::2'));
  assert.deepEqual(errorsOf(r), []);
  const [b4, b6] = r.config.bfdInstances;
  assert.deepEqual([b4!.minRx, b4!.minTx, b4!.idleTx, b4!.multiplier, b4!.ttl, b4!.maxHops, b4!.passive, b4!.vrrp, b4!.checker], [10, 10, 1000, 5, 255, 0, false, true, true]);
  assert.deepEqual([b6!.neighborIp, b6!.ttl], ['fd77::2', 64]);
  const specs = bfdSpecsFromConfig(r.config.bfdInstances);
  assert.deepEqual(specs[0], {
    params: { name: 'b4', detectMult: 5, desiredMinTxUs: 10_000, requiredMinRxUs: 10_000, idleTxUs: 1_000_000, passive: false },
    family: 4,
    neighbor: '192.168.77.2',
    source: undefined,
    ttl: 255,
    maxHops: 0,
    multihop: false,
  });
  assert.deepEqual([specs[1]!.family, specs[1]!.ttl], [6, 64]);
});

test('every keyword: milliseconds with three decimals, passive, hoplimit, max_hops -1 (= 255, no check), vrrp only', () => {
  const r = parse(
    block('b', '  neighbor_ip 192.168.77.2\n  source_ip 192.168.77.1\n  min_rx 12.5\n  min_tx 7.125\n  idle_tx 2000\n  multiplier 3\n  passive\n  max_hops -1\n  vrrp') +
      block('c', '  neighbor_ip 192.168.77.3\n  hoplimit 250\n  max_hops 5\n  checker'),
  );
  assert.deepEqual(errorsOf(r), []);
  const [b, c] = r.config.bfdInstances;
  assert.deepEqual([b!.sourceIp, b!.minRx, b!.minTx, b!.idleTx, b!.multiplier, b!.passive, b!.ttl, b!.maxHops, b!.vrrp, b!.checker], ['192.168.77.1', 12.5, 7.125, 2000, 3, true, 255, 255, true, false]);
  assert.deepEqual([c!.ttl, c!.maxHops, c!.vrrp, c!.checker], [250, 5, false, true]);
  // keepalived reads -1 into a byte: 255, then over a ttl under 255 it is clamped, with its error.
  assert.match(errorsOf(parse(block('d', '  neighbor_ip 192.168.77.2\n  ttl 250\n  max_hops -1'))).join(), /:1: bfd_instance d: max_hops exceeds ttl/);
  const [s] = bfdSpecsFromConfig(r.config.bfdInstances);
  assert.deepEqual([s!.params.requiredMinRxUs, s!.params.desiredMinTxUs, s!.params.idleTxUs, s!.params.passive, s!.source], [12_500, 7_125, 2_000_000, true, '192.168.77.1']);
});

test('bad values are reported at their line and ignored, as keepalived does', () => {
  const r = parse(block('b', '  neighbor_ip 192.168.77.2\n  min_rx 0.5\n  min_tx 0\n  idle_tx 999\n  multiplier 0\n  ttl 0\n  max_hops -2'));
  const errors = errorsOf(r);
  for (const [line, word] of [[3, 'min_rx'], [4, 'min_tx'], [5, 'idle_tx'], [6, 'multiplier'], [7, 'ttl'], [8, 'max_hops']] as const) {
    assert.ok(errors.some((e) => e.includes(`:${line}:`) && e.includes(word)), `${word} at line ${line}: ${errors.join(' | ')}`);
  }
  const b = r.config.bfdInstances[0]!;
  assert.deepEqual([b.minRx, b.minTx, b.idleTx, b.multiplier, b.ttl, b.maxHops], [10, 10, 1000, 5, 255, 0], 'the defaults stay');
});

test("the end handler's checks: no neighbor, mixed families, duplicates, a long name, max_hops over ttl", () => {
  const text =
    block('none', '  min_rx 20') +
    block('mixed', '  neighbor_ip 192.168.77.2\n  source_ip fd77::1') +
    block('first', '  neighbor_ip 192.168.77.3') +
    block('again', '  neighbor_ip 192.168.77.3') +
    block('a_name_that_is_thirty_two_bytes_', '  neighbor_ip 192.168.77.4') +
    block('hops', '  neighbor_ip 192.168.77.5\n  ttl 10\n  max_hops 20');
  const r = parse(text);
  const errors = errorsOf(r);
  const at = (line: number, text: string): boolean => errors.some((e) => e.includes(`:${line}:`) && e.includes(text));
  assert.ok(at(1, 'no neighbor_ip'), errors.join(' | '));
  assert.ok(at(4, 'not of the same family'), errors.join(' | '));
  assert.ok(at(11, 'duplicate neighbor address 192.168.77.3'), errors.join(' | '));
  assert.ok(at(14, 'name too long'), errors.join(' | '));
  assert.ok(at(17, 'max_hops exceeds ttl'), errors.join(' | '));
  assert.deepEqual(r.config.bfdInstances.map((b) => [b.name, b.ttl, b.maxHops]), [['first', 255, 0], ['hops', 10, 10]]);
});

test('track_bfd names a bfd_instance with vrrp events, BFD_CHECK one with checker events; a real server monitors a session once', () => {
  const r = parse(
    block('v', '  neighbor_ip 192.168.77.2\n  vrrp') +
      block('c', '  neighbor_ip 192.168.77.3\n  checker') +
      block('both', '  neighbor_ip 192.168.77.4') +
      `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  priority 100
  virtual_ipaddress {
    192.168.77.100/24
  }
  track_bfd {
    v
    c
    both weight 10
  }
}
virtual_server 192.168.77.100 80 {
  protocol TCP
  real_server 192.168.77.21 80 {
    BFD_CHECK {
      name c
    }
    BFD_CHECK {
      name v
    }
    BFD_CHECK {
      name c
    }
    BFD_CHECK {
      name both
      alpha
    }
  }
}
`,
  );
  const vi = r.config.vrrpInstances[0]!;
  assert.deepEqual(
    vi.trackBfds.map((t) => [t.name, t.weight]),
    [
      ['v', 0],
      ['both', 10],
    ],
  );
  const checkers = r.config.virtualServers[0]!.realServers[0]!.checkers;
  assert.deepEqual(
    checkers.map((c) => (c.type === 'BFD_CHECK' ? [c.name, c.alpha] : c.type)),
    [
      ['c', false],
      ['both', true],
    ],
  );
  const errors = errorsOf(r).join('\n');
  assert.match(errors, /BFD_CHECK bfd_instance 'v' is not defined - checker ignored/);
  assert.match(errors, /real server already monitoring c - checker ignored/);
});
