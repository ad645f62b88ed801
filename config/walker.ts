/**
 * Walks the reader's lines through keyword tables, one table per block, the way keepalived's process_stream
 * does: a keyword's handler reads its own words, and may open a sub-block (`walker.block`) or read a block of
 * value lines (`walker.lines`). An unknown keyword is a warning (its `{ }` block, if any, is skipped); a
 * missing `{`, an extra `}` or a block left open at the end of the input is an error. A `{` / `}` line may be an
 * object the reader reuses: use it at once, never keep it.
 *
 * The grammar is data too: each BlockSpec names the sub-blocks its keywords open (`blocks`), so the whole
 * grammar can be listed (config/not-implemented.ts and its coverage test). A handler that opens a block its
 * spec does not declare is an internal error, so the declaration cannot drift from the handlers.
 */
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { ConfigLine, ConfigReader } from './reader.js';

export type KeywordHandler<T> = (target: T, line: ConfigLine, walker: Walker) => void;

export interface BlockSpec<T> {
  /** How the block is named in messages, e.g. "vrrp_instance". */
  readonly name: string;
  readonly keywords: ReadonlyMap<string, KeywordHandler<T>>;
  /** Which of `keywords` open a `{ }` block of keywords of their own, and its spec. */
  readonly blocks: ReadonlyMap<string, AnyBlockSpec>;
}

/** A BlockSpec whatever it fills (the grammar's shape, without the drafts' types). */
export type AnyBlockSpec = BlockSpec<never>;

/** Builds a BlockSpec from an object of handlers (keyword names as keys) and the sub-blocks they open. */
export function blockSpec<T>(name: string, keywords: Readonly<Record<string, KeywordHandler<T>>>, blocks: Readonly<Record<string, AnyBlockSpec>> = {}): BlockSpec<T> {
  for (const k of Object.keys(blocks)) if (!(k in keywords)) throw new Error(`blockSpec ${name}: sub-block '${k}' is not one of its keywords`);
  return { name, keywords: new Map(Object.entries(keywords)), blocks: new Map(Object.entries(blocks)) };
}

/**
 * Told of every keyword the walker hands to its handler, with its path from the top level (`vrrp_instance`,
 * `authentication`, `auth_type`), and of every line of a value block (`walker.lines`) with the path of the
 * keyword that opened it. Lines may be reused objects: read them at once.
 */
export interface KeywordObserver {
  keyword(path: readonly string[], line: ConfigLine): void;
  valueLine(path: readonly string[], line: ConfigLine): void;
}

export class Walker {
  private peeked: ConfigLine | undefined;
  private ended = false;
  /** The keywords being handled, outermost first, and the spec each was found in. */
  private readonly path: string[] = [];
  private readonly specs: AnyBlockSpec[] = [];
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly reader: ConfigReader,
    readonly diagnostics: Diagnostics,
    private readonly observer?: KeywordObserver,
  ) {}

  /** The top level: keywords until the end of the input. */
  root<T>(target: T, spec: BlockSpec<T>): void {
    for (;;) {
      const line = this.take();
      if (!line) return;
      const first = line.words[0]!;
      if (first === '}') {
        this.diagnostics.error(line, "unexpected '}' (no block is open)");
        continue;
      }
      if (first === '{') {
        this.diagnostics.error(line, "unexpected '{'");
        this.skipRest(line);
        continue;
      }
      this.dispatch(target, spec, line);
    }
  }

  /** Reads `{ ... }` after `opener` with `spec`'s keywords applied to `child`. */
  block<C>(child: C, spec: BlockSpec<C>, opener: ConfigLine): void {
    const parent = this.specs[this.specs.length - 1];
    const keyword = this.path[this.path.length - 1];
    if (parent !== undefined && keyword !== undefined && parent.blocks.get(keyword) !== (spec as AnyBlockSpec)) {
      throw new Error(`'${keyword}' in ${parent.name || 'the top level'} opens block ${spec.name}, which its spec does not declare`);
    }
    this.inner(opener, "unexpected '{'", (line) => this.dispatch(child, spec, line));
  }

  /** Reads `{ ... }` after `opener`, handing each inner line to `each` (keepalived's alloc_value_block). */
  lines(opener: ConfigLine, each: (line: ConfigLine) => void): void {
    this.inner(opener, `unexpected '{' in ${opener.words[0]}`, (line) => {
      this.observer?.valueLine(this.path, line);
      each(line);
    });
  }

  /** Hands each line inside `{ ... }` after `opener` to `each`; a stray `{` is `braceError` and its block is skipped. */
  private inner(opener: ConfigLine, braceError: string, each: (line: ConfigLine) => void): void {
    if (!this.expectOpen(opener)) return;
    for (;;) {
      const line = this.take();
      if (!line) {
        this.unterminated(opener);
        return;
      }
      const first = line.words[0]!;
      if (first === '}') return;
      if (first === '{') {
        this.diagnostics.error(line, braceError);
        this.skipRest(line);
        continue;
      }
      each(line);
    }
  }

  /** Skips the block that follows `opener` (keepalived's skip_block), if there is one. */
  skip(opener: ConfigLine): void {
    const next = this.peek();
    if (next && next.words[0] === '{') {
      this.take();
      this.skipRest(opener);
    }
  }

  /** Whether a `{` line comes next. */
  nextIsOpen(): boolean {
    return this.peek()?.words[0] === '{';
  }

  /** How many times `key` was counted before, in reading order (defaults keepalived numbers as it reads). */
  count(key: string): number {
    const n = this.counts.get(key) ?? 0;
    this.counts.set(key, n + 1);
    return n;
  }

  private dispatch<T>(target: T, spec: BlockSpec<T>, line: ConfigLine): void {
    const keyword = line.words[0]!;
    const handler = spec.keywords.get(keyword);
    if (handler) {
      this.path.push(keyword);
      this.specs.push(spec as AnyBlockSpec);
      try {
        this.observer?.keyword(this.path, line);
        handler(target, line, this);
      } finally {
        this.path.pop();
        this.specs.pop();
      }
      return;
    }
    this.diagnostics.warning(line, `unknown keyword '${keyword}'${spec.name === '' ? '' : ` in ${spec.name}`}`);
    // Unlike keepalived, an unknown keyword's block is skipped whole rather than read as keywords of the
    // enclosing block, so its '}' does not close the enclosing block early.
    this.skip(line);
  }

  private expectOpen(opener: ConfigLine): boolean {
    const next = this.peek();
    if (next && next.words[0] === '{') {
      this.take();
      return true;
    }
    this.diagnostics.error(next ?? opener, `missing '{' after '${opener.words.join(' ')}'${next ? '' : ' at end of input'}`);
    // keepalived reads the following lines as the block's content anyway.
    return next !== undefined;
  }

  private unterminated(opener: SourcePosition & { readonly words: readonly string[] }): void {
    // A reader stopped on a cap has said why; the blocks it left open are not further errors.
    if (this.reader.stopped) return;
    this.diagnostics.error(opener, `unterminated block '${opener.words.join(' ')}': missing '}' before end of input`);
  }

  /** Skips to the '}' matching an already consumed '{'. */
  private skipRest(from: ConfigLine): void {
    // A copy: the reader reuses brace line objects.
    const opener = { file: from.file, line: from.line, words: from.words };
    let depth = 1;
    for (;;) {
      const line = this.take();
      if (!line) {
        this.unterminated(opener);
        return;
      }
      const first = line.words[0];
      if (first === '{') depth++;
      else if (first === '}' && --depth === 0) return;
    }
  }

  private peek(): ConfigLine | undefined {
    if (this.peeked === undefined && !this.ended) {
      this.peeked = this.reader.next();
      if (this.peeked === undefined) this.ended = true;
    }
    return this.peeked;
  }

  private take(): ConfigLine | undefined {
    const line = this.peek();
    this.peeked = undefined;
    return line;
  }
}
