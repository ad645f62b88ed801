import { createRequire } from 'node:module';
import type { Command } from 'commander';

/** The version of this build: package.json's, so `vigil --version`, the npm tarball and the .deb always agree. */
export const VIGIL_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/**
 * The top-level `vigil` command as cli/main.ts runs it, before its subcommands are added (cli/commands.ts). The
 * man page and the shell completion (packaging/) are made from the same program.
 */
export function describeProgram(program: Command): Command {
  return program.name('vigil').description('keepalived, rebuilt as an actor system').version(VIGIL_VERSION);
}
