/**
 * HTTP_GET / SSL_GET `fast_recovery` (keepalived 2.2.7 check_http.c epilog): without it, a DOWN checker whose
 * failed url answers again goes back to its first url and checks each of its N urls delay_loop apart before it is
 * UP; with it, those checks follow at once. On the virtual clock, to the millisecond.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimServerState } from '../../sim/simulated-prober.js';
import { judge, initialCounters, type CheckerParams } from '../../machines/checker-logic.js';
import { simWorld } from './sim-world.js';
import { virtualServersOf } from './lvs-config.js';

const up: SimServerState = { mode: 'up', latencyMs: 0 };
const refuse: SimServerState = { mode: 'refuse', latencyMs: 0 };
const KEY = '192.168.77.100:80';
const A = '192.168.77.11:80';

function world(checkerLines: string, urls = 1) {
  const url = Array.from({ length: urls }, (_, i) => `url {\npath /u${i}\n}`).join('\n');
  const vs = virtualServersOf(
    `virtual_server 192.168.77.100 80 {\nprotocol TCP\nlb_algo rr\nlb_kind NAT\ndelay_loop 6\nretry 1\ndelay_before_retry 2\nwarmup 0\nreal_server 192.168.77.11 80 {\nHTTP_GET {\n${url}\n${checkerLines}\n}\n}\n}\n`,
  );
  // Refused from 10 s: probes at 1, 7, 13 (fails), 15 (retry fails: DOWN), then every max(2, 6) = 6 s: 21, 27.
  // Answers again from 24 s: the probe at 27 s is the first success.
  return simWorld(vs, { '192.168.77.11': up }, [
    { atMs: 10_000, target: '192.168.77.11', state: refuse },
    { atMs: 24_000, target: '192.168.77.11', state: up },
  ]);
}

test('fast_recovery: the first success after DOWN is UP', () => {
  for (const lines of ['fast_recovery', 'fast_recovery yes']) {
    const w = world(lines);
    w.clock.runUntil(60_000);
    assert.deepEqual(w.poolChanges(KEY), [[0, [A]], [15_000, []], [27_000, [A]]], lines);
  }
});

test('without fast_recovery one url is checked again delay_loop later: UP at 33 s', () => {
  for (const lines of ['', 'fast_recovery no']) {
    const w = world(lines);
    w.clock.runUntil(60_000);
    assert.deepEqual(w.poolChanges(KEY), [[0, [A]], [15_000, []], [33_000, [A]]], lines);
  }
});

test('without fast_recovery three urls are checked again, delay_loop apart: UP 3 × delay_loop after the first success', () => {
  const w = world('', 3);
  w.clock.runUntil(60_000);
  assert.deepEqual(w.poolChanges(KEY), [[0, [A]], [15_000, []], [45_000, [A]]]);
  const fast = world('fast_recovery', 3);
  fast.clock.runUntil(60_000);
  assert.deepEqual(fast.poolChanges(KEY), [[0, [A]], [15_000, []], [27_000, [A]]]);
});

test('a failure while confirming is retried as keepalived retries a url, then the checker stays DOWN', () => {
  const params: CheckerParams = { delayLoopMs: 6000, timeoutMs: 5000, retry: 1, delayBeforeRetryMs: 2000, delayWhileDownMs: 6000, alpha: false, fromStart: false, confirmUpAfterMs: 6000 };
  let c = initialCounters(params, false);
  const step = (ok: boolean): [boolean, boolean, number] => {
    const v = judge(params, c, { ok });
    c = v.counters;
    return [c.up, c.confirming, v.nextDelayMs];
  };
  assert.deepEqual(step(true), [false, true, 6000], 'a success: confirmed delay_loop later');
  assert.deepEqual(step(false), [false, true, 2000], 'a failure: retried after delay_before_retry');
  assert.deepEqual(step(true), [true, false, 6000], 'the retry succeeds: UP');
  c = initialCounters(params, false);
  step(true);
  step(false);
  assert.deepEqual(step(false), [false, false, 6000], 'retries spent: DOWN, back to the while-down delay');
  assert.deepEqual(step(true), [false, true, 6000], 'and a success starts a confirmation again');
  // Other checkers (no confirmUpAfterMs) are UP at the first success, as before.
  const tcp = { ...params, confirmUpAfterMs: undefined };
  assert.equal(judge(tcp, initialCounters(tcp, false), { ok: true }).counters.up, true);
});
