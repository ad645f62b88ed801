/** Helpers shared by the real probers: wall-time measurement of a probe and building its result. */
import { performance } from 'node:perf_hooks';
import type { ProbeResult } from '../../prober.js';
import type { ProbeWeight } from '../../../machines/checker-logic.js';

/** Starts timing a probe; `done` builds its result with the elapsed milliseconds. */
export function startProbe(): { done(ok: boolean, detail: string, weight?: ProbeWeight): ProbeResult } {
  const start = performance.now();
  return {
    done(ok, detail, weight) {
      const latencyMs = performance.now() - start;
      return weight === undefined ? { ok, detail, latencyMs } : { ok, detail, latencyMs, weight };
    },
  };
}

/** `end` made to run once: a probe ends by its answer, its error or its timeout, whichever comes first. */
export function once<A extends unknown[]>(end: (...args: A) => void): (...args: A) => void {
  let done = false;
  return (...args) => {
    if (done) return;
    done = true;
    end(...args);
  };
}

/** One line from an error, with its code when it has one (ECONNREFUSED …). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
