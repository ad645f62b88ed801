/**
 * The flight recorder: writes the inspection stream to FILE as msgpack frames, so an incident on a real router
 * can be replayed like a simulation (`vigil replay FILE`). Bounded: when FILE reaches `maxBytes` it becomes
 * FILE.1 (FILE.1 becomes FILE.2, …, up to `keep` old files) and a new FILE starts. Every file opens with a header
 * and a checkpoint (the machines, the live actors and their current states), so the newest files replay on their
 * own after older ones were rotated away.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Observable, Subscription } from 'rxjs';
import { encodeFrame } from './frames.js';
import type { MachineGraph } from './machine-graph.js';
import type { ObservedEvent } from './observed-event.js';

export const RECORDING_FORMAT = 'vigil-recording';
export const RECORDING_VERSION = 1;

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
}

type ActorEvent = Extract<ObservedEvent, { kind: 'actor' }>;
type StepEvent = Extract<ObservedEvent, { kind: 'step' }>;

export class FlightRecorder {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly bufferBytes: number;
  private fd: number | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private fileBytes = 0;
  private sequence = 0;
  private subscription: Subscription | undefined;
  // What a checkpoint needs: machines, live actors, and each actor's latest state and facts.
  private readonly machines = new Map<string, MachineGraph>();
  private readonly actors = new Map<string, ActorEvent>();
  private readonly latest = new Map<string, StepEvent>();
  private readonly latestInfo = new Map<string, NonNullable<StepEvent['info']>>();
  /** Frames written, all files together. */
  frames = 0;
  /** Bytes written, all files together. */
  bytes = 0;
  rotations = 0;

  constructor(private readonly options: RecorderOptions) {
    this.path = options.path;
    this.maxBytes = options.maxBytes ?? 16 << 20;
    this.keep = Math.max(1, options.keep ?? 4);
    this.bufferBytes = options.bufferBytes ?? 64 << 10;
    this.open();
  }

  attach(events$: Observable<ObservedEvent>): Subscription {
    this.subscription = events$.subscribe({ next: (e) => this.write(e), complete: () => this.close() });
    return this.subscription;
  }

  write(event: ObservedEvent): void {
    if (this.fd === undefined) return;
    this.remember(event);
    this.append(encodeFrame(event));
    if (this.fileBytes >= this.maxBytes) this.rotate();
  }

  /** Writes what is buffered to the file. */
  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    writeSync(this.fd, chunk);
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
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
      default:
        break;
    }
  }

  private append(frame: Buffer): void {
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    this.fileBytes += frame.length;
    this.bytes += frame.length;
    this.frames++;
    if (this.pendingBytes >= this.bufferBytes) this.flush();
  }

  private open(): void {
    this.fd = openSync(this.path, 'w');
    this.fileBytes = 0;
    const header: RecordingHeader = {
      kind: 'header',
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      source: this.options.source,
      sequence: this.sequence++,
      meta: this.options.meta ?? {},
    };
    this.append(encodeFrame(header));
    const events: ObservedEvent[] = [];
    for (const graph of this.machines.values()) events.push({ kind: 'machine', at: 0, graph });
    for (const actor of this.actors.values()) {
      events.push(actor);
      const step = this.latest.get(actor.actor);
      const info = this.latestInfo.get(actor.actor);
      if (step) events.push(info ? { ...step, changed: true, info } : { ...step, changed: true });
    }
    const checkpoint: RecordingCheckpoint = { kind: 'checkpoint', events };
    this.append(encodeFrame(checkpoint));
  }

  private rotate(): void {
    this.flush();
    closeSync(this.fd!);
    this.fd = undefined;
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    renameSync(this.path, `${this.path}.1`);
    this.rotations++;
    this.open();
  }
}
