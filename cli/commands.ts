import type { Command } from 'commander';
import { registerConfigCommand } from './config-command.js';
import { registerSimCommand } from './sim-command.js';
import { registerRunCommand } from './run-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerVizCommand } from './viz-command.js';
import { registerReplayCommand } from './replay-command.js';

/** Adds every subcommand to the program. */
export function registerCommands(program: Command): void {
  registerSimCommand(program);
  registerRunCommand(program);
  registerStatusCommand(program);
  registerConfigCommand(program);
  registerVizCommand(program);
  registerReplayCommand(program);
}
