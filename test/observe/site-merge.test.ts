/**
 * The pure parts of `vigil site` (observe/site/): the NTP-style offset estimate, the watermark merge of several
 * peers' records into one time order, and the mapping of a peer's record onto the site's clock and names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameReader } from '../../observe/msgpack-frames.js';
import { ClockOffsetEstimator } from '../../observe/site/clock-offset.js';
import { MergeBuffer } from '../../observe/site/merge-buffer.js';
import { mapRecord } from '../../observe/site/record-map.js';
import type { ObservedEvent } from '../../observe/observed-event.js';

test('offset: the middle of the exchange, the shortest round trip of the last samples, wall clocks from the same sample', () => {
  const estimator = new ClockOffsetEstimator(3);
  assert.equal(estimator.estimate(), undefined);
  // The peer's clock is 1000 ms ahead. A symmetric 10 ms round trip: it reads its clock 5 ms after t0.
  estimator.add({ t0: 100, t1: 1105, t3: 110 });
  assert.deepEqual(estimator.estimate(), { offsetMs: 1000, rttMs: 10, samples: 1 });
  // A sample whose answer queued 40 ms on the way back: the middle is off by 20 ms, but its round trip is longer,
  // so the first sample is kept.
  estimator.add({ t0: 200, t1: 1205, t3: 250 });
  assert.equal(estimator.estimate()!.offsetMs, 1000);
  // A tighter one (2 ms) wins, with its own error bound.
  estimator.add({ t0: 300, t1: 1301, t3: 302, peerWall: 1_700_000_000_301, localWallMinusClock: 1_699_999_999_000 });
  const e = estimator.estimate()!;
  assert.deepEqual([e.offsetMs, e.rttMs, e.samples], [1000, 2, 3]);
  // Peer wall 1_700_000_000_301 against this host's 1_699_999_999_000 + 301: 1000 ms apart.
  assert.equal(e.wallOffsetMs, 1000);
  // Only the last 3 are kept: the 2 ms sample goes after three more.
  for (const t0 of [400, 500, 600]) estimator.add({ t0, t1: t0 + 1000 + 4, t3: t0 + 8 });
  assert.deepEqual([estimator.estimate()!.rttMs, estimator.estimate()!.wallOffsetMs], [8, undefined]);
  // An answer before its question (a stepped clock) is ignored; reset forgets everything (a restarted peer).
  estimator.add({ t0: 700, t1: 0, t3: 690 });
  assert.equal(estimator.estimate()!.samples, 3);
  estimator.reset();
  assert.equal(estimator.estimate(), undefined);
});

const fault = (at: number, text: string): ObservedEvent => ({ kind: 'fault', at, text });
const texts = (list: readonly ObservedEvent[]): string[] => list.map((e) => (e.kind === 'fault' ? `${e.text}@${e.at}` : e.kind));

test('merge: records wait until every live peer has passed their time, then go out in time order', () => {
  const out: ObservedEvent[] = [];
  const merge = new MergeBuffer((e) => out.push(e));
  merge.hold('a');
  merge.hold('b');
  // a's backlog arrives first; b has said nothing yet: nothing may go out (b's records may be older).
  merge.push('a', fault(10, 'a1'));
  merge.push('a', fault(30, 'a2'));
  assert.deepEqual(out, []);
  merge.push('b', fault(20, 'b1'));
  // b has told of 20: a1 and b1 go, a2 (30) waits for b.
  assert.deepEqual(texts(out), ['a1@10', 'b1@20']);
  // b's tick at 35 lets a2 go; a's watermark is 30, so b2 at 32 waits.
  merge.advance('b', 35);
  merge.push('b', fault(32, 'b2'));
  assert.deepEqual(texts(out), ['a1@10', 'b1@20', 'a2@30']);
  // Equal times keep their order of arrival.
  merge.push('a', fault(32, 'a3'));
  merge.advance('a', 40);
  merge.advance('b', 40);
  assert.deepEqual(texts(out).slice(3), ['b2@32', 'a3@32']);
  assert.equal(merge.size, 0);
  // b unreachable: it holds nothing back any more; a's records go as a tells of them.
  merge.push('b', fault(45, 'b3'));
  merge.release('b');
  assert.deepEqual(texts(out).slice(5), []);
  merge.advance('a', 50);
  assert.deepEqual(texts(out).slice(5), ['b3@45']);
  // A record older than what went out (a backlog after reconnecting) goes at once, counted as late.
  merge.hold('b');
  merge.push('b', fault(41, 'b-late'));
  assert.deepEqual(texts(out).slice(6), ['b-late@41']);
  assert.equal(merge.late.get('b'), 1);
  assert.equal(merge.released, 45);
});

test('merge: a source not holding (the site itself) pushes records that wait only for the live peers', () => {
  const out: ObservedEvent[] = [];
  const merge = new MergeBuffer((e) => out.push(e));
  merge.push('', fault(5, 'self'));
  assert.deepEqual(texts(out), ['self@5']);
  merge.hold('a');
  merge.push('', fault(8, 'self2'));
  assert.deepEqual(texts(out), ['self@5']);
  merge.advance('a', 7);
  assert.deepEqual(texts(out), ['self@5']);
  merge.advance('a', 8);
  assert.deepEqual(texts(out), ['self@5', 'self2@8']);
});

test('record map: every time moved by the offset, the peer node renamed everywhere it appears', () => {
  const events: ObservedEvent[] = [
    { kind: 'actor', at: 1000, actor: 'host/VI_1', node: 'host', id: 'VI_1', machine: 'vrrp' },
    { kind: 'step', at: 1001, actor: 'host/VI_1', event: 'ADVERTISEMENT', state: ['BACKUP'], changed: true },
    { kind: 'bus', at: 1002, message: { kind: 'transition', at: 1002, node: 'host', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 100, vrid: 51 } },
    { kind: 'steady', at: 1010, actor: 'host/VI_1', event: 'ADVERTISEMENT', state: ['BACKUP'], count: 3, first: 1003, last: 1009 },
    { kind: 'repeated', at: 1020, message: { kind: 'advert_sent', at: 1011, node: 'host', instance: 'VI_1', priority: 100 }, count: 9, last: 1019 },
    { kind: 'process', at: 1030, node: 'host', up: false, cause: 'stop' },
    { kind: 'fault', at: 1040, text: 'x' },
    // Another node's actor stays as it is (a name that merely starts with the node's).
    { kind: 'step', at: 1050, actor: 'hostile/VI_2', event: 'E', state: ['MASTER'], changed: true },
  ];
  const mapped = events.map((e) => mapRecord(e, -1000, 'host', 'r1'));
  assert.deepEqual(mapped, [
    { kind: 'actor', at: 0, actor: 'r1/VI_1', node: 'r1', id: 'VI_1', machine: 'vrrp' },
    { kind: 'step', at: 1, actor: 'r1/VI_1', event: 'ADVERTISEMENT', state: ['BACKUP'], changed: true },
    { kind: 'bus', at: 2, message: { kind: 'transition', at: 2, node: 'r1', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 100, vrid: 51 } },
    { kind: 'steady', at: 10, actor: 'r1/VI_1', event: 'ADVERTISEMENT', state: ['BACKUP'], count: 3, first: 3, last: 9 },
    { kind: 'repeated', at: 20, message: { kind: 'advert_sent', at: 11, node: 'r1', instance: 'VI_1', priority: 100 }, count: 9, last: 19 },
    { kind: 'process', at: 30, node: 'r1', up: false, cause: 'stop' },
    { kind: 'fault', at: 40, text: 'x' },
    { kind: 'step', at: 50, actor: 'hostile/VI_2', event: 'E', state: ['MASTER'], changed: true },
  ]);
  // The originals are untouched (records are shared with the peer's other readers in-process).
  assert.equal(events[0]!.at, 1000);
});

test('merge: three long backlogs arriving one after the other come out as one time order, every record once', () => {
  const out: ObservedEvent[] = [];
  const merge = new MergeBuffer((e) => out.push(e));
  const sources = ['a', 'b', 'c'];
  for (const s of sources) merge.hold(s);
  // Each source's history: 20,000 records, times interleaved with the others' (a: 0, 3, 6…; b: 1, 4…; c: 2, 5…).
  const n = 20_000;
  // a's whole backlog, then b's, then c's, as they would arrive on connecting; then their ticks.
  sources.forEach((s, k) => {
    for (let i = 0; i < n; i++) merge.push(s, fault(i * 3 + k, `${s}${i}`));
  });
  assert.ok(out.length < 3 * n, 'c, the last to tell, holds back what is after its first record');
  for (const s of sources) merge.advance(s, 3 * n);
  assert.equal(out.length, 3 * n);
  assert.equal(merge.size, 0);
  out.forEach((e, i) => assert.equal(e.at, i));
  assert.equal(merge.late.size, 0);
});

test('frames from a stream in pieces: whatever the cut, the same values; a length past the bound is refused', () => {
  const values = [{ kind: 'hello', node: 'r1', incarnation: 'x', now: 1.5 }, { kind: 'record', seq: 0, event: fault(2, 'é') }, { kind: 'live' }];
  const bytes = Buffer.concat(values.map((v) => encodeFrame(v)));
  for (let cut = 0; cut <= bytes.length; cut++) {
    const reader = new FrameReader();
    const got = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
    assert.deepEqual(got, values, `cut at ${cut}`);
    assert.equal(reader.buffered, 0);
  }
  // One byte at a time.
  const reader = new FrameReader();
  const got: unknown[] = [];
  for (const b of bytes) got.push(...reader.push(Uint8Array.of(b)));
  assert.deepEqual(got, values);
  assert.throws(() => new FrameReader().push(Buffer.from([0x7f, 0, 0, 0, 1])), /not a vigil frame stream/);
});
