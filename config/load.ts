/**
 * The one entry point the daemon and the simulator use to read a keepalived.conf file: the parsed configuration
 * the runtime consumes, the warnings, or a ConfigLoadError whose message is one line naming file:line.
 */
import { readFileSync } from 'node:fs';
import type { KeepalivedConfig } from '../actors/instance-specs.js';
import { MinimalConfigError, readVrrpConfig } from './minimal-vrrp-reader.js';

export class ConfigLoadError extends Error {}

export interface LoadedConfig {
  readonly config: KeepalivedConfig;
  readonly warnings: readonly string[];
}

export interface LoadOptions {
  /** keepalived `-i/--config-id`: selects `@id` conditional lines. */
  readonly configId?: string | undefined;
}

export function loadConfigText(text: string, file: string, _options: LoadOptions = {}): LoadedConfig {
  try {
    return { config: readVrrpConfig(text, file), warnings: [] };
  } catch (err) {
    if (err instanceof MinimalConfigError) throw new ConfigLoadError(err.message);
    throw err;
  }
}

export function loadConfigFile(file: string, options: LoadOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigLoadError(`${file}: cannot read the configuration (${code})`);
  }
  return loadConfigText(text, file, options);
}
