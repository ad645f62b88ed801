/**
 * The commander program of cli/ as plain data: every command with its arguments and options, as `vigil --help`
 * shows them (commander's own Help class decides what is visible and how a default is worded). The man page and the
 * shell completion are made from this, so neither can drift from the program.
 */
import { createRequire } from 'node:module';
import type { Command, Help } from 'commander';
import { registerCommands } from '../cli/commands.js';
import { describeProgram } from '../cli/program.js';

export interface CliOption {
  /** As help shows it: `-f, --use-file <file>`. */
  readonly term: string;
  readonly short?: string;
  readonly long?: string;
  /** The value placeholder (`<file>`, `[n]`), absent for a flag. */
  readonly value?: string;
  /** Help's description, the default included. */
  readonly description: string;
}

export interface CliArgument {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
}

export interface CliCommand {
  /** The words from `vigil` down to this command: `['vigil', 'config', 'test']`. */
  readonly path: readonly string[];
  /** `[options] <scenario>`, as help's usage line shows it. */
  readonly usage: string;
  readonly description: string;
  readonly arguments: readonly CliArgument[];
  readonly options: readonly CliOption[];
  readonly commands: readonly CliCommand[];
}

/** The whole `vigil` program, every subcommand registered (as `vigil --help` sees it). */
export async function vigilProgram(): Promise<Command> {
  const { Command: CommandClass } = createRequire(import.meta.url)('commander') as typeof import('commander');
  const program = describeProgram(new CommandClass());
  await registerCommands(program);
  return program;
}

/** The tree of a commander program. The implicit `help` command is left out (it is not a command of vigil's). */
export function cliTree(command: Command, parents: readonly string[] = []): CliCommand {
  const help: Help = command.createHelp();
  const path = [...parents, command.name()];
  return {
    path,
    usage: command.usage(),
    description: command.description(),
    arguments: help.visibleArguments(command).map((a) => ({ name: a.name(), required: a.required, description: help.argumentDescription(a) })),
    options: help.visibleOptions(command).map((o) => ({
      term: help.optionTerm(o),
      ...(o.short !== undefined ? { short: o.short } : {}),
      ...(o.long !== undefined ? { long: o.long } : {}),
      ...(o.required || o.optional ? { value: o.flags.slice(o.flags.search(/[<[]/)) } : {}),
      description: help.optionDescription(o),
    })),
    commands: help
      .visibleCommands(command)
      .filter((c) => c.name() !== 'help' || c.commands.length > 0 || c.options.length > 0)
      .map((c) => cliTree(c, path)),
  };
}

/** Every command of the tree, depth first, the root first. */
export function allCommands(tree: CliCommand): CliCommand[] {
  return [tree, ...tree.commands.flatMap(allCommands)];
}
