/**
 * The AgentX protocol (RFC 2741) as a subagent speaks it to the host's snmpd: PDU encoding and decoding, and the
 * splitting of the byte stream into PDUs. Pure: no sockets here (transport/real/agentx-subagent.ts has them).
 *
 * Written here rather than taken from the npm `net-snmp` package: its AgentX encoder writes OCTET STRINGs as UTF-8
 * with the character count as their length (any byte >= 0x80, as in every address keepalived's MIB serves, corrupts
 * the PDU), writes IpAddress wrongly, drops the `include` flag of search ranges, and reads each socket chunk as one
 * PDU (a stream may join or split them).
 */

/** RFC 2741 §6.1: h.type. */
export const AgentxPduType = {
  Open: 1,
  Close: 2,
  Register: 3,
  Unregister: 4,
  Get: 5,
  GetNext: 6,
  GetBulk: 7,
  TestSet: 8,
  CommitSet: 9,
  UndoSet: 10,
  CleanupSet: 11,
  Notify: 12,
  Ping: 13,
  IndexAllocate: 14,
  IndexDeallocate: 15,
  AddAgentCaps: 16,
  RemoveAgentCaps: 17,
  Response: 18,
} as const;

/** RFC 2741 §5.4: the varbind types (the SNMP application types and the three exceptions). */
export const VarType = {
  Integer: 2,
  OctetString: 4,
  Null: 5,
  ObjectIdentifier: 6,
  IpAddress: 64,
  Counter32: 65,
  Gauge32: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  NoSuchObject: 128,
  NoSuchInstance: 129,
  EndOfMibView: 130,
} as const;
export type VarTypeCode = (typeof VarType)[keyof typeof VarType];

/** RFC 2741 §6.2.16: res.error values a subagent sends. */
export const AgentxError = {
  noError: 0,
  genErr: 5,
  noAccess: 6,
  wrongType: 7,
  wrongValue: 10,
  notWritable: 17,
  commitFailed: 14,
  undoFailed: 15,
  noCreation: 11,
  inconsistentValue: 12,
  openFailed: 256,
  notOpen: 257,
  parseError: 266,
  requestDenied: 267,
  processingError: 268,
} as const;

/** RFC 2741 §6.2.2: why a session is closed. */
export const CloseReason = { other: 1, parseError: 2, protocolError: 3, timeouts: 4, shutdown: 5, byManager: 6 } as const;

const FLAG_NON_DEFAULT_CONTEXT = 0x08;
const FLAG_NETWORK_BYTE_ORDER = 0x10;
export const HEADER_LENGTH = 20;

export type Oid = readonly number[];

export type VarValue =
  | { readonly type: typeof VarType.Integer | typeof VarType.Counter32 | typeof VarType.Gauge32 | typeof VarType.TimeTicks; readonly value: number }
  | { readonly type: typeof VarType.Counter64; readonly value: bigint }
  | { readonly type: typeof VarType.OctetString | typeof VarType.Opaque | typeof VarType.IpAddress; readonly value: Uint8Array }
  | { readonly type: typeof VarType.ObjectIdentifier; readonly value: Oid }
  | { readonly type: typeof VarType.Null | typeof VarType.NoSuchObject | typeof VarType.NoSuchInstance | typeof VarType.EndOfMibView };

export type VarBind = VarValue & { readonly oid: Oid };

export interface SearchRange {
  readonly start: Oid;
  /** Whether `start` itself may be returned (GetNext / GetBulk). */
  readonly include: boolean;
  /** Exclusive upper bound; empty for none. */
  readonly end: Oid;
}

export interface Header {
  readonly type: number;
  readonly flags: number;
  readonly sessionId: number;
  readonly transactionId: number;
  readonly packetId: number;
}

export type AgentxPdu =
  | (Header & { readonly kind: 'open'; readonly timeout: number; readonly id: Oid; readonly description: string })
  | (Header & { readonly kind: 'close'; readonly reason: number })
  | (Header & { readonly kind: 'register'; readonly timeout: number; readonly priority: number; readonly subtree: Oid })
  | (Header & { readonly kind: 'get' | 'getNext'; readonly ranges: readonly SearchRange[] })
  | (Header & { readonly kind: 'getBulk'; readonly nonRepeaters: number; readonly maxRepetitions: number; readonly ranges: readonly SearchRange[] })
  | (Header & { readonly kind: 'testSet'; readonly varbinds: readonly VarBind[] })
  | (Header & { readonly kind: 'commitSet' | 'undoSet' | 'cleanupSet' | 'ping' })
  | (Header & { readonly kind: 'notify'; readonly varbinds: readonly VarBind[] })
  | (Header & { readonly kind: 'response'; readonly sysUpTime: number; readonly error: number; readonly index: number; readonly varbinds: readonly VarBind[] })
  | (Header & { readonly kind: 'other' });

export class AgentxParseError extends Error {}

// ---- encoding (always in network byte order, h.flags NETWORK_BYTE_ORDER set) ----

class Writer {
  private parts: Buffer[] = [];
  private length = 0;
  private push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  u8(...values: number[]): this {
    this.push(Buffer.from(values));
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    this.push(b);
    return this;
  }
  u64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt.asUintN(64, v));
    this.push(b);
    return this;
  }
  /** RFC 2741 §5.1: n_subid, prefix (1.3.6.1.<prefix> shortened), include, reserved, then the sub-identifiers. */
  oid(oid: Oid, include = false): this {
    const prefixed = oid.length >= 5 && oid[0] === 1 && oid[1] === 3 && oid[2] === 6 && oid[3] === 1 && oid[4]! > 0 && oid[4]! < 256;
    const rest = prefixed ? oid.slice(5) : oid;
    this.u8(rest.length, prefixed ? oid[4]! : 0, include ? 1 : 0, 0);
    for (const s of rest) this.u32(s);
    return this;
  }
  /** RFC 2741 §5.3: length, the octets, padded to a multiple of 4. */
  octets(bytes: Uint8Array): this {
    this.u32(bytes.length);
    this.push(Buffer.from(bytes));
    const pad = (4 - (bytes.length % 4)) % 4;
    if (pad > 0) this.push(Buffer.alloc(pad));
    return this;
  }
  varbind(v: VarBind): this {
    this.u16(v.type).u16(0).oid(v.oid);
    switch (v.type) {
      case VarType.Integer:
      case VarType.Counter32:
      case VarType.Gauge32:
      case VarType.TimeTicks:
        return this.u32(v.value);
      case VarType.Counter64:
        return this.u64(v.value);
      case VarType.OctetString:
      case VarType.Opaque:
      case VarType.IpAddress:
        return this.octets(v.value);
      case VarType.ObjectIdentifier:
        return this.oid(v.value);
      default:
        return this;
    }
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

function frame(header: Omit<Header, 'flags'> & { readonly flags?: number }, payload: Buffer): Buffer {
  const h = new Writer()
    .u8(1, header.type, (header.flags ?? 0) | FLAG_NETWORK_BYTE_ORDER, 0)
    .u32(header.sessionId)
    .u32(header.transactionId)
    .u32(header.packetId)
    .u32(payload.length)
    .bytes();
  return Buffer.concat([h, payload]);
}

export interface Ids {
  readonly sessionId: number;
  readonly transactionId: number;
  readonly packetId: number;
}

export function encodeOpen(ids: Ids, timeoutS: number, id: Oid, description: string): Buffer {
  return frame({ ...ids, type: AgentxPduType.Open }, new Writer().u8(timeoutS, 0, 0, 0).oid(id).octets(Buffer.from(description)).bytes());
}

export function encodeClose(ids: Ids, reason: number): Buffer {
  return frame({ ...ids, type: AgentxPduType.Close }, new Writer().u8(reason, 0, 0, 0).bytes());
}

export function encodeRegister(ids: Ids, subtree: Oid, priority = 127, timeoutS = 0): Buffer {
  return frame({ ...ids, type: AgentxPduType.Register }, new Writer().u8(timeoutS, priority, 0, 0).oid(subtree).bytes());
}

export function encodeNotify(ids: Ids, varbinds: readonly VarBind[]): Buffer {
  const w = new Writer();
  for (const v of varbinds) w.varbind(v);
  return frame({ ...ids, type: AgentxPduType.Notify }, w.bytes());
}

/** RFC 2741 §6.2.16: the response to a request carries its ids; `index` is 1-based, 0 without error. */
export function encodeResponse(ids: Ids, sysUpTime: number, error: number, index: number, varbinds: readonly VarBind[]): Buffer {
  const w = new Writer().u32(sysUpTime).u16(error).u16(index);
  for (const v of varbinds) w.varbind(v);
  return frame({ ...ids, type: AgentxPduType.Response }, w.bytes());
}

// ---- decoding ----

class Reader {
  private at = 0;
  constructor(
    private readonly b: Buffer,
    private readonly big: boolean,
  ) {}
  get done(): boolean {
    return this.at >= this.b.length;
  }
  private need(n: number): void {
    if (this.at + n > this.b.length) throw new AgentxParseError(`PDU ends inside a field (${n} bytes at ${this.at} of ${this.b.length})`);
  }
  u8(): number {
    this.need(1);
    return this.b[this.at++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.big ? this.b.readUInt16BE(this.at) : this.b.readUInt16LE(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.big ? this.b.readUInt32BE(this.at) : this.b.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.big ? this.b.readBigUInt64BE(this.at) : this.b.readBigUInt64LE(this.at);
    this.at += 8;
    return v;
  }
  oid(): { oid: Oid; include: boolean } {
    const n = this.u8();
    const prefix = this.u8();
    const include = this.u8() !== 0;
    this.u8();
    if (n > 128) throw new AgentxParseError(`an OID of ${n} sub-identifiers (RFC 2741 allows 128)`);
    const subids: number[] = prefix !== 0 ? [1, 3, 6, 1, prefix] : [];
    for (let i = 0; i < n; i++) subids.push(this.u32());
    return { oid: subids, include };
  }
  octets(): Buffer {
    const n = this.u32();
    this.need(n);
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n + ((4 - (n % 4)) % 4);
    if (this.at > this.b.length) throw new AgentxParseError('octet string padding past the end of the PDU');
    return Buffer.from(v);
  }
  varbind(): VarBind {
    const type = this.u16();
    this.u16();
    const { oid } = this.oid();
    switch (type) {
      case VarType.Integer:
      case VarType.Counter32:
      case VarType.Gauge32:
      case VarType.TimeTicks:
        return { oid, type, value: this.u32() };
      case VarType.Counter64:
        return { oid, type, value: this.u64() };
      case VarType.OctetString:
      case VarType.Opaque:
      case VarType.IpAddress:
        return { oid, type, value: this.octets() };
      case VarType.ObjectIdentifier:
        return { oid, type, value: this.oid().oid };
      case VarType.Null:
      case VarType.NoSuchObject:
      case VarType.NoSuchInstance:
      case VarType.EndOfMibView:
        return { oid, type };
      default:
        throw new AgentxParseError(`unknown varbind type ${type}`);
    }
  }
  ranges(): SearchRange[] {
    const out: SearchRange[] = [];
    while (!this.done) {
      const start = this.oid();
      const end = this.oid();
      out.push({ start: start.oid, include: start.include, end: end.oid });
    }
    return out;
  }
  varbinds(): VarBind[] {
    const out: VarBind[] = [];
    while (!this.done) out.push(this.varbind());
    return out;
  }
}

/** The length of the first whole PDU in `buf`, or 0 when more bytes are needed. */
export function pduLength(buf: Buffer): number {
  if (buf.length < HEADER_LENGTH) return 0;
  const big = (buf[2]! & FLAG_NETWORK_BYTE_ORDER) !== 0;
  const payload = big ? buf.readUInt32BE(16) : buf.readUInt32LE(16);
  if (payload % 4 !== 0) throw new AgentxParseError(`payload length ${payload} is not a multiple of 4`);
  const total = HEADER_LENGTH + payload;
  return buf.length >= total ? total : 0;
}

const KINDS: Record<number, AgentxPdu['kind']> = {
  [AgentxPduType.Open]: 'open',
  [AgentxPduType.Close]: 'close',
  [AgentxPduType.Register]: 'register',
  [AgentxPduType.Get]: 'get',
  [AgentxPduType.GetNext]: 'getNext',
  [AgentxPduType.GetBulk]: 'getBulk',
  [AgentxPduType.TestSet]: 'testSet',
  [AgentxPduType.CommitSet]: 'commitSet',
  [AgentxPduType.UndoSet]: 'undoSet',
  [AgentxPduType.CleanupSet]: 'cleanupSet',
  [AgentxPduType.Notify]: 'notify',
  [AgentxPduType.Ping]: 'ping',
  [AgentxPduType.Response]: 'response',
};

/** One whole PDU (as `pduLength` measured it). */
export function decodePdu(buf: Buffer): AgentxPdu {
  if (buf.length < HEADER_LENGTH) throw new AgentxParseError('short AgentX header');
  if (buf[0] !== 1) throw new AgentxParseError(`AgentX version ${buf[0]} (only 1 exists)`);
  const type = buf[1]!;
  const flags = buf[2]!;
  const big = (flags & FLAG_NETWORK_BYTE_ORDER) !== 0;
  const h = new Reader(buf.subarray(4, HEADER_LENGTH), big);
  const header: Header = { type, flags, sessionId: h.u32(), transactionId: h.u32(), packetId: h.u32() };
  const r = new Reader(buf.subarray(HEADER_LENGTH, HEADER_LENGTH + h.u32()), big);
  // A non-default context (§6.1.1) comes first in request PDUs; vigil serves the default context only.
  if ((flags & FLAG_NON_DEFAULT_CONTEXT) !== 0 && type !== AgentxPduType.Response) r.octets();
  const kind = KINDS[type] ?? 'other';
  switch (kind) {
    case 'open': {
      const timeout = r.u8();
      r.u8(), r.u8(), r.u8();
      return { ...header, kind, timeout, id: r.oid().oid, description: r.octets().toString() };
    }
    case 'close': {
      const reason = r.u8();
      return { ...header, kind, reason };
    }
    case 'register': {
      const timeout = r.u8();
      const priority = r.u8();
      r.u8(), r.u8();
      return { ...header, kind, timeout, priority, subtree: r.oid().oid };
    }
    case 'get':
    case 'getNext':
      return { ...header, kind, ranges: r.ranges() };
    case 'getBulk': {
      const nonRepeaters = r.u16();
      const maxRepetitions = r.u16();
      return { ...header, kind, nonRepeaters, maxRepetitions, ranges: r.ranges() };
    }
    case 'testSet':
    case 'notify':
      return { ...header, kind, varbinds: r.varbinds() };
    case 'response': {
      const sysUpTime = r.u32();
      const error = r.u16();
      const index = r.u16();
      return { ...header, kind, sysUpTime, error, index, varbinds: r.varbinds() };
    }
    case 'commitSet':
    case 'undoSet':
    case 'cleanupSet':
    case 'ping':
      return { ...header, kind };
    default:
      return { ...header, kind: 'other' };
  }
}

/** Splits a stream: the whole PDUs at its front, and the bytes left for the next read. */
export function splitPdus(buf: Buffer): { pdus: Buffer[]; rest: Buffer } {
  const pdus: Buffer[] = [];
  let at = 0;
  for (;;) {
    const n = pduLength(buf.subarray(at));
    if (n === 0) break;
    pdus.push(buf.subarray(at, at + n));
    at += n;
  }
  return { pdus, rest: buf.subarray(at) };
}

export function compareOids(a: Oid, b: Oid): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}
