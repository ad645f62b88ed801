/**
 * An nftables backend on a director in a network namespace of its own, for the benchmarks that time `nft -f`
 * (lb-apply, maglev). Where namespaces are not available it says why (`nftables apply: skipped (…)`) and runs
 * nothing; otherwise it runs `body`, clears the backend's table and removes the namespace.
 */
import { NftablesBackend } from '../../transport/real/lb/nftables-backend.js';
import { ExecNftRunner } from '../../transport/real/lb/nft-runner.js';
import { createLan, netnsAvailable } from '../../test/netns/harness.js';

export async function withNftDirector(lanName: string, body: (backend: NftablesBackend) => Promise<void>): Promise<void> {
  const availability = netnsAvailable();
  if (!availability.ok) {
    console.log(`nftables apply: skipped (${availability.reason})`);
    return;
  }
  const lan = await createLan({ name: lanName, hosts: ['director'], v4Prefix: '192.168.77.X' });
  try {
    const backend = new NftablesBackend({ runner: new ExecNftRunner({ netns: lan.host('director').ns }) });
    await body(backend);
    await backend.clear();
  } finally {
    await lan.cleanup();
  }
}
