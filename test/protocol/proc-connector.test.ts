/**
 * The process events connector's messages (protocol/proc-connector.ts) against the layouts of linux/connector.h
 * and linux/cn_proc.h: the listen request byte for byte, each event type read back from bytes built field by
 * field, and what is not a process event refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CN_IDX_PROC, CN_VAL_PROC, decodeProcEvent, encodeProcListen } from '../../protocol/proc-connector.js';
import { LITTLE_ENDIAN } from '../../protocol/genl.js';

/** nlmsghdr (16) + cn_msg (20) + proc_event header (what, cpu, timestamp: 16) + data. */
function eventBytes(what: number, data: number[], options: { seq?: number; ack?: number; idx?: number; type?: number; cpu?: number; tail?: Uint8Array } = {}): Uint8Array {
  const tail = options.tail ?? new Uint8Array();
  const bytes = new Uint8Array(52 + data.length * 4 + tail.length);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, bytes.length, LITTLE_ENDIAN);
  v.setUint16(4, options.type ?? 3, LITTLE_ENDIAN);
  v.setUint32(16, options.idx ?? CN_IDX_PROC, LITTLE_ENDIAN);
  v.setUint32(20, CN_VAL_PROC, LITTLE_ENDIAN);
  v.setUint32(24, options.seq ?? 7, LITTLE_ENDIAN);
  v.setUint32(28, options.ack ?? 0, LITTLE_ENDIAN);
  v.setUint16(32, bytes.length - 36, LITTLE_ENDIAN);
  v.setUint32(36, what, LITTLE_ENDIAN);
  v.setUint32(40, options.cpu ?? 1, LITTLE_ENDIAN);
  data.forEach((d, i) => v.setInt32(52 + i * 4, d, LITTLE_ENDIAN));
  bytes.set(tail, 52 + data.length * 4);
  return bytes;
}

test('the listen and ignore requests: NLMSG_DONE, CN_IDX_PROC/CN_VAL_PROC, a 4-byte operation', () => {
  const listen = encodeProcListen(4242, true);
  const v = new DataView(listen.buffer);
  assert.equal(listen.length, 40);
  assert.equal(v.getUint32(0, LITTLE_ENDIAN), 40);
  assert.equal(v.getUint16(4, LITTLE_ENDIAN), 3, 'NLMSG_DONE');
  assert.equal(v.getUint32(12, LITTLE_ENDIAN), 4242, 'the sender port');
  assert.deepEqual([v.getUint32(16, LITTLE_ENDIAN), v.getUint32(20, LITTLE_ENDIAN)], [1, 1]);
  assert.equal(v.getUint16(32, LITTLE_ENDIAN), 4, 'cn_msg.len');
  assert.equal(v.getUint32(36, LITTLE_ENDIAN), 1, 'PROC_CN_MCAST_LISTEN');
  assert.equal(new DataView(encodeProcListen(4242, false).buffer).getUint32(36, LITTLE_ENDIAN), 2, 'PROC_CN_MCAST_IGNORE');
});

test('fork, exec, comm and exit events read back with their CPU and sequence number', () => {
  assert.deepEqual(decodeProcEvent(eventBytes(0x1, [100, 100, 101, 101], { seq: 9, cpu: 3 })), { kind: 'fork', cpu: 3, seq: 9, parentPid: 100, parentTgid: 100, childPid: 101, childTgid: 101 });
  assert.deepEqual(decodeProcEvent(eventBytes(0x2, [101, 101])), { kind: 'exec', cpu: 1, seq: 7, pid: 101, tgid: 101 });
  const name = new Uint8Array(16);
  name.set(new TextEncoder().encode('worker'));
  assert.deepEqual(decodeProcEvent(eventBytes(0x200, [102, 101], { tail: name })), { kind: 'comm', cpu: 1, seq: 7, pid: 102, tgid: 101, comm: 'worker' });
  assert.deepEqual(decodeProcEvent(eventBytes(0x80000000, [101, 101, 9, 17])), { kind: 'exit', cpu: 1, seq: 7, pid: 101, tgid: 101, exitCode: 9, exitSignal: 17 });
  assert.deepEqual(decodeProcEvent(eventBytes(0x4, [101, 101, 0, 0])), { kind: 'other', cpu: 1, seq: 7, what: 4 }, 'UID change');
});

test('the acknowledgement is an event of type NONE with ack set; any other pairing is refused', () => {
  assert.deepEqual(decodeProcEvent(eventBytes(0, [0], { ack: 1 })), { kind: 'ack', cpu: 1, seq: 7, error: 0 });
  assert.equal(decodeProcEvent(eventBytes(0, [0], { ack: 0 })), undefined);
  assert.equal(decodeProcEvent(eventBytes(0x1, [1, 1, 2, 2], { ack: 1 })), undefined);
});

test('not a process event: too short, a netlink error, another connector, a truncated event', () => {
  assert.equal(decodeProcEvent(new Uint8Array(20)), undefined);
  assert.equal(decodeProcEvent(eventBytes(0x1, [1, 1, 2, 2], { type: 2 })), undefined);
  assert.equal(decodeProcEvent(eventBytes(0x1, [1, 1, 2, 2], { idx: 4 })), undefined);
  assert.equal(decodeProcEvent(eventBytes(0x1, [1, 1])), undefined, 'fork data cut short');
  const lying = eventBytes(0x2, [1, 1]);
  new DataView(lying.buffer).setUint32(0, lying.length + 4, LITTLE_ENDIAN);
  assert.equal(decodeProcEvent(lying), undefined, 'a length longer than the datagram');
});
