/**
 * The keepalived keywords of a configuration that only IPVS can carry out. `config test` refuses them under
 * `lvs_backend nftables` (config/finalize-lvs.ts); under `lvs_backend auto` it cannot know the kernel `vigil run`
 * will find (IPVS may be loaded later, or the file tested on another machine), so the checker side says at start,
 * in one error line, which of them are not applied when auto chose nftables.
 */
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { Forwarding } from '../../config/model.js';

function tunnelWords(f: Forwarding | undefined): string | undefined {
  if (f?.method !== 'TUN') return undefined;
  const type = f.tunnelType ?? 'ipip';
  const csum = f.tunnelChecksum !== undefined && f.tunnelChecksum !== 'nocsum' ? f.tunnelChecksum : undefined;
  return type === 'ipip' && csum === undefined ? undefined : `TUN ${[type === 'ipip' ? undefined : `type ${type}`, csum].filter((w) => w !== undefined).join(' ')}`;
}

export function ipvsOnlyUses(config: Pick<KeepalivedConfig, 'globalDefs' | 'virtualServers'>): string[] {
  const out: string[] = [];
  const g = config.globalDefs;
  if (g.lvsTimeouts !== undefined) out.push('lvs_timeouts');
  if (g.lvsSyncDaemon !== undefined) out.push('lvs_sync_daemon');
  for (const vs of config.virtualServers) {
    const where = `virtual_server at ${vs.at.file}:${vs.at.line}`;
    if (vs.schedulerFlags.includes('ops')) out.push(`ops (${where})`);
    if (vs.persistenceEngine !== undefined) out.push(`persistence_engine ${vs.persistenceEngine} (${where})`);
    const tunnels = new Set([vs.forwarding, vs.sorryServer?.forwarding, ...vs.realServers.map((rs) => rs.forwarding)].map(tunnelWords).filter((t) => t !== undefined));
    for (const t of tunnels) out.push(`${t} (${where})`);
  }
  return out;
}
