/**
 * HTTP_GET / SSL_GET url `regex` as keepalived 2.2.7 applies it (check/check_http.c check_regex), with a JavaScript
 * RegExp in place of PCRE2:
 * - `regex_options`: the PCRE2 options that have a JavaScript flag become that flag (caseless i, dotall s,
 *   multiline m, utf u: the body is then read as UTF-8 rather than as bytes); those that change nothing about
 *   whether a body matches, or ask for what JavaScript does anyway, need no flag (REGEX_OPTIONS_WITHOUT_FLAG);
 *   `extended`, `ungreedy` and `alt_bsux` rewrite the pattern (protocol/pcre2-pattern.ts), `firstline` bounds
 *   where a match may start (below); the rest have no JavaScript equivalent and are listed in
 *   config/not-implemented.ts (REGEX_OPTIONS_WITHOUT_EQUIVALENT).
 * - `firstline` (PCRE2_FIRSTLINE): the match must start before or at the first newline at or after where the
 *   search starts (it may run on past it). keepalived matches each buffer it reads in turn, so for a body longer
 *   than one read its "first line" is that of each buffer; vigil matches the body whole, as for the offsets.
 * - `regex_min_offset N`: the search starts at byte N of the body (lookbehind still sees the bytes before it).
 * - `regex_max_offset N`: the first match must start at byte N at the latest; one starting later is no match.
 *   keepalived ignores both (with a log line) when min >= max + 1.
 */

/** PCRE2 option → JavaScript flag. */
export const REGEX_OPTION_FLAGS: Readonly<Record<string, string>> = { caseless: 'i', dotall: 's', multiline: 'm', utf: 'u' };

/**
 * PCRE2 options a JavaScript RegExp needs no flag for, with why: most do not change whether a body matches
 * (keepalived sets no callout and no offset limit; optimisations switched off; constructs JavaScript lacks
 * forbidden); what the others ask for is how JavaScript behaves already.
 */
export const REGEX_OPTIONS_WITHOUT_FLAG: Readonly<Record<string, string>> = {
  auto_callout: 'keepalived passes no callout function, so the callouts do nothing',
  no_auto_possess: 'an optimisation switched off: the same strings match',
  no_dotstar_anchor: 'an optimisation switched off: the same strings match',
  no_start_optimize: 'an optimisation switched off: the same strings match',
  use_offset_limit: 'keepalived sets no offset limit in its match context',
  alt_verbnames: 'only changes how (*MARK:NAME) names are read; JavaScript has no verbs',
  never_utf: 'only forbids (*UTF) in the pattern, which JavaScript does not have',
  never_ucp: 'only forbids (*UCP) in the pattern, which JavaScript does not have',
  never_backslash_c: 'only forbids \\C in the pattern',
  match_unset_backref: 'a JavaScript backreference to an unset group already matches the empty string',
  no_auto_capture: 'plain groups stop capturing; whether the body matches is the same',
  dollar_endonly: "JavaScript's $ (without multiline) already matches only at the very end",
  allow_empty_class: 'JavaScript reads [] as a class that matches nothing (and [^] as any character) already',
  alt_circumflex: "JavaScript's ^ with multiline already matches after a newline that ends the body",
};

/** PCRE2 options done by rewriting the pattern (protocol/pcre2-pattern.ts translatePattern) or bounding the match. */
export const REGEX_OPTIONS_REWRITTEN = ['extended', 'ungreedy', 'alt_bsux', 'firstline'] as const;

/** PCRE2 options keepalived accepts that JavaScript regular expressions cannot do. */
export const REGEX_OPTIONS_WITHOUT_EQUIVALENT = ['dupnames', 'ucp'] as const;

/** The JavaScript flags for keepalived `regex_options` words (unknown words are ignored, as keepalived does). */
export function regexFlags(options: readonly string[]): string {
  const flags = new Set<string>();
  for (const o of options) {
    const f = REGEX_OPTION_FLAGS[o];
    if (f !== undefined) flags.add(f);
  }
  return [...flags].sort().join('');
}

export interface BodyRegex {
  readonly source: string;
  /** JavaScript flags (from regexFlags); `u` also means the body is read as UTF-8. */
  readonly flags?: string;
  /** Byte offset the search starts at. */
  readonly minOffset?: number;
  /** Last byte offset a match may start at (keepalived's `regex_max_offset` value, inclusive). */
  readonly maxOffset?: number;
  /** `regex_options firstline`: the match must start before or at the first newline from where the search starts. */
  readonly firstLine?: boolean;
}

const cache = new Map<string, RegExp>();

function compiled(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let re = cache.get(key);
  if (re === undefined) {
    // `g` so that lastIndex starts the search (and lookbehind sees what comes before it).
    re = new RegExp(source, `${flags}g`);
    if (cache.size > 1000) cache.clear();
    cache.set(key, re);
  }
  return re;
}

/** The string index of byte `offset` of `body` read as UTF-8 (a split character counts whole). */
function utf8Index(body: Uint8Array, offset: number): number {
  const prefix = Buffer.from(body.buffer, body.byteOffset, Math.min(offset, body.byteLength));
  return prefix.toString('utf8').length;
}

/** Whether the regex matches `body` within its window. Throws a SyntaxError for a pattern JavaScript refuses. */
export function bodyMatches(r: BodyRegex, body: Uint8Array): boolean {
  const flags = r.flags ?? '';
  const utf = flags.includes('u');
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const text = buffer.toString(utf ? 'utf8' : 'latin1');
  const index = (offset: number): number => (utf ? utf8Index(body, offset) : offset);
  const re = compiled(r.source, flags);
  re.lastIndex = r.minOffset === undefined ? 0 : Math.min(index(r.minOffset), text.length);
  if (r.minOffset !== undefined && r.minOffset > body.byteLength) return false;
  const from = re.lastIndex;
  const m = re.exec(text);
  if (m === null) return false;
  if (r.firstLine) {
    const newline = text.indexOf('\n', from);
    if (newline >= 0 && m.index > newline) return false;
  }
  if (r.maxOffset === undefined) return true;
  const start = utf ? Buffer.byteLength(text.slice(0, m.index), 'utf8') : m.index;
  return start <= r.maxOffset;
}
