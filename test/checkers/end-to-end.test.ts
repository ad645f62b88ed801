/**
 * The daemon's arrangement on real time: HTTP_GET checkers in the worker thread against three local web servers,
 * virtual server and real servers on the main thread, the load balancer (simulated backend) following the pool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../transport/real/real-clock.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { WorkerCheckerHost } from '../../actors/daemon/worker-checker-host.js';
import { HealthChecks, type HealthEvent } from '../../actors/lvs/health-checks.js';
import { startHttp, type Restartable } from './local-servers.js';
import { virtualServersOf } from './lvs-config.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// Generous: on a loaded machine a checker worker takes seconds to start (worker-host.test.ts says the same).
async function until(what: () => boolean, limitMs = 30_000): Promise<void> {
  const start = performance.now();
  while (!what()) {
    if (performance.now() - start > limitMs) throw new Error('condition not reached');
    await sleep(10);
  }
}

test('HTTP_GET in the worker: a web server that stops leaves the pool, and comes back when it answers again', async () => {
  const servers: Restartable[] = [];
  for (let i = 0; i < 3; i++) {
    servers.push(
      await startHttp((_req, res) => {
        res.writeHead(200);
        res.end(`server ${i}`);
      }),
    );
  }
  const clock = new RealClock();
  const backend = new SimulatedBackend(clock);
  const host = new WorkerCheckerHost({ clock });
  const health = new HealthChecks({ clock, host, backend });
  const events: HealthEvent[] = [];
  health.events$.subscribe((e) => events.push(e));
  const key = '192.168.77.100:80';
  try {
    const realServers = servers.map(
      (s, i) => `    real_server 127.0.0.1 ${s.port} {\n        weight ${i + 1}\n        HTTP_GET {\n            url {\n                path /health\n                status_code 200\n            }\n        }\n    }\n`,
    );
    health.start(
      virtualServersOf(`virtual_server 192.168.77.100 80 {
    protocol TCP
    lb_algo wrr
    lb_kind NAT
    delay_loop 0.2
    retry 1
    delay_before_retry 0.1
    connect_timeout 0.5
    warmup 0
    alpha
${realServers.join('')}}
`),
    );
    const pool = () => backend.pool(key).length;
    // alpha: empty until the first successes.
    assert.equal(pool(), 0);
    await until(() => pool() === 3);
    await servers[1]!.stop();
    await until(() => pool() === 2);
    assert.ok(!backend.pool(key).includes(`127.0.0.1:${servers[1]!.port}`));
    await servers[1]!.start();
    await until(() => pool() === 3);
    const weights = backend.current.services[0]!.destinations.map((d) => d.weight);
    assert.deepEqual(weights, [1, 2, 3]);
    const notes = events.flatMap((e) => (e.kind === 'real_server' ? [`${e.rs.split(':')[1]} ${e.state}`] : []));
    assert.deepEqual(notes.slice(3), [`${servers[1]!.port} DOWN`, `${servers[1]!.port} UP`]);
  } finally {
    await health.stop();
    for (const s of servers) await s.close();
  }
  assert.deepEqual(backend.current.services, [], 'stop clears what vigil created');
});
