/**
 * The simulated host's files, as track_file reads them (NodeEnvironment.readFile): a file holds the text the
 * scenario wrote, or is absent; a read answers on the clock, at the time it was asked.
 */
import type { Clock } from '../machines/clock.js';
import type { TrackFileHost, TrackFileKind } from '../transport/track-files.js';

export class SimulatedFiles {
  private readonly texts = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  /** Writes the file (undefined: removes it). */
  write(path: string, text: string | undefined): void {
    if (text === undefined) this.texts.delete(path);
    else this.texts.set(path, text);
  }

  kind(path: string): TrackFileKind {
    return this.texts.has(path) ? 'file' : 'missing';
  }

  /** What a read right now sees (track_file's first read, before the instances start). */
  readNow(path: string): string | undefined {
    return this.texts.get(path);
  }

  /** The files as track_file touches them at start and reload (init_file, the first read). */
  host(): TrackFileHost {
    return { kind: (path) => this.kind(path), read: (path) => this.readNow(path), write: (path, text) => this.write(path, text) };
  }

  read(path: string, done: (text: string | undefined) => void): undefined {
    this.clock.setTimeout(() => done(this.texts.get(path)), 0);
    return undefined;
  }
}
