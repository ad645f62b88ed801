/**
 * Line-level text rules of keepalived's reader: comment removal (`#` and `!` outside double quotes, `\#`/`\!`
 * escapes), splitting a line into words (a double-quoted word keeps its spaces, quotes removed) and finding the
 * first block brace outside quotes.
 */

const SPACE = 32;
const TAB = 9;
const QUOTE = 34; // "
const BACKSLASH = 92;
const HASH = 35;
const BANG = 33;
const OPEN = 123; // {
const CLOSE = 125; // }

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** keepalived's word separators. */
export function isWhite(c: number): boolean {
  return c === SPACE || c === TAB || c === 10 || c === 13 || c === 11 || c === 12;
}

export interface Decommented {
  readonly text: string;
  /** A double quote was left open (keepalived: "Unterminated quote"). */
  readonly unterminatedQuote: boolean;
}

/**
 * Drops the comment, leading and trailing blanks, and the escaping backslash of `\#` / `\!` outside quotes. A
 * backslash ending the line is kept (glued to the text before it), as keepalived does: only a `$NAME=` definition
 * gives it a meaning (continuation).
 */
export function decomment(line: string): Decommented {
  let start = 0;
  const n = line.length;
  while (start < n && isBlank(line.charCodeAt(start))) start++;
  let special = false;
  for (let i = start; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c === HASH || c === BANG || c === QUOTE || c === BACKSLASH) {
      special = true;
      break;
    }
  }
  if (!special) {
    let end = n;
    while (end > start && isBlank(line.charCodeAt(end - 1))) end--;
    return { text: start === 0 && end === n ? line : line.slice(start, end), unterminatedQuote: false };
  }
  let out = '';
  let quote = false;
  let skipping = false;
  let continued = false;
  let segmentStart = start;
  let cut = -1;
  for (let i = start; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      if (!skipping) quote = !quote;
    } else if (c === BACKSLASH) {
      if (i + 1 < n) {
        const next = line.charCodeAt(i + 1);
        if (!quote && !skipping && (next === HASH || next === BANG)) {
          out += line.slice(segmentStart, i);
          segmentStart = i + 1;
        }
        i++;
      } else {
        continued = true;
        if (cut < 0) cut = i;
      }
    } else if (!quote && !skipping && (c === HASH || c === BANG)) {
      skipping = true;
      cut = i;
    }
  }
  out += line.slice(segmentStart, cut < 0 ? n : cut);
  let end = out.length;
  while (end > 0 && isBlank(out.charCodeAt(end - 1))) end--;
  if (end !== out.length) out = out.slice(0, end);
  if (continued) out += '\\';
  return { text: out, unterminatedQuote: quote };
}

export interface Words {
  readonly words: string[];
  /** A word started with `"` that was never closed (keepalived: "Unmatched quote"). */
  readonly unmatchedQuote: boolean;
}

/** Splits on white space; a word starting with `"` runs to the next `"` (quotes dropped, no escapes). */
export function splitWords(text: string): Words {
  const words: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && isWhite(text.charCodeAt(i))) i++;
    if (i >= n) break;
    if (text.charCodeAt(i) === QUOTE) {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return { words, unmatchedQuote: true };
      words.push(text.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    const start = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (isWhite(c) || c === QUOTE) break;
      i++;
    }
    words.push(text.slice(start, i));
  }
  return { words, unmatchedQuote: false };
}

/**
 * keepalived puts every `{` and `}` on a line of its own: returns the index of the first brace outside double
 * quotes, or -1. A line starting with a brace reports 0.
 */
export function firstBrace(text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN || c === CLOSE) return i;
    if (c === QUOTE) {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return -1;
      i = close;
    }
  }
  return -1;
}

export function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
