/**
 * The kernel's process events connector (NETLINK_CONNECTOR, CN_IDX_PROC; linux/connector.h, linux/cn_proc.h) as
 * pure functions: the message that starts or stops the events, and one received event read into a typed value.
 * keepalived's track_process listens here (track_process.c). Netlink is host byte order.
 *
 * A message is a netlink header (16 bytes), a `cn_msg` (20 bytes: idx, val, seq, ack, len, flags) and its data; for
 * process events the data is a `proc_event`: what, cpu, timestamp (8 bytes), then the event's fields.
 */
import { LITTLE_ENDIAN } from './genl.js';

export const NETLINK_CONNECTOR = 11;
/** The connector's index and value for process events; also the multicast group to bind to. */
export const CN_IDX_PROC = 1;
export const CN_VAL_PROC = 1;

const PROC_CN_MCAST_LISTEN = 1;
const PROC_CN_MCAST_IGNORE = 2;

const NLMSG_NOOP = 1;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;

const PROC_EVENT_NONE = 0;
const PROC_EVENT_FORK = 0x1;
const PROC_EVENT_EXEC = 0x2;
const PROC_EVENT_COMM = 0x200;
const PROC_EVENT_EXIT = 0x80000000;

const NLMSG_HEADER = 16;
const CN_MSG = 20;
/** Where the proc_event starts, and where its event data starts (after what, cpu and the 8-byte timestamp). */
const EVENT = NLMSG_HEADER + CN_MSG;
const DATA = EVENT + 16;
/** TASK_COMM_LEN: a process name is at most 15 bytes and a NUL. */
const COMM_BYTES = 16;

/** Fields every event carries: the CPU it happened on and that CPU's sequence number (gaps are lost events). */
interface Sequenced {
  readonly cpu: number;
  readonly seq: number;
}

/** One message of the process events connector, as the kernel sent it. Threads are told too: `pid` is the thread. */
export type ProcConnectorMessage = Sequenced &
  (
    | { readonly kind: 'ack'; readonly error: number }
    | { readonly kind: 'fork'; readonly parentPid: number; readonly parentTgid: number; readonly childPid: number; readonly childTgid: number }
    | { readonly kind: 'exec'; readonly pid: number; readonly tgid: number }
    | { readonly kind: 'comm'; readonly pid: number; readonly tgid: number; readonly comm: string }
    | { readonly kind: 'exit'; readonly pid: number; readonly tgid: number; readonly exitCode: number; readonly exitSignal: number }
    /** UID, GID, SID, PTRACE, COREDUMP and whatever a later kernel adds. */
    | { readonly kind: 'other'; readonly what: number }
  );

/**
 * The request that starts (PROC_CN_MCAST_LISTEN) or stops (PROC_CN_MCAST_IGNORE) the events for a socket bound to
 * `port`: a netlink header of type NLMSG_DONE, a cn_msg for CN_IDX_PROC/CN_VAL_PROC and the 4-byte operation. The
 * kernel answers a listen with an acknowledgement (an event of type NONE, `ack` set).
 */
export function encodeProcListen(port: number, listen: boolean): Uint8Array {
  const out = new Uint8Array(EVENT + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length, LITTLE_ENDIAN);
  view.setUint16(4, NLMSG_DONE, LITTLE_ENDIAN);
  view.setUint32(12, port >>> 0, LITTLE_ENDIAN);
  view.setUint32(NLMSG_HEADER, CN_IDX_PROC, LITTLE_ENDIAN);
  view.setUint32(NLMSG_HEADER + 4, CN_VAL_PROC, LITTLE_ENDIAN);
  view.setUint16(NLMSG_HEADER + 16, 4, LITTLE_ENDIAN);
  view.setUint32(EVENT, listen ? PROC_CN_MCAST_LISTEN : PROC_CN_MCAST_IGNORE, LITTLE_ENDIAN);
  return out;
}

const decoder = new TextDecoder();

/** A NUL-terminated name in a fixed field (the comm of a COMM event). */
function fixedString(bytes: Uint8Array, offset: number, size: number): string {
  const field = bytes.subarray(offset, Math.min(bytes.length, offset + size));
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

/**
 * One received datagram read as a process event; undefined for what is not one (too short, a netlink error or
 * no-op, another connector's message, an acknowledgement flag that disagrees with the event type — the checks of
 * keepalived's handle_proc_ev). The kernel never chains events in one datagram (their alignment forbids it).
 */
export function decodeProcEvent(bytes: Uint8Array): ProcConnectorMessage | undefined {
  if (bytes.length < DATA) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (offset: number): number => view.getUint32(offset, LITTLE_ENDIAN);
  const i32 = (offset: number): number => view.getInt32(offset, LITTLE_ENDIAN);
  const length = u32(0);
  const type = view.getUint16(4, LITTLE_ENDIAN);
  if (length < DATA || length > bytes.length || type === NLMSG_ERROR || type === NLMSG_NOOP) return undefined;
  if (u32(NLMSG_HEADER) !== CN_IDX_PROC || u32(NLMSG_HEADER + 4) !== CN_VAL_PROC) return undefined;
  const seq = u32(NLMSG_HEADER + 8);
  const acked = u32(NLMSG_HEADER + 12) !== 0;
  const what = u32(EVENT);
  const cpu = u32(EVENT + 4);
  // An acknowledgement is exactly an event of type NONE.
  if ((what === PROC_EVENT_NONE) !== acked) return undefined;
  const has = (n: number): boolean => bytes.length >= DATA + n;
  switch (what) {
    case PROC_EVENT_NONE:
      return has(4) ? { kind: 'ack', cpu, seq, error: u32(DATA) } : undefined;
    case PROC_EVENT_FORK:
      return has(16) ? { kind: 'fork', cpu, seq, parentPid: i32(DATA), parentTgid: i32(DATA + 4), childPid: i32(DATA + 8), childTgid: i32(DATA + 12) } : undefined;
    case PROC_EVENT_EXEC:
      return has(8) ? { kind: 'exec', cpu, seq, pid: i32(DATA), tgid: i32(DATA + 4) } : undefined;
    case PROC_EVENT_COMM:
      return has(8 + COMM_BYTES) ? { kind: 'comm', cpu, seq, pid: i32(DATA), tgid: i32(DATA + 4), comm: fixedString(bytes, DATA + 8, COMM_BYTES) } : undefined;
    case PROC_EVENT_EXIT:
      return has(16) ? { kind: 'exit', cpu, seq, pid: i32(DATA), tgid: i32(DATA + 4), exitCode: u32(DATA + 8), exitSignal: u32(DATA + 12) } : undefined;
    default:
      return { kind: 'other', cpu, seq, what };
  }
}
