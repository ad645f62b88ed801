/**
 * keepalived's command line on vigil: `vigil -f FILE …` runs the daemon (`vigil run -f FILE …`, keepalivedSpelling)
 * and `vigil -t -f FILE` tests the configuration (`vigil config test -f FILE`, rewriteKeepalivedTest);
 * `vigil --signum=NAME` prints a signal function's number (keepalivedSignum).
 */
const RUN_FLAGS = new Set(['-f', '--use-file', '-D', '--log-detail', '-l', '--log-console', '-n', '--dont-fork', '-P', '--vrrp', '-C', '--check', '-p', '--pid', '-i', '--config-id', '-u', '--umask']);

export function keepalivedSpelling(argv: readonly string[]): string[] {
  const [node = 'node', script = 'vigil', ...args] = argv;
  const first = args[0];
  if (first === undefined || !first.startsWith('-')) return [...argv];
  const bare = (a: string): string => a.split('=')[0]!;
  // `-t` was already turned into `config test` by rewriteKeepalivedTest (cli/main.ts runs it first).
  if (args.some((a) => RUN_FLAGS.has(bare(a)) || /^-[fDlnPCpiu]+$/.test(a))) return [node, script, 'run', ...args];
  return [...argv];
}

/** keepalived options that mean nothing to a configuration test and are dropped from `-t` command lines. */
const IGNORED_KEEPALIVED_FLAGS = new Set(['-l', '--log-console', '-D', '--log-detail', '-n', '--dont-fork', '-G', '--no-syslog']);

/**
 * keepalived's `-t [-f FILE] [-i ID]` (also `--config-test[=LOG_FILE]`) becomes `config test ...`; other
 * command lines are returned unchanged. `argv` excludes node and the script.
 */
export function rewriteKeepalivedTest(argv: readonly string[]): string[] {
  const isTest = (a: string): boolean => a === '-t' || a === '--config-test' || a.startsWith('--config-test=');
  if (!argv.some(isTest) || argv[0] === 'config') return [...argv];
  const rest = argv.filter((a) => !isTest(a) && !IGNORED_KEEPALIVED_FLAGS.has(a));
  return ['config', 'test', ...rest];
}

/**
 * keepalived's `--signum=NAME` (or `--signum NAME`) anywhere on a keepalived-style command line (the first argument
 * an option): the name to print the number of, '' when the option has no value; undefined without the option.
 * `argv` excludes node and the script.
 */
export function keepalivedSignum(argv: readonly string[]): string | undefined {
  if (!argv[0]?.startsWith('-')) return undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (a.startsWith('--signum=')) return a.slice('--signum='.length);
    if (a === '--signum') return argv[i + 1] ?? '';
  }
  return undefined;
}
