/**
 * Fault injection for the checker worker, outside the worker protocol: the test entry
 * (fixtures/faulty-checker-worker.ts) runs the real worker and listens on a BroadcastChannel, on which a test
 * makes it hang (a busy event loop, as a stuck probe would) or crash (exit code 1).
 */
import { BroadcastChannel } from 'node:worker_threads';

export const FAULT_CHANNEL = 'vigil-test:checker-worker-faults';

/** What travels on the fault channel. */
export type FaultMessage =
  /** From the worker: its entry has run (threadId), so it hears faults from now on. */
  | { readonly kind: 'listening'; readonly threadId: number }
  /** To the worker: keep the event loop busy for this long. */
  | { readonly kind: 'hang'; readonly ms: number }
  /** To the worker: end the thread with exit code 1. */
  | { readonly kind: 'crash' };

/** The test entry to give WorkerCheckerHost as `entry`. */
export const FAULTY_WORKER_ENTRY = new URL('./fixtures/faulty-checker-worker.js', import.meta.url);

export interface WorkerFaults {
  /** Resolves when a worker thread (another than `after`, if given) is listening; returns its threadId. */
  listening(after?: number): Promise<number>;
  hang(ms: number): void;
  crash(): void;
  close(): void;
}

export function workerFaults(): WorkerFaults {
  const channel = new BroadcastChannel(FAULT_CHANNEL);
  const seen: number[] = [];
  const waiters: (() => void)[] = [];
  channel.onmessage = (event: unknown) => {
    const message = (event as { readonly data: FaultMessage }).data;
    if (message.kind !== 'listening') return;
    seen.push(message.threadId);
    for (const wake of waiters.splice(0)) wake();
  };
  const post = (message: FaultMessage): void => channel.postMessage(message);
  return {
    async listening(after) {
      for (;;) {
        const found = seen.find((id) => id !== after);
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    hang: (ms) => post({ kind: 'hang', ms }),
    crash: () => post({ kind: 'crash' }),
    close: () => channel.close(),
  };
}
