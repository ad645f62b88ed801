/**
 * The real process monitor: the kernel's process events connector (NETLINK_CONNECTOR bound to CN_IDX_PROC, a
 * PROC_CN_MCAST_LISTEN sent, as keepalived's track_process.c) for fork, exec, name change and exit, and /proc for
 * listings and for what a process runs after its exec.
 *
 * The kernel tells only where it can: a kernel without CONFIG_PROC_EVENTS refuses the socket (EPROTONOSUPPORT),
 * a process without CAP_NET_ADMIN cannot join the group (EPERM), and the connector lives in the host's first
 * network namespace only, so the listen request from any other is refused (ECONNREFUSED; keepalived opens the
 * socket before entering `net_namespace` for that reason). A kernel that does not acknowledge the request does
 * not have the events either: keepalived warns after a tenth of a second but keeps listening, in case the answer
 * is only late; here the answer decides the mode once, so the wait is longer (an event loop on a loaded host can
 * be late by more than a tenth of a second, and a kernel without the events refuses the socket at once anyway). Each case is told to the sink with its
 * reason.
 *
 * Threads are left out: a fork whose child is a thread, and the exec, name change or exit of a thread that is not
 * its process's leader. A gap in a CPU's sequence numbers, or a full receive buffer (ENOBUFS, after which the
 * buffer is doubled, as keepalived does), is told as lost events.
 */
import { decodeProcEvent, encodeProcListen, CN_IDX_PROC, NETLINK_CONNECTOR, type ProcConnectorMessage } from '../../protocol/proc-connector.js';
import type { ProcessEntry } from '../../machines/process-census.js';
import type { ProcessMonitor, ProcessReads, ProcessWatch, ProcessWatchSink, WatchOptions } from '../process-monitor.js';
import { RawNetlinkSocket } from './netlink-package.js';
import { sizePackageSocket } from './netlink-buffers.js';
import { listProcesses, readProcess } from './proc-table.js';

export interface ProcConnectorOptions {
  /** How long the kernel has to acknowledge the listen request (keepalived warns after a tenth of a second). */
  readonly ackTimeoutMs?: number | undefined;
}

const ACK_TIMEOUT_MS = 2000;

/** Why the kernel will not tell, from the error of the socket, its bind or the listen request. */
function refusal(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'EPROTONOSUPPORT':
      return 'the kernel has no process events connector (CONFIG_PROC_EVENTS)';
    case 'EPERM':
    case 'EACCES':
      return 'joining the process events group needs CAP_NET_ADMIN';
    case 'ECONNREFUSED':
      return 'the process events connector answers only in the host\'s first network namespace, not in this one';
    default:
      return `the process events connector cannot be used: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export class ProcConnectorMonitor implements ProcessMonitor {
  constructor(private readonly options: ProcConnectorOptions = {}) {}

  list(reads: ProcessReads, done: (entries: readonly ProcessEntry[]) => void): void {
    listProcesses(reads).then(done, () => done([]));
  }

  watch(reads: ProcessReads, sink: ProcessWatchSink, options: WatchOptions = {}): ProcessWatch {
    let state: 'waiting' | 'events' | 'closed' = 'waiting';
    let socket: RawNetlinkSocket | undefined;
    let ackTimer: NodeJS.Timeout | undefined;
    const sequences = new Map<number, number>();

    const refuse = (reason: string): void => {
      if (state !== 'waiting') return;
      state = 'closed';
      clearTimeout(ackTimer);
      socket?.close();
      socket = undefined;
      sink.ready({ events: false, reason });
    };

    const receive = (message: ProcConnectorMessage): void => {
      if (message.kind === 'ack') {
        // Any acknowledgement on the group (they are multicast) shows the kernel has the events.
        if (state === 'waiting') {
          state = 'events';
          clearTimeout(ackTimer);
          sink.ready({ events: true });
        }
        return;
      }
      if (state !== 'events') return;
      const last = sequences.get(message.cpu);
      sequences.set(message.cpu, message.seq);
      if (last !== undefined && message.seq !== ((last + 1) >>> 0)) sink.lost(`missed ${(message.seq - last - 1) >>> 0} process events on CPU ${message.cpu}`);
      switch (message.kind) {
        case 'fork':
          if (message.childPid === message.childTgid) sink.event({ kind: 'fork', parent: message.parentTgid, child: message.childTgid });
          break;
        case 'exec':
          if (message.pid === message.tgid) sink.event({ kind: 'exec', pid: message.tgid, identity: readProcess(message.tgid, reads) });
          break;
        case 'comm':
          if (message.pid === message.tgid) sink.event({ kind: 'comm', pid: message.tgid, comm: message.comm });
          break;
        case 'exit':
          if (message.pid === message.tgid) sink.event({ kind: 'exit', pid: message.tgid });
          break;
        case 'other':
          break;
      }
    };

    try {
      socket = new RawNetlinkSocket(NETLINK_CONNECTOR, { localGroups: CN_IDX_PROC, recvBufferSize: options.receiveBufferBytes ?? 0, sendBufferSize: 0 });
      // keepalived track_process.c set_rcv_buf: with _force, SO_RCVBUFFORCE (only with a size given).
      if (options.receiveBufferBytes && options.receiveBufferForce) {
        try {
          sizePackageSocket(socket, { bytes: options.receiveBufferBytes, force: true });
        } catch {
          // keepalived logs and goes on with what SO_RCVBUF gave; so does vigil.
        }
      }
    } catch (error) {
      setImmediate(() => refuse(refusal(error)));
      return { close: () => void (state = 'closed') };
    }
    const open = socket;
    open.on('message', (bytes, from) => {
      // Only the kernel (port 0) speaks for the connector.
      if (state === 'closed' || from.port !== 0) return;
      const message = decodeProcEvent(bytes);
      if (message) receive(message);
    });
    open.on('error', (error) => {
      if (state !== 'events') return;
      if (error.code === 'ENOBUFS') {
        open.setRecvBufferSize(open.getRecvBufferSize());
        sink.lost(`the kernel dropped process events (receive buffer full); receive buffer now ${open.getRecvBufferSize()} bytes - recommend setting global_defs process_monitor_rcv_bufs`);
      } else sink.lost(`reading process events: ${error.message}`);
    });
    open.send(encodeProcListen(open.address().port, true), {}, (error) => {
      if (error) refuse(refusal(error));
    });
    ackTimer = setTimeout(() => refuse('the kernel did not acknowledge the process events listen request (CONFIG_PROC_EVENTS?)'), this.options.ackTimeoutMs ?? ACK_TIMEOUT_MS);
    return {
      close: () => {
        const wasListening = state !== 'closed';
        state = 'closed';
        clearTimeout(ackTimer);
        if (!wasListening) return;
        // PROC_CN_MCAST_IGNORE first: the kernel counts its listeners and sends events while any is left.
        open.send(encodeProcListen(open.address().port, false), {}, () => open.close());
      },
    };
  }
}
