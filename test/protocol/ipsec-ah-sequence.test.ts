/** keepalived's AH sequence counter (protocol/ipsec-ah-sequence.ts): sending, anti-replay, syncing, cycling. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AH_COUNTER_START,
  AH_SEQUENCE_LAST_STEP,
  masterSequence,
  receivedSequence,
  sendSequence,
  sequenceAccepted,
} from '../../protocol/ipsec-ah-sequence.js';

test('sending counts from 1, one number per advertisement', () => {
  let c = AH_COUNTER_START;
  const sent: number[] = [];
  for (let i = 0; i < 3; i++) {
    c = sendSequence(c);
    sent.push(c.sequence);
  }
  assert.deepEqual(sent, [1, 2, 3]);
});

test('only a number above the counter is accepted; the counter then takes it', () => {
  const c = { sequence: 10, cycled: false };
  assert.equal(sequenceAccepted(c, 10), false);
  assert.equal(sequenceAccepted(c, 9), false);
  assert.equal(sequenceAccepted(c, 11), true);
  assert.equal(sequenceAccepted(c, 0xffffffff), true);
  assert.deepEqual(receivedSequence(c, 500, 'backup'), { sequence: 500, cycled: false });
  // What we send next follows what we heard: a peer that accepted 500 accepts 501.
  assert.equal(sendSequence(receivedSequence(c, 500, 'backup')).sequence, 501);
});

test('a master hearing a lower priority jumps past the sender (keepalived "Syncing seq_num")', () => {
  const c = { sequence: 3, cycled: true };
  const synced = receivedSequence(c, 1000, 'master_hears_lower');
  assert.deepEqual(synced, { sequence: 1001, cycled: false });
  assert.equal(sendSequence(synced).sequence, 1002);
  assert.deepEqual(receivedSequence({ sequence: 0, cycled: false }, 0xffffffff, 'master_hears_lower'), { sequence: 0, cycled: false });
});

test('past 0xFFFFFFFD the counter stops and is marked cycled; becoming master restarts it', () => {
  let c = { sequence: AH_SEQUENCE_LAST_STEP, cycled: false };
  c = sendSequence(c);
  assert.deepEqual(c, { sequence: 0xfffffffe, cycled: false });
  c = sendSequence(c);
  assert.deepEqual(c, { sequence: 0xfffffffe, cycled: true });
  assert.deepEqual(masterSequence(c), AH_COUNTER_START);
  // Not cycled: becoming master keeps the counter.
  assert.deepEqual(masterSequence({ sequence: 7, cycled: false }), { sequence: 7, cycled: false });
  // A backup hearing a newer advertisement clears the mark; 'other' (a priority 0, a later drop) keeps it.
  assert.deepEqual(receivedSequence({ sequence: 5, cycled: true }, 6, 'backup'), { sequence: 6, cycled: false });
  assert.deepEqual(receivedSequence({ sequence: 5, cycled: true }, 6, 'other'), { sequence: 6, cycled: true });
  assert.deepEqual(receivedSequence({ sequence: 5, cycled: true }, 6, 'master_yields'), { sequence: 6, cycled: false });
});
