/**
 * The nftables backend: renders the desired state (nftables-ruleset.ts) and applies it as one `nft -f -`
 * transaction, so the kernel switches from the old rule set to the new one atomically. It owns the tables
 * `ip <table>` and `ip6 <table>` (default `vigil`) and nothing else.
 */
import type { DesiredState } from '../../../machines/desired-state.js';
import { BackendUnavailableError, type ApplyReport, type LoadBalancerBackend } from '../../lb/load-balancer.js';
import { ExecNftRunner, type NftRunner } from './nft-runner.js';
import { checkTableName, renderNftClear, renderNftRuleset } from '../../lb/nftables-ruleset.js';

export interface NftablesBackendOptions {
  readonly table?: string;
  readonly runner?: NftRunner;
}

export type NftAvailability = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly reason: string };

/** Whether `nft` runs and can read the rule set (needs CAP_NET_ADMIN). */
export async function probeNftables(runner: NftRunner = new ExecNftRunner()): Promise<NftAvailability> {
  try {
    const version = (await runner.run(['--version'])).stdout.trim();
    await runner.run(['list', 'tables']);
    return { ok: true, version };
  } catch (error) {
    return { ok: false, reason: `nftables not usable: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export class NftablesBackend implements LoadBalancerBackend {
  readonly name = 'nftables';
  readonly table: string;
  readonly #runner: NftRunner;
  /** The transaction last applied, to skip re-applying an unchanged state. */
  #applied: string | undefined;

  constructor(options: NftablesBackendOptions = {}) {
    this.table = checkTableName(options.table ?? 'vigil');
    this.#runner = options.runner ?? new ExecNftRunner();
  }

  async apply(state: DesiredState): Promise<ApplyReport> {
    const rendering = renderNftRuleset(state, { table: this.table });
    const unchanged = rendering.text === this.#applied && (await this.#tablesMatch(rendering.text));
    if (!unchanged) {
      await this.#transaction(rendering.text);
      this.#applied = rendering.text;
    }
    return {
      backend: this.name,
      changed: !unchanged,
      services: rendering.services,
      liveDestinations: rendering.liveDestinations,
      operations: unchanged ? 0 : 1,
      approximations: rendering.approximations,
      warnings: rendering.warnings,
    };
  }

  /**
   * Deletes vigil's tables in one transaction. Every lvs_flush_on_stop mode comes to this: nftables drops a
   * table's rules with it, and the load balancer vigil programs here is nothing but its tables.
   */
  async clear(): Promise<void> {
    await this.#transaction(renderNftClear(this.table));
    this.#applied = undefined;
  }

  /**
   * keepalived `lvs_flush` (at start): what a load balancer left behind goes before the first apply. Here that is
   * vigil's tables (a crashed vigil's rules); other tables are not vigil's to remove, as IPVS services of another
   * program are with IPVS_CMD_FLUSH.
   */
  async flush(): Promise<void> {
    await this.clear();
  }

  /** The rules currently in vigil's tables (`nft list table …`), for status and tests. */
  async listed(): Promise<string> {
    const out: string[] = [];
    for (const family of ['ip', 'ip6']) {
      try {
        out.push((await this.#runner.run(['list', 'table', family, this.table])).stdout);
      } catch {
        // absent table
      }
    }
    return out.join('');
  }

  /** Whether the kernel holds exactly the tables `text` defines (someone may have deleted them behind our back). */
  async #tablesMatch(text: string): Promise<boolean> {
    const families = (t: string, re: RegExp): string => [...t.matchAll(re)].map((m) => m[1]).sort().join(',');
    const expected = families(text, new RegExp(`^table (ip6?) ${this.table} \\{$`, 'gm'));
    const present = families((await this.#runner.run(['list', 'tables'])).stdout, new RegExp(`^table (ip6?) ${this.table}$`, 'gm'));
    return expected === present;
  }

  async #transaction(text: string): Promise<void> {
    try {
      await this.#runner.run(['-f', '-'], text);
    } catch (error) {
      if (error instanceof Error && /ENOENT|not found/.test(error.message) && !/Error:/.test(error.message)) {
        throw new BackendUnavailableError(`nftables not available: ${error.message}`);
      }
      throw error;
    }
  }
}
