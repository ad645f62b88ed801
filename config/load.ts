/**
 * The one entry point the daemon uses to read a keepalived.conf file: the parsed configuration, its warnings
 * (file:line lines), or a ConfigLoadError whose message is the first error as one line naming file:line.
 */
import type { Config } from './model.js';
import { formatDiagnostic } from './diagnostics.js';
import { parseConfigFile, parseConfigText } from './parse.js';
import type { ReaderLimits } from './reader-limits.js';

export class ConfigLoadError extends Error {}

export interface LoadedConfig {
  readonly config: Config;
  readonly warnings: readonly string[];
}

export interface LoadOptions {
  /** keepalived `-i/--config-id`: selects `@id` conditional lines. */
  readonly configId?: string | undefined;
  /** `--secure-config`: refuse configuration files a non-root user could change (config/file-security.ts). */
  readonly secureConfig?: boolean | undefined;
  /** Caps on what is read (config/reader-limits.ts); the defaults suit real sites, tests lower them. */
  readonly limits?: Partial<ReaderLimits> | undefined;
}

function loaded(result: ReturnType<typeof parseConfigFile>): LoadedConfig {
  const first = result.errors[0];
  if (first) {
    const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more error${result.errors.length > 2 ? 's' : ''})` : '';
    throw new ConfigLoadError(`${formatDiagnostic(first)}${more}`);
  }
  return { config: result.config, warnings: result.warnings.map(formatDiagnostic) };
}

export function loadConfigFile(file: string, options: LoadOptions = {}): LoadedConfig {
  return loaded(parseConfigFile(file, { configId: options.configId, secureConfig: options.secureConfig, limits: options.limits }));
}

export function loadConfigText(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  return loaded(parseConfigText(text, file, { configId: options.configId, secureConfig: options.secureConfig, limits: options.limits }));
}
