/**
 * Generic netlink framing as pure functions: netlink attributes (struct nlattr, 4-byte aligned, NLA_F_NESTED),
 * the message header (struct nlmsghdr), the generic header (struct genlmsghdr), reply parsing, and the controller's
 * CTRL_CMD_GETFAMILY (linux/genetlink.h). Integers are in host byte order except where a caller says otherwise.
 */
import { endianness } from 'node:os';

export const LITTLE_ENDIAN = endianness() === 'LE';

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
/** NLM_F_ROOT | NLM_F_MATCH. */
export const NLM_F_DUMP = 0x300;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLA_F_NESTED = 0x8000;
export const NLA_TYPE_MASK = 0x3fff;
export const NLMSG_HDRLEN = 16;
export const GENL_HDRLEN = 4;

/** The controller family (GENL_ID_CTRL) and its commands and attributes. */
export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;

const align4 = (n: number): number => (n + 3) & ~3;

/** One attribute: length (header + payload, unpadded), type, payload, zero padding to 4 bytes. */
export function attr(type: number, payload: Uint8Array): Uint8Array {
  const length = 4 + payload.length;
  if (length > 0xffff) throw new Error(`netlink attribute ${type} too long (${length} bytes)`);
  const out = new Uint8Array(align4(length));
  put16(out, 0, length);
  put16(out, 2, type);
  out.set(payload, 4);
  return out;
}

export function nested(type: number, children: readonly Uint8Array[]): Uint8Array {
  return attr(type | NLA_F_NESTED, concat(children));
}

export function u8(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff);
}

/** Host-order 16-bit store without a DataView (hot path: every attribute header). */
function put16(out: Uint8Array, offset: number, value: number): void {
  out[offset + (LITTLE_ENDIAN ? 0 : 1)] = value & 0xff;
  out[offset + (LITTLE_ENDIAN ? 1 : 0)] = (value >> 8) & 0xff;
}

export function u16(value: number): Uint8Array {
  const out = new Uint8Array(2);
  put16(out, 0, value);
  return out;
}

/** A 16-bit value in network byte order (__be16: ports). */
export function be16(value: number): Uint8Array {
  return Uint8Array.of((value >> 8) & 0xff, value & 0xff);
}

export function u32(value: number): Uint8Array {
  const v = value >>> 0;
  return LITTLE_ENDIAN
    ? Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24)
    : Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export function be32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, false);
  return out;
}

/** NUL-terminated string (NLA_NUL_STRING / nla_put_string). */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function cstring(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export interface GenlHeader {
  /** The family id resolved with CTRL_CMD_GETFAMILY (the nlmsg_type). */
  readonly familyId: number;
  readonly cmd: number;
  readonly version: number;
  readonly flags: number;
  readonly seq: number;
  /** nlmsg_pid; 0 lets the kernel take the sending socket's port. */
  readonly portId?: number;
}

/** nlmsghdr (len, type, flags, seq, pid) + genlmsghdr (cmd, version, reserved) + attributes. */
export function genlMessage(header: GenlHeader, attrs: readonly Uint8Array[]): Uint8Array {
  const body = concat(attrs);
  const out = new Uint8Array(NLMSG_HDRLEN + GENL_HDRLEN + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length, LITTLE_ENDIAN);
  view.setUint16(4, header.familyId, LITTLE_ENDIAN);
  view.setUint16(6, header.flags, LITTLE_ENDIAN);
  view.setUint32(8, header.seq >>> 0, LITTLE_ENDIAN);
  view.setUint32(12, (header.portId ?? 0) >>> 0, LITTLE_ENDIAN);
  out[16] = header.cmd;
  out[17] = header.version;
  out.set(body, NLMSG_HDRLEN + GENL_HDRLEN);
  return out;
}

export interface NetlinkReply {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly portId: number;
  readonly payload: Uint8Array;
}

/** Splits a datagram into netlink messages (several per read for dumps). */
export function parseNetlinkMessages(data: Uint8Array): NetlinkReply[] {
  return splitRecords(data, NLMSG_HDRLEN, 'message', (view, offset, length) => ({
    type: view.getUint16(offset + 4, LITTLE_ENDIAN),
    flags: view.getUint16(offset + 6, LITTLE_ENDIAN),
    seq: view.getUint32(offset + 8, LITTLE_ENDIAN),
    portId: view.getUint32(offset + 12, LITTLE_ENDIAN),
    payload: data.subarray(offset + NLMSG_HDRLEN, offset + length),
  }));
}

/** The errno of an NLMSG_ERROR payload (0 is an ACK), as a positive number. */
export function errorCode(reply: NetlinkReply): number {
  if (reply.type !== NLMSG_ERROR || reply.payload.length < 4) throw new Error('not an NLMSG_ERROR message');
  return -new DataView(reply.payload.buffer, reply.payload.byteOffset, 4).getInt32(0, LITTLE_ENDIAN);
}

export interface Attribute {
  /** Type without NLA_F_NESTED / NLA_F_NET_BYTEORDER. */
  readonly type: number;
  readonly nested: boolean;
  readonly value: Uint8Array;
}

export function parseAttributes(data: Uint8Array): Attribute[] {
  return splitRecords(data, 4, 'attribute', (view, offset, length) => {
    const rawType = view.getUint16(offset + 2, LITTLE_ENDIAN);
    return { type: rawType & NLA_TYPE_MASK, nested: (rawType & NLA_F_NESTED) !== 0, value: data.subarray(offset + 4, offset + length) };
  });
}

/**
 * Netlink's records: messages (struct nlmsghdr: 16 bytes, a 32-bit length first) and attributes (struct nlattr:
 * 4 bytes, a 16-bit length first). Each starts with its length, header included; the next starts at the 4-byte
 * boundary after it (NLMSG_ALIGN, NLA_ALIGN). A length shorter than the header or past the end is malformed.
 */
function splitRecords<T>(data: Uint8Array, headerLength: 4 | 16, what: string, read: (view: DataView, offset: number, length: number) => T): T[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: T[] = [];
  let offset = 0;
  while (offset + headerLength <= data.length) {
    const length = headerLength === 4 ? view.getUint16(offset, LITTLE_ENDIAN) : view.getUint32(offset, LITTLE_ENDIAN);
    if (length < headerLength || offset + length > data.length) throw new Error(`malformed netlink ${what} at ${offset}`);
    out.push(read(view, offset, length));
    offset += align4(length);
  }
  return out;
}

/** Attributes by type (the last one wins). */
export function attributeMap(data: Uint8Array): Map<number, Uint8Array> {
  return new Map(parseAttributes(data).map((a) => [a.type, a.value]));
}

export interface GenlPayload {
  readonly cmd: number;
  readonly version: number;
  readonly attrs: Uint8Array;
}

export function parseGenl(payload: Uint8Array): GenlPayload {
  if (payload.length < GENL_HDRLEN) throw new Error('generic netlink payload shorter than its header');
  return { cmd: payload[0] ?? 0, version: payload[1] ?? 0, attrs: payload.subarray(GENL_HDRLEN) };
}

export function readU16(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 2).getUint16(0, LITTLE_ENDIAN);
}

export function readU32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, LITTLE_ENDIAN);
}

export function readBe16(bytes: Uint8Array): number {
  return ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
}

export function readBe32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
}

export function readCString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/** CTRL_CMD_GETFAMILY for one family by name (flags REQUEST only: the reply is the family's NEWFAMILY). */
export function getFamilyMessage(name: string, seq: number): Uint8Array {
  return genlMessage({ familyId: GENL_ID_CTRL, cmd: CTRL_CMD_GETFAMILY, version: 1, flags: NLM_F_REQUEST, seq }, [
    attr(CTRL_ATTR_FAMILY_NAME, cstring(name)),
  ]);
}

/** The family id in a CTRL_CMD_NEWFAMILY reply. */
export function familyIdOf(reply: NetlinkReply): number {
  const id = attributeMap(parseGenl(reply.payload).attrs).get(CTRL_ATTR_FAMILY_ID);
  if (id === undefined) throw new Error('controller reply without CTRL_ATTR_FAMILY_ID');
  return readU16(id);
}
