/**
 * A configuration as the daemon loads it, and the part of it the checker side is built from. A reload restarts
 * the checker side only when that part changed; comparing digests (made where the configuration was read, off the
 * VRRP thread) costs nothing, where comparing the parts themselves took the VRRP thread half a second on a
 * 300,000-line configuration.
 */
import { createHash } from 'node:crypto';
import { loadConfigFile, type LoadOptions } from '../config/load.js';
import type { HostFacts } from '../config/host-facts.js';
import type { KeepalivedConfig } from './vrrp/specs-from-config.js';
import { runnableScripts } from './scripts/runnable-scripts.js';

/** A configuration read and made runnable (actors/scripts/runnable-scripts.ts), and what was said about it. */
export interface LoadedRunnable {
  /** The runnable configuration: scripts keepalived would refuse left out, users as ids. */
  readonly config: KeepalivedConfig;
  /** The parser's warnings, one file:line line each. */
  readonly warnings: readonly string[];
  /** One line per refused script or FIFO. */
  readonly refused: readonly string[];
  /** lvsDigest(config). */
  readonly lvsDigest: string;
}

/**
 * Reads and judges a configuration file; throws ConfigLoadError on a bad one. `running`: the configuration
 * running now, whose checker part a loader may hand back as it is when the file's is the same. `signal`: once
 * aborted (the daemon stopping), the load is given up at once and rejects with the signal's reason.
 */
export type ConfigLoader = (file: string, options: LoadOptions, running?: LoadedRunnable, signal?: AbortSignal) => Promise<LoadedRunnable>;

/** The fields of a configuration that only the checker side reads, as arrays (those a loader may reuse). */
export const LVS_ARRAYS = ['virtualServers', 'virtualServerGroups'] as const satisfies readonly (keyof KeepalivedConfig)[];

/** The part of a configuration the checker side is built from. */
export function lvsPart(config: KeepalivedConfig): unknown {
  const g = config.globalDefs;
  return [config.virtualServers, config.virtualServerGroups, g.lvsBackend, config.ssl, g.lvsTimeouts, g.lvsFlushOnStop, g.lvsSyncDaemon];
}

export function lvsDigest(config: KeepalivedConfig): string {
  return createHash('sha256').update(JSON.stringify(lvsPart(config))).digest('hex');
}

/** Reads, parses and judges on the calling thread (the simulator, tests; the config worker runs this too). */
export function loadRunnable(file: string, options: LoadOptions, host: HostFacts | undefined): LoadedRunnable {
  const loaded = loadConfigFile(file, options);
  const { config, refused } = runnableScripts(loaded.config, host);
  return { config, warnings: loaded.warnings, refused, lvsDigest: lvsDigest(config) };
}
