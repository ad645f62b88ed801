import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands.js';
import { keepalivedSpelling } from './keepalived-args.js';

/** Entry point of `bin/vigil`. Subcommands live in cli/*-command.ts and are listed in cli/commands.ts. */
const program = new Command();
program.name('vigil').description('keepalived, rebuilt as an actor system').version('0.1.0');
program.exitOverride();
registerCommands(program);

try {
  await program.parseAsync(keepalivedSpelling(process.argv));
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(2);
}
