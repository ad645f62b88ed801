/** Announcer over AF_PACKET (vigil_native): gratuitous ARP for IPv4, unsolicited NA for IPv6 (RFC 5798 §6.4.2). */
import { interfaceIndex, interfaceMac, sendFrame } from '../../native/index.js';
import type { Announcer, InterfaceAddress } from '../address-manager.js';
import { buildGratuitousArp, buildUnsolicitedNa } from '../../protocol/ethernet-frames.js';

export interface AnnounceError {
  readonly interface: string;
  readonly address: string;
  readonly error: Error;
}

/** The addon's calls the announcer makes (tests give their own). */
export interface AnnouncerNative {
  interfaceIndex(name: string): number;
  interfaceMac(name: string): Uint8Array;
  sendFrame(ifindex: number, frame: Uint8Array): number;
}

export interface RawAnnouncerOptions {
  /** Set the NA Router flag (keepalived does when the interface forwards IPv6). */
  readonly router?: boolean;
  /** Called for each frame that could not be sent; announce() itself never throws. */
  readonly onError?: (error: AnnounceError) => void;
  readonly native?: AnnouncerNative;
  /** Milliseconds, monotonic (default performance.now). */
  readonly now?: () => number;
}

/**
 * How long an interface's index and MAC are used without asking the kernel again (two sockets and two ioctls per
 * look-up). A master that hears lower-priority advertisements announces on each (garp_lower_prio_repeat): under a
 * flood of them the look-ups, not the frames, were most of the cost. A changed MAC is used within this time; a
 * frame that cannot be sent forgets the interface at once.
 */
export const INTERFACE_LOOKUP_TTL_MS = 1000;

const NATIVE: AnnouncerNative = { interfaceIndex, interfaceMac, sendFrame };

export class RawAnnouncer implements Announcer {
  sent = 0;
  failed = 0;
  /** Interface look-ups made (the rest came from the cache). */
  lookups = 0;
  readonly #interfaces = new Map<string, { ifindex: number; mac: Uint8Array; at: number }>();
  readonly #native: AnnouncerNative;
  readonly #now: () => number;

  constructor(private readonly options: RawAnnouncerOptions = {}) {
    this.#native = options.native ?? NATIVE;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The interface's index and MAC, from the kernel at most once per INTERFACE_LOOKUP_TTL_MS. Throws ENODEV. */
  #lookup(interfaceName: string): { ifindex: number; mac: Uint8Array } {
    const now = this.#now();
    const cached = this.#interfaces.get(interfaceName);
    if (cached !== undefined && now - cached.at < INTERFACE_LOOKUP_TTL_MS) return cached;
    this.#interfaces.delete(interfaceName);
    this.lookups++;
    const ifindex = this.#native.interfaceIndex(interfaceName);
    if (ifindex === 0) throw Object.assign(new Error(`no such interface: ${interfaceName}`), { code: 'ENODEV' });
    const found = { ifindex, mac: this.#native.interfaceMac(interfaceName), at: now };
    this.#interfaces.set(interfaceName, found);
    return found;
  }

  /**
   * One frame per address, from the interface's own MAC (a VMAC interface's MAC is the virtual MAC).
   * Repetition (`garp_master_repeat`, delays) is the caller's business.
   */
  announce(interfaceName: string, addresses: readonly InterfaceAddress[]): void {
    let ifindex = 0;
    let mac: Uint8Array | undefined;
    try {
      ({ ifindex, mac } = this.#lookup(interfaceName));
    } catch (error) {
      for (const a of addresses) this.#fail(interfaceName, a.address, error);
      return;
    }
    for (const a of addresses) {
      try {
        const frame =
          a.family === 4 ? buildGratuitousArp(mac, a.address) : buildUnsolicitedNa(mac, a.address, { router: this.options.router === true });
        this.#native.sendFrame(ifindex, frame);
        this.sent++;
      } catch (error) {
        this.#interfaces.delete(interfaceName); // gone, or another interface now: look again next time
        this.#fail(interfaceName, a.address, error);
      }
    }
  }

  #fail(interfaceName: string, address: string, error: unknown): void {
    this.failed++;
    this.options.onError?.({ interface: interfaceName, address, error: error instanceof Error ? error : new Error(String(error)) });
  }
}
