/**
 * Reads a flight recording back: FILE and whatever rotated files remain (FILE.N … FILE.1, oldest first), as the
 * inspection stream that was recorded. The checkpoint at the head of each file is used only for the oldest file
 * present (it stands for the files rotated away); later files continue where the previous one ended.
 */
import { existsSync, readFileSync } from 'node:fs';
import { decodeFrames } from './frames.js';
import { RECORDING_FORMAT, type RecordingCheckpoint, type RecordingHeader } from './flight-recorder.js';
import type { ObservedEvent } from './observed-event.js';

export class RecordingError extends Error {}

export interface Recording {
  readonly files: readonly string[];
  readonly header: RecordingHeader;
  readonly events: readonly ObservedEvent[];
  /** True when a file ended in the middle of a frame (the writer was killed). */
  readonly truncated: boolean;
}

/** FILE and its rotated companions, oldest first. */
export function recordingFiles(path: string): string[] {
  const older: string[] = [];
  for (let i = 1; existsSync(`${path}.${i}`); i++) older.push(`${path}.${i}`);
  return [...older.reverse(), ...(existsSync(path) ? [path] : [])];
}

function isHeader(value: unknown): value is RecordingHeader {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'header';
}

function isCheckpoint(value: unknown): value is RecordingCheckpoint {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'checkpoint';
}

export function readRecording(path: string): Recording {
  const files = recordingFiles(path);
  if (files.length === 0) throw new RecordingError(`${path}: no such recording`);
  const events: ObservedEvent[] = [];
  let header: RecordingHeader | undefined;
  let truncated = false;
  files.forEach((file, index) => {
    const bytes = readFileSync(file);
    if (bytes.length === 0) throw new RecordingError(`${file}: empty (nothing written yet?)`);
    const decoded = decodeFrames(bytes);
    truncated ||= decoded.truncated;
    const [first, ...rest] = decoded.values;
    if (!isHeader(first) || first.format !== RECORDING_FORMAT) throw new RecordingError(`${file}: not a vigil flight recording`);
    header ??= first;
    for (const value of rest) {
      if (isCheckpoint(value)) {
        if (index === 0) events.push(...value.events);
        continue;
      }
      events.push(value as ObservedEvent);
    }
  });
  return { files, header: header!, events, truncated };
}
