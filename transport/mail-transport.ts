/**
 * The mail contract: one alert handed to an SMTP server, as keepalived sends it (core/smtp.c: a connection of its
 * own, HELO, MAIL FROM, RCPT TO each, DATA, QUIT). The real side (transport/real/smtp-mail-transport.ts) stamps the
 * Date: header when it sends, as keepalived does; the simulator has no mail.
 */
import type { Alert } from '../protocol/alert-mail.js';

export interface OutgoingMail {
  /** smtp_server: a name or an address, and its port (25 unless given). */
  readonly server: { readonly host: string; readonly port: number };
  /** smtp_helo_name. */
  readonly helo: string;
  /** notification_email_from. */
  readonly from: string;
  /** notification_email. */
  readonly to: readonly string[];
  readonly alert: Alert;
  /** smtp_connect_timeout: for the connection, and for each reply of the server. */
  readonly timeoutMs: number;
}

export interface MailTransport {
  /** Resolves once the server has taken the message (250 after DATA); rejects with why it did not. */
  send(mail: OutgoingMail): Promise<void>;
  /** Ends what is under way (a message being sent fails) and frees what sending holds. */
  close(): Promise<void>;
}
