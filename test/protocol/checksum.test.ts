/**
 * The checksums the receive path computes with nothing made (issue 13: a flood's packets are each checked) give what
 * the plain forms give: the Internet checksum over a pseudo-header made and the message (RFC 5798 §5.2.8, RFC 768,
 * RFC 8200 §8.1), for IPv4 and IPv6, odd lengths included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checksumOf, internetChecksum, pseudoHeader, pseudoHeaderChecksum } from '../../protocol/checksum.js';

const bytesOf = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

test('checksumOf(bytes) = internetChecksum(bytes), odd lengths included', () => {
  fc.assert(fc.property(bytesOf(0, 300), (b) => assert.equal(checksumOf(b), internetChecksum(b))), { numRuns: 500 });
});

test('pseudoHeaderChecksum = internetChecksum(pseudoHeader(...), message), IPv4 and IPv6, any protocol', () => {
  fc.assert(
    fc.property(fc.constantFrom(4, 16), bytesOf(0, 4100), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (size, message, protocol, addresses) => {
      const source = addresses.subarray(0, size);
      const destination = addresses.subarray(16, 16 + size);
      assert.equal(pseudoHeaderChecksum(source, destination, message, protocol), internetChecksum(pseudoHeader(source, destination, message.length, protocol), message));
    }),
    { numRuns: 300 },
  );
});

test('a message carrying its own pseudo-header checksum verifies to 0, and a flipped bit does not', () => {
  const source = new Uint8Array([192, 168, 77, 11]);
  const destination = new Uint8Array([224, 0, 0, 18]);
  const message = new Uint8Array([0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0, 0, 192, 168, 77, 100]);
  const sum = pseudoHeaderChecksum(source, destination, message);
  message[6] = sum >> 8;
  message[7] = sum & 0xff;
  assert.equal(pseudoHeaderChecksum(source, destination, message), 0);
  message[2] = 0x65;
  assert.notEqual(pseudoHeaderChecksum(source, destination, message), 0);
});
