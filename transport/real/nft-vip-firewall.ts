/**
 * The VIP firewall in the kernel: one nftables table (ip and ip6) driven with `nft -f`, one transaction per
 * change, so a change is all there or not at all. Changes run one after another in the order asked. The table of
 * a family, and the link-local sets, are made with the first address that needs them (keepalived does the same),
 * so a node whose instances accept their traffic, or are never master, leaves no trace.
 */
import type { IpFamily } from '../../protocol/ip.js';
import type { VipFirewall, VipFirewallAddress, VipFirewallSettings } from '../vip-firewall.js';
import type { NftRunner } from './lb/nft-runner.js';
import { clearLines, elementLines, elementOf, familySetup, linkLocalSetup, type FirewallElement, type LinkLocalKind } from './vip-firewall-rules.js';

const keyOf = (e: FirewallElement): string => `${e.family} ${e.set} ${e.text}`;

export class NftVipFirewall implements VipFirewall {
  readonly #settings: VipFirewallSettings;
  readonly #runner: NftRunner;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #families = new Set<IpFamily>();
  readonly #linkLocal = new Set<LinkLocalKind>();
  /** Holders of each element now in the kernel. */
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
      const families = new Set(fresh.map((e) => e.family).filter((f) => !this.#families.has(f)));
      const linkLocal = new Set(fresh.flatMap((e) => (e.linkLocal !== undefined && !this.#linkLocal.has(e.linkLocal) ? [e.linkLocal] : [])));
      if (fresh.length > 0) {
        const lines = [
          ...[...families].sort().flatMap((f) => familySetup(this.#settings, f)),
          ...[...linkLocal].sort().flatMap((k) => linkLocalSetup(this.#settings, k)),
          ...elementLines(this.#settings, 'add', fresh),
        ];
        await this.#run(lines);
        for (const f of families) this.#families.add(f);
        for (const k of linkLocal) this.#linkLocal.add(k);
      }
      for (const e of elements) this.#holders.set(keyOf(e), (this.#holders.get(keyOf(e)) ?? 0) + 1);
    });
  }

  unblock(addresses: readonly VipFirewallAddress[]): Promise<void> {
    return this.#serial(async () => {
      const last: FirewallElement[] = [];
      const counts = new Map(this.#holders);
      for (const e of addresses.map(elementOf)) {
        const n = counts.get(keyOf(e));
        if (n === undefined) continue;
        if (n > 1) counts.set(keyOf(e), n - 1);
        else {
          counts.delete(keyOf(e));
          last.push(e);
        }
      }
      if (last.length > 0) await this.#run(elementLines(this.#settings, 'delete', last));
      this.#holders.clear();
      for (const [k, n] of counts) this.#holders.set(k, n);
    });
  }

  clear(): Promise<void> {
    return this.#serial(async () => {
      await this.#run(clearLines(this.#settings));
      this.#families.clear();
      this.#linkLocal.clear();
      this.#holders.clear();
    });
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

function unique(elements: readonly FirewallElement[]): FirewallElement[] {
  const seen = new Map<string, FirewallElement>();
  for (const e of elements) if (!seen.has(keyOf(e))) seen.set(keyOf(e), e);
  return [...seen.values()];
}
