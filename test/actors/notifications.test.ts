/**
 * keepalived's notifications, run by the daemon on simulated transports (the node assembly the simulator runs
 * too), judged from the scripts that ran and the lines the notify FIFOs got: a reload's new instance notifies from
 * its first state on, a removed one is DELETED (notify_deleted) or FAULT, priority changes reach the FIFO with
 * notify_priority_changes, `vigil run -C` stays without VRRP across a reload, and a peer that flaps as fast as it
 * can does not make more scripts run at once than the bound.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SimHost } from '../../sim/sim-host.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import { VRRP_MULTICAST_V4 } from '../../protocol/vrrp-types.js';
import type { CallbackProcessRunner } from '../../transport/process-runner.js';
import type { DaemonOptions } from '../../actors/environment.js';
import { simulatedDaemon, type SimulatedDaemon } from '../daemon/simulated-daemon.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { SimulatedProber } from '../../sim/simulated-prober.js';

interface World extends SimulatedDaemon {
  /** Runs as `t_ms argv…`, when each started. */
  readonly started: string[];
  /** FIFO lines, by FIFO path. */
  readonly fifo: Map<string, string[]>;
  readonly running: () => number;
  readonly peak: () => number;
}

/** `checks`: the checker side runs too (simulated real servers, all up, and load balancer). */
function world(t: TestContext, text: string, o: { runMs?: number; checks?: boolean; options?: Omit<DaemonOptions, 'configFile' | 'nodeName'> } = {}): World {
  const started: string[] = [];
  let running = 0;
  let peak = 0;
  const fifo = new Map<string, string[]>();
  const d = simulatedDaemon(text, {
    environment: ({ clock }) => {
      const sim = new SimulatedProcessRunner(clock, () => {}, o.runMs ?? 10);
      const processes: CallbackProcessRunner = {
        runWith(request, done) {
          started.push(`${clock.now()} ${request.argv.join(' ')}`);
          running++;
          peak = Math.max(peak, running);
          sim.runWith(request, (outcome) => {
            running--;
            done(outcome);
          });
        },
        run: (request) => new Promise((resolve) => processes.runWith(request, resolve)),
      };
      return {
        processes,
        openFifo: (path) => {
          const lines = fifo.get(path) ?? [];
          fifo.set(path, lines);
          return { write: (line) => lines.push(line), close() {} };
        },
        ...(o.checks
          ? {
              checks: async () => ({
                host: () => new InProcessCheckerHost({ clock, random: new SeededRandom(1), prober: new SimulatedProber(clock) }),
                backend: async () => ({ backend: new SimulatedBackend(clock), statement: 'simulated load balancer' }),
              }),
            }
          : {}),
      };
    },
    options: o.options,
  });
  // Gone even when an assertion fails before close().
  t.after(d.remove);
  return { ...d, started, fifo, running: () => running, peak: () => peak };
}

function instance(name: string, vrid: number, body = '', priority = 100): string {
  return `vrrp_instance ${name} {
    state BACKUP
    interface eth0
    virtual_router_id ${vrid}
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        192.168.77.${100 + vrid}/24
    }
${body}
}
`;
}

test('reload: an added instance notifies from its first state on; a removed one is DELETED with notify_deleted, else FAULT', async (t) => {
  const globals = 'global_defs {\n    vrrp_notify_fifo /run/vigil/vrrp.fifo\n}\n';
  const a = instance('VI_A', 1, '    notify_deleted /etc/vigil/deleted.sh\n    notify /etc/vigil/notify.sh');
  const b = instance('VI_B', 2, '    notify_fault /etc/vigil/fault.sh\n    notify /etc/vigil/notify.sh');
  const w = world(t, globals + a + b);
  await w.daemon.start();
  await w.advance(5000);
  const before = w.started.length;
  const fifoBefore = w.fifo.get('/run/vigil/vrrp.fifo')!.length;
  // VI_A and VI_B go; VI_C comes.
  w.write(globals + instance('VI_C', 3, '    notify_backup /etc/vigil/backup.sh\n    notify /etc/vigil/notify.sh'));
  const reloading = w.daemon.reload();
  await w.advance(50);
  const result = await reloading;
  assert.ok(result.ok);
  const runs = w.started.slice(before).map((r) => r.replace(/^\d+ /, ''));
  assert.deepEqual(runs, [
    // notify_deleted's script, then notify with DELETED; VI_B without notify_deleted: FAULT, as keepalived.
    '/etc/vigil/deleted.sh',
    '/etc/vigil/notify.sh INSTANCE VI_A DELETED 100',
    '/etc/vigil/fault.sh',
    '/etc/vigil/notify.sh INSTANCE VI_B FAULT 100',
    // The new instance's first state, with its own scripts, at the reload itself.
    '/etc/vigil/backup.sh',
    '/etc/vigil/notify.sh INSTANCE VI_C BACKUP 100',
  ]);
  // All at the reload itself: not one waits for a later transition.
  assert.equal(new Set(w.started.slice(before).map((r) => r.split(' ')[0])).size, 1, w.started.slice(before).join('\n'));
  assert.deepEqual(w.fifo.get('/run/vigil/vrrp.fifo')!.slice(fifoBefore), ['INSTANCE "VI_A" DELETED 100\n', 'INSTANCE "VI_B" FAULT 100\n', 'INSTANCE "VI_C" BACKUP 100\n']);
  await w.close();
});

test('reload: a renamed instance goes on untold, with its new scripts; the instance whose name it takes is deleted (keepalived vrrp_exist)', async (t) => {
  const globals = 'global_defs {\n    vrrp_notify_fifo /run/vigil/vrrp.fifo\n}\n';
  const w = world(t, globals + instance('VI_A', 1, '    notify /etc/vigil/notify.sh') + instance('VI_B', 2, '    notify /etc/vigil/notify.sh'));
  await w.daemon.start();
  await w.advance(5000);
  const before = w.started.length;
  const fifoBefore = w.fifo.get('/run/vigil/vrrp.fifo')!.length;
  // VI_A's virtual router (VRID 1) is named VI_B now; VI_B's (VRID 2) goes.
  w.write(globals + instance('VI_B', 1, '    notify /etc/vigil/renamed.sh'));
  const reloading = w.daemon.reload();
  await w.advance(5000);
  const result = await reloading;
  assert.deepEqual(result, { ok: true, kept: ['VI_B'], started: [], stopped: ['VI_B'] });
  // The old VI_B, a master, is deleted (FAULT without notify_deleted) with its own scripts; the renamed one is told nothing.
  assert.deepEqual(w.started.slice(before).map((r) => r.replace(/^[\d.]+ /, '')), ['/etc/vigil/notify.sh INSTANCE VI_B FAULT 100']);
  assert.deepEqual(w.fifo.get('/run/vigil/vrrp.fifo')!.slice(fifoBefore), ['INSTANCE "VI_B" FAULT 100\n']);
  assert.deepEqual(w.daemon.status().instances.map((i) => [i.name, i.state]), [['VI_B', 'MASTER']]);
  // From then on it is told by its new name, with its new scripts.
  const beforeStop = w.started.length;
  await w.close();
  assert.deepEqual(w.started.slice(beforeStop).map((r) => r.replace(/^[\d.]+ /, '')), ['/etc/vigil/renamed.sh INSTANCE VI_B STOP 100']);
});

test('notify_priority_changes: the instance\'s own, else its sync group\'s, else global; only the FIFO hears', async (t) => {
  const text = (global: boolean) => `global_defs {
    notify_fifo /run/vigil/all.fifo
${global ? '    vrrp_notify_priority_changes\n' : ''}}
vrrp_track_file maint {
    file /run/vigil/maint
    weight -10
}
vrrp_sync_group G {
    group {
        VI_G
    }
    notify_priority_changes
    # Without it a sync group's members ignore tracking weights (keepalived), and VI_G's priority never changes.
    sync_group_tracking_weight
}
${instance('VI_OWN', 1, '    track_file {\n        maint\n    }\n    notify_priority_changes true')}
${instance('VI_G', 2, '    track_file {\n        maint\n    }')}
${instance('VI_OFF', 3, '    track_file {\n        maint\n    }\n    notify_priority_changes false')}
${instance('VI_GLOBAL', 4, '    track_file {\n        maint\n    }')}
`;
  for (const global of [false, true]) {
    const w = world(t, text(global));
    await w.daemon.start();
    await w.advance(3000);
    // The track file now holds 5: 5 × -10, so 50.
    w.daemon.assembly!.node.track('file:maint', true, 5);
    const lines = w.fifo.get('/run/vigil/all.fifo')!.filter((l) => l.includes('_PRIORITY'));
    const expected = ['INSTANCE "VI_OWN" BACKUP_PRIORITY 50\n', 'INSTANCE "VI_G" BACKUP_PRIORITY 50\n'];
    if (global) expected.push('INSTANCE "VI_GLOBAL" BACKUP_PRIORITY 50\n');
    assert.deepEqual(lines.sort(), expected.sort(), `global ${global}`);
    // No script runs for a priority change.
    assert.ok(!w.started.some((r) => r.includes('PRIORITY')));
    await w.close();
  }
});

test('vigil run -C: the checker side alone, and a reload does not start the VRRP instances or their trackers', async (t) => {
  const text = `vrrp_script chk {
    script /etc/vigil/chk.sh
    interval 1
}
${instance('VI_1', 1, '    track_script {\n        chk\n    }\n    notify /etc/vigil/notify.sh')}`;
  const w = world(t, text, { options: { checkersOnly: true } });
  await w.daemon.start();
  await w.advance(3000);
  w.write(text.replace('priority 100', 'priority 110'));
  const reloading = w.daemon.reload();
  await w.advance(10);
  assert.ok((await reloading).ok);
  await w.advance(5000);
  assert.deepEqual(w.daemon.status().instances, []);
  assert.deepEqual(w.daemon.status().scripts, []);
  assert.deepEqual(w.started, [], 'neither vrrp_script nor notify ran');
  await w.close();
});

test('a peer flapping as fast as it can: never more scripts at once than the bound, the overflow dropped and counted, the last state notified', async (t) => {
  const text = instance('VI_1', 1, '    notify_master /etc/vigil/master.sh\n    notify_backup /etc/vigil/backup.sh\n    notify /etc/vigil/notify.sh', 150);
  // Every script takes 3 s; at most 4 run and 8 wait.
  const w = world(t, text, { runMs: 3000, options: { scriptLimits: { maxRunning: 4, maxWaiting: 8 } } });
  const peer = new SimHost('peer', 1);
  peer.addInterface('eth0', w.segment, [{ address: '192.168.77.12', prefix: 24, family: 4 }]);
  const channel = peer.open({ interface: 'eth0', family: 4, sourceAddress: '192.168.77.12', unicastPeers: [] });
  const advert = (priority: number): void =>
    channel.send(
      VRRP_MULTICAST_V4,
      encodeAdvertisement(
        { version: 2, vrid: 1, priority, intervalCs: 100, family: 4, addresses: ['192.168.77.101'], authType: 0, authPassword: '' },
        { source: '192.168.77.12', destination: VRRP_MULTICAST_V4 },
      ),
    );
  await w.daemon.start();
  await w.advance(4000);
  assert.equal(w.daemon.status().instances[0]!.state, 'MASTER');
  // 40 flaps: a higher priority makes vigil BACKUP, the peer's priority 0 hands mastership back after Skew_Time (0.41 s).
  for (let i = 0; i < 40; i++) {
    advert(200);
    await w.advance(5);
    advert(0);
    await w.advance(600);
  }
  const transitions = w.daemon.status().instances[0]!.counters.transitions;
  assert.ok(transitions >= 80, `the peer drove ${transitions} transitions`);
  const stats = w.daemon.status().script_runs!;
  assert.equal(w.peak(), 4, 'never more than maxRunning scripts at once');
  assert.equal(stats.peak_running, 4);
  assert.ok(stats.dropped > 0, 'the overflow is dropped');
  // Every notification was either run or dropped.
  const notifications = 2 * (transitions - 1) + 2; // notify_<state> and notify per state, the first BACKUP included
  await w.advance(60_000);
  const after = w.daemon.status().script_runs!;
  assert.equal(after.started + after.dropped, notifications);
  assert.equal(w.running(), 0);
  // The newest news wins: the last scripts run are those of the state vigil is in now.
  const state = w.daemon.status().instances[0]!.state;
  assert.deepEqual(
    w.started.slice(-2).map((r) => r.replace(/^\d+ /, '')),
    [`/etc/vigil/${state.toLowerCase()}.sh`, `/etc/vigil/notify.sh INSTANCE VI_1 ${state} 150`],
  );
  await w.close();
});

test('stop: each instance\'s STOP, then each sync group\'s, scripts and FIFO lines alike', async (t) => {
  const text = `global_defs {
    notify_fifo /run/vigil/all.fifo
}
vrrp_sync_group G {
    group {
        VI_1
        VI_2
    }
    notify_stop /etc/vigil/group-stop.sh
    notify /etc/vigil/group.sh
}
${instance('VI_1', 1, '    notify_stop /etc/vigil/stop.sh')}
${instance('VI_2', 2)}`;
  const w = world(t, text);
  await w.daemon.start();
  await w.advance(5000);
  const before = w.started.length;
  const lines = w.fifo.get('/run/vigil/all.fifo')!.length;
  const state = w.daemon.assembly!.node.groupStates().get('G');
  await w.close();
  assert.deepEqual(
    w.started.slice(before).map((r) => r.replace(/^\d+ /, '')),
    ['/etc/vigil/stop.sh', '/etc/vigil/group-stop.sh', '/etc/vigil/group.sh GROUP G STOP 0'],
  );
  assert.deepEqual(w.fifo.get('/run/vigil/all.fifo')!.slice(lines), ['INSTANCE "VI_1" STOP 100\n', 'INSTANCE "VI_2" STOP 100\n', 'GROUP "G" STOP 0\n']);
  assert.ok(state === 'MASTER' || state === 'BACKUP', `the group was ${state}`);
});

test('the FIFO scripts: notify_fifo_script, vrrp_notify_fifo_script and lvs_notify_fifo_script each start once on their FIFO (its name last), run until stop, and each FIFO gets its own lines', async (t) => {
  const text = (lvsFifo: string) => `global_defs {
    notify_fifo /run/vigil/all.fifo
    notify_fifo_script /etc/vigil/all-reader.sh
    vrrp_notify_fifo /run/vigil/vrrp.fifo
    vrrp_notify_fifo_script /etc/vigil/vrrp-reader.sh
    lvs_notify_fifo ${lvsFifo}
    lvs_notify_fifo_script /etc/vigil/lvs-reader.sh
}
${instance('VI_1', 1)}
virtual_server 192.168.77.101 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 192.168.77.50 8080 {
        weight 1
    }
}
`;
  // keepalived runs a FIFO script as long as the FIFO is open (lib/notify.c fifo_open): the readers never exit here.
  const w = world(t, text('/run/vigil/lvs.fifo'), { runMs: 3_600_000, checks: true });
  await w.daemon.start();
  await w.advance(5000);
  const readers = w.started.map((r) => r.replace(/^\d+ /, '')).filter((r) => r.includes('-reader.sh')).sort();
  assert.deepEqual(readers, [
    '/etc/vigil/all-reader.sh /run/vigil/all.fifo',
    '/etc/vigil/lvs-reader.sh /run/vigil/lvs.fifo',
    '/etc/vigil/vrrp-reader.sh /run/vigil/vrrp.fifo',
  ]);
  assert.equal(w.running(), 3, 'the three readers are still running');
  // VRRP lines go to notify_fifo and vrrp_notify_fifo, the checker's to notify_fifo and lvs_notify_fifo.
  const vrrpLine = 'INSTANCE "VI_1" BACKUP 100\n';
  assert.ok(w.fifo.get('/run/vigil/vrrp.fifo')!.includes(vrrpLine), w.fifo.get('/run/vigil/vrrp.fifo')!.join(''));
  assert.ok(w.fifo.get('/run/vigil/all.fifo')!.includes(vrrpLine));
  assert.ok(!w.fifo.get('/run/vigil/lvs.fifo')!.some((l) => l.startsWith('INSTANCE')), 'no VRRP line on the LVS FIFO');
  await w.close();
  assert.equal(w.running(), 0, 'stop ends the readers');
  // The LVS FIFO named as the VRRP one, both with a script: one FIFO, and lvs_notify_fifo_script is not run (keepalived global_data.c).
  const shared = world(t, text('/run/vigil/vrrp.fifo'), { runMs: 3_600_000, checks: true });
  await shared.daemon.start();
  await shared.advance(5000);
  assert.deepEqual(shared.started.map((r) => r.replace(/^\d+ /, '')).filter((r) => r.includes('-reader.sh')).sort(), [
    '/etc/vigil/all-reader.sh /run/vigil/all.fifo',
    '/etc/vigil/vrrp-reader.sh /run/vigil/vrrp.fifo',
  ]);
  await shared.close();
});
