/**
 * The little of DNS (RFC 1035 §4.1) that DNS_CHECK needs: a one-question query with Recursion Desired, and the
 * header of a reply (id, QR, RCODE). keepalived's checker does the same and looks no further than the header.
 */

/** Query types keepalived's DNS_CHECK accepts (RFC 1035 §3.2.2, RFC 3596, RFC 4034). */
export const DNS_TYPE_NUMBERS: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  RRSIG: 46,
  DNSKEY: 48,
};

const CLASS_IN = 1;
const FLAG_QR = 0x8000;
const FLAG_RD = 0x0100;

/** Encodes a name as labels; "" and "." are the root. Throws on a label over 63 bytes. */
export function encodeName(name: string): Uint8Array {
  const labels = name.split('.').filter((l) => l.length > 0);
  const parts: number[] = [];
  for (const label of labels) {
    const bytes = new TextEncoder().encode(label);
    if (bytes.length > 63) throw new RangeError(`DNS label too long: ${label}`);
    parts.push(bytes.length, ...bytes);
  }
  parts.push(0);
  if (parts.length > 255) throw new RangeError('DNS name too long');
  return Uint8Array.from(parts);
}

export function encodeQuery(id: number, name: string, type: number): Uint8Array {
  const qname = encodeName(name);
  const out = new Uint8Array(12 + qname.length + 4);
  const view = new DataView(out.buffer);
  view.setUint16(0, id);
  view.setUint16(2, FLAG_RD);
  view.setUint16(4, 1); // QDCOUNT
  out.set(qname, 12);
  view.setUint16(12 + qname.length, type);
  view.setUint16(14 + qname.length, CLASS_IN);
  return out;
}

export interface DnsReplyHeader {
  readonly id: number;
  /** QR bit: this is a response. */
  readonly response: boolean;
  readonly rcode: number;
}

/** The header of a message, or undefined when shorter than a header. */
export function decodeHeader(bytes: Uint8Array): DnsReplyHeader | undefined {
  if (bytes.length < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint16(2);
  return { id: view.getUint16(0), response: (flags & FLAG_QR) !== 0, rcode: flags & 0x000f };
}
