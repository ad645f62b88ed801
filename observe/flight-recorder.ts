/**
 * The flight recorder: writes the inspection stream to FILE as msgpack frames, so an incident on a real router
 * can be replayed like a simulation (`vigil replay FILE`). Bounded: when FILE reaches `maxBytes` it becomes
 * FILE.1 (FILE.1 becomes FILE.2, …, up to `keep` old files) and a new FILE starts. Every file opens with a header
 * and a checkpoint (the machines, the live actors and their current states, the nodes whose process is down), so
 * the newest files replay on their own after older ones were rotated away.
 *
 * A write that fails (ENOSPC, EIO, a quota) never reaches the daemon: the file is cut back to its last whole
 * frame, the recording is suspended (said once through `onError`, counted in `writeFailures`) and records are
 * counted as lost until a later flush manages to start a new file; that file's header tells how many records
 * the gap lost, and its checkpoint gives the states at the end of it. Each new file is created exclusively
 * under a temporary name (0600, no symlink followed) and renamed into place.
 */
import { closeSync, constants, existsSync, ftruncateSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Observable, Subscription } from 'rxjs';
import { encodeFrame } from './msgpack-frames.js';
import type { MachineGraph } from './machine-graph.js';
import type { ObservedEvent } from './observed-event.js';

export const RECORDING_FORMAT = 'vigil-recording';
export const RECORDING_VERSION = 1;

/** Records lost while writing was suspended, before the file this header opens. */
export interface RecordingGap {
  readonly frames: number;
  /** The error that suspended the recording (ENOSPC, EIO, …). */
  readonly error: string;
  /** Time of the last record seen before this file (the end of the gap). */
  readonly at: number;
}

export interface RecordingHeader {
  readonly kind: 'header';
  readonly format: typeof RECORDING_FORMAT;
  readonly version: number;
  /** 'daemon' or 'sim'. */
  readonly source: string;
  /** Index of this file since recording began (0 for the first). */
  readonly sequence: number;
  /** Free-form facts given by the caller (node name, scenario, seed, wall-clock start, …). */
  readonly meta: Readonly<Record<string, string | number>>;
  /** Present when records were lost before this file (the disk was full, …). */
  readonly gap?: RecordingGap;
}

export interface RecordingCheckpoint {
  readonly kind: 'checkpoint';
  readonly events: readonly ObservedEvent[];
}

export interface RecorderOptions {
  readonly path: string;
  /** Size at which the file is rotated (default 16 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept: FILE.1 … FILE.keep (default 4). */
  readonly keep?: number;
  readonly source: string;
  readonly meta?: Readonly<Record<string, string | number>>;
  /** Bytes buffered before a write to the file (default 64 KiB; 0 writes every frame at once). */
  readonly bufferBytes?: number;
  /** Told once when writing fails and the recording is suspended, and once when it resumes. */
  readonly onError?: (message: string) => void;
}

type ActorEvent = Extract<ObservedEvent, { kind: 'actor' }>;
type StepEvent = Extract<ObservedEvent, { kind: 'step' }>;

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

/** Writes all of `data` (a short write, on a full disk for instance, is retried until it throws). */
function writeAll(fd: number, data: Buffer): void {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Closes a descriptor of the recording; an error (EIO, reported again at close by some file systems) is not the
 * daemon's: the descriptor is gone either way.
 */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing more to do with it.
  }
}

export class FlightRecorder {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly bufferBytes: number;
  private readonly tempPath: string;
  private fd: number | undefined;
  private closed = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingFrames = 0;
  /** Bytes of the current file: on disk plus buffered. */
  private fileBytes = 0;
  /** Bytes of the current file known to be on disk (whole frames). */
  private writtenBytes = 0;
  private sequence = 0;
  private lastAt = 0;
  private suspended: { error: string; frames: number } | undefined;
  private subscription: Subscription | undefined;
  // What a checkpoint needs: machines, live actors, and each actor's latest state and facts.
  private readonly machines = new Map<string, MachineGraph>();
  private readonly actors = new Map<string, ActorEvent>();
  private readonly latest = new Map<string, StepEvent>();
  private readonly latestInfo = new Map<string, NonNullable<StepEvent['info']>>();
  /** Nodes whose process is down, with the record that said so (a checkpoint carries it on). */
  private readonly downNodes = new Map<string, ObservedEvent>();
  /** Frames written, all files together. */
  frames = 0;
  /** Bytes written, all files together. */
  bytes = 0;
  rotations = 0;
  /** Writes that failed (each one suspends the recording until a new file can be started). */
  writeFailures = 0;
  /** Records not written because the recording was suspended, all gaps together. */
  lostFrames = 0;

  /** Throws when the first file cannot be created (a missing directory, no permission, …). */
  constructor(private readonly options: RecorderOptions) {
    this.path = options.path;
    this.tempPath = join(dirname(this.path), `.${basename(this.path)}.new`);
    this.maxBytes = options.maxBytes ?? 16 << 20;
    this.keep = Math.max(1, options.keep ?? 4);
    this.bufferBytes = options.bufferBytes ?? 64 << 10;
    this.startFile(undefined);
  }

  /** True while writing is suspended after a failure. */
  get isSuspended(): boolean {
    return this.suspended !== undefined;
  }

  attach(events$: Observable<ObservedEvent>): Subscription {
    this.subscription = events$.subscribe({ next: (e) => this.write(e), complete: () => this.close() });
    return this.subscription;
  }

  write(event: ObservedEvent): void {
    if (this.closed) return;
    this.remember(event);
    this.lastAt = Math.max(this.lastAt, event.at);
    if (this.suspended) {
      this.suspended.frames++;
      this.lostFrames++;
      return;
    }
    this.append(encodeFrame(event));
    if (this.fileBytes >= this.maxBytes) this.rotate();
  }

  /** Writes what is buffered to the file; while suspended, tries to start a new file instead. */
  flush(): void {
    if (this.closed) return;
    if (this.suspended) {
      this.resume();
      return;
    }
    if (this.fd === undefined || this.pending.length === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    try {
      writeAll(this.fd, chunk);
    } catch (err) {
      this.suspend(err);
      return;
    }
    this.writtenBytes += chunk.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingFrames = 0;
  }

  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (this.closed) return;
    if (!this.suspended) this.flush();
    this.closed = true;
    if (this.fd !== undefined) closeQuietly(this.fd);
    this.fd = undefined;
  }

  private remember(event: ObservedEvent): void {
    switch (event.kind) {
      case 'machine':
        this.machines.set(event.graph.id, event.graph);
        break;
      case 'actor':
        this.actors.set(event.actor, event);
        this.latest.delete(event.actor);
        this.latestInfo.delete(event.actor);
        break;
      case 'step':
        // The latest state, and the latest facts (a step carries facts only when they change).
        this.latest.set(event.actor, event);
        if (event.info) this.latestInfo.set(event.actor, event.info);
        break;
      case 'process':
        if (event.up) this.downNodes.delete(event.node);
        else this.downNodes.set(event.node, event);
        break;
      default:
        break;
    }
  }

  private append(frame: Buffer): void {
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    this.pendingFrames++;
    this.fileBytes += frame.length;
    this.bytes += frame.length;
    this.frames++;
    if (this.pendingBytes >= this.bufferBytes) this.flush();
  }

  /** The header and checkpoint that open a file. */
  private opening(gap: RecordingGap | undefined): Buffer {
    const header: RecordingHeader = {
      kind: 'header',
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      source: this.options.source,
      sequence: this.sequence,
      meta: this.options.meta ?? {},
      ...(gap ? { gap } : {}),
    };
    const events: ObservedEvent[] = [];
    for (const graph of this.machines.values()) events.push({ kind: 'machine', at: 0, graph });
    for (const actor of this.actors.values()) {
      events.push(actor);
      const step = this.latest.get(actor.actor);
      const info = this.latestInfo.get(actor.actor);
      if (step) events.push(info ? { ...step, changed: true, info } : { ...step, changed: true });
    }
    events.push(...this.downNodes.values());
    const checkpoint: RecordingCheckpoint = { kind: 'checkpoint', events };
    return Buffer.concat([encodeFrame(header), encodeFrame(checkpoint)]);
  }

  /**
   * Writes a new file's opening under the temporary name, then moves the current files along (when `rotate`)
   * and renames it to FILE. Throws, leaving the files as they were, when the opening cannot be written.
   */
  private startFile(gap: RecordingGap | undefined, rotate = false): void {
    const opening = this.opening(gap);
    rmSync(this.tempPath, { force: true });
    const fd = openSync(this.tempPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeAll(fd, opening);
      if (rotate) this.shiftOldFiles();
      renameSync(this.tempPath, this.path);
    } catch (err) {
      closeQuietly(fd);
      rmSync(this.tempPath, { force: true });
      throw err;
    }
    this.fd = fd;
    this.sequence++;
    this.fileBytes = opening.length;
    this.writtenBytes = opening.length;
    this.bytes += opening.length;
    this.frames += 2;
  }

  /** FILE.keep goes, FILE.i becomes FILE.i+1, FILE becomes FILE.1. */
  private shiftOldFiles(): void {
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    if (existsSync(this.path)) renameSync(this.path, `${this.path}.1`);
  }

  private rotate(): void {
    this.flush();
    if (this.suspended) return;
    const old = this.fd!;
    try {
      this.startFile(undefined, true);
    } catch (err) {
      // The current file stays open; the failure suspends like a failed write.
      this.suspend(err);
      return;
    }
    closeQuietly(old);
    this.rotations++;
  }

  /** Cuts the file back to its last whole frame, closes it and counts what is dropped. */
  private suspend(err: unknown): void {
    this.writeFailures++;
    const error = errorCode(err);
    if (this.fd !== undefined) {
      try {
        ftruncateSync(this.fd, this.writtenBytes);
      } catch {
        // The frame cut short stays; the reader stops at it.
      }
      closeQuietly(this.fd);
      this.fd = undefined;
    }
    this.suspended = { error, frames: this.pendingFrames };
    this.lostFrames += this.pendingFrames;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingFrames = 0;
    this.options.onError?.(`recording ${this.path} suspended (${error}); records are counted as lost until a new file can be written`);
  }

  private resume(): void {
    const gap = this.suspended!;
    try {
      this.startFile({ frames: gap.frames, error: gap.error, at: this.lastAt }, true);
    } catch {
      return;
    }
    this.suspended = undefined;
    this.rotations++;
    this.options.onError?.(`recording ${this.path} resumed in a new file after losing ${gap.frames} records (${gap.error})`);
  }
}
