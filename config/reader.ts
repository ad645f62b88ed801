/**
 * keepalived.conf's reader (what keepalived's read_line does): turns files into logical lines of words, each with
 * the file and line it came from. In order, for every line: `#`/`!` comments, `$NAME=` definitions (and their
 * continuation lines), `@id` / `@^id` conditional lines, `~SEQ` / `~LST` replication, `$NAME` / `${NAME}`
 * substitution, `include` (globs, relative to the including file), and finally every `{` and `}` put on a line of
 * its own, as keepalived does. Never throws on input: problems go to the Diagnostics. What it may open and how
 * much it may read or generate is capped (config/reader-limits.ts, config/file-opener.ts); passing a cap is an
 * error and ends the reading ("- stopping").
 */
import { applyIncludeCheck, INCLUDE_R, INCLUDE_W, includeVariantChecks } from './include-check.js';
import { dirname, isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { Definitions, type Substitution } from './definitions.js';
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import { FileOpener, type OpenAncestor, type OpenHow, type OpenOutcome } from './file-opener.js';
import type { ConfigFileSystem } from './files.js';
import { globInclude } from './glob.js';
import { KEEPALIVED_MAX_LINE_BYTES, LINE_PASSES, readerLimits, SUBSTITUTION_STEP_COST, type ReaderLimits } from './reader-limits.js';
import { parseList, parseSequence, type Replication } from './sequences.js';
import { decomment, firstBrace, splitWords, trimBlanks } from './text.js';

export interface ConfigLine extends SourcePosition {
  /** words[0] is the keyword, or `{` / `}`. */
  readonly words: readonly string[];
}

export interface ReaderOptions {
  readonly fs: ConfigFileSystem;
  /** keepalived's -i / --config-id: selects `@id` lines. Undefined: no `@id` line matches. */
  readonly configId?: string | undefined;
  /** First seed of ${_RANDOM} (fixed, so that reads are repeatable); a global_defs random_seed line reseeds it. */
  readonly randomSeed?: number | undefined;
  /** Caps on what is read and generated (defaults: DEFAULT_READER_LIMITS). */
  readonly limits?: Partial<ReaderLimits> | undefined;
  /** Refuse files a non-root user could change (--secure-config; config/file-security.ts). */
  readonly secureConfig?: boolean | undefined;
}

interface FileFrame {
  readonly kind: 'file';
  readonly path: string;
  readonly real: string;
  readonly display: string;
  readonly text: string;
  /** Offset of the next physical line in text. */
  offset: number;
  /** Number of the last physical line read. */
  index: number;
  readonly parent: FileFrame | undefined;
  /** A line longer than keepalived reads was reported (once per file). */
  longLineWarned: boolean;
  /** include_check as it was when this file was opened: put back when it ends (keepalived saves it per file). */
  readonly includeCheckBefore: number;
}

interface LinesFrame {
  readonly kind: 'lines';
  readonly lines: string[];
  index: number;
  readonly at: SourcePosition;
}

interface RoundsFrame {
  readonly kind: 'rounds';
  readonly replication: Replication;
  readonly text: string;
  index: number;
  readonly at: SourcePosition;
}

type Frame = FileFrame | LinesFrame | RoundsFrame;

const MAX_SUBSTITUTION_PASSES = 100;
const OPEN_WORDS: readonly string[] = Object.freeze(['{']);
const CLOSE_WORDS: readonly string[] = Object.freeze(['}']);

/** splitPlain's answer for a line that needs the full preprocessor. */
const NOT_PLAIN = Symbol('not plain');
const INCLUDE = /^include([rmwba]?)[ \t]+(.*)$/;

export class ConfigReader {
  private readonly stack: Frame[] = [];
  private readonly defs: Definitions;
  private residue: string | undefined;
  private residueAt: SourcePosition = { file: '', line: 0 };
  private seed: number;
  /** keepalived's include_check bits (config/include-check.ts). */
  private includeCheck = 0;
  /** Further lines split from one plain physical line. */
  private readonly queued: ConfigLine[] = [];
  private queuedIndex = 0;
  private expanded = 0;
  /** Units of work of generated lines and substitution so far (ReaderLimits.maxExpansionWork). */
  private work = 0;
  private readonly limits: ReaderLimits;
  private readonly opener: FileOpener;
  private halted = false;
  private readonly openLine: { words: readonly string[]; file: string; line: number } = { words: OPEN_WORDS, file: '', line: 0 };
  private readonly closeLine: { words: readonly string[]; file: string; line: number } = { words: CLOSE_WORDS, file: '', line: 0 };
  /** Files read so far (absolute paths), for reporting. */
  readonly files: string[] = [];

  constructor(
    mainFile: string,
    private readonly diagnostics: Diagnostics,
    private readonly options: ReaderOptions,
    mainText?: string,
  ) {
    this.seed = (options.randomSeed ?? 1) >>> 0;
    this.limits = readerLimits(options.limits);
    this.opener = new FileOpener(options.fs, diagnostics, this.limits, options.secureConfig === true);
    this.defs = new Definitions({
      currentDirectory: () => dirname(this.currentFile()?.path ?? resolve(mainFile)),
      instance: options.configId ?? '',
      random: () => this.nextRandom(),
    });
    const path = resolve(mainFile);
    const main = mainText !== undefined ? this.opener.given(path, mainFile, mainText) : this.opener.open(path, mainFile, { file: mainFile, line: 0 }, [], 'main');
    if (main.kind === 'opened') this.pushFile(main, undefined);
    else if (main.kind === 'stop') this.halted = true;
  }

  /** Whether reading ended early on a cap (what is still open was not read to its end). */
  get stopped(): boolean {
    return this.halted;
  }

  /**
   * The next logical line, or undefined at the end of the configuration. A `random_seed N` line (global_defs)
   * seeds the ${_RANDOM} of the lines after it: the same seed, the same configuration (keepalived.conf(5)).
   */
  next(): ConfigLine | undefined {
    const line = this.nextLine();
    if (line !== undefined && line.words[0] === 'random_seed') {
      const seed = line.words[1];
      if (seed !== undefined && /^\d{1,10}$/.test(seed) && Number(seed) <= 0xffffffff) this.seed = Number(seed) >>> 0;
    }
    // include_check (global_defs): the checks of the includes after it, in this file and those it includes.
    if (line !== undefined && line.words[0] === 'include_check') this.includeCheck = applyIncludeCheck(this.includeCheck, line.words.slice(1)).checks;
    return line;
  }

  private nextLine(): ConfigLine | undefined {
    if (this.queuedIndex < this.queued.length) {
      const q = this.queued[this.queuedIndex++]!;
      if (this.queuedIndex === this.queued.length) {
        this.queued.length = 0;
        this.queuedIndex = 0;
      }
      return q;
    }
    for (;;) {
      if (this.residue !== undefined) {
        const text = this.residue;
        this.residue = undefined;
        const line = this.process(text, this.residueAt);
        if (line) return line;
        continue;
      }
      const top = this.stack[this.stack.length - 1];
      if (!top) return undefined;
      let line: ConfigLine | undefined;
      if (top.kind === 'file') {
        const text = top.text;
        const start = top.offset;
        if (start > text.length) {
          this.stack.pop();
          this.includeCheck = top.includeCheckBefore;
          continue;
        }
        let end = text.indexOf('\n', start);
        if (end < 0) end = text.length;
        top.offset = end + 1;
        top.index++;
        if (end - start > KEEPALIVED_MAX_LINE_BYTES / 3 && !this.lineLengthAllowed(top, start, end)) continue;
        if (!this.defs.collecting && this.residue === undefined) {
          const plain = this.splitPlain(text, start, end, top.display, top.index);
          if (plain !== NOT_PLAIN) {
            if (plain) return plain;
            continue;
          }
        }
        let raw = text.slice(start, end);
        if (raw.charCodeAt(raw.length - 1) === 13) raw = raw.slice(0, -1);
        if (raw === '') {
          // keepalived: an empty line ends a multi-line definition.
          this.defs.close();
          continue;
        }
        const at = { file: top.display, line: top.index };
        const d = decomment(raw);
        if (d.unterminatedQuote) this.diagnostics.error(at, 'unterminated quote');
        if (d.text === '') continue;
        line = this.process(d.text, at);
      } else if (top.kind === 'lines') {
        const text = top.lines[top.index++]!;
        if (top.index >= top.lines.length) this.stack.pop();
        line = this.process(text, top.at);
      } else {
        const round = top.replication.round(top.index++);
        if (top.index >= top.replication.count) this.stack.pop();
        for (const [name, value] of round) this.defs.set(name, value);
        line = this.process(top.text, top.at);
      }
      if (line) return line;
    }
  }

  /**
   * The common case, a physical line (text[start, end)) with nothing for the preprocessor to do: no comment
   * (`#`, `!`), quote, escape, definition or conditional (`$`, `@`), replication (`~`) or include. Its words are
   * split at white space, each `{` / `}` a line of its own; lines after the first wait in `queued`. Returns
   * NOT_PLAIN (having queued nothing) when the line needs the full treatment, undefined for a blank line.
   */
  private splitPlain(text: string, start: number, end: number, file: string, lineNo: number): ConfigLine | undefined | typeof NOT_PLAIN {
    let first: ConfigLine | undefined;
    let words: string[] = [];
    const queuedBefore = this.queued.length;
    let i = start;
    while (i < end) {
      let c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 11 || c === 12 || c === 13) {
        i++;
        continue;
      }
      if (c === 123 || c === 125) {
        if (words.length > 0) {
          const l = { words, file, line: lineNo };
          if (first === undefined) first = l;
          else this.queued.push(l);
          words = [];
        }
        // Brace lines are used at once and never kept, so one object of each is reused (a large
        // configuration has hundreds of thousands of them).
        const l = c === 123 ? this.openLine : this.closeLine;
        l.file = file;
        l.line = lineNo;
        if (first === undefined) first = l;
        else this.queued.push(l);
        i++;
        continue;
      }
      if (c === 105 /* i */ && text.startsWith('include', i)) {
        this.queued.length = queuedBefore;
        return NOT_PLAIN;
      }
      const wordStart = i;
      while (i < end) {
        c = text.charCodeAt(i);
        if (c === 32 || c === 9 || c === 11 || c === 12 || c === 13 || c === 123 || c === 125) break;
        // ! " # $ @ \ ~
        if (c === 33 || c === 34 || c === 35 || c === 36 || c === 64 || c === 92 || c === 126) {
          this.queued.length = queuedBefore;
          return NOT_PLAIN;
        }
        i++;
      }
      words.push(text.slice(wordStart, i));
    }
    if (words.length > 0) {
      const l = { words, file, line: lineNo };
      if (first === undefined) first = l;
      else this.queued.push(l);
    }
    return first;
  }

  private nextRandom(): number {
    // xorshift32: repeatable ${_RANDOM} values.
    let x = this.seed || 0x9e3779b9;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed & 0x7fffffff;
  }

  private currentFile(): FileFrame | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i]!;
      if (f.kind === 'file') return f;
    }
    return undefined;
  }

  /** One line of text through conditionals, definitions, replication, substitution, include, brace split. */
  private process(text: string, at: SourcePosition): ConfigLine | undefined {
    let buf = text;
    if (this.defs.collecting) {
      this.defs.continue(buf);
      return undefined;
    }
    for (let rounds = 0; ; rounds++) {
      // keepalived substitutes again while the line still holds a `$` (and the last pass changed it): a line that
      // keeps making new references only stops at its length limit. Real lines need two or three passes.
      if (rounds > MAX_SUBSTITUTION_PASSES) {
        this.diagnostics.error(at, `parameter substitution does not terminate (more than ${MAX_SUBSTITUTION_PASSES} passes over the line)`);
        return undefined;
      }
      const first = buf.charCodeAt(0);
      if (first === 64 /* @ */) {
        const kept = this.conditional(buf);
        if (kept === undefined) return undefined;
        buf = kept;
        if (buf === '') return undefined;
      }
      if (buf.charCodeAt(0) === 36 /* $ */ && this.defs.define(buf)) return undefined;
      if (buf.startsWith('~SEQ') || buf.startsWith('~LST')) {
        this.replicate(buf, at);
        return undefined;
      }
      if (buf.charCodeAt(0) === 126 /* ~ */) break;
      if (buf.indexOf('$') < 0) break;
      const s = this.substitute(buf, at);
      if (!s) break;
      if (s.overflow) return undefined;
      for (const lines of s.pendingLines) {
        let chars = 0;
        for (const l of lines) chars += l.length;
        if (!this.allowExpansion(lines.length, chars, at)) return undefined;
        this.stack.push({ kind: 'lines', lines, index: 0, at });
      }
      buf = decomment(s.text).text;
      if (buf.charCodeAt(0) !== 64 && buf.indexOf('$') < 0) break;
    }
    if (buf === '') return undefined;
    if (buf.charCodeAt(0) === 105 /* i */ && buf.startsWith('include')) {
      const m = INCLUDE.exec(buf);
      if (m) {
        this.include(m[1] ?? '', trimBlanks(m[2] ?? ''), at);
        return undefined;
      }
    }
    const brace = firstBrace(buf);
    if (brace === 0) {
      const rest = trimBlanks(buf.slice(1));
      if (rest !== '') this.setResidue(rest, at);
      buf = buf[0]!;
    } else if (brace > 0) {
      this.setResidue(trimBlanks(buf.slice(brace)), at);
      buf = trimBlanks(buf.slice(0, brace));
    }
    const { words, unmatchedQuote } = splitWords(buf);
    if (unmatchedQuote) this.diagnostics.error(at, `unmatched quote in '${buf}'`);
    if (words.length === 0) return undefined;
    return { words, file: at.file, line: at.line };
  }

  private setResidue(text: string, at: SourcePosition): void {
    this.residue = text;
    this.residueAt = at;
  }

  /**
   * A physical line text[start, end) of `file`: past ReaderLimits.maxLineLength it is an error and skipped; past
   * what keepalived reads of a line (1,023 bytes; it reads the rest as another line) a warning, once per file.
   */
  private lineLengthAllowed(file: FileFrame, start: number, end: number): boolean {
    const at = { file: file.display, line: file.index };
    if (end - start > this.limits.maxLineLength) {
      this.diagnostics.error(at, `line longer than ${this.limits.maxLineLength} characters (${end - start}) - skipped`);
      return false;
    }
    if (!file.longLineWarned) {
      const bytes = Buffer.byteLength(file.text.slice(start, end).replace(/\r$/, ''));
      if (bytes > KEEPALIVED_MAX_LINE_BYTES) {
        file.longLineWarned = true;
        this.diagnostics.warning(at, `line of ${bytes} bytes: keepalived reads at most ${KEEPALIVED_MAX_LINE_BYTES} bytes of a line and would read the rest as another line`);
      }
    }
    return true;
  }

  /** $NAME substitution of one line within the caps; a runaway is reported here (ReaderLimits). */
  private substitute(text: string, at: SourcePosition): Substitution | undefined {
    const s = this.defs.substitute(text, {
      maxLength: this.limits.maxLineLength,
      maxWork: this.limits.maxExpansionWork - this.work,
      stepCost: SUBSTITUTION_STEP_COST,
    });
    if (!s) return undefined;
    this.work += s.work + LINE_PASSES * s.text.length;
    switch (s.overflow) {
      case undefined:
        break;
      case 'cycle':
        this.diagnostics.error(at, `parameter substitution does not terminate: ${(s.cycle ?? []).map((n) => `$${n}`).join(' -> ')} (a definition that contains itself)`);
        break;
      case 'expansions':
        this.diagnostics.error(at, 'parameter substitution does not terminate (too many substitutions on one line)');
        break;
      case 'length':
        this.diagnostics.error(at, `parameter substitution makes a line longer than ${this.limits.maxLineLength} characters`);
        break;
      case 'work':
        this.expansionSpent(at);
        break;
    }
    return s;
  }

  private expansionSpent(at: SourcePosition): void {
    this.diagnostics.error(at, `~SEQ, ~LST and $definitions make more configuration than the reader's cap on generated text (${this.limits.maxExpansionWork} units) - stopping`);
    this.halt();
  }

  /**
   * Counts lines made by ~SEQ / ~LST and multi-line definitions and their characters; past the caps (a
   * definition that expands itself, nested sequences gone wild) it is an error and the reading stops.
   */
  private allowExpansion(lines: number, chars: number, at: SourcePosition): boolean {
    this.expanded += lines;
    this.work += LINE_PASSES * chars;
    if (this.expanded > this.limits.maxGeneratedLines) {
      this.diagnostics.error(at, `more than ${this.limits.maxGeneratedLines} lines generated by ~SEQ/~LST or multi-line definitions - stopping`);
      this.halt();
      return false;
    }
    if (this.work > this.limits.maxExpansionWork) {
      this.expansionSpent(at);
      return false;
    }
    return true;
  }

  /** Ends the reading: nothing more is returned. */
  private halt(): void {
    this.halted = true;
    this.stack.length = 0;
    this.queued.length = 0;
    this.queuedIndex = 0;
    this.residue = undefined;
  }

  /** `@id rest` keeps `rest` when id is the config id; `@^id rest` when it is not. */
  private conditional(buf: string): string | undefined {
    const negated = buf.charCodeAt(1) === 94; /* ^ */
    const start = negated ? 2 : 1;
    let end = start;
    while (end < buf.length && buf[end] !== ' ' && buf[end] !== '\t') end++;
    if (end >= buf.length) return undefined;
    const matches = this.options.configId !== undefined && buf.slice(start, end) === this.options.configId;
    if (matches === negated) return undefined;
    return trimBlanks(buf.slice(end));
  }

  private replicate(buf: string, at: SourcePosition): void {
    const budget = this.limits.maxGeneratedLines - this.expanded + 1;
    const result = buf[1] === 'S' ? parseSequence(buf, (s) => (this.halted ? s : (this.substitute(s, at)?.text ?? s)), budget) : parseList(buf);
    if (this.halted) return;
    if (!result.ok) {
      if (result.rounds !== undefined) this.allowExpansion(result.rounds, 0, at);
      else this.diagnostics.error(at, result.problem);
      return;
    }
    const rounds = result.value.count;
    if (rounds === 0 || !this.allowExpansion(rounds, rounds * result.value.text.length, at)) return;
    this.stack.push({ kind: 'rounds', replication: result.value, text: result.value.text, index: 0, at });
  }

  /**
   * `include PATTERN` (and includer/includem/includew/includeb/includea). A missing file is an error (keepalived
   * only logs it for plain `include`, which silently drops configuration); a wildcard matching nothing is a
   * warning, an error with wildcard_match (includew / includea, or include_check). What keepalived skips (a
   * directory, anything but a regular non-executable file) is a warning, an error with read (every variant but
   * plain include, or include_check), as keepalived's INCLUDE_R.
   */
  private include(variant: string, pattern: string, at: SourcePosition): void {
    if (pattern.length > this.limits.maxPatternLength) {
      this.diagnostics.error(at, `include: pattern longer than ${this.limits.maxPatternLength} characters`);
      return;
    }
    const includer = this.currentFile();
    const base = includer?.path ?? resolve('.');
    const absolutePattern = isAbsolute(pattern) ? pattern : join(dirname(base), pattern);
    const result = globInclude(absolutePattern, this.options.fs, { maxAlternatives: this.limits.maxPatternAlternatives, maxPaths: this.limits.maxFiles });
    if (result.tooMany === 'alternatives') {
      this.diagnostics.error(at, `include: '${pattern}' has more than ${this.limits.maxPatternAlternatives} brace alternatives`);
      return;
    }
    if (result.tooMany === 'paths') {
      this.diagnostics.error(at, `include: '${pattern}' matches more than ${this.limits.maxFiles} paths - stopping`);
      this.halt();
      return;
    }
    const displayOf = (path: string): string => {
      if (isAbsolute(pattern) || !includer) return path;
      return normalize(join(dirname(includer.display), relative(dirname(includer.path), path)));
    };
    for (const missing of result.missing) this.diagnostics.error(at, `include: cannot open '${displayOf(missing)}': no such file`);
    // The variant's checks and include_check's make a problem an error; without them it is a warning.
    const checks = includeVariantChecks(variant) | this.includeCheck;
    for (const dir of result.directories) {
      const message = `include: '${displayOf(dir)}' is a directory - skipping`;
      if (checks & INCLUDE_R) this.diagnostics.error(at, message);
      else this.diagnostics.warning(at, message);
    }
    if (result.files.length === 0 && result.missing.length === 0 && result.directories.length === 0) {
      const message = `include: no file matches '${pattern}'`;
      if (checks & INCLUDE_W) this.diagnostics.error(at, message);
      else this.diagnostics.warning(at, message);
    }
    const ancestors: OpenAncestor[] = [];
    for (let f = includer; f; f = f.parent) ancestors.unshift(f);
    const how: OpenHow = checks & INCLUDE_R ? 'includer' : 'include';
    const opened: OpenOutcome[] = [];
    for (const path of result.files) {
      const outcome = this.opener.open(path, displayOf(path), at, ancestors, how);
      if (outcome.kind === 'stop') {
        this.halt();
        return;
      }
      opened.push(outcome);
    }
    // Pushed in reverse so the first match is read first.
    for (let i = opened.length - 1; i >= 0; i--) {
      const o = opened[i]!;
      if (o.kind === 'opened') this.pushFile(o, includer);
    }
  }

  private pushFile(opened: OpenOutcome & { kind: 'opened' }, parent: FileFrame | undefined): void {
    const { path, real, display, text } = opened.file;
    this.files.push(path);
    this.stack.push({ kind: 'file', path, real, display, text, offset: 0, index: 0, parent, longLineWarned: false, includeCheckBefore: this.includeCheck });
  }
}
