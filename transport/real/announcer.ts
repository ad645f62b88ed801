/** Announcer over AF_PACKET (vigil_native): gratuitous ARP for IPv4, unsolicited NA for IPv6 (RFC 5798 §6.4.2). */
import { interfaceIndex, interfaceMac, sendFrame } from '../../native/index.js';
import type { Announcer, InterfaceAddress } from '../address-manager.js';
import { buildGratuitousArp, buildUnsolicitedNa } from '../../protocol/frames.js';

export interface AnnounceError {
  readonly interface: string;
  readonly address: string;
  readonly error: Error;
}

export interface RawAnnouncerOptions {
  /** Set the NA Router flag (keepalived does when the interface forwards IPv6). */
  readonly router?: boolean;
  /** Called for each frame that could not be sent; announce() itself never throws. */
  readonly onError?: (error: AnnounceError) => void;
}

export class RawAnnouncer implements Announcer {
  sent = 0;
  failed = 0;

  constructor(private readonly options: RawAnnouncerOptions = {}) {}

  /**
   * One frame per address, from the interface's own MAC (a VMAC interface's MAC is the virtual MAC).
   * Repetition (`garp_master_repeat`, delays) is the caller's business.
   */
  announce(interfaceName: string, addresses: readonly InterfaceAddress[]): void {
    let ifindex = 0;
    let mac: Uint8Array | undefined;
    try {
      ifindex = interfaceIndex(interfaceName);
      if (ifindex === 0) throw Object.assign(new Error(`no such interface: ${interfaceName}`), { code: 'ENODEV' });
      mac = interfaceMac(interfaceName);
    } catch (error) {
      for (const a of addresses) this.#fail(interfaceName, a.address, error);
      return;
    }
    for (const a of addresses) {
      try {
        const frame =
          a.family === 4 ? buildGratuitousArp(mac, a.address) : buildUnsolicitedNa(mac, a.address, { router: this.options.router === true });
        sendFrame(ifindex, frame);
        this.sent++;
      } catch (error) {
        this.#fail(interfaceName, a.address, error);
      }
    }
  }

  #fail(interfaceName: string, address: string, error: unknown): void {
    this.failed++;
    this.options.onError?.({ interface: interfaceName, address, error: error instanceof Error ? error : new Error(String(error)) });
  }
}
