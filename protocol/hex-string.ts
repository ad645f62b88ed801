/**
 * keepalived's HEX_STR (UDP_CHECK payload / require_reply): whitespace-separated groups of hex digits; within a
 * group, digits pair up from the left and a lone last digit is a byte of its own ("Ab12f 3" → AB 12 0F 03).
 * With `allowWildcards`, an x/X digit matches any value: its bits are set in the returned mask.
 */
export interface HexBytes {
  readonly data: Uint8Array;
  /** Set bits are ignored when comparing; present only when a wildcard was used. */
  readonly mask?: Uint8Array;
}

export function parseHexString(text: string, allowWildcards = false): HexBytes {
  const data: number[] = [];
  const mask: number[] = [];
  let wild = false;
  const nibble = (c: string): { value: number; mask: number } => {
    if (allowWildcards && (c === 'x' || c === 'X')) {
      wild = true;
      return { value: 0, mask: 0xf };
    }
    if (!/^[0-9a-fA-F]$/.test(c)) throw new SyntaxError(`invalid hex digit '${c}' in "${text}"`);
    return { value: Number.parseInt(c, 16), mask: 0 };
  };
  for (const group of text.trim().split(/\s+/).filter((g) => g.length > 0)) {
    for (let i = 0; i < group.length; i += 2) {
      if (i + 1 < group.length) {
        const hi = nibble(group[i]!);
        const lo = nibble(group[i + 1]!);
        data.push((hi.value << 4) | lo.value);
        mask.push((hi.mask << 4) | lo.mask);
      } else {
        const lo = nibble(group[i]!);
        data.push(lo.value);
        mask.push(lo.mask);
      }
    }
  }
  return wild ? { data: Uint8Array.from(data), mask: Uint8Array.from(mask) } : { data: Uint8Array.from(data) };
}
