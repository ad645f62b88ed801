import type { Command } from 'commander';
import { registerSimCommand } from './sim-command.js';

/** Adds every subcommand to the program. */
export function registerCommands(program: Command): void {
  registerSimCommand(program);
}
