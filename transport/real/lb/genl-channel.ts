/**
 * A request/response channel over a NETLINK_GENERIC socket (the `netlink` package's raw socket): vigil encodes
 * every byte itself (genl.ts, ipvs-messages.ts), so what the tests check is exactly what the kernel receives.
 */
import { Protocol, RawNetlinkSocket } from 'netlink';
import {
  errorCode,
  familyIdOf,
  getFamilyMessage,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  parseNetlinkMessages,
  type NetlinkReply,
} from '../../../protocol/genl.js';
import { NETLINK_REQUEST_TIMEOUT_MS } from '../netlink-common.js';

/** A request the kernel refused: errno as a positive number and its name (ENOENT, EEXIST, …). */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  constructor(
    readonly errno: number,
    readonly code: string,
    what: string,
  ) {
    super(`${what}: ${code} (errno ${errno})`);
  }
}

const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  12: 'ENOMEM',
  13: 'EACCES',
  16: 'EBUSY',
  17: 'EEXIST',
  19: 'ENODEV',
  22: 'EINVAL',
  95: 'EOPNOTSUPP',
};

export const errnoName = (errno: number): string => ERRNO_NAMES[errno] ?? `errno${errno}`;

export interface GenlChannel {
  /** A family's id, or undefined when the kernel has no such family (ENOENT). */
  resolveFamily(name: string): Promise<number | undefined>;
  /**
   * Sends the message `build(seq)` returns and resolves with its replies: [] for an ACK, the parts of a dump
   * (without NLMSG_DONE), or the single reply. Rejects with NetlinkError when the kernel answers an error.
   */
  request(build: (seq: number) => Uint8Array, what: string): Promise<NetlinkReply[]>;
  close(): void;
}

interface Pending {
  readonly what: string;
  readonly parts: NetlinkReply[];
  readonly resolve: (replies: NetlinkReply[]) => void;
  readonly reject: (error: Error) => void;
}

export class SocketGenlChannel implements GenlChannel {
  readonly #socket: RawNetlinkSocket;
  readonly #pending = new Map<number, Pending>();
  #seq = 1;

  /** `timeoutMs`: a request whose answer does not come within it fails (ETIMEDOUT) instead of waiting forever. */
  constructor(private readonly timeoutMs = NETLINK_REQUEST_TIMEOUT_MS) {
    this.#socket = new RawNetlinkSocket(Protocol.GENERIC, { recvBufferSize: 1 << 20, sendBufferSize: 0 });
    this.#socket.on('message', (data) => this.#receive(data));
    this.#socket.on('error', (error) => {
      for (const [seq, p] of this.#pending) {
        this.#pending.delete(seq);
        p.reject(error);
      }
    });
  }

  async resolveFamily(name: string): Promise<number | undefined> {
    try {
      const [reply] = await this.request((seq) => getFamilyMessage(name, seq), `CTRL_CMD_GETFAMILY ${name}`);
      if (reply === undefined) throw new Error(`no reply to CTRL_CMD_GETFAMILY ${name}`);
      return familyIdOf(reply);
    } catch (error) {
      if (error instanceof NetlinkError && error.errno === 2) return undefined;
      throw error;
    }
  }

  request(build: (seq: number) => Uint8Array, what: string): Promise<NetlinkReply[]> {
    const seq = this.#seq++;
    return new Promise<NetlinkReply[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(seq)) return;
        reject(Object.assign(new Error(`${what}: no answer from the kernel within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, this.timeoutMs);
      const done = <T>(settle: (value: T) => void) => (value: T): void => {
        clearTimeout(timer);
        settle(value);
      };
      this.#pending.set(seq, { what, parts: [], resolve: done(resolve), reject: done(reject) });
      this.#socket.send(build(seq), {}, (error) => {
        if (error === undefined) return;
        this.#pending.delete(seq);
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  close(): void {
    this.#socket.close();
  }

  #receive(data: Buffer): void {
    for (const message of parseNetlinkMessages(data)) {
      const pending = this.#pending.get(message.seq);
      if (pending === undefined) continue;
      if (message.type === NLMSG_ERROR) {
        this.#pending.delete(message.seq);
        const errno = errorCode(message);
        if (errno === 0) pending.resolve(pending.parts);
        else pending.reject(new NetlinkError(errno, errnoName(errno), pending.what));
      } else if (message.type === NLMSG_DONE) {
        this.#pending.delete(message.seq);
        pending.resolve(pending.parts);
      } else {
        pending.parts.push({ ...message, payload: Uint8Array.from(message.payload) });
        if ((message.flags & NLM_F_MULTI) === 0) {
          this.#pending.delete(message.seq);
          pending.resolve(pending.parts);
        }
      }
    }
  }
}
