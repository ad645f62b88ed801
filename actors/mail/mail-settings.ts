/**
 * Who gets e-mail alerts, from global_defs, with keepalived's defaults (core/global_data.c): none unless both
 * notification_email and smtp_server are given; router_id defaults to the host's name, smtp_helo_name to it too,
 * notification_email_from to `USER@HOST` (the user vigil runs as), smtp_connect_timeout to 30 s. Which instances,
 * sync groups, virtual and real servers alert: their smtp_alert, else global_defs smtp_alert_vrrp /
 * smtp_alert_checker, else smtp_alert, else not (vrrp.c, check_data.c; finalize-*.ts fill in the instances' and
 * servers').
 */
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';

/** The host's names, for keepalived's defaults (get_local_name, getpwuid). */
export interface MailHost {
  readonly hostName: string;
  readonly userName: string;
}

export interface MailSettings {
  readonly routerId: string;
  readonly server: { readonly host: string; readonly port: number };
  readonly helo: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly timeoutMs: number;
  /** no_email_faults: no alert for entering FAULT. */
  readonly noEmailFaults: boolean;
  /** no_checker_emails: a checker's alert only when its real server's state changes. */
  readonly noCheckerEmails: boolean;
  /** Instances with smtp_alert on. */
  readonly instances: ReadonlySet<string>;
  /** Sync groups with smtp_alert on. */
  readonly groups: ReadonlySet<string>;
  /** Instances with notify_deleted: removed by a reload, they alert "Deleted" (else "Entering FAULT state"). */
  readonly notifyDeleted: ReadonlySet<string>;
}

/** The router_id vigil names itself with: global_defs router_id, else the host's name (keepalived's default). */
export function routerIdOf(config: KeepalivedConfig, host: MailHost): string {
  return config.globalDefs.routerId ?? host.hostName;
}

/** The settings, or undefined when this configuration sends no e-mail (no notification_email or no smtp_server). */
export function mailSettings(config: KeepalivedConfig, host: MailHost): MailSettings | undefined {
  const g = config.globalDefs;
  if (g.notificationEmail.length === 0 || g.smtpServer === undefined) return undefined;
  const vrrpDefault = g.smtpAlertVrrp ?? g.smtpAlert ?? false;
  return {
    routerId: routerIdOf(config, host),
    server: g.smtpServer,
    helo: g.smtpHeloName ?? host.hostName,
    from: g.notificationEmailFrom ?? `${host.userName}@${host.hostName}`,
    to: g.notificationEmail,
    timeoutMs: (g.smtpConnectTimeout ?? 30) * 1000,
    noEmailFaults: g.noEmailFaults ?? false,
    noCheckerEmails: g.noCheckerEmails ?? false,
    instances: new Set(config.vrrpInstances.filter((i) => i.smtpAlert ?? vrrpDefault).map((i) => i.name)),
    groups: new Set(config.vrrpSyncGroups.filter((s) => s.smtpAlert ?? vrrpDefault).map((s) => s.name)),
    notifyDeleted: new Set(config.vrrpInstances.filter((i) => i.notifyDeleted !== undefined).map((i) => i.name)),
  };
}
