/**
 * The namespace test of issue 18's "Done when", shared by the BIRD 2 and the FRR test files: three directors behind
 * an upstream running the speaker with ECMP. Importing this module does nothing.
 *  - the upstream installs one route for the VIP with three next hops;
 *  - flows spread over the directors within ±10 % of even;
 *  - SIGKILL of a director's vigil withdraws its path while the BGP session stays up (the speaker withdrew the
 *    route: no hold timer was waited for; the time is printed, the benchmark measures it);
 *  - that director loss moves no flow to another real server: its connections continue through the others;
 *  - a real server's failure moves at most its own share of flows plus 2 %;
 *  - every flow, in every step, lands on the server the Maglev table of the live pool gives its 5-tuple.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { commandAvailable } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { createEcmpTopology } from './topology.js';
import { runEcmpScenario } from './scenario.js';
import type { SpeakerKind } from './speakers.js';

/** Fewer than the demo's 10,000: the machine running the suite is shared. */
export const TEST_FLOWS = 2000;

export async function ecmpDoneWhen(t: TestContext, speaker: SpeakerKind): Promise<void> {
  const installed = (): { ok: true } | { ok: false; reason: string } =>
    speaker === 'bird' ? commandAvailable('bird') : existsSync('/usr/lib/frr/bgpd') && existsSync('/usr/lib/frr/zebra') ? { ok: true } : { ok: false, reason: 'FRR (zebra, bgpd) not installed' };
  if (!requireRealNetwork(t, () => commandAvailable('nft'), installed)) return;
  const topology = await createEcmpTopology({ speaker, log: (line) => t.diagnostic(line) });
  try {
    const [d1, d2, d3] = topology.directors;
    assert.ok(d1 && d2 && d3);
    assert.deepEqual(await topology.upstreamNextHops(), [d1.front, d2.front, d3.front].sort(), 'one route, three next hops');
    assert.equal(await topology.upstreamSessionEstablished(d1), true);

    const { report, details } = await runEcmpScenario(topology, { flows: TEST_FLOWS, log: (line) => t.diagnostic(line) });
    t.diagnostic(JSON.stringify(report));
    t.diagnostic(JSON.stringify({ failedServerShare: details.failedServerShare, pickedUp: details.pickedUp, offTable: details.offTable }));

    // Spread: each director within ±10 % of a third.
    const even = TEST_FLOWS / 3;
    for (const [name, n] of Object.entries(report.per_director)) assert.ok(Math.abs(n - even) <= even * 0.1, `${name} carried ${n} flows (even: ${even.toFixed(0)})`);
    assert.equal(Object.values(report.per_server).reduce((a, b) => a + b, 0), TEST_FLOWS);

    // The director's loss: its path withdrawn by its speaker, the session with it still up.
    assert.deepEqual(details.nextHopsAfter, [d2.front, d3.front].sort());
    assert.equal(await topology.upstreamSessionEstablished(d1), true, 'the route was withdrawn, the session was not lost');
    t.diagnostic(`withdrawn ${report.withdraw_ms} ms after the SIGKILL (hold time ${topology.holdTime} s)`);
    // Its connections went on through the others, on the same real servers.
    assert.ok((details.pickedUp['d2'] ?? 0) + (details.pickedUp['d3'] ?? 0) >= report.per_director['d1']!, JSON.stringify(details.pickedUp));
    assert.equal(details.errorsByStep.afterDirectorLoss, 0, 'no connection broke');
    assert.equal(report.moved_on_director_loss, 0);

    // The server's loss: its share moved, and at most 2 % more.
    assert.equal(details.errorsByStep.afterServerLoss, 0);
    assert.ok(report.moved_on_server_loss >= details.failedServerShare, `${report.moved_on_server_loss} < ${details.failedServerShare}`);
    assert.ok(report.moved_on_server_loss <= details.failedServerShare + 0.02, `${report.moved_on_server_loss} > ${details.failedServerShare} + 0.02`);

    assert.deepEqual(details.offTable, { open: 0, afterDirectorLoss: 0, afterServerLoss: 0 }, 'every flow where the Maglev table puts it');
    assert.equal(report.errors, 0);
  } finally {
    await topology.cleanup();
  }
}
