/**
 * `vigil config test -f FILE [-i ID] [--strict]` and `vigil config dump -f FILE [--json] [-i ID]`: read a
 * keepalived.conf the way keepalived 2.2 does. Problems go to stderr, one per line (`file:line: problem`,
 * warnings as `file:line: warning: problem`); exit 0 when the configuration has no errors, 1 when it has.
 * `config test` also checks the file against this host as `keepalived -t` does (config/host-checks.ts): what
 * keepalived refuses (an interface that does not exist, a routing table name it cannot resolve, ...) is an
 * error; warnings are what keepalived reports and then works around, and count as errors with --strict.
 * `vigil -t -f FILE` (keepalived's spelling) is rewritten to `config test` by cli/main.ts.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import { checkHost } from '../config/host-checks.js';
import { parseConfigFile, type ParseResult } from '../config/parse.js';

interface CommonOptions {
  useFile: string;
  configId?: string;
  secureConfig?: boolean;
}

const DEFAULT_FILE = '/etc/keepalived/keepalived.conf';

/** keepalived's default config id: the host name up to the first dot. */
function defaultConfigId(): string {
  return hostname().split('.')[0] ?? '';
}

function report(result: { readonly warnings: readonly Diagnostic[]; readonly errors: readonly Diagnostic[] }, warningsAreErrors: boolean): void {
  const lines: string[] = [];
  for (const w of result.warnings) lines.push(`${w.file}:${w.line}: ${warningsAreErrors ? '' : 'warning: '}${w.message}`);
  for (const e of result.errors) lines.push(formatDiagnostic(e));
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
}

function read(options: CommonOptions): ParseResult {
  return parseConfigFile(options.useFile, { configId: options.configId ?? defaultConfigId(), secureConfig: options.secureConfig === true });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('read a keepalived.conf: check it, or print what it resolves to');
  config
    .command('test')
    .description('check a configuration (exit 0 when valid, 1 with errors; problems on stderr)')
    .option('-f, --use-file <file>', 'configuration file', DEFAULT_FILE)
    .option('-i, --config-id <id>', 'config id selecting @id lines (default: the host name)')
    .option('--strict', 'count warnings, keywords vigil does not implement among them, as errors (as keepalived -t does for any reported problem)')
    .option('-q, --quiet', 'print nothing on success')
    .option('--no-interfaces', "don't check the interfaces the file names against this host's")
    .option('--no-host-checks', "don't check the file against this host at all (interfaces, iproute2 names, script users and files)")
    .option('--secure-config', 'refuse configuration files that a non-root user could change (as vigil run --secure-config)')
    .action((options: CommonOptions & { strict?: boolean; quiet?: boolean; interfaces: boolean; hostChecks: boolean }) => {
      const parsed = read(options);
      const strict = options.strict === true;
      // A file that does not parse is not checked against the host: its half-read parts would mislead.
      const host = options.hostChecks && parsed.errors.length === 0 ? checkHost(parsed.config, undefined, { interfaces: options.interfaces }) : { errors: [], warnings: [] };
      const result = { warnings: [...parsed.warnings, ...host.warnings], errors: [...parsed.errors, ...host.errors] };
      report(result, strict);
      const failed = result.errors.length > 0 || (strict && result.warnings.length > 0);
      if (!failed && options.quiet !== true) {
        const c = parsed.config;
        process.stdout.write(
          `${options.useFile}: configuration valid: ${plural(c.vrrpInstances.length, 'vrrp_instance')}, ` +
            `${plural(c.virtualServers.length, 'virtual_server')}, ${plural(result.warnings.length, 'warning')}\n`,
        );
      }
      process.exitCode = failed ? 1 : 0;
    });
  config
    .command('dump')
    .description('print the resolved configuration with defaults filled in: keepalived.conf text, or JSON with keepalived keyword names')
    .option('-f, --use-file <file>', 'configuration file', DEFAULT_FILE)
    .option('-i, --config-id <id>', 'config id selecting @id lines (default: the host name)')
    .option('--json', 'print JSON')
    .action(async (options: CommonOptions & { json?: boolean }) => {
      const result = read(options);
      report(result, false);
      if (options.json === true) {
        const { dumpConfig } = await import('../config/dump.js');
        process.stdout.write(`${JSON.stringify(dumpConfig(result.config), null, 2)}\n`);
      } else {
        const { renderConfig } = await import('../config/render.js');
        process.stdout.write(renderConfig(result.config));
      }
      process.exitCode = result.errors.length > 0 ? 1 : 0;
    });
}
