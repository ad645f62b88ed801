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
}

/** `a{b,c{d,e}}f` → [`abf`, `acdf`, `acef`]; a backslash escapes the next character. */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') {
      if (depth === 0) open = i;
      depth++;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const alternatives = splitTopLevel(pattern.slice(open + 1, i));
        const out: string[] = [];
        for (const alt of alternatives) for (const rest of expandBraces(alt + tail)) out.push(head + rest);
        return out;
      }
    }
  }
  return [pattern];
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
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

/** fnmatch(3) of one path segment. */
export function matchSegment(pattern: string, name: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  return matchFrom(pattern, 0, name, 0);
}

function matchFrom(p: string, pi: number, s: string, si: number): boolean {
  while (pi < p.length) {
    const c = p[pi]!;
    if (c === '*') {
      while (p[pi] === '*') pi++;
      if (pi === p.length) return true;
      for (let k = si; k <= s.length; k++) if (matchFrom(p, pi, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') {
      pi++;
      si++;
      continue;
    }
    if (c === '[') {
      const end = classEnd(p, pi);
      if (end < 0) {
        if (s[si] !== '[') return false;
        pi++;
        si++;
        continue;
      }
      if (!matchClass(p.slice(pi + 1, end), s[si]!)) return false;
      pi = end + 1;
      si++;
      continue;
    }
    let literal = c;
    if (c === '\\' && pi + 1 < p.length) {
      pi++;
      literal = p[pi]!;
    }
    if (s[si] !== literal) return false;
    pi++;
    si++;
  }
  return si === s.length;
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

function globOne(pattern: string, fs: ConfigFileSystem): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '');
  let bases = [absolute ? '/' : ''];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of bases) {
      const join = (name: string): string => (base === '' ? name : base.endsWith('/') ? base + name : `${base}/${name}`);
      if (!hasWildcard(segment)) {
        const candidate = join(unescape(segment));
        if (fs.kind(candidate) !== 'missing') next.push(candidate);
        continue;
      }
      const names = fs.readDirectory(base === '' ? '.' : base);
      if (!names) continue;
      for (const name of [...names].sort()) if (matchSegment(segment, name)) next.push(join(name));
    }
    bases = next;
    if (bases.length === 0) break;
  }
  return bases;
}

/** Expands an absolute include pattern. */
export function globInclude(pattern: string, fs: ConfigFileSystem): GlobResult {
  const files: string[] = [];
  const directories: string[] = [];
  const missing: string[] = [];
  let hadWildcard = false;
  for (const alternative of expandBraces(pattern)) {
    if (hasWildcard(alternative)) hadWildcard = true;
    const matches = globOne(alternative, fs);
    if (matches.length === 0 && !hasWildcard(alternative)) missing.push(unescape(alternative));
    for (const m of matches) (fs.kind(m) === 'directory' ? directories : files).push(m);
  }
  return { files, directories, missing, hadWildcard };
}
