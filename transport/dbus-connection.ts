/**
 * The contract of a connection to the system bus that owns one well-known name and answers the method calls sent
 * to it: what observe/dbus/ needs of DBus (`enable_dbus`). The real one is transport/real/dbus-next-connection.ts;
 * cli/run-command.ts gives it.
 */

/** A value of type `v` in a reply: its signature and the value as the library marshals it (a struct is an array). */
export interface DbusVariant {
  readonly variant: string;
  readonly value: unknown;
}

export function dbusVariant(signature: string, value: unknown): DbusVariant {
  return { variant: signature, value };
}

export function isDbusVariant(value: unknown): value is DbusVariant {
  return typeof value === 'object' && value !== null && typeof (value as { variant?: unknown }).variant === 'string' && 'value' in value;
}

/** A method call addressed to the service. */
export interface DbusCall {
  readonly path: string;
  readonly interface: string | undefined;
  readonly member: string;
  readonly signature: string;
  readonly body: readonly unknown[];
}

/** The answer to a call: a return with its signature and body (variants as DbusVariant, a{sv} as a record), or an error. */
export type DbusReply =
  | { readonly kind: 'return'; readonly signature: string; readonly body: readonly unknown[] }
  | { readonly kind: 'error'; readonly name: string; readonly message: string };

export interface DbusConnectionOptions {
  /** The well-known name to own (dbus_service_name, default org.keepalived.Vrrp1). */
  readonly name: string;
  /** Answers a call sent to the service; undefined leaves it to the library (org.freedesktop.DBus.Peer). */
  readonly onCall: (call: DbusCall) => DbusReply | undefined;
  readonly log: { info(message: string): void; warn(message: string): void };
  /** The connection was lost after open() (the bus daemon stopped): nothing more is sent on it. */
  readonly onLost?: (() => void) | undefined;
}

export interface DbusConnection {
  /** Connects and requests the name; rejects with the reason (no bus, the policy refusing the name). */
  open(): Promise<void>;
  /** Emits a signal from `path` (dropped, with nothing said, while not connected). */
  signal(path: string, iface: string, member: string, signature: string, body: readonly unknown[]): void;
  close(): void;
}

export type DbusConnectionFactory = (options: DbusConnectionOptions) => DbusConnection;
