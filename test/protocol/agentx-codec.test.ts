/**
 * The AgentX codec (RFC 2741) byte for byte: the header and OID layouts of §6.1 and §5.1, octet strings padded to
 * four bytes and carried as bytes (an address's 0xC0 stays one byte), both byte orders read, the stream split
 * into whole PDUs; and the MIB view's Get / GetNext / GetBulk (§7.2.3).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  AgentxParseError,
  VarType,
  decodePdu,
  encodeOpen,
  encodeRegister,
  encodeResponse,
  splitPdus,
  type VarBind,
} from '../../protocol/agentx-codec.js';
import { MibView } from '../../protocol/snmp-view.js';

const ids = { sessionId: 7, transactionId: 8, packetId: 9 };

test('Open: header (version 1, type 1, NETWORK_BYTE_ORDER), ids, payload length, then timeout, id OID with the 1.3.6.1 prefix and the description padded', () => {
  const b = encodeOpen(ids, 5, [1, 3, 6, 1, 4, 1, 9586, 100, 5, 2], 'vigil');
  const expected = Buffer.from([
    1, 1, 0x10, 0, 0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 40,
    5, 0, 0, 0,
    5, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0x25, 0x72, 0, 0, 0, 100, 0, 0, 0, 5, 0, 0, 0, 2,
    0, 0, 0, 5, 0x76, 0x69, 0x67, 0x69, 0x6c, 0, 0, 0,
  ]);
  assert.deepEqual(b, expected);
});

test('Register: timeout, priority 127, no range, the subtree', () => {
  const b = encodeRegister(ids, [1, 3, 6, 1, 4, 1, 9586, 100, 5, 1]);
  assert.deepEqual([...b.subarray(20, 24)], [0, 127, 0, 0]);
  assert.equal(decodePdu(b).kind, 'register');
  const r = decodePdu(b);
  assert.ok(r.kind === 'register');
  assert.deepEqual(r.subtree, [1, 3, 6, 1, 4, 1, 9586, 100, 5, 1]);
});

test('Response varbinds round-trip with their types; octet strings stay bytes', () => {
  const varbinds: VarBind[] = [
    { oid: [1, 3, 6, 1, 4, 1, 9586, 100, 5, 2, 6, 1, 3, 1, 1], type: VarType.OctetString, value: Uint8Array.from([0xc0, 0xa8, 0x4d, 0x64, 0xff]) },
    { oid: [1, 3, 6, 1, 2, 1, 207, 1, 2, 1, 0], type: VarType.Counter64, value: 2n ** 40n + 3n },
    { oid: [1, 3, 6, 1, 2, 1, 1, 3, 0], type: VarType.TimeTicks, value: 4_000_000_000 },
    { oid: [1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0], type: VarType.ObjectIdentifier, value: [1, 3, 6, 1, 4, 1, 9586, 100, 5, 2, 10, 0, 2] },
    { oid: [1, 3, 6, 1, 4, 1, 9586, 100, 5, 2, 3, 1, 7, 1], type: VarType.Integer, value: 100 },
    { oid: [1, 3, 6, 1, 4, 1, 9586, 100, 5, 9], type: VarType.EndOfMibView },
  ];
  const pdu = decodePdu(encodeResponse(ids, 123, 0, 0, varbinds));
  assert.ok(pdu.kind === 'response');
  assert.equal(pdu.sysUpTime, 123);
  assert.deepEqual(
    pdu.varbinds.map((v) => ('value' in v && v.value instanceof Uint8Array ? { ...v, value: [...v.value] } : v)),
    varbinds.map((v) => ('value' in v && v.value instanceof Uint8Array ? { ...v, value: [...v.value] } : v)),
  );
  // header, sysUpTime/error/index, the varbind's type, its OID (4 + 10 sub-identifiers after the 1.3.6.1.4
  // prefix), five octets as 4 (length) + 5 + 3 of padding.
  const raw = encodeResponse(ids, 0, 0, 0, varbinds.slice(0, 1));
  assert.equal(raw.length, 20 + 8 + 4 + (4 + 10 * 4) + (4 + 5 + 3));
});

test('a GetNext in little-endian byte order with include set is read as such', () => {
  // header: version 1, GetNext (6), flags 0 (little endian), payload 2 OIDs: start 1.3.6.1.4.1 (include), end null.
  const payload = Buffer.from([2, 4, 1, 0, 1, 0, 0, 0, 9586 & 0xff, 9586 >> 8, 0, 0, 0, 0, 0, 0]);
  const header = Buffer.from([1, 6, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, payload.length, 0, 0, 0]);
  const pdu = decodePdu(Buffer.concat([header, payload]));
  assert.ok(pdu.kind === 'getNext');
  assert.equal(pdu.sessionId, 3);
  assert.deepEqual(pdu.ranges, [{ start: [1, 3, 6, 1, 4, 1, 9586], include: true, end: [] }]);
});

test('splitPdus: two PDUs and half of a third in one read; the rest waits', () => {
  const a = encodeRegister(ids, [1, 3, 6, 1, 4, 1, 1]);
  const b = encodeRegister({ ...ids, packetId: 10 }, [1, 3, 6, 1, 4, 1, 2]);
  const c = encodeRegister({ ...ids, packetId: 11 }, [1, 3, 6, 1, 4, 1, 3]);
  const { pdus, rest } = splitPdus(Buffer.concat([a, b, c.subarray(0, 25)]));
  assert.deepEqual(pdus.map((p) => decodePdu(p).packetId), [9, 10]);
  assert.equal(rest.length, 25);
  assert.deepEqual(splitPdus(Buffer.concat([rest, c.subarray(25)])).pdus.map((p) => decodePdu(p).packetId), [11]);
});

test('bad input is a parse error, not a crash: another version, a truncated varbind', () => {
  const good = encodeResponse(ids, 0, 0, 0, [{ oid: [1, 3, 6, 1, 2], type: VarType.Integer, value: 1 }]);
  const v2 = Buffer.from(good);
  v2[0] = 2;
  assert.throws(() => decodePdu(v2), AgentxParseError);
  const cut = Buffer.from(good.subarray(0, good.length - 4));
  cut.writeUInt32BE(cut.length - 20, 16);
  assert.throws(() => decodePdu(cut), AgentxParseError);
});

const oid = (s: string): number[] => s.split('.').map(Number);
const view = new MibView(
  [
    { oid: oid('1.3.6.1.4.1.9586.100.5.1.2.0'), type: VarType.OctetString, value: Buffer.from('lb1') },
    { oid: oid('1.3.6.1.4.1.9586.100.5.1.1.0'), type: VarType.OctetString, value: Buffer.from('vigil') },
    { oid: oid('1.3.6.1.4.1.9586.100.5.2.3.1.2.1'), type: VarType.OctetString, value: Buffer.from('VI_1') },
    { oid: oid('1.3.6.1.4.1.9586.100.5.2.3.1.2.2'), type: VarType.OctetString, value: Buffer.from('VI_2') },
  ],
  [oid('1.3.6.1.4.1.9586.100.5.1'), oid('1.3.6.1.4.1.9586.100.5.2')],
);

test('MibView Get: the instance, noSuchInstance under an object that exists, noSuchObject elsewhere', () => {
  assert.equal(view.get(oid('1.3.6.1.4.1.9586.100.5.1.1.0')).type, VarType.OctetString);
  assert.equal(view.get(oid('1.3.6.1.4.1.9586.100.5.2.3.1.2.9')).type, VarType.NoSuchInstance);
  assert.equal(view.get(oid('1.3.6.1.4.1.9586.100.5.2.3.1.77.1')).type, VarType.NoSuchObject);
});

test('MibView GetNext: sorted order, include honoured, the range end bounds it; GetBulk repeats and stops at the end', () => {
  const next = (start: string, include = false, end = '') => view.next({ start: oid(start), include, end: end === '' ? [] : oid(end) });
  assert.deepEqual(next('1.3.6.1.4.1.9586.100.5').oid, oid('1.3.6.1.4.1.9586.100.5.1.1.0'));
  assert.deepEqual(next('1.3.6.1.4.1.9586.100.5.1.1.0').oid, oid('1.3.6.1.4.1.9586.100.5.1.2.0'));
  assert.deepEqual(next('1.3.6.1.4.1.9586.100.5.1.1.0', true).oid, oid('1.3.6.1.4.1.9586.100.5.1.1.0'));
  assert.equal(next('1.3.6.1.4.1.9586.100.5.1.2.0', false, '1.3.6.1.4.1.9586.100.5.2').type, VarType.EndOfMibView);
  const bulk = view.bulk(0, 10, [{ start: oid('1.3.6.1.4.1.9586.100.5.2'), include: false, end: [] }]);
  assert.deepEqual(
    bulk.map((v) => (v.type === VarType.EndOfMibView ? 'end' : v.oid.at(-1))),
    [1, 2, 'end'],
  );
});
