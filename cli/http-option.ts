/**
 * The observability options of `vigil run`: `--http ADDR:PORT` (metrics, status and the live page; off unless
 * given, loopback unless an address is named; any other address needs `--http-token-file`; `--http-allow-host`
 * names the Host headers it answers to besides its address) and `--record FILE` (the flight recorder, rotated
 * at `--record-size`, keeping `--record-keep` old files). run-command.ts calls these two functions.
 */
import type { Command } from 'commander';
import type { Clock } from '../machines/clock.js';
import { parseHttpAddress } from '../observe/http-address.js';
import type { Observation } from '../observe/observation.js';
import { readTokenFile } from './token-file.js';

export interface ObservationCliOptions {
  http?: string;
  httpTokenFile?: string;
  httpAllowHost?: string;
  record?: string;
  recordSize?: string;
  recordKeep?: string;
}

export function addObservationOptions(command: Command): Command {
  return command
    .option('--http <addr:port>', 'serve /metrics, /status and the live page here (e.g. 127.0.0.1:9650)')
    .option('--http-token-file <file>', 'require the token on the first line of FILE (Authorization: Bearer, or ?token= for the page); needed for a non-loopback --http')
    .option('--http-allow-host <names>', 'host names (comma-separated) accepted in the Host header besides the address and this host name')
    .option('--record <file>', 'flight recorder: write every actor transition and bus message to FILE')
    .option('--record-size <MiB>', 'rotate the recording at this size', '16')
    .option('--record-keep <n>', 'rotated recordings kept (FILE.1 … FILE.n)', '4');
}

/**
 * Reads the options; undefined when neither is given. Throws an Error with a one-line message on bad values.
 * The observation side (metrics, page, recorder) is loaded only when asked for: a plain daemon starts faster.
 */
export async function observationFromOptions(
  options: ObservationCliOptions,
  node: string,
  clock: Clock,
  meta: Record<string, string | number>,
  daemon: { log?: { warn(message: string): void }; fileWriteFailures?: () => Readonly<Record<string, number>> } = {},
): Promise<Observation | undefined> {
  if (options.http === undefined && options.record === undefined) return undefined;
  const http = options.http === undefined ? undefined : parseHttpAddress(options.http);
  if (options.http !== undefined && !http) throw new Error(`--http: not ADDR:PORT: ${options.http}`);
  const token = options.httpTokenFile === undefined ? undefined : readTokenFile(options.httpTokenFile);
  const allowedHosts = (options.httpAllowHost ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  const sizeMiB = Number(options.recordSize ?? '16');
  const keep = Number(options.recordKeep ?? '4');
  if (!(sizeMiB > 0)) throw new Error(`--record-size: not a positive number of MiB: ${options.recordSize}`);
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`--record-keep: not a positive integer: ${options.recordKeep}`);
  const { Observation } = await import('../observe/observation.js');
  try {
    return new Observation({
      node,
      clock,
      wallClock: () => Date.now(),
      title: node,
      http,
      record: options.record === undefined ? undefined : { path: options.record, maxBytes: Math.round(sizeMiB * (1 << 20)), keep },
      meta,
      token,
      allowedHosts,
      warn: daemon.log ? (m) => daemon.log!.warn(m) : undefined,
      fileWriteFailures: daemon.fileWriteFailures,
    });
  } catch (err) {
    // The first recording file could not be created.
    throw new Error(`--record ${options.record}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
