/**
 * Readers for keyword arguments, with keepalived's number rules (read_unsigned / read_int / read_decimal: whole
 * words only, ranges inclusive) and its booleans (on|off|true|false|yes|no). A bad value is an error naming the
 * keyword at the line's file:line; the reader returns undefined and the keyword keeps its default.
 */
import { canonicalIp, ipFamily } from '../protocol/ip.js';
import type { IpFamily } from '../protocol/ip.js';
import { positionOf, type Diagnostics, type SourcePosition } from './diagnostics.js';
import type { ConfigLine } from './reader.js';

function keyword(line: ConfigLine): string {
  return line.words[0] ?? '';
}

/** The i-th word, or an error "KEYWORD: missing value". */
export function word(line: ConfigLine, i: number, diagnostics: Diagnostics, what = 'value'): string | undefined {
  const w = line.words[i];
  if (w === undefined) diagnostics.error(line, `${keyword(line)}: missing ${what}`);
  return w;
}

/** Words from i to the end joined by a space (scripts, names with spaces), or undefined with an error. */
export function rest(line: ConfigLine, i: number, diagnostics: Diagnostics, what = 'value'): string | undefined {
  if (line.words.length <= i) {
    diagnostics.error(line, `${keyword(line)}: missing ${what}`);
    return undefined;
  }
  return line.words.slice(i).join(' ');
}

const UNSIGNED = /^\+?[0-9]+$/;
const SIGNED = /^[+-]?[0-9]+$/;

export function parseUnsigned(text: string): number | undefined {
  return UNSIGNED.test(text) ? Number(text) : undefined;
}

/** A ranged number word's reading from its text; errors and warnings are reported at `at`. */
type RangedText = (text: string, at: SourcePosition, min: number, max: number, diagnostics: Diagnostics, name: string) => number | undefined;
/** The same read from word `i` of a line; `name` (default: the line's keyword) heads each message. */
type RangedWord = (line: ConfigLine, i: number, min: number, max: number, diagnostics: Diagnostics, name?: string) => number | undefined;

/** Word `i` of a line read by `fromText`; a missing word is an error naming what was expected (`what`). */
function rangedWord(what: string, fromText: RangedText): RangedWord {
  return (line, i, min, max, diagnostics, name = keyword(line)) => {
    const text = line.words[i];
    if (text === undefined) {
      diagnostics.error(line, `${name}: missing value (${what} from ${min} to ${max})`);
      return undefined;
    }
    return fromText(text, line, min, max, diagnostics, name);
  };
}

/** An integer text within [min, max]. */
export const integerText: RangedText = (text, at, min, max, diagnostics, name) => {
  const ok = (min < 0 ? SIGNED : UNSIGNED).test(text);
  const n = ok ? Number(text) : NaN;
  if (!ok || n < min || n > max) {
    diagnostics.error(at, `${name}: '${text}' is not an integer from ${min} to ${max}`);
    return undefined;
  }
  return n;
};

/** An integer word within [min, max]. */
export const integer = rangedWord('an integer', integerText);

const DECIMAL = /^\+?([0-9]*)(?:\.([0-9]*))?$/;

/** A decimal number of seconds (keepalived timers: micro-second resolution) within [min, max]. */
const secondsText: RangedText = (text, at, min, max, diagnostics, name) => {
  if (UNSIGNED.test(text)) {
    const whole = Number(text);
    if (whole < min || whole > max) {
      diagnostics.error(at, `${name}: '${text}' is out of range [${min}, ${max}]`);
      return undefined;
    }
    return whole;
  }
  const m = DECIMAL.exec(text);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
    diagnostics.error(at, `${name}: '${text}' is not a number of seconds`);
    return undefined;
  }
  const fraction = m[2] ?? '';
  if (fraction.length > 6) diagnostics.warning(at, `${name}: '${text}' has more than 6 decimal places - rounded`);
  const micro = Math.round(Number(`${m[1] || '0'}.${fraction || '0'}`) * 1e6);
  const value = micro / 1e6;
  if (value < min || value > max) {
    diagnostics.error(at, `${name}: '${text}' is out of range [${min}, ${max}]`);
    return undefined;
  }
  return value;
};

export const seconds = rangedWord('seconds', secondsText);

/** keepalived's <BOOL>; a missing word means true. */
export function boolean(line: ConfigLine, i: number, diagnostics: Diagnostics, name = keyword(line)): boolean | undefined {
  const text = line.words[i];
  if (text === undefined) return true;
  if (text === 'on' || text === 'true' || text === 'yes') return true;
  if (text === 'off' || text === 'false' || text === 'no') return false;
  diagnostics.error(line, `${name}: '${text}' is not one of on|off|true|false|yes|no`);
  return undefined;
}

/** Dotted quad without leading zeros: already canonical. */
const IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

export interface Address {
  readonly address: string;
  readonly family: IpFamily;
}

/** An IPv4 or IPv6 address in canonical text. */
export function address(text: string | undefined, at: SourcePosition, diagnostics: Diagnostics, name: string): Address | undefined {
  if (text === undefined) {
    diagnostics.error(at, `${name}: missing address`);
    return undefined;
  }
  if (IPV4.test(text)) return { address: text, family: 4 };
  const family = ipFamily(text);
  if (family === undefined) {
    diagnostics.error(at, `${name}: '${text}' is not an IP address`);
    return undefined;
  }
  return { address: canonicalIp(text)!, family };
}

export interface Prefixed extends Address {
  readonly prefix: number;
  readonly prefixGiven: boolean;
}

/** ADDRESS[/PREFIX]; a missing prefix is the host prefix (32 / 128). */
export function prefixed(text: string | undefined, at: SourcePosition, diagnostics: Diagnostics, name: string): Prefixed | undefined {
  const slash = text?.indexOf('/') ?? -1;
  const a = address(slash < 0 ? text : text?.slice(0, slash), at, diagnostics, name); // a missing text is reported there
  if (!a || text === undefined) return undefined;
  const max = a.family === 4 ? 32 : 128;
  if (slash < 0) return { ...a, prefix: max, prefixGiven: false };
  const p = parseUnsigned(text.slice(slash + 1));
  if (p === undefined || p > max) {
    diagnostics.error(at, `${name}: prefix length '${text.slice(slash + 1)}' of ${a.address} is not from 0 to ${max}`);
    return undefined;
  }
  return { ...a, prefix: p, prefixGiven: true };
}

/** A port number 0..65535 (keepalived's inet_stosockaddr). */
export function port(text: string, at: SourcePosition, diagnostics: Diagnostics, name: string): number | undefined {
  return integerText(text, at, 0, 65535, diagnostics, `${name} port`);
}

/** `script [user [group]]` as keepalived's notify keywords take it. */
export interface ScriptSpec {
  readonly command: string;
  readonly user?: string | undefined;
  readonly group?: string | undefined;
  readonly at?: SourcePosition | undefined;
}

export function script(line: ConfigLine, i: number, diagnostics: Diagnostics): ScriptSpec | undefined {
  const command = word(line, i, diagnostics, 'script');
  if (command === undefined) return undefined;
  const user = line.words[i + 1];
  const group = line.words[i + 2];
  return { command, ...(user !== undefined ? { user } : {}), ...(group !== undefined ? { group } : {}), at: positionOf(line) };
}
