import { createRequire } from 'node:module';
import { keepalivedSignum, keepalivedSpelling, rewriteKeepalivedTest } from './keepalived-args.js';
import { registerCommands } from './commands.js';
import { describeProgram } from './program.js';

/** Entry point of `bin/vigil`. Subcommands live in cli/*-command.ts and are listed in cli/commands.ts. */
// SIGUSR1 and SIGUSR2 are the daemon's dump signals, and may come at any moment (a keepalived habit). Unhandled,
// SIGUSR1 starts Node's inspector (a debugger port on 127.0.0.1: root code for any local user) and SIGUSR2 ends
// the process. Held from here on, before the daemon's modules load; `vigil run` adds the dumps once it can.
process.on('SIGUSR1', () => {});
process.on('SIGUSR2', () => {});
const [node = 'node', script = 'vigil', ...rest] = process.argv;
// keepalived's --signum=NAME: the number, or keepalived's own refusal (exit 1).
const signum = keepalivedSignum(rest);
if (signum !== undefined) {
  const { signalNumber } = await import('../transport/real/keepalived-signals.js');
  const number = signalNumber(signum);
  if (signum === '') process.stderr.write('Missing parameter for option --signum\n');
  else if (number === undefined) process.stderr.write(`Unknown sigfunc ${signum}\n`);
  else process.stdout.write(`${number}\n`);
  process.exit(number === undefined ? 1 : 0);
}
// commander is CommonJS: require() skips the ESM loader's wrapper and lexer (a few ms of every start).
const { Command, CommanderError } = createRequire(import.meta.url)('commander') as typeof import('commander');
const program = new Command();
describeProgram(program);
program.exitOverride();
// keepalived's spellings: `-t -f FILE` tests the configuration, `-f FILE …` runs the daemon.
const args = keepalivedSpelling([node, script, ...rewriteKeepalivedTest(rest)]).slice(2);
// keepalived's real-time signal functions (JSON, STATS_CLEAR, its thread dump) would end the daemon by their
// default action until it watches them: ignored from here on, before the daemon's modules load.
if (args[0] === 'run') (await import('../transport/real/keepalived-signals.js')).holdRealtimeSignals();
await registerCommands(program, args[0]);

try {
  await program.parseAsync(args, { from: 'user' });
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(2);
}
