/**
 * Problems found while reading a keepalived.conf: each carries the file and line it was found at and prints as
 * `file:line: message`, the way the rest of vigil reports input problems.
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** Where a line of configuration came from (after includes, sequences and definitions were expanded). */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
}

/** Just the position of a line (a ConfigLine carries its words too), for `at` fields of the model. */
export function positionOf(p: SourcePosition): SourcePosition {
  return { file: p.file, line: p.line };
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}: ${d.message}`;
}

/** At most this many of each kind are kept (a runaway configuration can produce millions). */
export const MAX_DIAGNOSTICS = 10_000;

/** Messages quote the configuration (an unknown keyword, a bad line): a 60 KB line is not repeated whole. */
export const MAX_MESSAGE_LENGTH = 1_000;

function bounded(message: string): string {
  return message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH)}… (${message.length - MAX_MESSAGE_LENGTH} more characters)`;
}

/** Collects errors and warnings in the order they were found. */
export class Diagnostics {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];

  error(at: SourcePosition, message: string): void {
    this.add(this.errors, 'error', at, message);
  }

  warning(at: SourcePosition, message: string): void {
    this.add(this.warnings, 'warning', at, message);
  }

  private add(list: Diagnostic[], severity: Severity, at: SourcePosition, message: string): void {
    if (list.length < MAX_DIAGNOSTICS) list.push({ severity, file: at.file, line: at.line, message: bounded(message) });
    else if (list.length === MAX_DIAGNOSTICS) list.push({ severity, file: at.file, line: at.line, message: `more than ${MAX_DIAGNOSTICS} ${severity}s - the rest are not shown` });
  }
}
