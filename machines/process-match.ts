/**
 * Which processes a `track_process` block counts, by keepalived's rules (track_process.c check_params, the
 * vrrp_parser.c handlers of `process`, `param_match` and `full_command`, keepalived.conf(5)):
 * - without `full_command` the name is compared with the process's name (/proc/PID/comm: at most 15 characters),
 *   exactly (`process ssh` does not count sshd, as `pgrep '^ssh$'`);
 * - with `full_command` (implied by parameters or `param_match`) it is compared with the first word of the command
 *   line (/proc/PID/cmdline), exactly: `/usr/sbin/nginx` and `nginx` are different commands;
 * - `param_match` (exact unless `initial` or `partial`): exact, the parameters are exactly those given (none given:
 *   none at all); partial, the first n parameters are the n given; initial, as partial but the last one given
 *   need only begin the process's.
 * A process without a command line (a kernel thread, a zombie) has an empty first word and matches no full command.
 */

/** What is known of one process: its name (comm) and its command line as the kernel keeps it (NUL-separated). */
export interface ProcessIdentity {
  readonly comm?: string | undefined;
  /** /proc/PID/cmdline: each argument followed by a NUL (possibly cut short: see cmdlineBytesFor). */
  readonly cmdline?: string | undefined;
}

export type ParamMatch = 'exact' | 'initial' | 'partial';

/** A track_process block's matching part, as finalized from the configuration. */
export interface ProcessMatchSpec {
  readonly process: string;
  readonly params: readonly string[];
  /** undefined: the parameters are not looked at. */
  readonly paramMatch?: ParamMatch | undefined;
  readonly fullCommand: boolean;
}

/** The parameters as keepalived keeps them: each followed by a NUL, as in a command line. */
function paramBytes(params: readonly string[]): string {
  return params.map((p) => `${p}\0`).join('');
}

/** keepalived's check_params over the part of the command line after the command's own NUL (undefined: none). */
function paramsMatch(spec: ProcessMatchSpec & { readonly paramMatch: ParamMatch }, actual: string | undefined): boolean {
  const wanted = paramBytes(spec.params);
  // A command line with no NUL after the command (a process that rewrote it) has no parameter part at all.
  if (actual === undefined) return spec.paramMatch !== 'exact' && spec.params.length === 0;
  if (spec.paramMatch === 'exact') return actual === wanted;
  if (actual.length < wanted.length) return false;
  if (spec.paramMatch === 'partial') return actual.startsWith(wanted);
  // initial: every byte up to the last parameter's NUL; the last parameter may go on.
  return actual.startsWith(wanted.slice(0, -1));
}

/** Whether a process with this identity counts for `spec`. */
export function matchesProcess(spec: ProcessMatchSpec, identity: ProcessIdentity): boolean {
  if (!spec.fullCommand) return identity.comm === spec.process;
  const cmdline = identity.cmdline;
  if (cmdline === undefined) return false;
  const nul = cmdline.indexOf('\0');
  const command = nul < 0 ? cmdline : cmdline.slice(0, nul);
  if (command !== spec.process) return false;
  if (spec.paramMatch === undefined) return true;
  return paramsMatch({ ...spec, paramMatch: spec.paramMatch }, nul < 0 ? undefined : cmdline.slice(nul + 1));
}

/**
 * How much of a command line must be read to judge every spec (keepalived reads the longest command and
 * parameters configured, plus two bytes: enough to tell a longer command line from an equal one). 0: none of the
 * specs looks at command lines.
 */
export function cmdlineBytesFor(specs: readonly ProcessMatchSpec[]): number {
  const bytes = new TextEncoder();
  let longest = -1;
  for (const s of specs) {
    if (s.fullCommand) longest = Math.max(longest, bytes.encode(`${s.process}\0${paramBytes(s.params)}`).length);
  }
  return longest < 0 ? 0 : longest + 2;
}

/** Whether any spec compares process names (comm). */
export function needsComm(specs: readonly ProcessMatchSpec[]): boolean {
  return specs.some((s) => !s.fullCommand);
}
