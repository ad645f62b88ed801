/**
 * The text of the address last read from a packet, kept for the next one: packets (a flood above all) come from
 * few addresses in a row, and formatting each address anew is a string built per packet.
 */
import { formatIpv4, formatIpv6 } from '../../protocol/ip.js';

export class AddressText {
  readonly #bytes = new Uint8Array(16);
  #length = 0;
  #text = '';

  /** The address of `length` bytes (4 or 16) at `offset` of `data`, as text (IPv6 in RFC 5952 form). */
  of(data: Uint8Array, offset: number, length: 4 | 16): string {
    const last = this.#bytes;
    if (length === this.#length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (data[offset + i] !== last[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.#text;
    }
    for (let i = 0; i < length; i++) last[i] = data[offset + i]!;
    this.#length = length;
    this.#text = length === 4 ? formatIpv4(data, offset) : formatIpv6(data, offset);
    return this.#text;
  }
}
