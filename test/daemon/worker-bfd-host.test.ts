/**
 * A BFD worker thread that dies is replaced (actors/daemon/worker-bfd-host.ts), as keepalived's parent restarts
 * its BFD child: the sessions it ran are told Down at once (diagnostic 7), a warning says why, and the new worker
 * runs the last configuration's sessions again, which come Up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerBfdHost } from '../../actors/daemon/worker-bfd-host.js';
import type { BfdHostChange } from '../../actors/bfd/bfd-host.js';
import { pollUntil } from '../contract/contract.js';
import { spec } from '../contract/bfd-host-contract.js';

test('a BFD worker that dies is replaced: its sessions are told Down, then run again', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bfdw-crash-'));
  const flag = join(dir, 'crash');
  process.env['VIGIL_TEST_BFD_CRASH'] = flag;
  const warnings: string[] = [];
  const changes: BfdHostChange[] = [];
  const host = new WorkerBfdHost({
    scheduling: {},
    warn: (m) => warnings.push(m),
    linkModule: new URL('./bfd-crash-link.js', import.meta.url),
    statusMs: 50,
  });
  host.events$.subscribe((e) => e.kind === 'change' && changes.push(e.change));
  const last = (name: string) => changes.filter((c) => c.name === name).at(-1);
  try {
    host.apply([spec('a', '10.0.0.1', '10.0.0.2'), spec('b', '10.0.0.2', '10.0.0.1')], 1);
    await pollUntil(() => last('a')?.to === 'Up' && last('b')?.to === 'Up', 'both Up', 60_000, 10);
    const before = changes.length;
    writeFileSync(flag, '');
    await pollUntil(() => host.restarts === 1, 'the worker replaced', 60_000, 10);
    const told = changes.slice(before).filter((c) => c.to === 'Down');
    assert.deepEqual(told.map((c) => [c.name, c.from, c.localDiag, c.epoch]).sort(), [['a', 'Up', 7, 1], ['b', 'Up', 7, 1]]);
    assert.ok(warnings.some((w) => /BFD thread lost \(exit code 1: injected BFD worker crash\); restarting it/.test(w)), warnings.join('\n'));
    await pollUntil(() => last('a')?.to === 'Up' && last('b')?.to === 'Up', 'both Up again in the new worker', 60_000, 10);
    await pollUntil(() => host.sessions().filter((s) => s.state === 'Up').length === 2, 'the new worker\'s counters', 60_000, 10);
  } finally {
    host.stop();
    delete process.env['VIGIL_TEST_BFD_CRASH'];
    rmSync(dir, { recursive: true, force: true });
  }
});
