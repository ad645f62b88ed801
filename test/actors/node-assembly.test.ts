/**
 * One node assembly for the daemon and the simulator (actors/node-assembly.ts): the same configuration, run by
 * VigilDaemon on simulated transports and by the simulator, builds the same actors and runs the same scripts at
 * the same virtual times; and the daemon's reload keeps what did not change (instances, trackers, checker side).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { InspectionEvent } from 'xstate';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { loadNodeConfig } from '../../sim/node-config-reader.js';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation } from '../../sim/run.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimTrackedObjects } from '../../sim/sim-tracked-objects.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { SimulatedProber } from '../../sim/simulated-prober.js';
import { simulatedDaemon, type SimulatedDaemon } from '../daemon/simulated-daemon.js';

function config(o: { scriptInterval?: number; priorityOf2?: number; instances?: readonly string[]; delayLoop?: number } = {}): string {
  const instances = o.instances ?? ['VI_1'];
  return `vrrp_script chk {
    script "/usr/local/bin/chk --quick"
    interval ${o.scriptInterval ?? 1}
    weight 10
}
vrrp_track_file maint {
    file /run/vigil/maint
    weight -10
}
vrrp_track_process web {
    process nginx
    weight 0
}
${instances
  .map(
    (name, i) => `vrrp_instance ${name} {
    state BACKUP
    interface eth0
    virtual_router_id ${50 + Number(name.replace(/\D/g, ''))}
    priority ${i === 1 ? (o.priorityOf2 ?? 120) : 150}
    advert_int 1
    virtual_ipaddress {
        192.168.77.${100 + i}/24
    }
    track_script {
        chk
    }
    track_file {
        maint
    }
    track_process {
        web
    }
    notify /etc/vigil/notify.sh
}`,
  )
  .join('\n')}
virtual_server 192.168.77.100 80 {
    delay_loop ${o.delayLoop ?? 2}
    lb_algo rr
    lb_kind NAT
    protocol TCP
    alpha
    real_server 192.168.77.21 8080 {
        notify_up /etc/vigil/rs-up.sh
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`;
}

/** Machine actors by id, in the order they were created (spawned children included). */
function actorLog(into: string[]): (event: InspectionEvent) => void {
  return (event) => {
    if (event.type !== '@xstate.actor') return;
    const ref = event.actorRef as { id?: unknown; logic?: { id?: unknown } };
    if (ref.logic?.id === undefined) return;
    into.push(`${String(ref.id)}:${String(ref.logic.id)}`);
  };
}

interface SimDaemon extends SimulatedDaemon {
  readonly runs: { t_ms: number; argv: readonly string[] }[];
  readonly actors: string[];
}

/** VigilDaemon for node lb1 on the simulator's transports: a host on a LAN segment, simulated programs, files, processes and real servers. */
function simDaemon(text: string): SimDaemon {
  const runs: { t_ms: number; argv: readonly string[] }[] = [];
  const actors: string[] = [];
  const inspect = actorLog(actors);
  const d = simulatedDaemon(text, {
    environment: ({ clock, file }) => {
      const tracked = new SimTrackedObjects(clock, loadNodeConfig(text, file, 'lb1').config, (r) => runs.push({ t_ms: Math.round(r.t_ms * 1000) / 1000, argv: r.argv }));
      const prober = new SimulatedProber(clock, { '192.168.77.21:8080': { mode: 'up' } });
      // The random streams the simulator gives lb1's first checker side with seed 1 (sim/run.ts, sim/sim-directors.ts).
      const random = new SeededRandom(1).fork('directors').fork('checkers:lb1:0');
      return {
        ...tracked.environment(),
        inspect,
        checks: async () => ({
          random: random.fork('specs'),
          host: () => new InProcessCheckerHost({ clock, random: random.fork('probes'), prober, inspect }),
          backend: async () => ({ backend: new SimulatedBackend(clock), statement: 'simulated load balancer' }),
        }),
      };
    },
  });
  return { ...d, runs, actors };
}

test('the daemon and the simulator assemble the same node: same actors, same scripts at the same virtual times', async () => {
  const text = config();
  const d = simDaemon(text);
  await d.daemon.start();
  await d.advance(8000);
  const daemonActors = [...d.actors];
  const daemonRuns = d.runs.map((r) => `${r.t_ms} ${r.argv.join(' ')}`);

  // The same keepalived.conf, named by a scenario beside it.
  const simActors: string[] = [];
  const scenario = JSON.stringify({ duration: '8s', nodes: { lb1: { config: 'keepalived.conf', interfaces: { eth0: '192.168.77.11/24' } } } });
  const result = runSimulation(parseScenario(scenario, join(d.dir, 'one.json')), {
    seed: 1,
    observe: () => ({ inspector: () => actorLog(simActors), fault: () => {} }),
  });
  const simRuns = result.scripts.map((r) => `${r.t_ms} ${r.argv.join(' ')}`);
  await d.close();

  // The instance, the tracked objects and the virtual server with its real server and checker run in both.
  for (const id of ['VI_1:vrrp', 'script:chk:vrrp_script', 'file:maint:tracker', 'process:web:trackedProcess', 'vs:192.168.77.100:80:virtualServer', '192.168.77.21:8080:realServer']) {
    assert.ok(daemonActors.includes(id), `daemon lacks ${id}: ${daemonActors.join(', ')}`);
  }
  assert.ok(daemonActors.includes('192.168.77.100:80|192.168.77.21:8080|0:TCP_CHECK:checker'), daemonActors.join(', '));
  assert.deepEqual([...new Set(simActors)].sort(), [...new Set(daemonActors)].sort());
  // notify (BACKUP at 0, MASTER with priority 160: chk's weight) and the real server's notify_up (alpha: it
  // starts down).
  assert.ok(daemonRuns.includes('0 /etc/vigil/notify.sh INSTANCE VI_1 BACKUP 160'), daemonRuns.join('\n'));
  assert.ok(daemonRuns.some((r) => r.endsWith('/etc/vigil/notify.sh INSTANCE VI_1 MASTER 160')), daemonRuns.join('\n'));
  assert.ok(daemonRuns.some((r) => r.endsWith('/etc/vigil/rs-up.sh')), daemonRuns.join('\n'));
  assert.deepEqual(simRuns, daemonRuns);
});

test('reload: kept, started and stopped instances; trackers kept unless their blocks changed; the checker side restarted only when it changed', async () => {
  const d = simDaemon(config({ instances: ['VI_1', 'VI_2'] }));
  await d.daemon.start();
  await d.advance(5000);
  const created = (id: string): number => d.actors.filter((a) => a === id).length;
  const virtualServers = (): number => d.actors.filter((a) => a.endsWith(':virtualServer')).length;
  assert.equal(created('script:chk:vrrp_script'), 1);
  assert.equal(virtualServers(), 1);

  // VI_2 goes, VI_3 comes, VI_1 and everything else stay (VI_3's VRID is another: with VI_2's it would be VI_2
  // renamed, kept as keepalived vrrp_exist matches it).
  d.write(config({ instances: ['VI_1', 'VI_3'] }));
  const first = await d.daemon.reload();
  await d.advance(1000);
  assert.deepEqual(first, { ok: true, kept: ['VI_1'], started: ['VI_3'], stopped: ['VI_2'] });
  assert.equal(created('script:chk:vrrp_script'), 1, 'the unchanged vrrp_script keeps running');
  assert.equal(created('file:maint:tracker'), 1);
  assert.equal(virtualServers(), 1, 'the unchanged checker side keeps running');
  assert.deepEqual(
    d.daemon.status().instances.map((i) => i.name),
    ['VI_1', 'VI_3'],
  );

  // A changed virtual server restarts the checker side; a changed vrrp_script restarts its tracker (and the
  // instances tracking it are unchanged: they are kept).
  d.write(config({ instances: ['VI_1', 'VI_3'], delayLoop: 3, scriptInterval: 2 }));
  const second = await d.daemon.reload();
  await d.advance(1000);
  assert.deepEqual(second, { ok: true, kept: ['VI_1', 'VI_3'], started: [], stopped: [] });
  assert.equal(created('script:chk:vrrp_script'), 2);
  assert.equal(created('file:maint:tracker'), 1, 'unchanged track_file and track_process blocks keep running');
  assert.equal(virtualServers(), 2);
  assert.deepEqual(d.daemon.status().scripts, [{ name: 'chk', up: true }]);
  assert.equal(d.daemon.status().virtual_servers.length, 1);
  await d.close();
  assert.deepEqual(d.daemon.status().instances, []);
});
