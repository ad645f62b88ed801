/**
 * The caps the configuration reader works under. A root daemon reads keepalived.conf at start and on every SIGHUP;
 * whatever the files hold (an include loop through a glob, a huge or endless file, a ~SEQ of a billion lines, a
 * definition that doubles at every level), reading ends soon with one clear error instead of filling the memory
 * or spinning. keepalived has none of these caps; each default is far above what a real site uses:
 *
 * - 10,000 files and 64 MiB in all: the largest real sites keep one file per virtual server or per VRRP instance,
 *   hundreds to a few thousand files and a few MiB; the generated configuration of `bench/config-parse.ts`
 *   (10,000 virtual servers × 4 real servers, 300,000 lines) is 5 MiB.
 * - 32 files open inside one another: nobody nests includes that deep on purpose.
 * - 65,536 characters in a line, as written or after `$NAME` substitution: keepalived itself reads at most 1,023
 *   bytes of a line (vigil warns past that), so this only stops runaway lines.
 * - 4,096 characters (PATH_MAX) and 4,096 brace alternatives in an include pattern.
 * - 1,000,000 lines made by `~SEQ`, `~LST` and multi-line definitions, and 2^28 units of work for them and for
 *   `$NAME` substitution, a unit being about what the reader spends on one character: a generated or substituted
 *   line costs 4 per character (the passes over it for comments, braces and words), a substitution pass also the
 *   line's length, 512 per `$` looked at and the line's new length per definition replaced. 300,000 generated
 *   lines of 60 characters with a substitution each cost about 2^28; the largest real uses of `~SEQ` make a few
 *   thousand lines. Spending 2^28 units takes about a second.
 */

export interface ReaderLimits {
  /** Configuration files read in all, the main file included. */
  readonly maxFiles: number;
  /** Bytes read from configuration files in all. */
  readonly maxBytes: number;
  /** Files open inside one another (the main file is the first). */
  readonly maxIncludeDepth: number;
  /** Characters of one line, as written or after substitution. */
  readonly maxLineLength: number;
  /** Characters of an include pattern. */
  readonly maxPatternLength: number;
  /** Brace alternatives of one include pattern. */
  readonly maxPatternAlternatives: number;
  /** Lines made by ~SEQ, ~LST and multi-line definitions, in all. */
  readonly maxGeneratedLines: number;
  /** Units of work of generated lines and substitution (see above), in all. */
  readonly maxExpansionWork: number;
}

export const DEFAULT_READER_LIMITS: ReaderLimits = Object.freeze({
  maxFiles: 10_000,
  maxBytes: 64 * 1024 * 1024,
  maxIncludeDepth: 32,
  maxLineLength: 65_536,
  maxPatternLength: 4_096,
  maxPatternAlternatives: 4_096,
  maxGeneratedLines: 1_000_000,
  maxExpansionWork: 2 ** 28,
});

/** What looking at one `$` costs, in units (measured: as much as reading about 500 characters). */
export const SUBSTITUTION_STEP_COST = 512;

/** What a generated or substituted line costs per character: the reader goes over it about four times. */
export const LINE_PASSES = 4;

/** keepalived reads a line with fgets() into 1,024 bytes (MAXBUF): a longer line is read as several. */
export const KEEPALIVED_MAX_LINE_BYTES = 1_023;

export function readerLimits(overrides: Partial<ReaderLimits> | undefined): ReaderLimits {
  return overrides === undefined ? DEFAULT_READER_LIMITS : { ...DEFAULT_READER_LIMITS, ...overrides };
}

/** 67108864 → "64 MiB"; other sizes in bytes. */
export function formatBytes(n: number): string {
  const mib = 1024 * 1024;
  return n >= mib && n % mib === 0 ? `${n / mib} MiB` : `${n} bytes`;
}
