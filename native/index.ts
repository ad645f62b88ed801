/**
 * Typed wrapper over the vigil_native addon (native/src/*.cc, built by `npm run build:native` with node-gyp).
 * Linux only. Everything here acts in the calling process's network namespace.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/** Called once per received packet, from the event loop (uv_poll), never re-entrantly. */
export type RawPacketListener = (
  /** IPv4: the whole packet, IP header included (as a raw IPv4 socket delivers it). IPv6: the payload only. */
  bytes: Buffer,
  source: string,
  /** IPv4: the header's destination (IP_PKTINFO). IPv6: from IPV6_PKTINFO. */
  destination: string,
  /** TTL (IP_RECVTTL) or hop limit (IPV6_RECVHOPLIMIT); -1 if the kernel gave none. */
  ttl: number,
  /** Index of the interface it arrived on. */
  ifindex: number,
  /** UDP sockets: the source port; raw sockets: 0. */
  sourcePort: number,
) => void;

/**
 * One batch of packets (RawIpSocket.startBatched): `count` packets in `data`, described in the socket's meta array
 * (RECEIVE_META_STRIDE int32 per packet, fields at the ReceiveMeta offsets). Each packet's bytes are preceded in
 * `data` by its source and its destination address, 16 bytes each (IPv4: the first 4).
 */
export type RawBatchListener = (data: Buffer, count: number) => void;

/** Packets read per wakeup at most (native/src/receive_batch.h). */
export const RECEIVE_BATCH_SIZE = 64;
/** int32 per packet in a batch's meta array. */
export const RECEIVE_META_STRIDE = 6;
/** Offsets in one packet's meta: its bytes (offset in data, length), TTL / hop limit (-1: none), interface, UDP source port, truncated (1: longer than the 9216 bytes read). */
export const ReceiveMeta = { offset: 0, length: 1, ttl: 2, ifindex: 3, sourcePort: 4, truncated: 5 } as const;

/** A raw IPv4 or IPv6 socket for one IP protocol, reading through libuv. Errors are thrown with `code`/`errno`. */
export interface RawIpSocket {
  /** SO_BINDTODEVICE: only packets arriving on this interface are delivered. */
  bindToDevice(interfaceName: string): void;
  /** IP_TTL + IP_MULTICAST_TTL, or IPV6_UNICAST_HOPS + IPV6_MULTICAST_HOPS; 0..255 (IPv4 refuses 0: EINVAL). */
  setHopLimit(hops: number): void;
  /** IP_MULTICAST_IF (ip_mreqn) or IPV6_MULTICAST_IF. */
  setMulticastInterface(ifindex: number): void;
  /** IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP. */
  setMulticastLoop(on: boolean): void;
  /** IPv6 only: IPV6_CHECKSUM (the kernel fills and verifies the checksum at this byte offset). */
  setChecksumOffset(offset: number): void;
  /**
   * IPv4 only: IP_HDRINCL, `send` takes whole datagrams (IP header first; the kernel fills the header checksum and
   * total length, and an identification of 0). Absent from an addon built before it.
   */
  setHeaderIncluded(on: boolean): void;
  joinGroup(group: string, ifindex: number): void;
  leaveGroup(group: string, ifindex: number): void;
  /**
   * sendmsg with IP_PKTINFO / IPV6_PKTINFO: `ifindex` picks the outgoing interface (and scopes link-local and
   * multicast IPv6 destinations); `source`, when given, is the source address (one of ours). Returns bytes sent.
   */
  send(bytes: Uint8Array, destination: string, ifindex: number, source?: string, port?: number): number;
  /** UDP sockets (protocol 17): bind to an address ('' = any) and port. Absent from an addon built before it. */
  bind(address: string, port: number): void;
  /** The bound port (getsockname). */
  localPort(): number;
  /**
   * SO_RCVBUF (SO_RCVBUFFORCE with `force`) of `bytes`: keepalived's vrrp_rx_bufs_policy / kernel_rx_buf_size.
   * Absent from an addon built before it.
   */
  setReceiveBufferSize?(bytes: number, force: boolean): void;
  /** SO_RCVBUF as the kernel set it (twice what was asked, within its limits). */
  receiveBufferSize?(): number;
  /** Starts delivering packets to the listener, one call per packet. */
  start(): void;
  /**
   * Starts delivering packets in batches instead (one recvmmsg per wakeup, up to RECEIVE_BATCH_SIZE packets, then
   * back to the event loop), one call per batch: the listener given at construction is not called. Before each
   * call `meta` (Int32Array of RECEIVE_BATCH_SIZE * RECEIVE_META_STRIDE) describes each packet of `data`: see
   * ReceiveMeta. Absent from an addon built before it.
   */
  startBatched?(meta: Int32Array, onBatch: RawBatchListener): void;
  /**
   * Datagrams the kernel dropped because this socket's receive queue was full (SO_RXQ_OVFL), since it was opened,
   * as last told with a packet read. Absent from an addon built before it.
   */
  receiveDrops?(): number;
  /**
   * Batched sockets: reads followed by a pause of about a millisecond because packets came faster than one read
   * per 5 ms (native/src/read_pacer.h: under a flood each read finds a batch). Absent from an addon built before it.
   */
  readPauses?(): number;
  /** Keep (default) or stop keeping the event loop alive while started. */
  ref(): void;
  unref(): void;
  close(): void;
}

/**
 * TCP connects whose outcomes arrive in batches (native/src/tcp_connector.cc): the connector writes (id, code)
 * pairs into the `results` array given at construction and calls `onResults(count)` once per batch, from the event
 * loop. Code 0: connected; > 0: an errno; -1: the timeout elapsed. The loop is kept alive only while connects are
 * pending.
 */
export interface TcpConnector {
  /**
   * Starts a non-blocking connect to an IP literal, optionally from `bindAddress`/`bindPort`. Returns
   * TCP_CONNECT_PENDING, or the outcome code when it is known at once (an errno such as EADDRNOTAVAIL, ENETUNREACH).
   */
  connect(id: number, family: 4 | 6, address: string, port: number, timeoutMs: number, bindAddress?: string, bindPort?: number): number;
  /**
   * The same connect, then `request` written and the answer read until the peer closes, the header's
   * Content-Length is in, or `maxBytes` arrived; the bytes come with outcome 0. Returns TCP_CONNECT_PENDING or an
   * error code known at once.
   */
  exchange(
    id: number,
    family: 4 | 6,
    address: string,
    port: number,
    timeoutMs: number,
    request: Buffer,
    maxBytes: number,
    bindAddress?: string,
    bindPort?: number,
  ): number;
  /** Closes every pending connect (their outcomes are never delivered) and the connector. */
  close(): void;
}

/** One timerfd timer on this thread's event loop (native/src/precise_timer.cc). */
export interface PreciseTimer {
  /** Fire once, `delayMs` from now (microsecond resolution); re-arming replaces the pending expiry. */
  arm(delayMs: number): void;
  disarm(): void;
  close(): void;
}

/**
 * An AF_UNIX datagram socket (native/src/unix_datagram.cc): sd_notify's transport. An address is a path, or an
 * abstract name written with a leading '@' (as $NOTIFY_SOCKET writes it). Errors are thrown with `code`/`errno`.
 */
export interface UnixDatagramSocket {
  /** One datagram to `address`, never blocking (a full receiver throws EAGAIN). Returns bytes sent. */
  send(address: string, bytes: Uint8Array): number;
  /** Receives at `address`, with each sender's pid (SO_PASSCRED). */
  bind(address: string): void;
  /** Delivers each datagram and its sender's pid (-1 when none came) from the event loop, until close(). */
  start(onMessage: (bytes: Buffer, pid: number) => void): void;
  close(): void;
}

/** `TcpConnector.connect`'s answer while the outcome is still to come. */
export const TCP_CONNECT_PENDING = -2;
/** The outcome code of a connect whose timeout elapsed. */
export const TCP_CONNECT_TIMED_OUT = -1;

/** A netlink socket listening to multicast groups; see openNetlinkMonitor. */
export interface NetlinkMonitor {
  /** Keeps the event loop alive while open (off by default). */
  ref(): void;
  unref(): void;
  /** SO_RCVBUF as the kernel set it (twice what was asked, within its limits). */
  receiveBufferSize(): number;
  /** SO_RCVBUF, or SO_RCVBUFFORCE with `force` (past net.core.rmem_max). Absent from an addon built before it. */
  setReceiveBufferSize?(bytes: number, force: boolean): void;
  close(): void;
}

/** One datagram read from a netlink monitor: one or more netlink messages, headers included. */
export type NetlinkDatagramListener = (datagram: Buffer) => void;
/** An error the monitor's socket reported (ENOBUFS: notifications were lost in a receive buffer overrun). */
export type NetlinkErrorListener = (code: string, errno: number) => void;

interface NativeBinding {
  sendFrame(ifindex: number, frame: Uint8Array): number;
  interfaceIndex(name: string): number;
  interfaceMac(name: string): Buffer;
  RawIpSocket: new (family: 4 | 6, protocol: number, onPacket: RawPacketListener) => RawIpSocket;
  TcpConnector: new (results: Int32Array, onResults: TcpResultsListener) => TcpConnector;
  PreciseTimer: new (onFire: () => void) => PreciseTimer;
  UnixDatagramSocket: new () => UnixDatagramSocket;
  NetlinkMonitor: new (protocol: number, groups: readonly number[], receiveBufferSize: number, onData: NetlinkDatagramListener, onError: NetlinkErrorListener) => NetlinkMonitor;
  setRealtimePriority(priority: number): void;
  setRlimitRttime(microseconds: number): void;
  setFairSlice(microseconds: number): void;
  setThreadName(name: string): void;
  setThreadAffinity(cpus: readonly number[]): void;
  execve(path: string, argv: readonly string[], env: readonly string[]): void;
  socketWithOptions(family: 4 | 6, type: 'tcp' | 'udp', device: string, mark: number): number;
  setSocketOptions(fd: number, device: string, mark: number): void;
  setReceiveBuffer(fd: number, bytes: number, force: boolean): void;
  receiveBuffer(fd: number): number;
  miiLinkStatus(name: string): number;
  openTunDevice(name: string): number;
  SignalWatch: new (signum: number, onSignal: (signum: number) => void) => SignalWatch;
  holdSignals(signals: readonly number[]): void;
  realtimeSignalRange(): { min: number; max: number };
}

const ADDON_FILE = 'vigil_native.node';

function addonCandidates(): string[] {
  // VIGIL_NATIVE_ADDON names the one file to load (another build of it; tests of the fallback).
  const chosen = process.env['VIGIL_NATIVE_ADDON'];
  if (chosen !== undefined && chosen !== '') return [chosen];
  const here = dirname(fileURLToPath(import.meta.url));
  return [
    join(here, 'build', 'Release', ADDON_FILE), // running from native/ (sources)
    join(here, '..', '..', 'native', 'build', 'Release', ADDON_FILE), // running from dist/native/ (a checkout, a package)
    join(here, 'build', 'Debug', ADDON_FILE),
  ];
}

/**
 * What vigil does without the addon, said once per process (from the main thread) the first time something asks
 * for it: an npm install on a platform without a prebuilt addon (only linux-x64 is shipped) still runs config
 * test, sim, viz and replay, and the daemon's checkers.
 */
export const FALLBACK_EFFECTS =
  "VRRP and gratuitous ARP/NA cannot run (raw sockets); TCP and HTTP checks use Node's sockets (slower); timers poll instead of timerfd (more CPU); no realtime scheduling";

let binding: NativeBinding | undefined;
let loadError: Error | undefined;

function load(): NativeBinding {
  if (binding !== undefined) return binding;
  if (loadError !== undefined) throw loadError;
  const candidates = addonCandidates();
  const path = candidates.find((p) => existsSync(p));
  const platform = `${process.platform}-${process.arch}`;
  try {
    if (path === undefined) throw new Error(`no vigil_native addon for ${platform} (build it with \`npm run build:native\`); looked in: ${candidates.join(', ')}`);
    try {
      binding = createRequire(import.meta.url)(path) as NativeBinding;
    } catch (err) {
      // dlopen's reason (wrong ELF class, a missing symbol, not an ELF file) is its first line.
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      throw new Error(`the vigil_native addon cannot be loaded on ${platform}: ${reason}`);
    }
    return binding;
  } catch (err) {
    loadError = err as Error;
    if (isMainThread) process.stderr.write(`vigil: warning: ${loadError.message}: ${FALLBACK_EFFECTS}\n`);
    throw loadError;
  }
}

/** True when the addon is built and loadable (it is Linux only). */
export function nativeAvailable(): boolean {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

/** Sends one complete Ethernet frame (destination MAC first) on an interface through AF_PACKET. */
export function sendFrame(ifindex: number, frame: Uint8Array): number {
  return load().sendFrame(ifindex, frame);
}

/** if_nametoindex: 0 when there is no such interface. */
export function interfaceIndex(name: string): number {
  return load().interfaceIndex(name);
}

/** The interface's hardware address (SIOCGIFHWADDR), 6 bytes. */
export function interfaceMac(name: string): Uint8Array {
  return new Uint8Array(load().interfaceMac(name));
}

/**
 * Opens a raw socket for `protocol` (112 for VRRP, 51 for AH), or with 17 a UDP socket (IPv6 ones IPV6_V6ONLY)
 * whose packets are the UDP payload; receives nothing until `start()`.
 */
export function openRawIpSocket(family: 4 | 6, protocol: number, onPacket: RawPacketListener): RawIpSocket {
  const Ctor = load().RawIpSocket;
  return new Ctor(family, protocol, onPacket);
}

/**
 * `count` (id, code) pairs are in the results array; `answers[i]`, when given, holds the bytes an exchange among
 * them received (null for plain connects and failures).
 */
export type TcpResultsListener = (count: number, answers: readonly (Buffer | null | undefined)[] | null) => void;

/** A batched TCP connector; `results` must hold at least one (id, code) pair. */
export function openTcpConnector(results: Int32Array, onResults: TcpResultsListener): TcpConnector {
  const Ctor = current('TcpConnector');
  return new Ctor(results, onResults);
}

/** A timerfd timer calling `onFire` on this thread's loop; throws when the addon is missing or predates it. */
export function openPreciseTimer(onFire: () => void): PreciseTimer {
  const Ctor = current('PreciseTimer');
  return new Ctor(onFire);
}

/** An unbound AF_UNIX datagram socket; throws when the addon is missing or predates it. */
export function openUnixDatagramSocket(): UnixDatagramSocket {
  const Ctor = current('UnixDatagramSocket');
  return new Ctor();
}

/**
 * A netlink socket of `protocol` (0: NETLINK_ROUTE) in the multicast `groups` (RTNLGRP_* numbers), read on this
 * thread's loop. Unlike the `netlink` package's sockets it survives a receive buffer overrun: the error (ENOBUFS)
 * goes to `onError` and reading goes on. Only the kernel's messages are delivered.
 */
export function openNetlinkMonitor(
  protocol: number,
  groups: readonly number[],
  receiveBufferSize: number,
  onData: NetlinkDatagramListener,
  onError: NetlinkErrorListener,
): NetlinkMonitor {
  const Ctor = current('NetlinkMonitor');
  return new Ctor(protocol, groups, receiveBufferSize, onData, onError);
}

/** A binding member, or a clear error when the built addon is older than this wrapper. */
function current<K extends keyof NativeBinding>(name: K): NativeBinding[K] {
  const member = load()[name];
  if (member === undefined) throw new Error(`vigil_native addon predates ${name}: rebuild it (\`npm run build:native\`)`);
  return member;
}

/** keepalived's checker `bind_if` (SO_BINDTODEVICE) and `fwmark` (SO_MARK); either may be absent. */
export interface SocketOptions {
  readonly device?: string | undefined;
  readonly mark?: number | undefined;
}

/**
 * A non-blocking, close-on-exec socket with SO_BINDTODEVICE / SO_MARK already set (before a connect sends its SYN);
 * the caller owns the fd (`new net.Socket({ fd })` takes it over). Throws (ENODEV, EPERM …) as the kernel refuses.
 */
export function socketWithOptions(family: 4 | 6, type: 'tcp' | 'udp', options: SocketOptions): number {
  return current('socketWithOptions')(family, type, options.device ?? '', options.mark ?? -1);
}

/** SO_BINDTODEVICE / SO_MARK on a socket that exists (a UDP socket, before its first datagram). */
export function setSocketOptions(fd: number, options: SocketOptions): void {
  current('setSocketOptions')(fd, options.device ?? '', options.mark ?? -1);
}

/**
 * The calling thread only: SCHED_RR at `priority` (1..99), or SCHED_OTHER for 0. Threads and processes it starts
 * later do not inherit it (SCHED_RESET_ON_FORK). Throws (EPERM …) when not allowed.
 */
export function setRealtimePriority(priority: number): void {
  current('setRealtimePriority')(priority);
}

/** RLIMIT_RTTIME: microseconds of CPU a realtime thread may use without blocking before SIGXCPU. */
export function setRlimitRttime(microseconds: number): void {
  current('setRlimitRttime')(microseconds);
}

/**
 * The calling thread's time slice under the fair scheduler (EEVDF custom slices, Linux 6.12+; 0 restores the
 * default): a thread with a shorter slice than the running one gets the CPU as soon as it wakes.
 */
export function setFairSlice(microseconds: number): void {
  current('setFairSlice')(microseconds);
}

/** The calling thread's name (prctl PR_SET_NAME; /proc/PID/task/TID/comm), truncated by the kernel to 15 bytes. */
export function setThreadName(name: string): void {
  current('setThreadName')(name);
}

/** The calling thread runs only on these CPUs (sched_setaffinity). */
export function setThreadAffinity(cpus: readonly number[]): void {
  current('setThreadAffinity')(cpus);
}

/** Replaces the process with another program (execve: same pid, every thread gone); throws only on failure. */
export function execve(path: string, argv: readonly string[], env: readonly string[]): never {
  current('execve')(path, argv, env);
  throw new Error('execve returned');
}

/**
 * SO_RCVBUF (or SO_RCVBUFFORCE) of `bytes` on a socket of this process by its descriptor (a netlink socket the
 * `netlink` package opened: transport/real/netlink-buffers.ts). Throws with the errno.
 */
export function setReceiveBuffer(fd: number, bytes: number, force: boolean): void {
  current('setReceiveBuffer')(fd, bytes, force);
}

/** SO_RCVBUF of a socket of this process by its descriptor, as the kernel set it. */
export function receiveBuffer(fd: number): number {
  return current('receiveBuffer')(fd);
}

/**
 * The PHY's link through its MII registers (keepalived linkbeat type MII): 1 up, 0 down, -1 when the interface has
 * no MII (virtual interfaces, drivers without SIOCGMIIPHY) or no such interface.
 */
export function miiLinkStatus(name: string): -1 | 0 | 1 {
  const status = current('miiLinkStatus')(name);
  return status === 1 ? 1 : status === 0 ? 0 : -1;
}

/**
 * Creates the non-persistent TUN device `name` (IFF_TUN | IFF_NO_PI) and sets its link up; returns the descriptor
 * that keeps it (close-on-exec). When the descriptor closes (fs.closeSync, or the process ends however it ends)
 * the kernel deletes the device and every route through it. Throws (EPERM, EBUSY: the name is taken …).
 */
export function openTunDevice(name: string): number {
  return current('openTunDevice')(name);
}

/** A signal watched on the calling thread's event loop (uv_signal_t); it does not keep the loop alive. */
export interface SignalWatch {
  /** Stops watching; a held signal (holdSignals) is ignored again, not put back to its default action. */
  close(): void;
}

/**
 * Calls `onSignal` on the event loop each time `signum` comes, any signal number (the real-time ones Node's
 * process.on cannot name included). Throws with the errno when libuv refuses.
 */
export function watchSignal(signum: number, onSignal: (signum: number) => void): SignalWatch {
  return new (current('SignalWatch'))(signum, onSignal);
}

/**
 * From now on these signals, those still at their default action (for a real-time signal: ending the process),
 * are ignored until watched (watchSignal), again after a watch closes, and across execve: nothing between the
 * start of the process and its handlers can end it with one.
 */
export function holdSignals(signals: readonly number[]): void {
  current('holdSignals')(signals);
}

/** SIGRTMIN and SIGRTMAX as the C library has them (glibc: 34 and 64). */
export function realtimeSignalRange(): { min: number; max: number } {
  return current('realtimeSignalRange')();
}
