/**
 * The message bus: every actor publishes what happened here, as one RxJS stream. The simulator's timeline, the
 * daemon's log, the status dump and the metrics all subscribe to it; nothing polls actors.
 */
import type { Observable } from 'rxjs';
import { Subject } from '../transport/subject.js';
import type { DropReason } from '../protocol/vrrp-types.js';
import type { MasterReason, VrrpStateName } from '../machines/vrrp-instance.js';
import type { BfdDropReason, BfdStateName } from '../protocol/bfd-types.js';

export type BusMessage =
  /**
   * `vrid` and `interface` name the virtual router, `group` the instance's vrrp_sync_group: a page groups lanes by
   * them across nodes.
   */
  | { kind: 'transition'; at: number; node: string; instance: string; from: VrrpStateName; to: VrrpStateName; priority: number; vrid?: number; interface?: string; group?: string }
  | { kind: 'vip'; at: number; node: string; instance: string; address: string; action: 'add' | 'del' }
  | { kind: 'advert_sent'; at: number; node: string; instance: string; priority: number }
  /** `unknownVrid`: with global_defs log_unknown_vrids, the VRID no instance on that interface has (logged each time). */
  | { kind: 'drop'; at: number; node: string; instance: string | undefined; reason: DropReason; unknownVrid?: { vrid: number; interface: string } }
  | { kind: 'warning'; at: number; node: string; instance: string | undefined; message: string }
  /** `masterReason`, when the state is MASTER: why (RFC 6527 vrrpv3StatisticsNewMasterReason, machines/vrrp-instance.ts). */
  | { kind: 'notify'; at: number; node: string; instance: string; state: VrrpStateName; priority: number; masterReason?: MasterReason }
  | { kind: 'sync'; at: number; node: string; group: string; from: string; to: string }
  /** The effective priority changed (a tracked object's weight); `state` is the instance's now. */
  | { kind: 'priority'; at: number; node: string; instance: string; state: VrrpStateName; from: number; priority: number }
  /** A master heard (and kept its mastership over) an advertisement with a lower priority than its own. */
  | { kind: 'master_rx_lower_pri'; at: number; node: string; instance: string; priority: number; source: string; theirs: number }
  /** A BFD session (bfd_instance) changed state; `diag` is our diagnostic after the change (RFC 5880 §4.1). */
  | { kind: 'bfd'; at: number; node: string; session: string; neighbor: string; from: BfdStateName; to: BfdStateName; diag: number; sinceLastPacketMs?: number; detectionTimeMs?: number }
  /** A BFD control packet was dropped (RFC 5880 §6.8.6, GTSM, no session); `session` once it was matched to one. */
  | { kind: 'bfd_drop'; at: number; node: string; session: string | undefined; reason: BfdDropReason }
  /**
   * The checker side: real server `rs` (`address:port`) of virtual server `vs` (its key) went UP or DOWN, where
   * keepalived runs notify_up / notify_down (ipwrapper.c do_rs_notifies); `stopping` while vigil stops;
   * `realServersUp`: how many of the virtual server's real servers are alive with this change.
   */
  | { kind: 'real_server'; at: number; node: string; vs: string; rs: string; state: 'UP' | 'DOWN'; stopping: boolean; realServersUp: number }
  /** Virtual server `vs` gained or lost its quorum, where keepalived runs quorum_up / quorum_down (do_vs_notifies). */
  | { kind: 'quorum'; at: number; node: string; vs: string; state: 'UP' | 'DOWN'; stopping: boolean; realServersUp: number };

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
