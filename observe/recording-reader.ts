/**
 * Reads a flight recording back: FILE and whatever rotated files remain (FILE.N … FILE.1, oldest first), as the
 * inspection stream that was recorded. The checkpoint at the head of each file is used only for the oldest file
 * present (it stands for the files rotated away); later files continue where the previous one ended, except a
 * file that follows a gap (the recorder could not write for a while): the gap becomes a fault record, and the
 * checkpoint brings every actor that changed meanwhile to its state at the end of the gap.
 */
import { existsSync, readFileSync } from 'node:fs';
import { decodeFrames } from './msgpack-frames.js';
import { RECORDING_FORMAT, type RecordingCheckpoint, type RecordingGap, type RecordingHeader } from './flight-recorder.js';
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

/** What a checkpoint after a gap adds: the gap as a fault, then what the lost records would have changed. */
function afterGap(gap: RecordingGap, checkpoint: readonly ObservedEvent[], sofar: readonly ObservedEvent[]): ObservedEvent[] {
  const known = new Set<string>();
  const state = new Map<string, string>();
  for (const e of sofar) {
    if (e.kind === 'machine') known.add(`machine:${e.graph.id}`);
    if (e.kind === 'actor') known.add(`actor:${e.actor}`);
    if (e.kind === 'step' && e.changed) state.set(e.actor, JSON.stringify(e.state));
  }
  const out: ObservedEvent[] = [{ kind: 'fault', at: gap.at, text: `recording gap: ${gap.frames} records lost (${gap.error})` }];
  for (const e of checkpoint) {
    if (e.kind === 'machine' && !known.has(`machine:${e.graph.id}`)) out.push(e);
    else if (e.kind === 'actor' && !known.has(`actor:${e.actor}`)) out.push({ ...e, at: gap.at });
    else if (e.kind === 'step' && state.get(e.actor) !== JSON.stringify(e.state)) out.push({ ...e, at: gap.at });
  }
  return out;
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
        else if (first.gap) events.push(...afterGap(first.gap, value.events, events));
        continue;
      }
      events.push(value as ObservedEvent);
    }
  });
  return { files, header: header!, events, truncated };
}
