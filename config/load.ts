/**
 * The one entry point the daemon uses to read a keepalived.conf file: the parsed configuration, its warnings
 * (file:line lines), or a ConfigLoadError whose message is the first error as one line naming file:line. With
 * `strict`, warnings count as errors (`vigil run --strict`, like `config test --strict`).
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
  /** Warnings (a keyword vigil does not implement among them) are errors. */
  readonly strict?: boolean | undefined;
  /** `--secure-config`: refuse configuration files a non-root user could change (config/file-security.ts). */
  readonly secureConfig?: boolean | undefined;
  /** Caps on what is read (config/reader-limits.ts); the defaults suit real sites, tests lower them. */
  readonly limits?: Partial<ReaderLimits> | undefined;
}

function loaded(result: ReturnType<typeof parseConfigFile>, strict: boolean): LoadedConfig {
  const problems = strict ? [...result.errors, ...result.warnings] : result.errors;
  const first = problems[0];
  if (first) {
    const what = strict ? 'problem' : 'error';
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more ${what}${problems.length > 2 ? 's' : ''})` : '';
    throw new ConfigLoadError(`${formatDiagnostic(first)}${more}`);
  }
  return { config: result.config, warnings: result.warnings.map(formatDiagnostic) };
}

export function loadConfigFile(file: string, options: LoadOptions = {}): LoadedConfig {
  return loaded(parseConfigFile(file, { configId: options.configId, secureConfig: options.secureConfig, limits: options.limits }), options.strict === true);
}

export function loadConfigText(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  return loaded(parseConfigText(text, file, { configId: options.configId, secureConfig: options.secureConfig, limits: options.limits }), options.strict === true);
}
