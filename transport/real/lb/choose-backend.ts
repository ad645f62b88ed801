/**
 * Picks the load-balancer backend from the configuration (`lvs_backend ipvs|nftables`, vigil's keyword; default
 * auto: IPVS when the kernel has it, else nftables) and says why, for the daemon to log at start.
 */
import { BackendUnavailableError, type LoadBalancerBackend } from '../../lb/load-balancer.js';
import { IpvsBackend, probeIpvs, type IpvsAvailability } from './ipvs-backend.js';
import { NftablesBackend, probeNftables, type NftAvailability } from './nftables-backend.js';
import { ExecNftRunner, type NftRunner } from './nft-runner.js';

export type LvsBackendSetting = 'ipvs' | 'nftables' | 'auto';

export interface BackendSelection {
  readonly backend: LoadBalancerBackend;
  /** One line for the log, e.g. `load balancer: nftables (auto; IPVS not available …)`. */
  readonly statement: string;
}

export interface ChooseBackendOptions {
  readonly nftRunner?: NftRunner;
  readonly nftTable?: string;
  /** Injected probes (tests). */
  readonly probeIpvs?: () => Promise<IpvsAvailability>;
  readonly probeNftables?: (runner: NftRunner) => Promise<NftAvailability>;
}

export async function chooseBackend(setting: LvsBackendSetting, options: ChooseBackendOptions = {}): Promise<BackendSelection> {
  const runner = options.nftRunner ?? new ExecNftRunner();
  const ipvs = setting === 'nftables' ? undefined : await (options.probeIpvs ?? probeIpvs)();
  if (ipvs?.ok === true) {
    return { backend: new IpvsBackend(), statement: `load balancer: ipvs (${setting === 'auto' ? 'auto; ' : ''}generic netlink family id ${ipvs.familyId})` };
  }
  if (setting === 'ipvs') throw new BackendUnavailableError(`lvs_backend ipvs: ${ipvs?.reason ?? 'unavailable'}`);
  const nft = await (options.probeNftables ?? probeNftables)(runner);
  const table = options.nftTable ?? 'vigil';
  if (nft.ok) {
    const why = setting === 'auto' ? `auto; ${ipvs?.reason ?? ''}; ` : '';
    return { backend: new NftablesBackend({ runner, table }), statement: `load balancer: nftables (${why}${nft.version}, tables ip/ip6 ${table})` };
  }
  throw new BackendUnavailableError(setting === 'auto' ? `no load-balancer backend: ${ipvs?.reason ?? ''}; ${nft.reason}` : `lvs_backend nftables: ${nft.reason}`);
}

/** One selection per setting for the whole process (see chooseBackendOnce). */
const selections = new Map<LvsBackendSetting, Promise<BackendSelection>>();

/**
 * chooseBackend, once per setting for the life of the process: a reload goes on with the backend that knows what
 * vigil created (the services to remove when a virtual server leaves the configuration, the timeouts to restore
 * at stop), instead of a new one that knows nothing. A failed choice is not kept (the next reload tries again).
 */
export function chooseBackendOnce(setting: LvsBackendSetting): Promise<BackendSelection> {
  let selection = selections.get(setting);
  if (selection === undefined) {
    selection = chooseBackend(setting);
    selections.set(setting, selection);
    selection.catch(() => selections.delete(setting));
  }
  return selection;
}
