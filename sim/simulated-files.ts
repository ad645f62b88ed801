/**
 * The simulated host's files, as track_file reads them (NodeEnvironment.readFile): a file holds the text the
 * scenario wrote, or is absent; a read answers on the clock, at the time it was asked.
 */
import type { Clock } from '../machines/clock.js';

export class SimulatedFiles {
  private readonly texts = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  /** Writes the file (undefined: removes it). */
  write(path: string, text: string | undefined): void {
    if (text === undefined) this.texts.delete(path);
    else this.texts.set(path, text);
  }

  read(path: string, done: (text: string | undefined) => void): undefined {
    this.clock.setTimeout(() => done(this.texts.get(path)), 0);
    return undefined;
  }
}
