import type { Command } from 'commander';
import { registerSimCommand } from './sim-command.js';
import { registerRunCommand } from './run-command.js';
import { registerStatusCommand } from './status-command.js';

/** Adds every subcommand to the program. */
export function registerCommands(program: Command): void {
  registerSimCommand(program);
  registerRunCommand(program);
  registerStatusCommand(program);
}
