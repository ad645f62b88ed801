/**
 * How the BFD worker (./bfd-worker.ts) hands its host's events to the VRRP thread. A change of state crosses at
 * once: batched to the end of the event-loop turn, the first of a hundred sessions expiring together waited for
 * the rest of the turn (the other expiries, the packets sent meanwhile) while the VRRP thread sat idle; sent at
 * once, the VRRP thread acts on it while the worker goes on (bench/bfd-detection.ts; issue 15). Drops, which a
 * flood of bad packets makes many, go together once per turn (`later`: setImmediate in the worker).
 */
import type { Observable, Subscription } from 'rxjs';
import type { BfdHostEvent } from '../bfd/bfd-host.js';

export function forwardBfdEvents(events$: Observable<BfdHostEvent>, send: (events: readonly BfdHostEvent[]) => void, later: (fn: () => void) => void): Subscription {
  let drops: BfdHostEvent[] = [];
  return events$.subscribe((event) => {
    if (event.kind === 'change') {
      send([event]);
      return;
    }
    if (drops.length === 0) {
      later(() => {
        const batch = drops;
        drops = [];
        send(batch);
      });
    }
    drops.push(event);
  });
}
