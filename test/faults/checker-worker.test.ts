/**
 * The fault campaign's checker worker case (issue 13): a running vigil master with a virtual server whose real
 * server is up, its checkers in the real worker thread (the test entry that can crash or hang it,
 * test/checkers/worker-faults.ts), on the real clock. The worker crashes, then hangs: each time it is replaced,
 * the VRRP instance stays MASTER with its VIP and keeps advertising, the real server stays in the pool (no
 * notify_down, no DOWN), the daemon runs on, and the log names the fault. (The VRRP side runs on a simulated host:
 * what is under test is the daemon's composition, not the wire; test/checkers/worker-host.test.ts tests the
 * supervisor alone.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import { WorkerCheckerHost } from '../../actors/daemon/worker-checker-host.js';
import { RealClock } from '../../transport/real/real-clock.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimHost } from '../../sim/sim-host.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import type { CallbackProcessRunner } from '../../transport/process-runner.js';
import { startTcp } from '../checkers/local-servers.js';
import { FAULTY_WORKER_ENTRY, workerFaults } from '../checkers/worker-faults.js';

const VIP = '192.168.77.100';

function config(port: number): string {
  return `vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24
  }
}
virtual_server ${VIP} 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${port} {
    notify_down /etc/vigil/rs-down.sh
    TCP_CHECK {
      connect_timeout 1
      retry 1
    }
  }
}
`;
}

/** Polls `check` every 20 ms up to a generous bound. */
async function until(check: () => boolean | Promise<boolean>, what: () => string, limitMs = 60_000): Promise<void> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > limitMs) assert.fail(`not within ${limitMs} ms: ${what()}`);
    await delay(20);
  }
}

test('the checker worker crashes, then hangs, under a running master: replaced each time, VRRP and the pool untouched', { timeout: 180_000 }, async (t) => {
  const server = await startTcp();
  const faults = workerFaults();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-worker-faults-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, config(server.port));
  const clock = new RealClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(9), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('lb1', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  const lines: string[] = [];
  const log = { debug: (m: string) => lines.push(m), info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  const scripts: string[] = [];
  const simulated = new SimulatedProcessRunner(clock, () => {}, 10);
  const processes: CallbackProcessRunner = {
    runWith: (request, done) => {
      scripts.push(request.argv.join(' '));
      simulated.runWith(request, done);
    },
    run: (request) => new Promise((resolve) => processes.runWith(request, resolve)),
  };
  const backend = new SimulatedBackend(clock);
  let workerHost: WorkerCheckerHost | undefined;
  const daemon = new VigilDaemon(
    {
      clock,
      link: host,
      addresses: host,
      announcer: host,
      processes,
      log,
      pid: 1,
      checks: async () => ({
        // A heartbeat answer missing for 2 s is a hang (a healthy worker on two loaded CPUs answers in far less).
        host: () => (workerHost = new WorkerCheckerHost({ clock, heartbeatMs: 200, hangAfterMs: 2000, restartDelayMs: 50, entry: FAULTY_WORKER_ENTRY })),
        backend: async () => ({ backend, statement: 'simulated load balancer' }),
      }),
    },
    { configFile: file, nodeName: 'lb1' },
  );
  const describe = (): string => `${JSON.stringify(daemon.status(), null, 1)}\n${lines.join('\n')}`;
  const instance = () => daemon.status().instances[0];
  const alive = (): boolean => daemon.status().virtual_servers[0]?.real_servers[0]?.alive === true;
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  try {
    await daemon.start();
    await until(() => instance()?.state === 'MASTER' && host.heldAddresses().includes(VIP), describe);
    const first = await faults.listening();
    await until(alive, describe);
    const probes = async (): Promise<number> => (await workerHost!.counters()).probes;

    // A crash: the worker thread ends with exit code 1.
    let sent = instance()!.counters.adverts_sent;
    faults.crash();
    await until(() => workerHost!.restarts === 1, describe);
    const second = await faults.listening(first);
    let before = await probes();
    await until(async () => (await probes()) >= before + 2, describe);
    assert.ok(instance()!.counters.adverts_sent > sent, 'advertisements went on');

    // A hang: the worker's event loop is busy for a minute; its heartbeat answers stop.
    sent = instance()!.counters.adverts_sent;
    faults.hang(60_000);
    await until(() => workerHost!.restarts === 2, describe);
    await faults.listening(second);
    before = await probes();
    await until(async () => (await probes()) >= before + 2, describe);
    assert.ok(instance()!.counters.adverts_sent > sent, 'advertisements went on');

    const vrrp = instance()!;
    assert.equal(vrrp.state, 'MASTER', describe());
    assert.equal(vrrp.counters.become_master, 1, 'never left MASTER');
    assert.ok(host.heldAddresses().includes(VIP), 'the VIP stayed');
    assert.equal(alive(), true, 'the real server stayed up across both replacements');
    assert.deepEqual(scripts.filter((s) => s.includes('rs-down')), [], 'no notify_down');
    const workerLines = lines.filter((l) => /"kind":"worker"/.test(l));
    assert.ok(workerLines.some((l) => /"event":"crashed".*exit code 1/.test(l)), workerLines.join('\n'));
    assert.ok(workerLines.some((l) => /"event":"hung".*no heartbeat answer for 2000 ms/.test(l)), workerLines.join('\n'));
  } finally {
    faults.close();
    await daemon.stop();
    await server.close();
  }
});
