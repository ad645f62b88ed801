import type { Command } from 'commander';

/** Adds every subcommand to the program. */
export function registerCommands(_program: Command): void {}
