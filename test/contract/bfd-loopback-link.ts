/**
 * A BFD link that hands every packet sent back to the node as if it came from where it was sent to: two sessions
 * of one node set up as each other's neighbor (A: 10.0.0.1 → 10.0.0.2, B: 10.0.0.2 → 10.0.0.1) talk to each other.
 * The BFD host contract runs on it in-process and in the BFD worker (which loads this module by its
 * `createBfdLink`). Delivery waits for `later` (a timer), never inside the sender's call.
 */
import { Subject } from '../../transport/subject.js';
import type { Random } from '../../transport/random.js';
import { bfdPortOf, type BfdLink, type BfdReceivedPacket, type BfdSender, type BfdSenderOptions } from '../../transport/bfd-link.js';
import type { SendError } from '../../transport/vrrp-link.js';

export class LoopbackBfdLink implements BfdLink {
  private readonly subject = new Subject<BfdReceivedPacket>();
  readonly packets$ = this.subject.asObservable();
  private nextPort = 49152;
  private closed = false;

  constructor(private readonly later: (fn: () => void) => void) {}

  openSender(options: BfdSenderOptions): BfdSender {
    const sourcePort = this.nextPort++;
    let open = true;
    const errors = new Subject<SendError>();
    return {
      sourcePort,
      sendErrors$: errors.asObservable(),
      send: (bytes) => {
        if (!open) return;
        const packet: BfdReceivedPacket = {
          bytes: new Uint8Array(bytes),
          family: options.family,
          source: options.localAddress ?? '0.0.0.0',
          sourcePort,
          destination: options.remoteAddress,
          port: bfdPortOf(options.multihop),
          ttl: options.ttl,
        };
        this.later(() => {
          if (!this.closed) this.subject.next(packet);
        });
      },
      close: () => {
        open = false;
        errors.complete();
      },
    };
  }

  close(): void {
    this.closed = true;
    this.subject.complete();
  }
}

/** The worker's entry to it (actors/daemon/bfd-worker.ts), on real timers. */
export function createBfdLink(_random: Random): { link: BfdLink; warnings: readonly string[] } {
  return { link: new LoopbackBfdLink((fn) => setTimeout(fn, 1)), warnings: [] };
}
