/**
 * BFD between vigil's node (actors/bfd/ on UdpBfdLink and the real clock, in a namespace through the agent) and
 * Debian's keepalived 2.2.7 (its BFD child) in another: min_rx / min_tx 10 ms, multiplier 3, and an IPv6 session at
 * keepalived's defaults (hop limit 64). The sessions come Up on both sides; when keepalived is killed vigil's side goes Down on Control Detection Time Expired one Detection
 * Time (3 × 10 ms) after the last packet it heard, and when vigil's node stops keepalived's side expires, which
 * keepalived logs with the time it waited ("Expired after N ms"). The bound allows the timer's lateness on a
 * loaded machine; the times are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandAvailable, createLan } from '../netns/harness.js';
import { startAgent } from './agent-client.js';
import { requireRealNetwork } from './helpers.js';
import { startKeepalivedBfd, type BfdPeer } from './bfd-peers.js';
import { parse } from '../config/helpers.js';
import { bfdSpecsFromConfig } from '../../actors/bfd/specs-from-config.js';
import { pollUntil } from '../contract/contract.js';
import { LATENESS_MS, bfdChange, killAndDetect, waitFastRate } from './bfd-detection.js';

const bfdConfig = (name: string, neighbor: string, source: string): string => `
bfd_instance ${name} {
  neighbor_ip ${neighbor}
  source_ip ${source}
  min_rx 10
  min_tx 10
  multiplier 3
}
`;

/**
 * An IPv6 session beside it at keepalived's defaults: hop limit 64 sent and required (BFD_CONTROL_HOPLIMIT with
 * max_hops 0), 10 ms × 5.
 */
const bfd6Config = (name: string, neighbor: string, source: string): string => `
bfd_instance ${name} {
  neighbor_ip ${neighbor}
  source_ip ${source}
}
`;

test('BFD interop with keepalived 2.2.7: Up both ways at 10 ms × 3 (and an IPv6 session at its defaults), Down within the Detection Time either way', { timeout: 90_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'))) return;
  const lan = await createLan({ name: 'bfdka', hosts: ['vg', 'ka'], v4Prefix: '192.168.77.X', v4Start: 131, v4PrefixLength: 26, v6Prefix: 'fd77::X', v6PrefixLength: 64 });
  const vg = lan.host('vg');
  const ka = lan.host('ka');
  const agent = await startAgent(lan, vg.ns);
  let keepalived: BfdPeer | undefined;
  try {
    const parsed = parse(bfdConfig('to_ka', ka.ipv4, vg.ipv4) + bfd6Config('to_ka6', ka.ipv6!, vg.ipv6!));
    const kaConfig = bfdConfig('to_vg', vg.ipv4, ka.ipv4) + bfd6Config('to_vg6', vg.ipv6!, ka.ipv6!);
    assert.deepEqual(parsed.errors, []);
    const specs = bfdSpecsFromConfig(parsed.config.bfdInstances);
    assert.deepEqual(await agent.call('bfdNodeStart', { specs }), []);
    keepalived = await startKeepalivedBfd(lan, ka.ns, kaConfig);
    const kaLog = (): string => keepalived?.log() ?? '';
    const change = (to: string, since: number, name = 'to_ka') => bfdChange(agent, name, to, since);

    // Up on both sides (the slow start at 1 s takes a few seconds).
    await change('Up', 0).catch((e: Error) => assert.fail(`${e.message}\nkeepalived:\n${kaLog()}`));
    await pollUntil(() => /\(to_vg\) Entering Up state/.test(kaLog()), 'keepalived Up', 20_000, 20).catch((e: Error) => assert.fail(`${e.message}\n${kaLog()}`));
    // The IPv6 session too, both ways.
    await change('Up', 0, 'to_ka6').catch((e: Error) => assert.fail(`${e.message}\nkeepalived:\n${kaLog()}`));
    await pollUntil(() => /\(to_vg6\) Entering Up state/.test(kaLog()), 'keepalived IPv6 Up', 20_000, 20).catch((e: Error) => assert.fail(`${e.message}\n${kaLog()}`));

    // keepalived dies: vigil is Down one Detection Time after the last packet it heard from it.
    await killAndDetect(agent, 'to_ka', {
      label: 'keepalived',
      kill: () => keepalived!.kill(),
      stop: () => keepalived!.stop(),
      start: async () => {
        keepalived = await startKeepalivedBfd(lan, ka.ns, kaConfig);
      },
    });
    await keepalived.stop();

    // keepalived back: Up again; then vigil stops and keepalived expires.
    const again = agent.events.length;
    keepalived = await startKeepalivedBfd(lan, ka.ns, kaConfig);
    await change('Up', again).catch((e: Error) => assert.fail(`${e.message}\nkeepalived:\n${kaLog()}`));
    await pollUntil(() => /\(to_vg\) Entering Up state/.test(kaLog()), 'keepalived Up again', 20_000, 20);
    await waitFastRate(agent, 'to_ka');
    const logMark = kaLog().length;
    const newLog = (): string => kaLog().slice(logMark);
    await agent.call('bfdNodeStop');
    await pollUntil(() => /\(to_vg\) Expired after \d+ ms/.test(newLog()), 'keepalived expires', 10_000, 10).catch((e: Error) => assert.fail(`${e.message}\n${kaLog()}`));
    const expired = /\(to_vg\) Expired after (\d+) ms \((\d+) usec overdue\)/.exec(newLog());
    console.log(`# keepalived: ${expired?.[0] ?? 'no expiry line'}`);
    assert.ok(expired !== null);
    assert.ok(Number(expired[1]) <= 30 + LATENESS_MS, `keepalived waited ${expired[1]} ms`);
    await pollUntil(() => /\(to_vg\) Entering Down state/.test(newLog()), 'keepalived Down', 5000, 10);
    assert.deepEqual(await agent.call('bfdNodeDrops'), {});
  } finally {
    await keepalived?.stop();
    await agent.stop();
    await lan.cleanup();
  }
});
