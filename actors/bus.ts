/**
 * The message bus: every actor publishes what happened here, as one RxJS stream. The simulator's timeline, the
 * daemon's log, the status dump and the metrics all subscribe to it; nothing polls actors.
 */
import type { Observable } from 'rxjs';
import { Subject } from '../transport/subject.js';
import type { DropReason } from '../protocol/vrrp-types.js';
import type { VrrpStateName } from '../machines/vrrp-instance.js';

export type BusMessage =
  /**
   * `vrid` and `interface` name the virtual router, `group` the instance's vrrp_sync_group: a page groups lanes by
   * them across nodes.
   */
  | { kind: 'transition'; at: number; node: string; instance: string; from: VrrpStateName; to: VrrpStateName; priority: number; vrid?: number; interface?: string; group?: string }
  | { kind: 'vip'; at: number; node: string; instance: string; address: string; action: 'add' | 'del' }
  | { kind: 'advert_sent'; at: number; node: string; instance: string; priority: number }
  | { kind: 'drop'; at: number; node: string; instance: string | undefined; reason: DropReason }
  | { kind: 'warning'; at: number; node: string; instance: string | undefined; message: string }
  | { kind: 'notify'; at: number; node: string; instance: string; state: VrrpStateName; priority: number }
  | { kind: 'sync'; at: number; node: string; group: string; from: string; to: string }
  /** The effective priority changed (a tracked object's weight); `state` is the instance's now. */
  | { kind: 'priority'; at: number; node: string; instance: string; state: VrrpStateName; from: number; priority: number }
  /** A master heard (and kept its mastership over) an advertisement with a lower priority than its own. */
  | { kind: 'master_rx_lower_pri'; at: number; node: string; instance: string; priority: number; source: string; theirs: number };

export class Bus {
  private readonly subject = new Subject<BusMessage>();
  readonly messages$: Observable<BusMessage> = this.subject.asObservable();

  publish(message: BusMessage): void {
    this.subject.next(message);
  }

  complete(): void {
    this.subject.complete();
  }
}
