import type { Command } from 'commander';

/**
 * The subcommands, each loaded only when asked for: `vigil run` must not pay for the simulator's modules, nor
 * `vigil config test` for the daemon's (start-up time is part of a failover and of a configuration test).
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  sim: async () => (await import('./sim-command.js')).registerSimCommand,
  run: async () => (await import('./run-command.js')).registerRunCommand,
  status: async () => (await import('./status-command.js')).registerStatusCommand,
  config: async () => (await import('./config-command.js')).registerConfigCommand,
  viz: async () => (await import('./viz-command.js')).registerVizCommand,
  replay: async () => (await import('./replay-command.js')).registerReplayCommand,
  site: async () => (await import('./site-command.js')).registerSiteCommand,
};

/** Adds the named subcommand, or every one when the name is not a known subcommand (help, errors). */
export async function registerCommands(program: Command, name?: string): Promise<void> {
  const load = name !== undefined ? COMMANDS[name] : undefined;
  if (load) {
    (await load())(program);
    return;
  }
  for (const loadOne of Object.values(COMMANDS)) (await loadOne())(program);
}
