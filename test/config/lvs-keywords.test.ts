/**
 * The global and virtual_server LVS keywords as config/finalize-lvs.ts completes them, keepalived 2.2.7's way:
 * scheduler flags kept or dropped with keepalived's message, lvs_sync_daemon's instance and sync id, the
 * lvs_flush_on_stop types, and what `lvs_backend nftables` refuses (with its line and the backend named).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, instance, MAIN, parse, parserWarningsOf } from './helpers.js';

const vs = (body: string, address = '10.0.0.1 80'): string => `virtual_server ${address} {\n  lb_kind NAT\n${body}\n  real_server 10.0.0.2 80 {\n  }\n}\n`;

test('scheduler flags: sh-/mh- flags only with their scheduler, ops only on UDP, hashed sets nothing', () => {
  const r = parse(vs('  protocol TCP\n  lb_algo wlc\n  sh-port\n  mh-fallback\n  ops\n  hashed\n  flag-2'));
  assert.deepEqual(parserWarningsOf(r), [
    `${MAIN}:1: virtual_server 10.0.0.1:80: sh-port only applies to sh scheduler - ignoring`,
    `${MAIN}:1: virtual_server 10.0.0.1:80: mh-fallback only applies to mh scheduler - ignoring`,
    `${MAIN}:1: virtual_server 10.0.0.1:80: one packet scheduling requires UDP - resetting`,
    `${MAIN}:1: virtual_server 10.0.0.1:80: hashed only applies to sh scheduler - ignoring`,
  ]);
  assert.deepEqual(r.config.virtualServers[0]?.schedulerFlags, ['flag-2']);
  const ok = parse(vs('  protocol UDP\n  lb_algo sh\n  sh-port\n  sh-fallback\n  ops\n  hashed'));
  assert.deepEqual(parserWarningsOf(ok), []);
  assert.deepEqual(ok.config.virtualServers[0]?.schedulerFlags, ['sh-port', 'sh-fallback', 'ops']);
  assert.deepEqual(parse(vs('  lb_algo mh\n  mh-port', 'fwmark 3')).config.virtualServers[0]?.schedulerFlags, ['mh-port']);
});

test('lvs_sync_daemon: the sync id defaults to the VRID of the instance named (0 without); an unknown instance is warned about and dropped', () => {
  const named = parse(`global_defs {\n  lvs_sync_daemon eth1 VI_1\n}\n${instance('', 'VI_1', 42)}`);
  assert.deepEqual(errorsOf(named), []);
  assert.equal(named.config.globalDefs.lvsSyncDaemon?.id, 42);
  assert.equal(parse('global_defs {\n  lvs_sync_daemon eth1\n}\n').config.globalDefs.lvsSyncDaemon?.id, 0);
  assert.equal(parse(`global_defs {\n  lvs_sync_daemon eth1 inst VI_1 id 9\n}\n${instance('')}`).config.globalDefs.lvsSyncDaemon?.id, 9);
  const unknown = parse(`global_defs {\n  lvs_sync_daemon eth1 inst VI_9\n}\n${instance('')}`);
  assert.deepEqual(errorsOf(unknown), [], 'keepalived -t passes it (test/config/differential/valid/32-…)');
  assert.deepEqual(parserWarningsOf(unknown), [`${MAIN}:2: lvs_sync_daemon: unable to find vrrp instance VI_9 - the sync daemon is not started`]);
  assert.equal(unknown.config.globalDefs.lvsSyncDaemon, undefined);
});

test('lvs_flush_on_stop takes nothing or VS (keepalived 2.2.7: "Unknown lvs_flush_on_stop type")', () => {
  assert.equal(parse('global_defs {\n  lvs_flush_on_stop\n}\n').config.globalDefs.lvsFlushOnStop, true);
  assert.equal(parse('global_defs {\n  lvs_flush_onstop VS\n}\n').config.globalDefs.lvsFlushOnStop, 'VS');
  assert.deepEqual(errorsOf(parse('global_defs {\n  lvs_flush_on_stop ALL\n}\n')), [`${MAIN}:2: lvs_flush_on_stop: unknown type 'ALL' (nothing, or VS)`]);
});

test('lvs_backend nftables refuses what only IPVS does, each at its line, and accepts what it has an equivalent for', () => {
  const text = `global_defs {
  lvs_backend nftables
  lvs_timeouts tcp 7200
  lvs_sync_daemon eth1
  lvs_flush
  lvs_flush_on_stop VS
}
virtual_server 10.0.0.1 5060 {
  protocol UDP
  lb_algo sh
  sh-port
  sh-fallback
  ops
  persistence_timeout 60
  persistence_engine sip
  lb_kind TUN type gue port 6080
  real_server 10.0.0.2 5060 {
    lvs_method TUN type gre csum
  }
  real_server 10.0.0.3 5060 {
    lvs_method TUN type ipip
  }
}
`;
  const need = 'needs IPVS: it is not available with lvs_backend nftables';
  assert.deepEqual(errorsOf(parse(text)), [
    `${MAIN}:3: lvs_timeouts (the IPVS connection timeouts) ${need}`,
    `${MAIN}:4: lvs_sync_daemon (the IPVS connection sync daemon) ${need}`,
    `${MAIN}:8: virtual_server 10.0.0.1:5060: ops (one-packet scheduling) ${need}`,
    `${MAIN}:8: virtual_server 10.0.0.1:5060: persistence_engine sip ${need}`,
    `${MAIN}:8: virtual_server 10.0.0.1:5060 lb_kind: TUN type gue ${need}`,
    `${MAIN}:17: virtual_server 10.0.0.1:5060 real_server 10.0.0.2:5060 lvs_method: TUN type gre csum ${need}`,
  ]);
  assert.deepEqual(errorsOf(parse(text.replace('lvs_backend nftables', 'lvs_backend ipvs'))), []);
  assert.deepEqual(errorsOf(parse(text.replace('lvs_backend nftables', 'lvs_backend auto'))), [], 'auto: config test cannot know the kernel vigil run will find');
});
