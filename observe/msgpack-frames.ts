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

/**
 * Frames from a byte stream that arrives in pieces (an HTTP body): `push` a piece, get the frames it completed.
 * Throws on a frame larger than MAX_FRAME_BYTES (the stream is not frames).
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): unknown[] {
    const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.pending = this.pending.length === 0 ? piece : Buffer.concat([this.pending, piece]);
    const values: unknown[] = [];
    let offset = 0;
    while (offset + 4 <= this.pending.length) {
      const length = this.pending.readUInt32BE(offset);
      if (length > MAX_FRAME_BYTES) throw new Error(`frame of ${length} bytes: not a vigil frame stream`);
      if (offset + 4 + length > this.pending.length) break;
      values.push(packr.unpack(this.pending.subarray(offset + 4, offset + 4 + length)));
      offset += 4 + length;
    }
    // What is left is copied: the chunk it came from may be reused by its producer.
    if (offset > 0) this.pending = Buffer.from(this.pending.subarray(offset));
    else if (this.pending === piece) this.pending = Buffer.from(piece);
    return values;
  }

  /** Bytes of a frame not yet complete. */
  get buffered(): number {
    return this.pending.length;
  }
}
