/**
 * Seeded mutations of a whole IPv4 datagram for the wire fuzz: the IP header (version, IHL, TOS, id, DF, TTL),
 * IP options (well formed or not), and the payload (bytes flipped, cut short, extended). The protocol and the
 * destination stay as they are, so the datagram still reaches (or is refused on the way to) the daemon's raw
 * socket; fragment fields are left alone (a fragment waits 30 s in the kernel's reassembly queue, which would
 * blur the accounting of what reached the daemon).
 */
import { SeededRandom } from '../../sim/seeded-random.js';

export type Draw = () => number;

export function seededRandom(seed: number): Draw {
  const r = new SeededRandom(seed);
  return () => r.next();
}

const pick = (random: Draw, n: number): number => Math.floor(random() * n);

/** Random IP options, 4 to 40 bytes in steps of 4: mostly NOP/EOL/router-alert shapes, sometimes garbage. */
function options(random: Draw): Uint8Array {
  const length = 4 * (1 + pick(random, 10));
  const out = new Uint8Array(length);
  const kind = pick(random, 4);
  if (kind === 0) out.fill(1); // NOPs
  else if (kind === 1) out.set([0x94, 4, 0, 0]); // router alert (RFC 2113), then EOLs
  else for (let i = 0; i < length; i++) out[i] = pick(random, 256); // anything
  return out;
}

export function mutateDatagram(template: Uint8Array, random: Draw): Uint8Array {
  const headerLength = (template[0]! & 0x0f) * 4;
  let header = template.slice(0, headerLength);
  let payload = template.slice(headerLength);
  const mutations = 1 + pick(random, 3);
  for (let m = 0; m < mutations; m++) {
    switch (pick(random, 10)) {
      case 0: // TTL
        header[8] = pick(random, 256);
        break;
      case 1: // TOS and id
        header[1] = pick(random, 256);
        header[4] = pick(random, 256);
        header[5] = pick(random, 256);
        break;
      case 2: // DF toggled (never MF or an offset)
        header[6] = header[6]! ^ 0x40;
        break;
      case 3: {
        // options: a longer header
        const opts = options(random);
        const next = new Uint8Array(20 + opts.length);
        next.set(header.subarray(0, 20));
        next.set(opts, 20);
        next[0] = 0x40 | (next.length / 4);
        header = next;
        break;
      }
      case 4: // a wrong IHL or version
        header[0] = random() < 0.5 ? (header[0]! & 0xf0) | pick(random, 16) : (pick(random, 16) << 4) | (header[0]! & 0x0f);
        break;
      case 5: // payload cut short
        payload = payload.slice(0, pick(random, payload.length + 1));
        break;
      case 6: {
        // payload extended
        const extra = new Uint8Array(1 + pick(random, 64));
        for (let i = 0; i < extra.length; i++) extra[i] = pick(random, 256);
        const next = new Uint8Array(payload.length + extra.length);
        next.set(payload);
        next.set(extra, payload.length);
        payload = next;
        break;
      }
      default: {
        // payload bytes flipped
        if (payload.length === 0) break;
        const flips = 1 + pick(random, 4);
        for (let i = 0; i < flips; i++) {
          const at = pick(random, payload.length);
          payload[at] = payload[at]! ^ (1 + pick(random, 255));
        }
      }
    }
  }
  const out = new Uint8Array(header.length + payload.length);
  out.set(header);
  out.set(payload, header.length);
  return out;
}

/** A plain IPv4 header for `payload` (protocol 112 unless given; checksum and total length left to the kernel). */
export function ipv4Datagram(o: { source: string; destination: string; ttl: number; payload: Uint8Array; protocol?: number }): Uint8Array {
  const out = new Uint8Array(20 + o.payload.length);
  out[0] = 0x45;
  out[1] = 0xc0; // DSCP CS6, as VRRP senders use
  out[8] = o.ttl;
  out[9] = o.protocol ?? 112;
  out.set(o.source.split('.').map(Number), 12);
  out.set(o.destination.split('.').map(Number), 16);
  out.set(o.payload, 20);
  return out;
}
