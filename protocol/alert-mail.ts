/**
 * keepalived's e-mail alerts as it writes them (keepalived 2.2.7 core/smtp.c, and its callers vrrp/vrrp_notify.c,
 * check/check_*.c, check/ipwrapper.c): the subject and body of each alert, and the message text it sends after
 * DATA. Pure: the caller gives the time and its offset from UTC.
 *
 * keepalived's limits are kept: a subject of at most 255 bytes, a body of at most 511, a To: header of at most
 * 1023 (addresses that do not fit are left out, after their ", "), and the whole DATA text in one 1024-byte buffer.
 * It does no dot-stuffing: a body line that is a lone "." would end the message; the bodies it sends have none.
 */

/** What an alert says: keepalived's `subject` (the part after the `[router_id] … - `) and body. */
export interface Alert {
  readonly subject: string;
  readonly body: string;
}

/** The states keepalived sends an instance's or sync group's alert for (vrrp_notify.c). */
export type VrrpAlertState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

const SUBJECT_MAX = 255; // MAX_HEADERS_LENGTH - 1
const BODY_MAX = 511; // MAX_BODY_LENGTH - 1
const TO_MAX = 1023; // SMTP_BUFFER_MAX - 1
const DATA_MAX = 1023; // smtp_send_buffer, SMTP_BUFFER_MAX - 1

const INSTANCE: Record<VrrpAlertState, Alert> = {
  MASTER: { subject: 'Entering MASTER state', body: '=> VRRP Instance is now owning VRRP VIPs <=' },
  BACKUP: { subject: 'Entering BACKUP state', body: '=> VRRP Instance is no longer owning VRRP VIPs <=' },
  FAULT: { subject: 'Entering FAULT state', body: '=> VRRP Instance is no longer owning VRRP VIPs <=' },
  STOP: { subject: 'Stopping', body: '=> VRRP Instance stopping <=' },
  DELETED: { subject: 'Deleted', body: '=> VRRP Deleted at reload <=' },
};

const GROUP: Partial<Record<VrrpAlertState, Alert>> = {
  MASTER: { subject: 'Entering MASTER state', body: '=> All VRRP group instances are now in MASTER state <=' },
  BACKUP: { subject: 'Entering BACKUP state', body: '=> All VRRP group instances are now in BACKUP state <=' },
  FAULT: { subject: 'Entering FAULT state', body: '=> All VRRP group instances are now in FAULT state <=' },
  STOP: { subject: 'Stopping', body: '=> All VRRP group instances are now stopping <=' },
};

/** `[router_id] VRRP Instance NAME - Entering MASTER state` and its body (vrrp_smtp_notifier). */
export function instanceAlert(routerId: string, instance: string, state: VrrpAlertState): Alert {
  const a = INSTANCE[state];
  return { subject: `[${routerId}] VRRP Instance ${instance} - ${a.subject}`, body: a.body };
}

/** `[router_id] VRRP Group NAME - …` (vrrp_sync_smtp_notifier); a sync group is never DELETED by mail. */
export function groupAlert(routerId: string, group: string, state: VrrpAlertState): Alert | undefined {
  const a = GROUP[state];
  return a && { subject: `[${routerId}] VRRP Group ${group} - ${a.subject}`, body: a.body };
}

/** keepalived's service notation (inet_sockaddrtotrio): `[192.168.1.1]:tcp:80`, `[fd00::1]:udp:53`. */
export function serviceTrio(address: string, protocol: string, port: number): string {
  return `[${address}]:${protocol}:${port}`;
}

/** A virtual server (format_vs): its group `[NAME]:PORT`, `FWM N`, or its address trio. */
export type VirtualServerName =
  | { readonly kind: 'group'; readonly name: string; readonly port: number }
  | { readonly kind: 'fwmark'; readonly fwmark: number }
  | { readonly kind: 'address'; readonly address: string; readonly protocol: string; readonly port: number };

export function virtualServerText(vs: VirtualServerName): string {
  switch (vs.kind) {
    case 'group':
      return `[${vs.name}]:${vs.port}`;
    case 'fwmark':
      return `FWM ${vs.fwmark}`;
    default:
      return serviceTrio(vs.address, vs.protocol, vs.port);
  }
}

/** The checker kinds whose state changes keepalived mails about (FILE_CHECK and BFD_CHECK send none). */
export type MailingChecker = 'tcp' | 'http' | 'ssl' | 'smtp' | 'dns' | 'udp' | 'ping' | 'misc';

/**
 * The body a checker sends when it goes up or down (check_tcp.c, check_http.c, …). MISC_CHECK says how its script
 * ended (`timedOut`); SMTP_CHECK names its failure when it has one (`detail`).
 */
export function checkerBody(kind: MailingChecker, up: boolean, detail: { readonly timedOut?: boolean; readonly smtpError?: string } = {}): string {
  switch (kind) {
    case 'tcp':
      return up ? '=> TCP CHECK succeed on service <=' : '=> TCP CHECK failed on service <=';
    case 'udp':
      return up ? '=> UDP CHECK succeed on service <=' : '=> UDP CHECK failed on service <=';
    case 'ping':
      return up ? '=> ICMP CHECK succeed on service <=' : '=> ICMP CHECK failed on service <=';
    case 'dns':
      return up ? '=> DNS_CHECK: succeed on service <=' : '=> DNS_CHECK: failed on service <=';
    case 'http':
    case 'ssl':
      return up ? '=> CHECK succeed on service <=' : '=> CHECK failed on service : HTTP request failed <=';
    case 'smtp':
      if (up) return '=> CHECK succeed on service <=';
      return detail.smtpError !== undefined ? `=> CHECK failed on service : ${detail.smtpError} <=` : '=> CHECK failed on service <=';
    case 'misc':
      return `=> MISC CHECK ${up ? 'succeeded' : detail.timedOut === true ? 'timed out' : 'failed'} on service <=`;
  }
}

/** `[router_id] Realserver RS of virtual server VS - UP|DOWN`: UP or DOWN is the real server's, not the checker's. */
export function realServerAlert(routerId: string, rs: string, vs: string, alive: boolean, body: string): Alert {
  return { subject: `[${routerId}] Realserver ${rs} of virtual server ${vs} - ${alive ? 'UP' : 'DOWN'}`, body };
}

/** A real server leaving with its virtual server (ipwrapper.c clear_service_rs): `DOWN`, shutting down or removed. */
export function realServerRemovedAlert(routerId: string, rs: string, vs: string, stopping: boolean): Alert {
  return realServerAlert(routerId, rs, vs, false, stopping ? '=> Shutting down <=' : '=> Removing <=');
}

export interface QuorumChange {
  readonly up: boolean;
  /** The first notification, at start (`Starting with quorum …`). */
  readonly init: boolean;
  readonly stopping: boolean;
  readonly quorum: number;
  readonly hysteresis: number;
  /** The live real servers' weight sum. */
  readonly weightSum: number;
}

/**
 * `[router_id] Virtualserver VS - UP|DOWN` (ipwrapper.c do_vs_notifies); the body is cut at 79 bytes as there. The
 * threshold it prints is the one just crossed: quorum + hysteresis when gained, quorum - hysteresis when lost.
 */
export function quorumAlert(routerId: string, vs: string, q: QuorumChange): Alert {
  const what = q.up ? (q.init ? 'Starting with quorum up' : 'Gained quorum') : q.init ? 'Starting with quorum down' : 'Lost quorum';
  const body = q.stopping ? '=> Shutting down <=' : `=> ${what} ${q.quorum}+${q.hysteresis}=${q.up ? q.quorum + q.hysteresis : q.quorum - q.hysteresis} <= ${q.weightSum} <=`;
  return { subject: `[${routerId}] Virtualserver ${vs} - ${q.up ? 'UP' : 'DOWN'}`, body: cutBytes(body, 79) };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/**
 * strftime("%a, %d %b %Y %H:%M:%S %z") of `epochMs` in a zone `offsetMinutes` east of UTC (what keepalived's Date:
 * header says, in the host's local time): `Mon, 01 Mar 2021 09:44:08 +0000`.
 */
export function rfc2822Date(epochMs: number, offsetMinutes: number): string {
  const t = new Date(Math.floor(epochMs / 1000) * 1000 + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${DAYS[t.getUTCDay()]!}, ${two(t.getUTCDate())} ${MONTHS[t.getUTCMonth()]!} ${t.getUTCFullYear()} ` +
    `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`
  );
}

/** The To: header (build_to_header_rcpt_addrs): the addresses joined by ", ", as many as fit in 1023 bytes. */
export function toHeader(recipients: readonly string[]): string {
  let out = '';
  let available = TO_MAX;
  let first = true;
  for (const address of recipients) {
    const length = Buffer.byteLength(address);
    if (!first) {
      if (available < 2) break;
      out += ', ';
      available -= 2;
    }
    first = false;
    if (available < length) break;
    out += address;
    available -= length;
  }
  return out;
}

/** The first `max` bytes of `text` (a C string cut by snprintf / strncpy). */
function cutBytes(text: string, max: number): string {
  const bytes = Buffer.from(text);
  return bytes.length <= max ? text : bytes.subarray(0, max).toString();
}

export interface MailMessage {
  /** The Date: header's text (rfc2822Date). */
  readonly date: string;
  /** notification_email_from: the From: header, and MAIL FROM:<…>. */
  readonly from: string;
  /** notification_email: RCPT TO:<…> each, and the To: header. */
  readonly to: readonly string[];
  readonly alert: Alert;
}

/**
 * The text keepalived sends after DATA, up to (not including) the "." that ends it: its headers, an empty line,
 * the body, an empty line (SMTP_HEADERS_CMD SMTP_BODY_CMD, then SMTP_SEND_CMD "\r\n.\r\n").
 */
export function messageText(m: MailMessage): string {
  const subject = cutBytes(m.alert.subject, SUBJECT_MAX);
  const body = cutBytes(m.alert.body, BODY_MAX);
  const text = `Date: ${m.date}\r\nFrom: ${m.from}\r\nSubject: ${subject}\r\nX-Mailer: Keepalived\r\nTo: ${toHeader(m.to)}\r\n\r\n${body}\r\n\r\n`;
  // The DATA text and its ".\r\n" share keepalived's 1024-byte send buffer; what does not fit is not sent.
  return cutBytes(text, DATA_MAX - 3);
}
