/**
 * `~SEQ(VAR, start, step, end) text`, `~SEQx(...)` (hexadecimal values) and `~LST(VAR, v1, v2, ...)` /
 * `~LST({A, B}, {1, 2}, {3, 4}) text`: the rest of the line is read once per value with $VAR set
 * (keepalived.conf(5), "Sequence blocks" and "List blocks").
 */

export interface Replication {
  /** Rounds: the text is read once per round. */
  readonly count: number;
  /** Round i's variable assignments (0 <= i < count), made when asked for: a ~SEQ may have a million rounds. */
  round(i: number): readonly (readonly [string, string])[];
  readonly text: string;
}

export type ReplicationResult =
  | { readonly ok: true; readonly value: Replication }
  /** `rounds` is set when the only problem is the number of lines it would make. */
  | { readonly ok: false; readonly problem: string; readonly rounds?: number };

const MAX_ROUNDS = 1_000_000;

/** strtol(3) with base 0: optional sign, 0x hex, leading-0 octal, decimal; stops at the first other character. */
function strtol(text: string, from: number): { value: number; next: number } {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t') i++;
  let sign = 1;
  if (text[i] === '+' || text[i] === '-') {
    if (text[i] === '-') sign = -1;
    i++;
  }
  let base = 10;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text[i + 2] ?? '')) {
    base = 16;
    i += 2;
  } else if (text[i] === '0') base = 8;
  const digits = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  const start = i;
  while (i < text.length && digits.test(text[i]!)) i++;
  if (i === start) return { value: 0, next: from };
  return { value: sign * parseInt(text.slice(start, i), base), next: i };
}

function skipBlanks(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

/** Parses a line starting with ~SEQ or ~SEQx; `params` has had definitions substituted by the caller. */
export function parseSequence(line: string, substitute: (s: string) => string, maxRounds = MAX_ROUNDS): ReplicationResult {
  let i = 4;
  const hex = line[i] === 'x';
  if (hex) i++;
  i = skipBlanks(line, i);
  if (line[i] !== '(') return { ok: false, problem: `invalid ~SEQ specification '${line}'` };
  i = skipBlanks(line, i + 1);
  const varStart = i;
  while (i < line.length && !' \t,)'.includes(line[i]!)) i++;
  const variable = line.slice(varStart, i);
  i = skipBlanks(line, i);
  if (variable === '' || line[i] !== ',') return { ok: false, problem: `invalid ~SEQ definition '${line}'` };
  const close = line.indexOf(')', i);
  if (close < 0) return { ok: false, problem: `invalid ~SEQ definition '${line}'` };
  const params = substitute(line.slice(i + 1, close + 1));
  const numbers: number[] = [];
  let p = 0;
  for (;;) {
    const { value, next } = strtol(params, p);
    numbers.push(value);
    p = skipBlanks(params, next);
    if (params[p] === ')') break;
    if (params[p] !== ',' || numbers.length === 3) return { ok: false, problem: `invalid ~SEQ definition '${line}'` };
    p++;
  }
  let start: number;
  let step: number;
  let end: number;
  if (numbers.length === 1) {
    end = numbers[0]!;
    step = end < 1 ? -1 : 1;
    start = end < 0 ? -1 : 1;
  } else if (numbers.length === 2) {
    [start, end] = numbers as [number, number];
    step = start <= end ? 1 : -1;
  } else {
    [start, step, end] = numbers as [number, number, number];
    if (step === 0 || (start < end && step < 0) || (start > end && step > 0)) {
      return { ok: false, problem: `invalid ~SEQ values '${line}'` };
    }
  }
  if (hex && (start < 0 || end < 0)) return { ok: false, problem: `~SEQx is only valid for positive numbers '${line}'` };
  const count = Math.floor((end - start) / step) + 1;
  const limit = Math.min(maxRounds, MAX_ROUNDS);
  if (count > limit) return { ok: false, problem: `~SEQ would produce ${count} lines '${line}'`, rounds: count };
  const text = line.slice(skipBlanks(line, close + 1));
  const round = (i: number): [string, string][] => {
    const v = start + i * step;
    return [[variable, hex ? v.toString(16) : String(v)]];
  };
  return { ok: true, value: { count, round, text } };
}

/** Reads `{a, b}` or a single item up to `,` / `)`; returns the items and the index after them. */
function readGroup(line: string, from: number, stops: string): { items: string[]; next: number } | undefined {
  let i = skipBlanks(line, from);
  const items: string[] = [];
  if (line[i] === '{') {
    i++;
    for (;;) {
      i = skipBlanks(line, i);
      const start = i;
      while (i < line.length && !' \t,}'.includes(line[i]!)) i++;
      items.push(line.slice(start, i));
      i = skipBlanks(line, i);
      if (line[i] === '}') return { items, next: i + 1 };
      if (line[i] !== ',') return undefined;
      i++;
    }
  }
  const start = i;
  while (i < line.length && !stops.includes(line[i]!)) i++;
  items.push(line.slice(start, i));
  return { items, next: i };
}

export function parseList(line: string): ReplicationResult {
  const bad: ReplicationResult = { ok: false, problem: `invalid ~LST specification '${line}'` };
  let i = skipBlanks(line, 4);
  if (line[i] !== '(') return bad;
  const names = readGroup(line, i + 1, ' \t,');
  if (!names || names.items.some((n) => n === '')) return bad;
  i = skipBlanks(line, names.next);
  if (line[i] !== ',') return bad;
  i++;
  const rounds: [string, string][][] = [];
  for (;;) {
    const values = readGroup(line, i, ' \t,)');
    if (!values) return bad;
    if (values.items.length > names.items.length) {
      return { ok: false, problem: `~LST specification has too many values '${line}'` };
    }
    rounds.push(names.items.map((n, k) => [n, values.items[k] ?? ''] as [string, string]));
    i = skipBlanks(line, values.next);
    if (line[i] === ')') break;
    if (line[i] !== ',') return bad;
    i++;
  }
  return { ok: true, value: { count: rounds.length, round: (k) => rounds[k]!, text: line.slice(skipBlanks(line, i + 1)) } };
}
