/** Maglev lookup tables (protocol/maglev.ts) and the kernel's jhash they and the nftables rule hash with. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jhash, nftConcat, nftJhash, reciprocalScale } from '../../protocol/jhash.js';
import { buildMaglevTable, isPrime, maglevDisruption, maglevPermutation, maglevPermutations, maglevTableSize, MAGLEV_MAX_SIZE, type MaglevBackend } from '../../protocol/maglev.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

test('jhash: lookup3 reference values (hashlittle of lookup3.c driver5), every tail length', () => {
  assert.equal(jhash(new Uint8Array(0), 0), 0xdeadbeef);
  assert.equal(jhash(new Uint8Array(0), 0xdeadbeef), 0xbd5b7dde);
  assert.equal(jhash(text('Four score and seven years ago'), 0), 0x17770551);
  assert.equal(jhash(text('Four score and seven years ago'), 1), 0xcd628161);
  // Every length from 0 to 40 gives a different 32-bit value, so the tail cases are all reached.
  const seen = new Set<number>();
  for (let n = 0; n <= 40; n++) seen.add(jhash(text('x'.repeat(n)), 0));
  assert.equal(seen.size, 41);
});

test('reciprocal_scale: (v × range) >> 32 without losing bits', () => {
  assert.equal(reciprocalScale(0, 65537), 0);
  assert.equal(reciprocalScale(0xffffffff, 65537), 65536);
  assert.equal(reciprocalScale(0x80000000, 101), 50);
  for (const [v, r] of [[0x12345678, 65537], [0xfedcba98, 16_777_213], [0xdeadbeef, 7]] as const) {
    assert.equal(reciprocalScale(v, r), Number((BigInt(v) * BigInt(r)) >> 32n));
  }
  assert.ok(nftJhash(text('abc'), 5) < 5);
});

test('nftConcat pads every field to 32 bits with zeros', () => {
  assert.deepEqual([...nftConcat([Uint8Array.of(192, 168, 77, 9), Uint8Array.of(0x1f, 0x90), Uint8Array.of(6)])], [192, 168, 77, 9, 0x1f, 0x90, 0, 0, 6, 0, 0, 0]);
});

const pool = (n: number, weight = 1): MaglevBackend[] => Array.from({ length: n }, (_, i) => ({ name: `192.168.77.${100 + i}:8080`, weight }));

test('table size: the smallest prime ≥ 256 × backends, at least 8,191; a size that is not a prime is refused', () => {
  assert.equal(maglevTableSize(1), 8191);
  assert.equal(maglevTableSize(4), 8191);
  assert.equal(maglevTableSize(32), 8209);
  assert.equal(maglevTableSize(100), 25601);
  assert.equal(maglevTableSize(0), 8191);
  assert.ok(isPrime(65537) && isPrime(MAGLEV_MAX_SIZE));
  assert.throws(() => buildMaglevTable(pool(3), 400), /not a prime/);
  assert.throws(() => buildMaglevTable([...pool(2), { name: '192.168.77.100:8080', weight: 2 }], 101), /given twice/);
});

test('deterministic: the same pool in any order gives the same table; every slot is filled', () => {
  const backends = pool(7);
  const a = buildMaglevTable(backends, 701);
  const b = buildMaglevTable([...backends].reverse(), 701);
  assert.deepEqual([...a.slots], [...b.slots]);
  assert.deepEqual(a.backends.map((x) => x.name), b.backends.map((x) => x.name));
  assert.ok(a.slots.every((s) => s >= 0 && s < 7));
  // A different pool gives a different table (the test could fail if the names did not matter).
  const c = buildMaglevTable(pool(7).map((x) => ({ ...x, name: x.name.replace('8080', '8081') })), 701);
  assert.notDeepEqual([...a.slots], [...c.slots]);
  assert.ok(buildMaglevTable([], 101).slots.every((s) => s === -1));
});

test('balance: with equal weights every backend holds ⌊M/N⌋ or ⌈M/N⌉ slots (the paper, §3.4)', () => {
  for (const n of [2, 3, 10, 33, 100]) {
    const size = maglevTableSize(n);
    const t = buildMaglevTable(pool(n), size);
    const counts = new Array<number>(n).fill(0);
    for (const s of t.slots) counts[s]!++;
    for (const c of counts) assert.ok(c === Math.floor(size / n) || c === Math.ceil(size / n), `n=${n}: ${c} slots of ${size}`);
  }
});

test('disruption: removing one of N backends moves its own slots and at most 2 % of the table besides (3.5 % at M ≈ 100 × N)', () => {
  for (const [n, size, extra] of [[5, maglevTableSize(5), 0.02], [10, maglevTableSize(10), 0.02], [50, maglevTableSize(50), 0.02], [200, maglevTableSize(200), 0.02], [10, 1009, 0.035], [50, 5003, 0.035]] as const) {
    const before = buildMaglevTable(pool(n), size);
    const gone = pool(n)[Math.floor(n / 2)]!.name;
    const after = buildMaglevTable(pool(n).filter((b) => b.name !== gone), size);
    const moved = maglevDisruption(before, after);
    // Every slot of the lost backend must move.
    const own = before.slots.filter((s) => before.backends[s]!.name === gone).length / size;
    assert.ok(moved >= own, `n=${n}: moved ${moved} < own share ${own}`);
    assert.ok(moved <= 1 / n + extra, `n=${n}, M=${size}: moved ${moved.toFixed(4)} > 1/N + ${extra * 100} %`);
    // Adding it back restores the original table exactly.
    assert.equal(maglevDisruption(before, buildMaglevTable(pool(n), size)), 0);
  }
});

test('weights: each backend holds its share of the weights, within one round of turns', () => {
  const backends: MaglevBackend[] = [
    { name: 'a:80', weight: 1 },
    { name: 'b:80', weight: 2 },
    { name: 'c:80', weight: 3 },
    { name: 'd:80', weight: 0 },
  ];
  const size = 1009;
  const t = buildMaglevTable(backends, size);
  assert.deepEqual(t.backends.map((b) => b.name), ['a:80', 'b:80', 'c:80']);
  assert.deepEqual(t.turns, [1, 2, 3]);
  const counts = [0, 0, 0];
  for (const s of t.slots) counts[s]!++;
  counts.forEach((c, i) => {
    const expected = (size * t.turns[i]!) / 6;
    assert.ok(Math.abs(c - expected) <= t.turns[i]!, `${t.backends[i]!.name}: ${c} slots, expected ${expected.toFixed(1)}`);
  });
  // Weights with a common divisor give the same table as their reduced form.
  const doubled = buildMaglevTable(backends.map((b) => ({ ...b, weight: b.weight * 10 })), size);
  assert.deepEqual([...doubled.slots], [...t.slots]);
  // Weights too large for one round are scaled down, keeping every live backend in the table.
  const huge = buildMaglevTable([{ name: 'a:80', weight: 1 }, { name: 'b:80', weight: 100_000 }], 101);
  assert.ok(huge.turns[0]! >= 1 && huge.turns[0]! + huge.turns[1]! <= 101);
  assert.ok(huge.slots.includes(0));
  // More backends than slots: one turn each, the table filled, no endless halving.
  const crowded = buildMaglevTable(pool(150).map((b, i) => ({ ...b, weight: 1 + i })), 101);
  assert.ok(crowded.turns.every((t) => t === 1) && crowded.slots.every((s) => s >= 0));
});

test('two backends with one skip walk in lockstep; permutations of the configured pool draw the later one again', () => {
  // 192.168.77.43:8080 and .44:8080 have the same skip (617) in a table of 1,031: losing .41 then moved 19 % of the
  // other servers' flows besides its own 25 %.
  const size = 1031;
  const backends = [41, 42, 43, 44].map((i) => ({ name: `192.168.77.${i}:8080`, weight: 1 }));
  assert.equal(maglevPermutation('192.168.77.43:8080', size).skip, maglevPermutation('192.168.77.44:8080', size).skip);
  const permutations = maglevPermutations(backends.map((b) => b.name), size);
  assert.equal(new Set([...permutations.values()].map((p) => p.skip)).size, 4);
  assert.deepEqual(permutations.get('192.168.77.43:8080'), maglevPermutation('192.168.77.43:8080', size), 'the first in name order keeps its own');
  const extra = (perms: typeof permutations | undefined, lost: number): number => {
    const before = buildMaglevTable(backends, size, perms);
    const after = buildMaglevTable(backends.filter((_, i) => i !== lost), size, perms);
    const own = before.slots.filter((s) => before.backends[s]!.name === backends[lost]!.name).length / size;
    return maglevDisruption(before, after) - own;
  };
  assert.ok(extra(undefined, 0) > 0.1, 'the defect shows without them');
  for (let lost = 0; lost < 4; lost++) assert.ok(extra(permutations, lost) <= 0.02, `losing ${backends[lost]!.name} moved ${extra(permutations, lost)} besides its own`);
});
