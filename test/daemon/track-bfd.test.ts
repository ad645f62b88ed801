/**
 * track_bfd in full daemons (issue 15, end to end): three namespaces on one LAN. The gateway runs vigil with one
 * bfd_instance and nothing else; the master (150) tracks its BFD session to the gateway with weight 0, at
 * 50 ms x 3; the backup (100) tracks nothing. VRRPv3 at advert_int 0.05. The master is FAULT until its session is
 * Up (keepalived's bfd_up starts false), then takes the VIP; when the gateway's vigil is killed, the master's
 * session goes Down one Detection Time later, it steps down to FAULT, and the backup holds the VIP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, holders, startDaemon, vigilStatus, vrrpConfig, type Daemon, stopDaemons } from './daemons.js';

const VIP = '192.168.77.230';

function bfdInstance(name: string, neighbor: string): string {
  return `bfd_instance ${name} {
  neighbor_ip ${neighbor}
  min_rx 50
  min_tx 50
  multiplier 3
}
`;
}

test('track_bfd: the master loses its gateway\'s BFD and the backup takes the VIP', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'bfd2tb', hosts: ['gw', 'a', 'b'], v4Prefix: '192.168.77.X', v4Start: 201, v4PrefixLength: 24 });
  const [gw, a, b] = [lan.host('gw'), lan.host('a'), lan.host('b')];
  const daemons: Daemon[] = [];
  const who = () => holders(lan, [a, b], VIP);
  const describe = async () => `holders ${JSON.stringify(await who())}\n${daemons.map((d) => `--- ${d.host.name}:\n${d.log()}`).join('\n')}`;
  try {
    const dgw = startDaemon(lan, gw, 'vigil', `global_defs {\n  router_id gw\n}\n${bfdInstance('a', a.ipv4)}`);
    const da = startDaemon(
      lan,
      a,
      'vigil',
      bfdInstance('gw', gw.ipv4) + vrrpConfig({ name: 'a', vrid: 61, priority: 150, version: 3, advert: '0.05', vip: `${VIP}/24`, extra: 'track_bfd {\n    gw\n  }' }),
    );
    const db = startDaemon(lan, b, 'vigil', vrrpConfig({ name: 'b', vrid: 61, priority: 100, version: 3, advert: '0.05', vip: `${VIP}/24` }));
    daemons.push(dgw, da, db);
    await eventually(async () => JSON.stringify(await who()) === '["a"]', 10_000, describe);
    // a was FAULT before its session came Up, and out of it after.
    const log = da.log();
    const fault = log.indexOf('Entering FAULT STATE');
    const up = log.indexOf('BFD_Instance(gw) Entering UP state');
    assert.ok(up >= 0, `a's session to the gateway came Up:\n${log}`);
    assert.ok(fault >= 0 && fault < up, `a was FAULT until its session was Up:\n${log}`);

    const killedAt = performance.now();
    dgw.kill('SIGKILL');
    await dgw.exited();
    const tookMs = await eventually(async () => JSON.stringify(await who()) === '["b"]', 5_000, describe, 10);
    t.diagnostic(`the backup held the VIP alone ${Math.round(performance.now() - killedAt)} ms after the kill (polled every 10 ms: ${Math.round(tookMs)} ms)`);
    assert.match(da.log(), /BFD_Instance\(gw\) Entering DOWN state \(local diag - Control Detection Time Expired\)/);
    const status = await vigilStatus(lan, da);
    assert.equal(status.instances[0]!.state, 'FAULT');
  } finally {
    await stopDaemons(lan, daemons);
  }
});
