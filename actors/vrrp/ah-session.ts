/**
 * One instance's `auth_type AH` state: the sequence counter shared by what it sends and what it accepts, and the
 * IPv4 identification of its datagrams. The node keeps it across a reload of the instance, as keepalived copies
 * the counter to the reloaded instance (a fresh counter would be taken for a replay by every peer).
 */
import { ahKey, sealAhDatagram } from '../../protocol/ipsec-ah.js';
import {
  AH_COUNTER_START,
  masterSequence,
  receivedSequence,
  sendSequence,
  type AhCounter,
  type AhReceiveContext,
} from '../../protocol/ipsec-ah-sequence.js';
import type { VrrpStateName } from '../../machines/vrrp-instance.js';

export class AhSession {
  counter: AhCounter;
  /** keepalived counts the identification from 1, one per advertisement; 0 would let the kernel pick one. */
  private identification = 0;
  private readonly key: Uint8Array;

  /**
   * `ttl`: what the datagrams' IP header carries (the socket sends them as they are): 255 (RFC 3768 §5.1.1.3),
   * or `unicast_ttl` in unicast mode.
   */
  constructor(
    password: string,
    private readonly unicast: boolean,
    counter: AhCounter = AH_COUNTER_START,
    private readonly ttl = 255,
  ) {
    this.key = ahKey(password);
    this.counter = counter;
  }

  /** One advertisement is about to go out (to every destination): it takes the next sequence number. */
  advertise(becomingMaster: boolean): void {
    if (becomingMaster) this.counter = masterSequence(this.counter);
    this.counter = sendSequence(this.counter);
    this.identification = (this.identification % 0xffff) + 1;
  }

  /** The datagram for one destination of the current advertisement. */
  seal(message: Uint8Array, source: string, destination: string): Uint8Array {
    return sealAhDatagram(message, {
      source,
      destination,
      ttl: this.ttl,
      identification: this.identification,
      sequence: this.counter.sequence,
      key: this.key,
      unicast: this.unicast,
    });
  }

  /** A received advertisement passed the AH checks with this sequence number. */
  heard(sequence: number, context: AhReceiveContext): void {
    this.counter = receivedSequence(this.counter, sequence, context);
  }
}

/**
 * How the instance takes an accepted advertisement, for the counter: keepalived's backup, master-yields and
 * master-hears-lower paths (a priority 0 is none of them).
 */
export function ahReceiveContext(state: VrrpStateName, priority: number, ourPriority: number, sourceIsHigher: boolean): AhReceiveContext {
  if (state === 'BACKUP') return 'backup';
  if (state !== 'MASTER' || priority === 0) return 'other';
  return priority > ourPriority || (priority === ourPriority && sourceIsHigher) ? 'master_yields' : 'master_hears_lower';
}
