/**
 * The system bus through dbus-next (DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket): one connection
 * owning one well-known name, every method call sent to it handed to `onCall` (org.freedesktop.DBus.Peer is left
 * to dbus-next). A bus that goes away is logged once; nothing here can stop or delay VRRP. dbus-next is loaded
 * with the first open: a daemon without enable_dbus never loads it.
 */
import type { Message, MessageBus } from 'dbus-next';
import { isDbusVariant, type DbusConnection, type DbusConnectionOptions, type DbusReply } from '../dbus-connection.js';

/** RequestName's answer for a name now ours (DBus specification, "org.freedesktop.DBus.RequestName"). */
const PRIMARY_OWNER = 1;
const ALREADY_OWNER = 4;

type DbusNext = typeof import('dbus-next');

/** Turns the contract's variants (and records of them) into dbus-next's Variant, however deep. */
function toWire(lib: DbusNext, value: unknown): unknown {
  if (isDbusVariant(value)) return new lib.Variant(value.variant, toWire(lib, value.value));
  if (Array.isArray(value)) return value.map((v) => toWire(lib, v));
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(lib, v)]));
  }
  return value;
}

export class DbusNextConnection implements DbusConnection {
  private bus: MessageBus | undefined;
  private lib: DbusNext | undefined;
  private failed = false;

  constructor(private readonly options: DbusConnectionOptions) {}

  async open(): Promise<void> {
    const lib = ((await import('dbus-next')) as unknown as { default: DbusNext }).default;
    this.lib = lib;
    const bus = lib.systemBus();
    this.bus = bus;
    let opening: ((err: Error) => void) | undefined;
    // One listener for the connection's life (an 'error' nobody listens to would throw): while opening it fails
    // the open; later (the bus daemon stopping) it is said once, never thrown.
    bus.on('error', (raw: unknown) => {
      const err = raw instanceof Error ? raw : new Error(String(raw));
      if (opening !== undefined) return opening(err);
      if (this.failed) return;
      this.failed = true;
      this.options.log.warn(`DBus: connection lost: ${err.message}`);
      this.options.onLost?.();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        opening = reject;
        bus.once('connect', () => resolve());
      });
    } catch (err) {
      this.failed = true;
      this.close();
      throw err;
    } finally {
      opening = undefined;
    }
    // The bus closing its end (dbus-daemon stopped) is seen at once, not at the next signal: dbus-next tells it on
    // its connection only.
    const stream = (bus as unknown as { _connection?: { on?: (event: 'end', listener: () => void) => void } })._connection;
    stream?.on?.('end', () => bus.emit('error', new Error('the bus closed the connection')));
    bus.addMethodHandler((msg: Message) => this.handle(lib, bus, msg));
    let reply: number;
    try {
      reply = await bus.requestName(this.options.name, 0);
    } catch (err) {
      // The bus refused the name (its policy has no rule for it): nothing stays connected.
      this.close();
      throw err;
    }
    if (reply !== PRIMARY_OWNER && reply !== ALREADY_OWNER) {
      this.options.log.warn(`DBus: ${this.options.name} is owned by another connection; waiting in its queue`);
    }
  }

  private handle(lib: DbusNext, bus: MessageBus, msg: Message): boolean {
    let reply: DbusReply | undefined;
    try {
      reply = this.options.onCall({ path: msg.path, interface: msg.interface ?? undefined, member: msg.member, signature: msg.signature ?? '', body: msg.body ?? [] });
    } catch (err) {
      reply = { kind: 'error', name: 'org.freedesktop.DBus.Error.Failed', message: err instanceof Error ? err.message : String(err) };
    }
    if (reply === undefined) return false;
    // NO_REPLY_EXPECTED (flag 1): the call is acted on, nothing is sent back.
    if ((msg.flags & 1) !== 0) return true;
    bus.send(
      reply.kind === 'return'
        ? lib.Message.newMethodReturn(msg, reply.signature, reply.body.map((v) => toWire(lib, v)))
        : lib.Message.newError(msg as unknown as string, reply.name, reply.message),
    );
    return true;
  }

  signal(path: string, iface: string, member: string, signature: string, body: readonly unknown[]): void {
    const { bus, lib } = this;
    if (bus === undefined || lib === undefined || this.failed) return;
    try {
      bus.send(lib.Message.newSignal(path, iface, member, signature, body.map((v) => toWire(lib, v))));
    } catch (err) {
      this.options.log.warn(`DBus: signal ${iface}.${member} on ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  close(): void {
    // Our own end of the connection is no loss to tell.
    this.failed = true;
    const bus = this.bus;
    this.bus = undefined;
    if (bus === undefined) return;
    try {
      bus.disconnect();
    } catch {
      // already gone
    }
  }
}
