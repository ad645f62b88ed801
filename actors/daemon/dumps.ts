/**
 * SIGUSR1 / SIGUSR2 dumps (keepalived writes /tmp/keepalived.data and /tmp/keepalived.stats; vigil writes
 * /tmp/vigil.data, /tmp/vigil.stats and /tmp/vigil.json). Text laid out for people; the JSON is the status.
 */
import type { DaemonStatus } from '../status.js';

export const DATA_DUMP_PATH = '/tmp/vigil.data';
export const STATS_DUMP_PATH = '/tmp/vigil.stats';
export const JSON_DUMP_PATH = '/tmp/vigil.json';

export function formatDataDump(status: DaemonStatus): string {
  const out: string[] = ['------< vigil VRRP topology >------'];
  for (const i of status.instances) {
    out.push(` VRRP instance ${i.name}`);
    out.push(`   state                  ${i.state}`);
    out.push(`   interface              ${i.interface}`);
    out.push(`   virtual router id      ${i.vrid}`);
    out.push(`   version                ${i.version} (IPv${i.family})`);
    out.push(`   priority               ${i.priority}`);
    out.push(`   effective priority     ${i.effective_priority}`);
    out.push(`   master                 ${i.master_address ?? (i.state === 'MASTER' ? 'this node' : 'unknown')}`);
    out.push(`   virtual addresses      ${i.vips.length}`);
    for (const v of i.vips) out.push(`     ${v}`);
  }
  if (status.scripts.length > 0) {
    out.push('------< vigil tracked scripts >------');
    for (const s of status.scripts) out.push(` ${s.name}: ${s.up ? 'GOOD' : 'BAD'}`);
  }
  return `${out.join('\n')}\n`;
}

export function formatStatsDump(status: DaemonStatus): string {
  const out: string[] = [];
  for (const i of status.instances) {
    const c = i.counters;
    out.push(`VRRP instance: ${i.name}`);
    out.push(`  advertisements received: ${c.adverts_received}`);
    out.push(`  advertisements sent:     ${c.adverts_sent}`);
    out.push(`  became master:           ${c.become_master}`);
    out.push(`  released master:         ${c.release_master}`);
    out.push(`  priority zero received:  ${c.priority_zero_received}`);
    out.push(`  priority zero sent:      ${c.priority_zero_sent}`);
    out.push(`  address list errors:     ${c.address_list_errors}`);
    out.push('  dropped packets:');
    const reasons = Object.entries(c.drops);
    if (reasons.length === 0) out.push('    none');
    for (const [reason, n] of reasons) out.push(`    ${reason}: ${n}`);
  }
  const nodeDrops = Object.entries(status.drops);
  if (nodeDrops.length > 0) {
    out.push('Dropped before reaching an instance:');
    for (const [reason, n] of nodeDrops) out.push(`  ${reason}: ${n}`);
  }
  return `${out.join('\n')}\n`;
}
