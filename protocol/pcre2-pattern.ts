/**
 * The PCRE2 compile options of keepalived's url `regex_options` that change how a pattern is read, done by
 * rewriting the pattern into the JavaScript RegExp source that means the same (pcre2api(3)):
 * - `extended` (PCRE2_EXTENDED): white space outside a character class and not escaped is ignored, and `#` starts
 *   a comment that runs to the next newline.
 * - `ungreedy` (PCRE2_UNGREEDY): every quantifier is lazy, and one followed by `?` greedy.
 * - `alt_bsux` (PCRE2_ALT_BSUX): `\U` is the letter U; `\u` is a character only before four hex digits and `\x`
 *   before two, else the letter (JavaScript without the `u` flag reads them so already; with it, it refuses them).
 * Escapes are copied whole, and a character class is read as JavaScript reads it (the first `]` closes it).
 */

const HEX4 = /^[0-9a-fA-F]{4}/;
const HEX2 = /^[0-9a-fA-F]{2}/;
/** A counted quantifier at the start of the string: `{n}`, `{n,}`, `{n,m}`. */
const COUNTED = /^\{\d+(?:,\d*)?\}/;
/** PCRE2's white space for PCRE2_EXTENDED without UCP: space, \t, \n, \v, \f, \r. */
const EXTENDED_SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

/** Whether any of `options` makes translatePattern change a pattern. */
export function rewritesPattern(options: readonly string[]): boolean {
  return options.includes('extended') || options.includes('ungreedy') || options.includes('alt_bsux');
}

export function translatePattern(source: string, options: readonly string[]): string {
  if (!rewritesPattern(options)) return source;
  const extended = options.includes('extended');
  const ungreedy = options.includes('ungreedy');
  const bsux = options.includes('alt_bsux');
  let out = '';
  let inClass = false;
  let i = 0;
  /** Past white space and comments that `extended` ignores. */
  const skipIgnored = (): void => {
    if (!extended) return;
    while (i < source.length) {
      const c = source[i]!;
      if (EXTENDED_SPACE.has(c)) i++;
      else if (c === '#') {
        const nl = source.indexOf('\n', i);
        i = nl < 0 ? source.length : nl + 1;
      } else break;
    }
  };
  /** After a quantifier: ungreedy swaps lazy and greedy. */
  const afterQuantifier = (): void => {
    if (!ungreedy) return;
    skipIgnored();
    if (source[i] === '?') i++;
    else out += '?';
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined) {
        out += c;
        i++;
        continue;
      }
      const after = source.slice(i + 2);
      if (bsux && (n === 'U' || (n === 'u' && !HEX4.test(after)) || (n === 'x' && !HEX2.test(after)))) out += n;
      else out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      continue;
    }
    if (extended && (EXTENDED_SPACE.has(c) || c === '#')) {
      skipIgnored();
      continue;
    }
    if (c === '(' && source[i + 1] === '?') {
      // A group's `(?`: not a quantifier.
      out += '(?';
      i += 2;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      out += c;
      i++;
      afterQuantifier();
      continue;
    }
    const counted = c === '{' ? COUNTED.exec(source.slice(i)) : null;
    if (counted) {
      out += counted[0];
      i += counted[0].length;
      afterQuantifier();
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
