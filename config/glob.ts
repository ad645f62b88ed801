/**
 * Expansion of `include` patterns as keepalived's glob(3) call does it (GLOB_BRACE | GLOB_MARK): csh-style brace
 * alternatives first, each then matched segment by segment with `*`, `?` and `[...]`; matches of one alternative
 * come out sorted, alternatives keep their order. Hidden files match only a pattern segment starting with `.`.
 */
import type { ConfigFileSystem } from './files.js';

export interface GlobResult {
  /** Matching files, in glob order. */
  readonly files: string[];
  /** Matches that are directories (keepalived skips them). */
  readonly directories: string[];
  /** Literal (wildcard-free) alternatives that do not exist. */
  readonly missing: string[];
  /** Whether any alternative had a wildcard. */
  readonly hadWildcard: boolean;
  /** Set (and the lists left empty) when the pattern passed a limit. */
  readonly tooMany?: 'alternatives' | 'paths';
}

/**
 * `a{b,c{d,e}}f` → [`abf`, `acdf`, `acef`]; a backslash escapes the next character. Undefined when there would be
 * more than `limit` alternatives (`{a,b}` written 30 times makes 2^30): the expansion stops as soon as it passes
 * the limit, so its work is bounded by the limit, not by the number of alternatives.
 */
export function expandBraces(pattern: string, limit = Number.MAX_SAFE_INTEGER): string[] | undefined {
  const out: string[] = [];
  return expandInto(pattern, out, limit) ? out : undefined;
}

const BACKSLASH = 92;
const OPEN = 123; // {
const CLOSE = 125; // }
const COMMA = 44;

function expandInto(pattern: string, out: string[], limit: number): boolean {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === BACKSLASH) {
      i++;
      continue;
    }
    if (c === OPEN) {
      if (depth === 0) open = i;
      depth++;
    } else if (c === CLOSE && depth > 0) {
      depth--;
      if (depth === 0) {
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        for (const alternative of splitTopLevel(pattern, open + 1, i)) {
          const rests: string[] = [];
          if (!expandInto(alternative + tail, rests, limit - out.length)) return false;
          for (const rest of rests) out.push(head + rest);
        }
        return out.length <= limit;
      }
    }
  }
  out.push(pattern);
  return out.length <= limit;
}

/** The alternatives of the group body pattern[from, to), split at its top-level commas. */
function splitTopLevel(pattern: string, from: number, to: number): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const c = pattern.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === OPEN) depth++;
    else if (c === CLOSE) depth--;
    else if (c === COMMA && depth === 0) {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(pattern.slice(start, to));
  return parts;
}

function hasWildcard(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

function unescape(segment: string): string {
  return segment.replace(/\\(.)/g, '$1');
}

/**
 * fnmatch(3) of one path segment. Linear in the pattern times the name (no exponential backtracking on a pattern
 * like `*a*a*a*a*b`): on a mismatch only the last `*` is retried one character further on, which is enough
 * because a later `*` can absorb whatever an earlier one would have.
 */
export function matchSegment(pattern: string, name: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < name.length) {
    if (p < pattern.length) {
      if (pattern[p] === '*') {
        starP = ++p;
        starS = s;
        continue;
      }
      const next = matchOne(pattern, p, name[s]!);
      if (next >= 0) {
        p = next;
        s++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP;
    s = ++starS;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Matches one character of the name at pattern[p]: the index after that pattern element, or -1. */
function matchOne(p: string, pi: number, ch: string): number {
  const c = p[pi]!;
  if (c === '?') return pi + 1;
  if (c === '[') {
    const end = classEnd(p, pi);
    if (end < 0) return ch === '[' ? pi + 1 : -1;
    return matchClass(p.slice(pi + 1, end), ch) ? end + 1 : -1;
  }
  if (c === '\\' && pi + 1 < p.length) return p[pi + 1] === ch ? pi + 2 : -1;
  return c === ch ? pi + 1 : -1;
}

function classEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '!' || p[i] === '^') i++;
  if (p[i] === ']') i++;
  for (; i < p.length; i++) if (p[i] === ']') return i;
  return -1;
}

function matchClass(body: string, ch: string): boolean {
  let negate = false;
  let i = 0;
  if (body[0] === '!' || body[0] === '^') {
    negate = true;
    i = 1;
  }
  let found = false;
  for (; i < body.length; i++) {
    const lo = body[i]!;
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const hi = body[i + 2]!;
      if (ch >= lo && ch <= hi) found = true;
      i += 2;
    } else if (lo === ch) found = true;
  }
  return found !== negate;
}

/** Matches of one brace-free pattern, or undefined past `maxPaths` paths at any segment. */
function globOne(pattern: string, fs: ConfigFileSystem, maxPaths: number): string[] | undefined {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '');
  let bases = [absolute ? '/' : ''];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of bases) {
      const join = (name: string): string => (base === '' ? name : base.endsWith('/') ? base + name : `${base}/${name}`);
      if (!hasWildcard(segment)) {
        const candidate = join(unescape(segment));
        // lstat, as glob(3): a dangling or looping link is a match, which then cannot be read (and says why).
        if (fs.status(candidate, false) !== undefined) next.push(candidate);
      } else {
        const names = fs.readDirectory(base === '' ? '.' : base);
        if (!names) continue;
        for (const name of [...names].sort()) if (matchSegment(segment, name)) next.push(join(name));
      }
      if (next.length > maxPaths) return undefined;
    }
    bases = next;
    if (bases.length === 0) break;
  }
  return bases;
}

export interface GlobLimits {
  /** Brace alternatives of one pattern. */
  readonly maxAlternatives: number;
  /** Paths matched in all (and at any one segment of one alternative). */
  readonly maxPaths: number;
}

const UNLIMITED: GlobLimits = { maxAlternatives: Number.MAX_SAFE_INTEGER, maxPaths: Number.MAX_SAFE_INTEGER };

/**
 * Expands an absolute include pattern. `tooMany` (with nothing else filled in) when it has more brace
 * alternatives or matches more paths than the limits allow: a pattern of a few `*` segments from `/` must not
 * walk the whole file system of a root daemon.
 */
export function globInclude(pattern: string, fs: ConfigFileSystem, limits: GlobLimits = UNLIMITED): GlobResult {
  const files: string[] = [];
  const directories: string[] = [];
  const missing: string[] = [];
  let hadWildcard = false;
  const tooMany = (what: 'alternatives' | 'paths'): GlobResult => ({ files: [], directories: [], missing: [], hadWildcard, tooMany: what });
  const alternatives = expandBraces(pattern, limits.maxAlternatives);
  if (!alternatives) return tooMany('alternatives');
  for (const alternative of alternatives) {
    if (hasWildcard(alternative)) hadWildcard = true;
    const matches = globOne(alternative, fs, limits.maxPaths - files.length - directories.length);
    if (!matches) return tooMany('paths');
    if (matches.length === 0 && !hasWildcard(alternative)) missing.push(unescape(alternative));
    for (const m of matches) (fs.status(m, true)?.type === 'directory' ? directories : files).push(m);
  }
  return { files, directories, missing, hadWildcard };
}
