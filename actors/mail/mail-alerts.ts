/**
 * Which alerts go out, as keepalived decides (vrrp_notify.c vrrp_smtp_notifier / vrrp_sync_smtp_notifier, the
 * checkers' and ipwrapper.c's calls of smtp_alert): an instance or sync group with smtp_alert mails each state it
 * enters (MASTER, BACKUP, FAULT unless no_email_faults, STOP, and DELETED for an instance a reload removes that has
 * notify_deleted; without it the removal reads as FAULT), never the same state twice in a row; the checker side
 * hands over its alerts ready-made (actors/lvs/node-checks.ts). Each goes to the node's queue.
 */
import type { Subscription } from 'rxjs';
import { groupAlert, instanceAlert, type Alert, type VrrpAlertState } from '../../protocol/alert-mail.js';
import type { Bus } from '../bus.js';
import type { MailQueue } from './mail-queue.js';
import type { MailSettings } from './mail-settings.js';

/** What the checker side is given to mail with. */
export interface CheckerMail {
  readonly routerId: string;
  readonly noCheckerEmails: boolean;
  send(alert: Alert): void;
}

const ALERTED: ReadonlySet<string> = new Set(['MASTER', 'BACKUP', 'FAULT', 'STOP', 'DELETED']);

export class MailAlerts {
  private subscription: Subscription | undefined;
  /** keepalived's last_email_state of each instance and group. */
  private readonly lastInstance = new Map<string, string>();
  private readonly lastGroup = new Map<string, string>();
  /** Instances a reload is removing: whether they alert, and whether as DELETED (notify_deleted). */
  private readonly deleting = new Map<string, { alert: boolean; deleted: boolean }>();

  constructor(
    private readonly node: string,
    private settings: MailSettings,
    private readonly queue: MailQueue,
  ) {}

  attach(bus: Bus): void {
    this.subscription = bus.messages$.subscribe((m) => {
      if (m.node !== this.node) return;
      if (m.kind === 'notify') this.instance(m.instance, m.state);
      else if (m.kind === 'sync') this.group(m.group, m.to);
    });
  }

  detach(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** A reload's settings (instances it keeps keep their last alerted state). */
  update(settings: MailSettings): void {
    this.settings = settings;
  }

  /** A reload is about to remove these instances: their STOP is a deletion. */
  removing(instances: Iterable<string>): void {
    this.deleting.clear();
    for (const name of instances) this.deleting.set(name, { alert: this.settings.instances.has(name), deleted: this.settings.notifyDeleted.has(name) });
  }

  /** The checker side's way to mail, with this configuration's router_id and no_checker_emails. */
  checkerMail(): CheckerMail {
    return { routerId: this.settings.routerId, noCheckerEmails: this.settings.noCheckerEmails, send: (alert) => this.send(alert) };
  }

  private instance(name: string, state: string): void {
    const removed = state === 'STOP' ? this.deleting.get(name) : undefined;
    if (removed !== undefined) this.deleting.delete(name);
    // A removed instance is judged by the settings it ran with (the new ones no longer name it).
    if (!(removed?.alert ?? this.settings.instances.has(name))) return;
    const now = removed === undefined ? state : removed.deleted ? 'DELETED' : 'FAULT';
    if (!this.shouldSend(this.lastInstance, name, now)) return;
    this.send(instanceAlert(this.settings.routerId, name, now as VrrpAlertState));
    if (removed !== undefined) this.lastInstance.delete(name);
  }

  private group(name: string, state: string): void {
    if (!this.settings.groups.has(name)) return;
    if (!this.shouldSend(this.lastGroup, name, state)) return;
    const alert = groupAlert(this.settings.routerId, name, state as VrrpAlertState);
    if (alert) this.send(alert);
  }

  private shouldSend(last: Map<string, string>, name: string, state: string): boolean {
    if (!ALERTED.has(state)) return false;
    if (this.settings.noEmailFaults && state === 'FAULT') return false;
    if (last.get(name) === state) return false;
    last.set(name, state);
    return true;
  }

  private send(alert: Alert): void {
    const s = this.settings;
    this.queue.enqueue({ server: s.server, helo: s.helo, from: s.from, to: s.to, alert, timeoutMs: s.timeoutMs });
  }
}
