/**
 * The raw socket's batched receive on a real namespace (issue 13, the flood): a receiver whose event loop is busy
 * while 30,000 packets arrive has a full receive queue; the kernel drops the rest and says how many (SO_RXQ_OVFL);
 * once free, the receiver reads up to 64 packets per wakeup in one call each, and the event loop turns between
 * batches (a setImmediate queued before the reading runs after the first batch, not after the whole queue).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { createLan } from '../netns/harness.js';
import { ROOT } from '../daemon/daemons.js';
import { requireRealNetwork } from './helpers.js';
import { ipv4Datagram } from '../../bench/tools/packet-mutations.js';
import { rawSocketDrops, runSender } from '../../bench/tools/sender-process.js';
import { RECEIVE_BATCH_SIZE } from '../../native/index.js';
import type { BatchReport } from './fixtures/batch-receiver.js';

const FIXTURE = join(ROOT, 'dist/test/real/fixtures/batch-receiver.js');
const FLOOD = 30_000;
const LATE = 50;

test('raw socket batches: recvmmsg batches of up to 64, the loop turns between them, kernel drops counted', { timeout: 180_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'rxb', hosts: ['r', 's'], v4Prefix: '192.168.77.X', v4Start: 170, v4PrefixLength: 26 });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-flood-batches-'));
  const gate = join(dir, 'gate');
  const [r, s] = [lan.host('r'), lan.host('s')];
  const child = lan.spawn(r.ns, [process.execPath, FIXTURE, gate], { env: { ...process.env, VIGIL_FIXTURE: '1' } });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await Promise.race([lines.next(), delay(30_000).then(() => undefined)]);
    if (line === undefined || line.done === true) throw new Error(`the batch receiver said nothing: ${stderr}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  const ask = async (): Promise<BatchReport> => {
    child.stdin!.write('report\n');
    return (await next()) as unknown as BatchReport;
  };
  try {
    assert.equal((await next())['ready'], true);
    const packet = Buffer.from(ipv4Datagram({ source: s.ipv4, destination: '224.0.0.18', ttl: 255, payload: Uint8Array.from([0x31, 9, 100, 1, 0, 100, 0, 0, 192, 168, 77, 1]) })).toString('hex');
    const raw0 = await rawSocketDrops(lan, r.ns);
    const flood = await runSender(lan, s, { interface: 'eth0', destination: '224.0.0.18', rate: 20_000, count: FLOOD, packets: [packet] });
    assert.equal(flood.sent, FLOOD);
    writeFileSync(gate, '');
    // The drop count comes with the next packet queued after the drops: a few late ones carry it.
    await delay(500);
    const late = await runSender(lan, s, { interface: 'eth0', destination: '224.0.0.18', rate: 1000, count: LATE, packets: [packet] });
    let report = await ask();
    // Until both sockets have read (or been told the drops of) every packet that reached them.
    const settled = (x: BatchReport): boolean => x.socketDrops > 0 && x.channelDrops > 0 && x.read + x.socketDrops === x.channelPackets + x.channelDrops;
    for (let i = 0; i < 200 && !settled(report); i++) {
      await delay(100);
      report = await ask();
    }
    const kernel = (await rawSocketDrops(lan, r.ns)) - raw0;
    const arrived = report.read + report.socketDrops;
    t.diagnostic(
      `sent ${flood.sent + late.sent}; raw socket read ${report.read} in ${report.batches.length} batches and was told of ${report.socketDrops} drops; ` +
        `channel ${report.channelPackets} + ${report.channelDrops} drops; /proc/net/raw ${kernel}; the loop turned after ${report.readWhenImmediateRan}; ${report.pauses} paced reads`,
    );
    assert.ok(report.socketDrops > 0, 'the full queue dropped packets, and the socket was told');
    assert.ok(report.channelDrops > 0, 'RawVrrpChannel.kernelDrops counts them too');
    // What the kernel counted at both sockets is what they were told.
    assert.equal(report.socketDrops + report.channelDrops, kernel);
    // Every packet that reached the sockets was read or counted as dropped, the same at both.
    assert.equal(arrived, report.channelPackets + report.channelDrops);
    assert.ok(arrived <= flood.sent + late.sent && arrived > 0);
    // Batches: never more than 64, the queue read 64 at a time, far fewer calls than packets.
    assert.ok(report.batches.every((n) => n >= 1 && n <= RECEIVE_BATCH_SIZE));
    assert.equal(Math.max(...report.batches), RECEIVE_BATCH_SIZE);
    assert.ok(report.batches.length * 4 < report.read, `${report.batches.length} calls for ${report.read} packets`);
    // The loop turned after one batch, long before the queue was empty.
    assert.ok(report.readWhenImmediateRan >= 1 && report.readWhenImmediateRan <= RECEIVE_BATCH_SIZE, `read ${report.readWhenImmediateRan} before the loop turned`);
    assert.ok(report.read > 4 * RECEIVE_BATCH_SIZE);

    // A steady flood at a receiver that keeps up: the pacer spaces its reads (about 1 ms), so each finds several.
    const steady = await runSender(lan, s, { interface: 'eth0', destination: '224.0.0.18', rate: 10_000, count: 5000, packets: [packet] });
    let after = await ask();
    for (let i = 0; i < 200 && after.read + after.socketDrops < arrived + steady.sent; i++) {
      await delay(100);
      after = await ask();
    }
    const calls = after.batches.length - report.batches.length;
    const read = after.read - report.read;
    t.diagnostic(`steady flood: ${steady.sent} sent in ${steady.seconds.toFixed(2)} s, ${read} read in ${calls} calls, ${after.pauses - report.pauses} paced reads`);
    assert.ok(after.pauses > report.pauses, 'reads less than 5 ms apart are paced');
    assert.ok(calls < read, `${calls} calls for ${read} packets`);
  } finally {
    child.stdin?.write('quit\n');
    if (child.pid !== undefined && child.exitCode === null) setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    await lan.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
