/** Shared helpers of the config tests: in-memory parsing, fixture and sample locations. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { memoryFileSystem } from '../../config/files.js';
import { parseConfigText, type ParseOptions, type ParseResult } from '../../config/parse.js';

/** The project root (tests run from dist/test/config). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = join(ROOT, 'test/config/fixtures');

/** keepalived's own sample configurations, kept beside the project (absent from a user's clone). */
export function samplesDir(): string | undefined {
  const candidates = [process.env['VIGIL_KEEPALIVED_SAMPLES'], join(ROOT, '../shared/keepalived-samples'), join(ROOT, '../../shared/keepalived-samples')];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

export const MAIN = '/cfg/keepalived.conf';

/** Parses `text` as /cfg/keepalived.conf, with `files` (absolute paths) as the rest of an in-memory tree. */
export function parse(text: string, files: Readonly<Record<string, string>> = {}, options: Omit<ParseOptions, 'fs'> = {}): ParseResult {
  return parseConfigText(text, MAIN, { ...options, fs: memoryFileSystem({ [MAIN]: text, ...files }) });
}

/** A copy of a model value without its `at` positions (deeply), for comparisons of what was read. */
export function positionless<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => positionless(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'at').map(([k, v]) => [k, positionless(v)])) as T;
}

export function errorsOf(r: ParseResult): string[] {
  return r.errors.map(formatDiagnostic);
}

export function warningsOf(r: ParseResult): string[] {
  return r.warnings.map(formatDiagnostic);
}

/** The warnings about the file as written, without those for keywords vigil does not implement (see
 * not-implemented.test.ts): what a parser test asserts. */
export function parserWarningsOf(r: ParseResult): string[] {
  return warningsOf(r).filter((w) => !w.endsWith(' is accepted but not implemented by vigil'));
}

/** A minimal valid vrrp_instance body around extra lines. */
export function instance(extra: string, name = 'VI_1', vrid = 51): string {
  return `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  virtual_ipaddress {\n    192.0.2.1\n  }\n${extra}\n}\n`;
}
