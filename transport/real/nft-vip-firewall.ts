/**
 * The VIP firewall in the kernel: one nftables table (ip and ip6) driven with `nft -f`, one transaction per
 * change, so a change is all there or not at all. Changes run one after another in the order asked. The table of
 * a family, its address sets, the link-local sets and the VMAC map are each made with the first element that
 * needs them (keepalived does the same), so a node whose instances accept their traffic, or are never master,
 * and have no VMAC, leaves no trace.
 */
import type { IpFamily } from '../../protocol/ip.js';
import type { VipFirewall, VipFirewallAddress, VipFirewallSettings, VipFirewallVmac } from '../vip-firewall.js';
import type { NftRunner } from './lb/nft-runner.js';
import {
  clearLines,
  elementLines,
  elementOf,
  linkLocalSetup,
  tableSetup,
  vipsSetup,
  vmacLines,
  vmacSetup,
  type FirewallElement,
  type LinkLocalKind,
} from './vip-firewall-rules.js';

const keyOf = (e: FirewallElement): string => `${e.family} ${e.set} ${e.text}`;
const vmacKey = (v: VipFirewallVmac): string => `${v.family} vmac ${v.interface} ${v.base}`;

/** What exists in the kernel now, made by this firewall. */
interface Made {
  readonly tables: Set<IpFamily>;
  readonly vips: Set<IpFamily>;
  readonly vmacs: Set<IpFamily>;
  readonly linkLocal: Set<LinkLocalKind>;
}

export class NftVipFirewall implements VipFirewall {
  readonly #settings: VipFirewallSettings;
  readonly #runner: NftRunner;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #made: Made = { tables: new Set(), vips: new Set(), vmacs: new Set(), linkLocal: new Set() };
  /** Holders of each element (address or VMAC) now in the kernel. */
  readonly #holders = new Map<string, number>();

  constructor(settings: VipFirewallSettings, runner: NftRunner) {
    this.#settings = settings;
    this.#runner = runner;
  }

  get settings(): VipFirewallSettings {
    return this.#settings;
  }

  block(addresses: readonly VipFirewallAddress[]): Promise<void> {
    return this.#serial(async () => {
      const elements = addresses.map(elementOf);
      const fresh = unique(elements.filter((e) => !this.#holders.has(keyOf(e))));
      if (fresh.length > 0) {
        const families = [...new Set(fresh.map((e) => e.family))].sort();
        const linkLocal = [...new Set(fresh.flatMap((e) => (e.linkLocal !== undefined ? [e.linkLocal] : [])))].sort();
        const made = { tables: families.filter((f) => !this.#made.tables.has(f)), vips: families.filter((f) => !this.#made.vips.has(f)), linkLocal: linkLocal.filter((k) => !this.#made.linkLocal.has(k)) };
        await this.#run([
          ...made.tables.flatMap((f) => tableSetup(this.#settings, f)),
          ...made.vips.flatMap((f) => vipsSetup(this.#settings, f)),
          ...made.linkLocal.flatMap((k) => linkLocalSetup(this.#settings, k)),
          ...elementLines(this.#settings, 'add', fresh),
        ]);
        for (const f of made.tables) this.#made.tables.add(f);
        for (const f of made.vips) this.#made.vips.add(f);
        for (const k of made.linkLocal) this.#made.linkLocal.add(k);
      }
      for (const e of elements) this.#hold(keyOf(e));
    });
  }

  unblock(addresses: readonly VipFirewallAddress[]): Promise<void> {
    return this.#serial(async () => {
      const elements = addresses.map(elementOf);
      const counts = new Map(this.#holders);
      for (const e of elements) release(counts, keyOf(e));
      const gone = unique(elements).filter((e) => this.#holders.has(keyOf(e)) && !counts.has(keyOf(e)));
      if (gone.length > 0) await this.#run(elementLines(this.#settings, 'delete', gone));
      this.#holders.clear();
      for (const [k, n] of counts) this.#holders.set(k, n);
    });
  }

  addVmac(vmac: VipFirewallVmac): Promise<void> {
    return this.#serial(async () => {
      if (!this.#holders.has(vmacKey(vmac))) {
        const f = vmac.family;
        await this.#run([
          ...(this.#made.tables.has(f) ? [] : tableSetup(this.#settings, f)),
          ...(this.#made.vmacs.has(f) ? [] : vmacSetup(this.#settings, f)),
          ...vmacLines(this.#settings, 'add', vmac),
        ]);
        this.#made.tables.add(f);
        this.#made.vmacs.add(f);
      }
      this.#hold(vmacKey(vmac));
    });
  }

  removeVmac(vmac: VipFirewallVmac): Promise<void> {
    return this.#serial(async () => {
      const n = this.#holders.get(vmacKey(vmac));
      if (n === undefined) return;
      if (n === 1) await this.#run(vmacLines(this.#settings, 'delete', vmac));
      release(this.#holders, vmacKey(vmac));
    });
  }

  clear(): Promise<void> {
    return this.#serial(async () => {
      await this.#run(clearLines(this.#settings));
      for (const s of Object.values(this.#made) as Set<unknown>[]) s.clear();
      this.#holders.clear();
    });
  }

  #hold(key: string): void {
    this.#holders.set(key, (this.#holders.get(key) ?? 0) + 1);
  }

  async #run(lines: readonly string[]): Promise<void> {
    await this.#runner.run(['-f', '-'], `${lines.join('\n')}\n`);
  }

  /** Runs `work` after everything asked before it, whether that failed or not. */
  #serial(work: () => Promise<void>): Promise<void> {
    const done = this.#queue.then(work);
    this.#queue = done.catch(() => undefined);
    return done;
  }
}

/** One holder fewer; none left: the key goes. */
function release(counts: Map<string, number>, key: string): void {
  const n = counts.get(key);
  if (n === undefined) return;
  if (n > 1) counts.set(key, n - 1);
  else counts.delete(key);
}

function unique(elements: readonly FirewallElement[]): FirewallElement[] {
  const seen = new Map<string, FirewallElement>();
  for (const e of elements) if (!seen.has(keyOf(e))) seen.set(keyOf(e), e);
  return [...seen.values()];
}
