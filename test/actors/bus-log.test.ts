/** The daemon's log of bus messages: keepalived's wording, and a flood of drops that does not flood the log. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logBusMessage } from '../../actors/daemon/log.js';
import type { DaemonLog } from '../../actors/environment.js';

function recorder(): { log: DaemonLog; lines: string[] } {
  const lines: string[] = [];
  const put = (m: string): void => void lines.push(m);
  return { log: { debug: put, info: put, warn: put, error: put }, lines };
}

test('drops are logged at most once a second per instance and reason, with the number left unlogged', () => {
  const { log, lines } = recorder();
  const drop = (at: number, instance: string | undefined, reason: 'ttl' | 'auth') => logBusMessage(log, { kind: 'drop', at, node: 'n', instance, reason });
  // 20,000 packets a second for 2 s, two reasons on one instance and one without an instance.
  for (let i = 0; i < 40_000; i++) {
    const at = i / 20;
    drop(at, 'VI_1', 'ttl');
    if (i % 2 === 0) drop(at, 'VI_1', 'auth');
    if (i % 4 === 0) drop(at, undefined, 'ttl');
  }
  assert.deepEqual(lines, [
    '(VI_1) dropped an advertisement: ttl',
    '(VI_1) dropped an advertisement: auth',
    'dropped an advertisement: ttl',
    '(VI_1) dropped an advertisement: ttl (and 19999 more since the last such line)',
    '(VI_1) dropped an advertisement: auth (and 9999 more since the last such line)',
    'dropped an advertisement: ttl (and 4999 more since the last such line)',
  ]);
});

test('transitions are logged in keepalived words, every one', () => {
  const { log, lines } = recorder();
  logBusMessage(log, { kind: 'transition', at: 0, node: 'n', instance: 'VI_1', from: 'INIT', to: 'BACKUP', priority: 100 });
  logBusMessage(log, { kind: 'transition', at: 1, node: 'n', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 100 });
  assert.deepEqual(lines, ['(VI_1) Entering BACKUP STATE (init)', '(VI_1) Entering MASTER STATE']);
});

test('a master hearing lower priorities logs it at most once a second per instance, with the number left unlogged', () => {
  const { log, lines } = recorder();
  const heard = (at: number, instance: string) =>
    logBusMessage(log, { kind: 'master_rx_lower_pri', at, node: 'n', instance, priority: 150, source: '192.168.77.2', theirs: 100 });
  for (let i = 0; i < 3000; i++) heard(i, 'VI_1'); // one a millisecond for 3 s
  heard(0, 'VI_2');
  assert.deepEqual(lines, [
    '(VI_1) Received advert from 192.168.77.2 with lower priority 100, ours 150',
    '(VI_1) Received advert from 192.168.77.2 with lower priority 100, ours 150 (and 999 more since the last such line)',
    '(VI_1) Received advert from 192.168.77.2 with lower priority 100, ours 150 (and 999 more since the last such line)',
    '(VI_2) Received advert from 192.168.77.2 with lower priority 100, ours 150',
  ]);
});
