/**
 * PING_CHECK: one ICMP (IPv4) or ICMPv6 echo request; a reply with our identifier and sequence from the target
 * within connect_timeout is a success. keepalived uses an unprivileged ICMP datagram socket; Node has none, so
 * vigil uses a raw socket from the `raw-socket` package (needs CAP_NET_RAW; the daemon runs as root), one per
 * family for every probe of the process, replies matched by (source, identifier, sequence).
 *
 * raw-socket is a NAN addon that a process can load in one thread only: the checker worker loads it, so the main
 * thread must not. When it cannot be loaded the probe fails with a detail saying so (no `ping` fallback: the
 * binary is absent here and a process per probe would not scale).
 */
import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import { decodeEchoReply, encodeEchoRequest } from '../../../protocol/icmp-echo.js';
import type { PingProbeSpec, ProbeResult } from '../../prober.js';
import { describeError, startProbe } from './outcome.js';

/** The part of raw-socket used here (the package has no types). */
interface RawSocket {
  on(event: 'message', listener: (buffer: Buffer, source: string) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  send(buffer: Buffer, offset: number, length: number, address: string, after: (error: Error | null, bytes: number) => void): void;
  setOption(level: number, option: number, value: Buffer | number, length?: number): void;
  close(): void;
}
interface RawSocketModule {
  createSocket(options: { protocol: number; addressFamily: number }): RawSocket;
  AddressFamily: { IPv4: number; IPv6: number };
  Protocol: { ICMP: number; ICMPv6: number };
}

/** Linux's SOL_SOCKET, SO_BINDTODEVICE and SO_MARK (asm-generic/socket.h). */
const SOL_SOCKET = 1;
const SO_BINDTODEVICE = 25;
const SO_MARK = 36;

interface SocketOptions {
  readonly device?: string | undefined;
  readonly mark?: number | undefined;
}

/** keepalived sends 128 bytes of payload. */
const PAYLOAD = Buffer.alloc(128, 0x61);

function canonical(address: string): string {
  return address.toLowerCase().replace(/^::ffff:/, '');
}

export class IcmpEngine {
  private module: RawSocketModule | undefined;
  private loadError: string | undefined;
  /** By family, interface (bind_if) and mark (fwmark): a socket of its own for each combination a checker uses. */
  private readonly sockets = new Map<string, RawSocket>();
  private readonly pending = new Map<string, (ok: boolean, detail: string) => void>();
  private readonly identifier: number;
  private sequence = 0;

  constructor(identifier: number) {
    this.identifier = identifier & 0xffff;
  }

  private load(): RawSocketModule | undefined {
    if (this.module === undefined && this.loadError === undefined) {
      try {
        this.module = createRequire(import.meta.url)('raw-socket') as RawSocketModule;
      } catch (err) {
        this.loadError = `raw-socket unavailable: ${describeError(err)}`;
      }
    }
    return this.module;
  }

  private socket(family: 4 | 6, options: SocketOptions): RawSocket {
    const id = `${family}|${options.device ?? ''}|${options.mark ?? ''}`;
    const existing = this.sockets.get(id);
    if (existing !== undefined) return existing;
    const raw = this.load();
    if (raw === undefined) throw new Error(this.loadError);
    const socket = raw.createSocket({
      protocol: family === 4 ? raw.Protocol.ICMP : raw.Protocol.ICMPv6,
      addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6,
    });
    try {
      // keepalived PING_CHECK bind_if / fwmark: SO_BINDTODEVICE (a raw socket bound to an interface also hears
      // only that interface) and SO_MARK.
      if (options.device !== undefined) socket.setOption(SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${options.device}\0`), options.device.length + 1);
      if (options.mark !== undefined) socket.setOption(SOL_SOCKET, SO_MARK, options.mark);
    } catch (err) {
      socket.close();
      throw err;
    }
    socket.on('message', (buffer, source) => {
      const reply = decodeEchoReply(family, buffer);
      if (reply === undefined || reply.identifier !== this.identifier) return;
      const key = `${canonical(source)}|${reply.sequence}`;
      this.pending.get(key)?.(true, 'echo reply');
    });
    socket.on('error', (err) => {
      this.sockets.delete(id);
      for (const [key, done] of this.pending) if (key.includes(':') === (family === 6)) done(false, describeError(err));
    });
    this.sockets.set(id, socket);
    return socket;
  }

  ping(address: string, timeoutMs: number, options: SocketOptions = {}): Promise<{ ok: boolean; detail: string }> {
    return new Promise((resolve) => {
      const family = isIPv6(address) ? 6 : 4;
      const sequence = (this.sequence = (this.sequence + 1) & 0xffff);
      const key = `${canonical(address)}|${sequence}`;
      const done = (ok: boolean, detail: string): void => {
        if (this.pending.get(key) !== done) return;
        this.pending.delete(key);
        clearTimeout(timer);
        resolve({ ok, detail });
      };
      this.pending.set(key, done);
      const timer = setTimeout(() => done(false, 'no echo reply'), timeoutMs);
      let socket: RawSocket;
      try {
        socket = this.socket(family, options);
      } catch (err) {
        return done(false, describeError(err));
      }
      const packet = Buffer.from(encodeEchoRequest(family, this.identifier, sequence, PAYLOAD));
      socket.send(packet, 0, packet.length, address, (err) => {
        if (err) done(false, describeError(err));
      });
    });
  }

  close(): void {
    for (const socket of this.sockets.values()) socket.close();
    this.sockets.clear();
    for (const done of this.pending.values()) done(false, 'closed');
  }
}

export async function probePing(engine: IcmpEngine, spec: PingProbeSpec): Promise<ProbeResult> {
  const timing = startProbe();
  const { ok, detail } = await engine.ping(spec.target.host, spec.timeoutMs, { device: spec.target.device, mark: spec.target.mark });
  return timing.done(ok, detail);
}
