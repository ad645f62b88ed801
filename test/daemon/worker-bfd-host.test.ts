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
import { WorkerBfdHost, type WorkerBfdHostOptions } from '../../actors/daemon/worker-bfd-host.js';
import type { BfdHostChange } from '../../actors/bfd/bfd-host.js';
import { NodeBfd } from '../../actors/bfd/node-bfd.js';
import { Bus, type BusMessage } from '../../actors/bus.js';
import { loadConfigText } from '../../config/load.js';
import { pollUntil } from '../contract/contract.js';
import { spec } from '../contract/bfd-host-contract.js';
import type { BfdSessionSpec } from '../../actors/bfd/bfd-session-spec.js';

/**
 * A session at 200 ms x 3: a loaded test host does not flap it (a flap before the fault would leave it Down, and
 * nothing more to tell of it).
 */
const steady = (name: string, source: string, neighbor: string): BfdSessionSpec => {
  const s = spec(name, source, neighbor);
  return { ...s, params: { ...s.params, desiredMinTxUs: 200_000, requiredMinRxUs: 200_000 } };
};

/**
 * A WorkerBfdHost whose worker's link (bfd-KIND-link.js) fails once `flag`, a file in a fresh directory, exists;
 * its warnings and session changes kept. `close()` stops it and removes the directory and the variable.
 */
function faultyWorkerHost(kind: 'crash' | 'hang', more: Partial<WorkerBfdHostOptions>) {
  const dir = mkdtempSync(join(tmpdir(), `vigil-bfdw-${kind}-`));
  const flag = join(dir, kind);
  const variable = `VIGIL_TEST_BFD_${kind.toUpperCase()}`;
  process.env[variable] = flag;
  const warnings: string[] = [];
  const changes: BfdHostChange[] = [];
  const host = new WorkerBfdHost({
    scheduling: {},
    warn: (m) => warnings.push(m),
    linkModule: new URL(`./bfd-${kind}-link.js`, import.meta.url),
    statusMs: 50,
    ...more,
  });
  host.events$.subscribe((e) => e.kind === 'change' && changes.push(e.change));
  return {
    host,
    flag,
    warnings,
    changes,
    last: (name: string) => changes.filter((c) => c.name === name).at(-1),
    close() {
      host.stop();
      delete process.env[variable];
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('a BFD worker that dies is replaced: its sessions are told Down, then run again', { timeout: 120_000 }, async () => {
  const w = faultyWorkerHost('crash', {});
  const { host, flag, warnings, changes, last } = w;
  try {
    host.apply([steady('a', '10.0.0.1', '10.0.0.2'), steady('b', '10.0.0.2', '10.0.0.1')], 1);
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
    w.close();
  }
});

test('a BFD worker whose loop blocks (hung, not exited) is detected by its heartbeat and replaced', { timeout: 120_000 }, async () => {
  // A floor above the default 1 s: a live worker on a heavily loaded test host is never taken for hung.
  const w = faultyWorkerHost('hang', { heartbeatMs: 50, minHangMs: 3000 });
  const { host, flag, warnings, changes, last } = w;
  try {
    host.apply([steady('a', '10.0.0.1', '10.0.0.2'), steady('b', '10.0.0.2', '10.0.0.1')], 1);
    await pollUntil(() => last('a')?.to === 'Up' && last('b')?.to === 'Up', 'both Up', 60_000, 10);
    // Detection Time 3 x 200 ms: the bound is the floor.
    await pollUntil(() => host.sessions().filter((s) => s.detectionTimeMs === 600).length === 2, 'the Detection Times reported', 60_000, 10);
    assert.equal(host.hangBoundMs(), 3000);
    assert.deepEqual(host.workerRestarts(), { crashed: 0, hung: 0 });
    const before = changes.length;
    writeFileSync(flag, '');
    await pollUntil(() => host.restarts === 1, 'the hung worker replaced', 60_000, 10);
    assert.deepEqual(host.workerRestarts(), { crashed: 0, hung: 1 });
    const told = changes.slice(before).filter((c) => c.to === 'Down');
    assert.deepEqual(told.map((c) => [c.name, c.from, c.localDiag, c.epoch]).sort(), [['a', 'Up', 7, 1], ['b', 'Up', 7, 1]]);
    assert.ok(warnings.some((w) => /^BFD thread hung \(no heartbeat for \d+ ms, bound 3000 ms\); restarting it$/.test(w)), warnings.join('\n'));
    await pollUntil(() => last('a')?.to === 'Up' && last('b')?.to === 'Up', 'both Up again in the new worker', 60_000, 10);
    assert.equal(host.restarts, 1, 'the replacement is not taken for hung');
  } finally {
    w.close();
  }
});

test('the hang bound is the smallest Detection Time when that is above the floor (1 s unless given)', { timeout: 120_000 }, async () => {
  const plain = new WorkerBfdHost({ scheduling: {}, warn: () => undefined, linkModule: new URL('../contract/bfd-loopback-link.js', import.meta.url) });
  assert.equal(plain.hangBoundMs(), 1000);
  plain.stop();
  const host = new WorkerBfdHost({ scheduling: {}, warn: () => undefined, linkModule: new URL('../contract/bfd-loopback-link.js', import.meta.url), statusMs: 50, minHangMs: 40 });
  try {
    host.apply([spec('a', '10.0.0.1', '10.0.0.2'), spec('b', '10.0.0.2', '10.0.0.1', 5)], 1);
    // a's Detection Time is b's Detect Mult x 20 ms = 100, b's 3 x 20 = 60 (RFC 5880 §6.8.4).
    await pollUntil(() => host.sessions().map((s) => s.detectionTimeMs).sort().join() === '100,60', 'the Detection Times reported', 60_000, 10);
    assert.equal(host.hangBoundMs(), 60);
  } finally {
    host.stop();
  }
});

test('a hung BFD worker: the VRRP side hears its tracked sessions go down (track_bfd acts), then come back', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bfdw-hang-node-'));
  const flag = join(dir, 'hang');
  process.env['VIGIL_TEST_BFD_HANG'] = flag;
  const block = (name: string, source: string, neighbor: string): string =>
    `bfd_instance ${name} {\n  neighbor_ip ${neighbor}\n  source_ip ${source}\n  min_rx 200\n  min_tx 200\n  multiplier 3\n}\n`;
  const { config } = loadConfigText(block('a', '10.0.0.1', '10.0.0.2') + block('b', '10.0.0.2', '10.0.0.1'), 'bfd.conf');
  const tracked: [string, boolean][] = [];
  const bus = new Bus();
  const messages: BusMessage[] = [];
  bus.messages$.subscribe((m) => messages.push(m));
  const warnings: string[] = [];
  const host = new WorkerBfdHost({ scheduling: {}, warn: (m) => warnings.push(m), linkModule: new URL('./bfd-hang-link.js', import.meta.url), statusMs: 50, heartbeatMs: 50, minHangMs: 3000 });
  const bfd = new NodeBfd(() => host, bus, 'n', (id, up) => tracked.push([id, up]));
  const lastTold = (id: string) => tracked.filter(([t]) => t === id).at(-1)?.[1];
  try {
    bfd.apply(config.bfdInstances);
    await pollUntil(() => lastTold('bfd:a') === true && lastTold('bfd:b') === true, 'both tracked up', 60_000, 10);
    writeFileSync(flag, '');
    await pollUntil(() => lastTold('bfd:a') === false && lastTold('bfd:b') === false, 'both tracked down after the hang', 60_000, 10);
    assert.deepEqual(bfd.workerRestarts(), { crashed: 0, hung: 1 });
    const down = messages.filter((m) => m.kind === 'bfd' && m.to === 'Down' && m.diag === 7);
    assert.equal(down.length, 2, 'each session published Down with diagnostic 7 (Administratively Down: ended here)');
    await pollUntil(() => lastTold('bfd:a') === true && lastTold('bfd:b') === true, 'both tracked up again', 60_000, 10);
    assert.ok(warnings.some((w) => w.startsWith('BFD thread hung')), warnings.join('\n'));
  } finally {
    bfd.stop();
    delete process.env['VIGIL_TEST_BFD_HANG'];
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a VRRP thread that stalls past the bound does not take a live worker for hung (its beats are read first)', { timeout: 120_000 }, async () => {
  const warnings: string[] = [];
  const host = new WorkerBfdHost({ scheduling: {}, warn: (m) => warnings.push(m), linkModule: new URL('../contract/bfd-loopback-link.js', import.meta.url), statusMs: 50, heartbeatMs: 50, minHangMs: 2000 });
  const up = new Set<string>();
  host.events$.subscribe((e) => e.kind === 'change' && (e.change.to === 'Up' ? up.add(e.change.name) : up.delete(e.change.name)));
  try {
    host.apply([steady('a', '10.0.0.1', '10.0.0.2'), steady('b', '10.0.0.2', '10.0.0.1')], 1);
    await pollUntil(() => up.size === 2, 'both Up', 60_000, 10);
    // This thread blocks twice the bound in a timer callback: the check's own timer is due when it returns, before
    // the worker's beats (queued meanwhile) are read.
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4000);
        resolve();
      }, 0),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(host.restarts, 0, warnings.join('\n'));
    assert.deepEqual(warnings, []);
  } finally {
    host.stop();
  }
});
