/**
 * Length-prefixed msgpack frames, as the status socket uses them: 4 bytes of big-endian length, then one
 * msgpack value. Plain msgpack (no msgpackr records), so any msgpack reader can read a recording.
 */
import { Packr } from 'msgpackr';

const packr = new Packr({ mapsAsObjects: true, useRecords: false });

/** A frame larger than this is taken for corruption. */
export const MAX_FRAME_BYTES = 16 << 20;

export function encodeFrame(value: unknown): Buffer {
  const body = packr.pack(value);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/**
 * The frames of a buffer, in order. A frame cut short at the end (the writer died mid-write) ends the list;
 * `truncated` tells whether that happened.
 */
export function decodeFrames(bytes: Uint8Array): { values: unknown[]; truncated: boolean } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: unknown[] = [];
  let offset = 0;
  while (offset + 4 <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    if (length > MAX_FRAME_BYTES || offset + 4 + length > buffer.length) return { values, truncated: true };
    values.push(packr.unpack(buffer.subarray(offset + 4, offset + 4 + length)));
    offset += 4 + length;
  }
  return { values, truncated: offset !== buffer.length };
}
