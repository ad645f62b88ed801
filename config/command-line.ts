/**
 * How keepalived turns a script line (notify scripts, `vrrp_script` `script`, MISC_CHECK `misc_path`) into an
 * argument vector: lib/parser.c alloc_strvec_quoted_escaped, as notify.c set_script_params_array calls it. No shell
 * is involved:
 * - words are separated by blanks (space, tab, form feed, newline, carriage return, vertical tab);
 * - `"…"` and `'…'` group blanks into a word; pieces join (`a'b c'd` is one word `ab cd`); `""` is an empty word;
 * - a backslash escapes everywhere, inside either quote too (unlike a shell): `\xHH` (one or two hex digits),
 *   `\NNN` (one to three octal digits), `\cX` (control-X), `\a \b \E \f \n \r \t \v`, any other character
 *   stands for itself (`\"`, `\'`, `\\`, `\ `);
 * - an unterminated quote, a backslash at the very end, or a line without a word makes no command at all (keepalived
 *   then drops the script).
 * Escapes give bytes, as in C: a word is the UTF-8 reading of its bytes, and ends at a NUL byte (`\0`), as a C
 * string does.
 */

export type CommandLine = { readonly argv: string[] } | { readonly problem: string };

const BLANKS = new Set([' ', '\t', '\f', '\n', '\r', '\v']);
const NAMED: Readonly<Record<string, number>> = { a: 0x07, b: 0x08, E: 0x1b, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';

/** The bytes of one word, read as UTF-8 up to its first NUL. */
function finish(bytes: number[]): string {
  const nul = bytes.indexOf(0);
  return decoder.decode(Uint8Array.from(nul < 0 ? bytes : bytes.slice(0, nul)));
}

/** The argument vector keepalived makes of a script line, or why it makes none. */
export function parseCommandLine(line: string): CommandLine {
  const chars = [...line];
  const argv: string[] = [];
  let i = 0;
  while (i < chars.length) {
    while (i < chars.length && BLANKS.has(chars[i]!)) i++;
    if (i >= chars.length) break;
    const word: number[] = [];
    let quote: string | undefined;
    for (; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === '\\') {
        const next = chars[++i];
        if (next === undefined) return { problem: 'a backslash at the end escapes nothing' };
        if (next === 'x' && isHex(chars[i + 1])) {
          let value = 0;
          for (let n = 0; n < 2 && isHex(chars[i + 1]); n++) value = value * 16 + Number.parseInt(chars[++i]!, 16);
          word.push(value);
        } else if (next === 'c' && chars[i + 1] !== undefined) {
          word.push(chars[++i]!.charCodeAt(0) & 0x1f);
        } else if (isOctal(next)) {
          let value = Number(next);
          for (let n = 0; n < 2 && isOctal(chars[i + 1]); n++) value = value * 8 + Number(chars[++i]);
          word.push(value & 0xff);
        } else {
          const named = NAMED[next];
          if (named !== undefined) word.push(named);
          else word.push(...encoder.encode(next));
        }
        continue;
      }
      if (quote !== undefined) {
        if (c === quote) quote = undefined;
        else word.push(...encoder.encode(c));
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        continue;
      }
      if (BLANKS.has(c)) break;
      word.push(...encoder.encode(c));
    }
    if (quote !== undefined) return { problem: `missing terminating ${quote}` };
    argv.push(finish(word));
  }
  if (argv.length === 0) return { problem: 'no command' };
  return { argv };
}

/** The argument vector of a script line, or [] where keepalived would make none (see parseCommandLine). */
export function splitCommandLine(line: string): string[] {
  const parsed = parseCommandLine(line);
  return 'argv' in parsed ? parsed.argv : [];
}
