/**
 * Opens the configuration files the reader asks for, the main file (`-f`) and each include, and decides what is
 * read: an include cycle (on real paths, so a link or `./a/../a.conf` cannot hide one), nesting too deep, the caps
 * on files and bytes (config/reader-limits.ts), what keepalived skips (anything but a regular, non-executable file:
 * a FIFO, a socket, a device, a directory, a script), the optional ownership check (--secure-config) and binary
 * data. Each problem is one diagnostic at the line of the include that named the file.
 */
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { ConfigFileSystem, FileType } from './files.js';
import { configFileInsecurity } from './file-security.js';
import { formatBytes, type ReaderLimits } from './reader-limits.js';

export interface OpenedFile {
  readonly path: string;
  /** realpath(3) of path: what include cycles are judged on. */
  readonly real: string;
  readonly display: string;
  readonly text: string;
}

/** A file already open around the one being opened (outermost first). */
export interface OpenAncestor {
  readonly real: string;
  readonly display: string;
}

/**
 * How a file is named: `main` (-f: keepalived will not start without it), `include` (keepalived logs what it
 * skips and goes on), `includer` (includer, includem, includew, includeb, includea: keepalived's INCLUDE_R, what
 * it skips is an error).
 */
export type OpenHow = 'main' | 'include' | 'includer';

export type OpenOutcome = { readonly kind: 'opened'; readonly file: OpenedFile } | { readonly kind: 'skipped' } | { readonly kind: 'stop' };

const SKIPPED: OpenOutcome = { kind: 'skipped' };
const STOP: OpenOutcome = { kind: 'stop' };
const EXECUTE = 0o111;

export class FileOpener {
  private files = 0;
  private bytes = 0;

  constructor(
    private readonly fs: ConfigFileSystem,
    private readonly diagnostics: Diagnostics,
    private readonly limits: ReaderLimits,
    private readonly secure: boolean,
  ) {}

  /** Reads `path` (absolute), named `display` in messages, from the include at `at`. */
  open(path: string, display: string, at: SourcePosition, ancestors: readonly OpenAncestor[], how: OpenHow): OpenOutcome {
    const real = this.fs.realPath(path) ?? path;
    const again = ancestors.findIndex((a) => a.real === real);
    if (again >= 0) {
      const same = ancestors[again]!.display === display ? '' : ` (the same file as ${ancestors[again]!.display})`;
      this.diagnostics.error(at, `include cycle: ${[...ancestors.map((a) => a.display), display].join(' -> ')}${same}`);
      return SKIPPED;
    }
    if (ancestors.length + 1 > this.limits.maxIncludeDepth) {
      this.diagnostics.error(at, `include: nesting deeper than ${this.limits.maxIncludeDepth} files at '${display}'`);
      return SKIPPED;
    }
    if (this.files >= this.limits.maxFiles) {
      this.diagnostics.error(at, `include: more than ${this.limits.maxFiles} configuration files at '${display}' - stopping`);
      return STOP;
    }
    const status = this.fs.status(path, true);
    if (status !== undefined && status.type !== 'file') return this.skip(at, how, display, `is a ${status.type}`, status.type);
    if (status !== undefined && (status.mode & EXECUTE) !== 0) return this.skip(at, how, display, 'is executable', 'file');
    if (this.secure) {
      const why = configFileInsecurity(this.fs, path);
      if (why !== undefined) {
        this.diagnostics.error(at, `${this.prefix(how)}'${display}' is not secure: '${why}' can be changed by a user other than root (--secure-config)`);
        return SKIPPED;
      }
    }
    const read = this.fs.readFile(path, this.limits.maxBytes - this.bytes);
    if (!read.ok) {
      if (read.tooLarge === true) {
        this.diagnostics.error(at, `${this.prefix(how)}reading '${display}' would pass ${formatBytes(this.limits.maxBytes)} of configuration in all - stopping`);
        return STOP;
      }
      this.diagnostics.error(at, `${how === 'main' ? '' : 'include: '}cannot read '${display}': ${read.problem}`);
      return SKIPPED;
    }
    this.files++;
    this.bytes += read.bytes;
    return this.accepted(path, real, display, read.text);
  }

  /** The main file's text given by the caller (parseConfigText): counted, and checked for binary data. */
  given(path: string, display: string, text: string): OpenOutcome {
    const bytes = Buffer.byteLength(text);
    if (bytes > this.limits.maxBytes) {
      this.diagnostics.error({ file: display, line: 0 }, `'${display}' holds more than ${formatBytes(this.limits.maxBytes)} of configuration - stopping`);
      return STOP;
    }
    this.files++;
    this.bytes += bytes;
    return this.accepted(path, this.fs.realPath(path) ?? path, display, text);
  }

  private accepted(path: string, real: string, display: string, text: string): OpenOutcome {
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      let line = 1;
      for (let i = text.indexOf('\n'); i >= 0 && i < nul; i = text.indexOf('\n', i + 1)) line++;
      this.diagnostics.error({ file: display, line }, `binary data (a NUL byte): '${display}' is not a configuration file and is not read`);
      return SKIPPED;
    }
    return { kind: 'opened', file: { path, real, display, text } };
  }

  /**
   * keepalived's check_glob_file(): a file that is not regular or is executable is skipped with "is not a regular
   * non-executable file - skipping"; an error for the main file and includer/includem/..., a warning for include.
   * Nothing is opened: a FIFO would block, a device might never end.
   */
  private skip(at: SourcePosition, how: OpenHow, display: string, what: string, type: FileType): OpenOutcome {
    const reason = type === 'file' ? 'keepalived reads only non-executable configuration files' : 'not a regular file';
    const message = `${this.prefix(how)}'${display}' ${what} (${reason})${how === 'main' ? '' : ' - skipping'}`;
    if (how === 'include') this.diagnostics.warning(at, message);
    else this.diagnostics.error(at, message);
    return SKIPPED;
  }

  private prefix(how: OpenHow): string {
    return how === 'main' ? '' : 'include: ';
  }
}
