/**
 * FILE_CHECK (keepalived trackers/track_file.c): the file holds a number, read like C's strtol(…, 0) (leading
 * space, sign, 0x hex, 0 octal; no digits or no file = 0). With weight 0, a non-zero value is a failure (a zero
 * one with `reverse`). Otherwise value × weight (negated with `reverse`), clamped to the 32-bit range, is added to
 * the real server's weight; the lowest value (−2^31) means failure.
 */
import { open } from 'node:fs/promises';
import type { FileProbeSpec, ProbeResult } from '../../prober.js';
import { startProbe } from './outcome.js';

/** keepalived IPVS_WEIGHT_FAULT / IPVS_WEIGHT_LIMIT. */
export const WEIGHT_FAULT = -2147483648;
export const WEIGHT_LIMIT = 2147483647;

/** C strtol(text, NULL, 0): the longest valid prefix, 0 when there is none. */
export function strtol0(text: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (m === null) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  const digits = m[2]!;
  let value: number;
  if (/^0[xX]/.test(digits)) value = Number.parseInt(digits.slice(2), 16);
  else if (digits.length > 1 && digits.startsWith('0')) value = Number.parseInt(digits.slice(1), 8);
  else value = Number.parseInt(digits, 10);
  return sign * value;
}

/** The status keepalived derives from a file's value for one FILE_CHECK. */
export function fileStatus(value: number, weight: number, reverse: boolean): { ok: boolean; delta?: number } {
  if (weight === 0) return { ok: (value !== 0) === reverse };
  const status = Math.max(WEIGHT_FAULT, Math.min(WEIGHT_LIMIT, value * weight * (reverse ? -1 : 1)));
  return status <= WEIGHT_FAULT ? { ok: false } : { ok: true, delta: status };
}

/** keepalived reads at most 127 bytes. */
async function readHead(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(127);
    const { bytesRead } = await handle.read(buffer, 0, 127, 0);
    return buffer.subarray(0, bytesRead).toString('latin1');
  } finally {
    await handle.close();
  }
}

export async function probeFile(spec: FileProbeSpec): Promise<ProbeResult> {
  const timing = startProbe();
  const text = await readHead(spec.path).catch(() => undefined);
  const value = text === undefined ? 0 : strtol0(text);
  if (!Number.isSafeInteger(value) || value < -2147483648 || value > 2147483648) {
    return timing.done(false, `invalid number in ${spec.path}`);
  }
  const status = fileStatus(value, spec.weight, spec.reverse);
  const detail = `${spec.path} = ${value}${text === undefined ? ' (no file)' : ''}`;
  return timing.done(status.ok, detail, status.delta === undefined ? undefined : { kind: 'delta', value: status.delta });
}
