/**
 * Sync groups at start and across a reload, as keepalived builds them (vrrp.c vrrp_complete_init,
 * vrrp_sync.c vrrp_sync_set_group, vrrp_scheduler.c vrrp_init_state): a group made by a reload starts from its
 * members' states, faults of their own included, and frees a member only the old group held; a group is told its
 * first state once (at start a group whose members fault is told FAULT, not BACKUP then FAULT); what a reload
 * announces (scripts, the generic notify's arguments) is the new file's. Simulated daemon, virtual time.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import type { CallbackProcessRunner } from '../../transport/process-runner.js';
import { simulatedDaemon, type SimulatedDaemon } from './simulated-daemon.js';

const instance = (name: string, vrid: number, lines = ''): string =>
  `vrrp_instance ${name} {\n    state BACKUP\n    interface eth0\n    virtual_router_id ${vrid}\n    priority 100\n    advert_int 1\n${lines}    virtual_ipaddress {\n        192.168.77.${vrid}/24\n    }\n}\n`;
const group = (name: string, members: readonly string[], lines = ''): string =>
  `vrrp_sync_group ${name} {\n    group {\n        ${members.join('\n        ')}\n    }\n${lines}}\n`;
const scripts = (name: string): string =>
  `    notify_master /etc/vigil/${name}-master.sh\n    notify_backup /etc/vigil/${name}-backup.sh\n    notify_fault /etc/vigil/${name}-fault.sh\n    notify /etc/vigil/${name}-notify.sh\n`;

interface World extends SimulatedDaemon {
  /** Scripts run, as their argv joined by spaces. */
  readonly ran: string[];
  /** E-mail alerts' subjects, in order. */
  readonly mails: string[];
  /** FIFO lines, by FIFO path. */
  readonly fifo: Map<string, string[]>;
  /** The daemon's group and instance notifications, in order: "sync G INIT>BACKUP", "notify VI_1 BACKUP". */
  readonly told: string[];
  readonly states: () => Record<string, string>;
}

function world(t: TestContext, config: string): World {
  const ran: string[] = [];
  const mails: string[] = [];
  const fifo = new Map<string, string[]>();
  const d = simulatedDaemon(config, {
    environment: () => {
      const processes: CallbackProcessRunner = {
        runWith(request, done) {
          ran.push(request.argv.join(' '));
          done({ kind: 'exited', code: 0 });
        },
        run: (request) => new Promise((resolve) => processes.runWith(request, resolve)),
      };
      return {
        processes,
        mail: {
          transport: { send: async (m) => void mails.push(m.alert.subject), close: async () => undefined },
          host: { hostName: 'lb1.example.org', userName: 'root' },
        },
        openFifo: (path) => {
          const lines = fifo.get(path) ?? [];
          fifo.set(path, lines);
          return { write: (line) => void lines.push(line), close() {} };
        },
      };
    },
  });
  t.after(d.remove);
  const told: string[] = [];
  d.daemon.bus.messages$.subscribe((m) => {
    if (m.kind === 'sync') told.push(`sync ${m.group} ${m.from}>${m.to}`);
    if (m.kind === 'notify') told.push(`notify ${m.instance} ${m.state}`);
  });
  const states = (): Record<string, string> => {
    const node = d.daemon.assembly!.node;
    const out: Record<string, string> = {};
    for (const [name, runner] of node.runners) out[name] = runner.state;
    for (const [name, state] of node.groupStates()) out[name] = state;
    return out;
  };
  return { ...d, ran, mails, fifo, told, states };
}

/** A second interface, eth1, down without a word (link events are for changes after start). */
function eth1Down(w: World): void {
  w.host.addInterface('eth1', new LanSegment('eth1', w.clock, new SeededRandom(2), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 }), [
    { address: '192.168.77.211', prefix: 24, family: 4 },
  ]);
  w.host.setLink('eth1', false, true);
}

const G = group('G', ['VI_1', 'VI_2']) + instance('VI_1', 51) + instance('VI_2', 52);

test('a reload that rebuilds the groups while G holds its members in FAULT: they recover once the fault clears', async (t) => {
  const w = world(t, G);
  try {
    await w.daemon.start();
    await w.advance(5000);
    assert.deepEqual(w.states(), { VI_1: 'MASTER', VI_2: 'MASTER', G: 'MASTER' });
    w.host.setLink('eth0', false);
    await w.advance(1000);
    assert.deepEqual(w.states(), { VI_1: 'FAULT', VI_2: 'FAULT', G: 'FAULT' });
    const told = w.told.length;
    w.write(group('K', ['VI_3']) + G + instance('VI_3', 53));
    assert.equal((await w.daemon.reload()).ok, true);
    // G is rebuilt in FAULT, as it was (its members' own faults): not told again; K is new and told.
    assert.deepEqual(w.states(), { VI_1: 'FAULT', VI_2: 'FAULT', VI_3: 'FAULT', G: 'FAULT', K: 'FAULT' });
    assert.deepEqual(w.told.slice(told), ['sync K INIT>FAULT', 'notify VI_3 FAULT']);
    w.host.setLink('eth0', true);
    await w.advance(20_000);
    assert.deepEqual(w.states(), { VI_1: 'MASTER', VI_2: 'MASTER', VI_3: 'MASTER', G: 'MASTER', K: 'MASTER' });
  } finally {
    await w.close();
  }
});

test('a reload that takes the faulty member out of G frees the member G held in FAULT', async (t) => {
  // VI_1 tracks eth1 (down): G holds VI_2 in FAULT. The reload moves VI_1 out of G.
  const tracked = (name: string, vrid: number): string => instance(name, vrid, '    track_interface {\n        eth1\n    }\n');
  const before = group('G', ['VI_1', 'VI_2']) + tracked('VI_1', 51) + instance('VI_2', 52);
  const w = world(t, before);
  eth1Down(w);
  try {
    await w.daemon.start();
    await w.advance(5000);
    assert.deepEqual(w.states(), { VI_1: 'FAULT', VI_2: 'FAULT', G: 'FAULT' });
    w.write(group('G', ['VI_2']) + tracked('VI_1', 51) + instance('VI_2', 52));
    assert.equal((await w.daemon.reload()).ok, true);
    await w.advance(5000);
    assert.deepEqual(w.states(), { VI_1: 'FAULT', VI_2: 'MASTER', G: 'MASTER' });
  } finally {
    await w.close();
  }
});

test("a group a reload adds is told with the new file's scripts", async (t) => {
  const w = world(t, G);
  try {
    await w.daemon.start();
    await w.advance(1000);
    const ran = w.ran.length;
    const told = w.told.length;
    w.write(group('K', ['VI_3'], scripts('k')) + G + instance('VI_3', 53));
    assert.equal((await w.daemon.reload()).ok, true);
    await w.advance(100);
    assert.deepEqual(w.told.slice(told), ['sync K INIT>BACKUP', 'notify VI_3 BACKUP']);
    assert.deepEqual(w.ran.slice(ran), ['/etc/vigil/k-backup.sh', '/etc/vigil/k-notify.sh GROUP K BACKUP 0']);
  } finally {
    await w.close();
  }
});

test("a group a reload adds is mailed and written to the FIFO as the new file says", async (t) => {
  const globals = (routerId: string, fifo: string): string =>
    `global_defs {\n    router_id ${routerId}\n    notification_email {\n        ops@example.org\n    }\n    smtp_server 192.168.77.25\n    vrrp_notify_fifo /run/vigil/${fifo}.fifo\n}\n`;
  const w = world(t, globals('old', 'old') + G);
  try {
    await w.daemon.start();
    await w.advance(1000);
    assert.deepEqual(w.mails, []);
    w.write(globals('new', 'new') + group('K', ['VI_3'], '    smtp_alert\n') + G + instance('VI_3', 53));
    assert.equal((await w.daemon.reload()).ok, true);
    await w.advance(100);
    assert.deepEqual(w.mails, ['[new] VRRP Group K - Entering BACKUP state']);
    assert.deepEqual(w.fifo.get('/run/vigil/new.fifo'), ['GROUP "K" BACKUP 0\n', 'INSTANCE "VI_3" BACKUP 100\n']);
  } finally {
    await w.close();
  }
});

test('a reload whose channel cannot be opened leaves the running configuration the old one', async (t) => {
  const w = world(t, G);
  try {
    await w.daemon.start();
    await w.advance(1000);
    const running = w.daemon.runningConfig;
    w.write(G + group('K', ['VI_9']) + instance('VI_9', 59).replace('interface eth0', 'interface eth9'));
    const result = await w.daemon.reload();
    assert.equal(result.ok, false, JSON.stringify(result));
    assert.equal(w.daemon.runningConfig, running);
    assert.deepEqual(w.states(), { VI_1: 'BACKUP', VI_2: 'BACKUP', G: 'BACKUP' });
  } finally {
    await w.close();
  }
});

test('fifo_write_vrrp_states_on_reload: one line for each instance and group, those the reload told included', async (t) => {
  const globals = 'global_defs {\n    vrrp_notify_fifo /run/vigil/vrrp.fifo\n    fifo_write_vrrp_states_on_reload\n}\n';
  const w = world(t, globals + G);
  try {
    await w.daemon.start();
    await w.advance(5000);
    const lines = w.fifo.get('/run/vigil/vrrp.fifo')!;
    const before = lines.length;
    w.write(globals + group('K', ['VI_3']) + G + instance('VI_3', 53));
    assert.equal((await w.daemon.reload()).ok, true);
    // keepalived vrrp_init_state: a group or instance the reload notifies is not written again.
    assert.deepEqual(lines.slice(before), ['GROUP "K" BACKUP 0\n', 'INSTANCE "VI_3" BACKUP 100\n', 'INSTANCE "VI_1" MASTER 100\n', 'INSTANCE "VI_2" MASTER 100\n', 'GROUP "G" MASTER 0\n']);
  } finally {
    await w.close();
  }
});

test('at start a group whose members fault is told FAULT once, from INIT, after its instances', async (t) => {
  const w = world(t, group('G', ['VI_1', 'VI_2'], scripts('g')) + instance('VI_1', 51) + instance('VI_2', 52));
  w.host.setLink('eth0', false, true);
  try {
    await w.daemon.start();
    await w.advance(100);
    assert.deepEqual(w.told, ['notify VI_1 FAULT', 'notify VI_2 FAULT', 'sync G INIT>FAULT']);
    // keepalived send_group_notifies: notify_fault, then `notify GROUP G FAULT 0`; nothing for BACKUP.
    assert.deepEqual(w.ran, ['/etc/vigil/g-fault.sh', '/etc/vigil/g-notify.sh GROUP G FAULT 0']);
  } finally {
    await w.close();
  }
});

test('at start a member listed before the faulty one is held in FAULT from the first: never told BACKUP', async (t) => {
  const tracked = instance('VI_1', 51, '    track_interface {\n        eth1\n    }\n');
  const w = world(t, group('G', ['VI_2', 'VI_1']) + instance('VI_2', 52) + tracked);
  eth1Down(w);
  try {
    await w.daemon.start();
    await w.advance(5000);
    assert.deepEqual(w.told, ['notify VI_2 FAULT', 'notify VI_1 FAULT', 'sync G INIT>FAULT']);
    assert.deepEqual(w.states(), { VI_1: 'FAULT', VI_2: 'FAULT', G: 'FAULT' });
  } finally {
    await w.close();
  }
});

test('a reload that changes members (priority, a VIP) and an instance outside the group keeps their states: no script, no FIFO line, no mail', async (t) => {
  // keepalived 2.2.7 in a namespace (notify_fifo): G's members MASTER, VI_1's priority 100 → 120, a VIP added to
  // VI_2, VI_3 (no group) at priority 110 with advert_int 2: the FIFO reads nothing at the reload, all stay MASTER.
  const globals = `global_defs {\n    vrrp_notify_fifo /run/vigil/vrrp.fifo\n    notification_email {\n        ops@example.org\n    }\n    smtp_server 192.168.77.25\n}\n`;
  const withVip = (text: string): string => text.replace('        192.168.77.52/24\n', '        192.168.77.52/24\n        192.168.77.62/24\n');
  const before = globals + group('G', ['VI_1', 'VI_2'], scripts('g') + '    smtp_alert\n') + instance('VI_1', 51, scripts('v1')) + instance('VI_2', 52, scripts('v2')) + instance('VI_3', 53, scripts('v3'));
  const w = world(t, before);
  try {
    await w.daemon.start();
    await w.advance(5000);
    assert.deepEqual(w.states(), { VI_1: 'MASTER', VI_2: 'MASTER', VI_3: 'MASTER', G: 'MASTER' });
    const fifo = w.fifo.get('/run/vigil/vrrp.fifo')!;
    const [told, ran, lines, mails] = [w.told.length, w.ran.length, fifo.length, w.mails.length];
    w.write(
      withVip(before)
        .replace('priority 100\n    advert_int 1\n    notify_master /etc/vigil/v1-', 'priority 120\n    advert_int 1\n    notify_master /etc/vigil/v1-')
        .replace('priority 100\n    advert_int 1\n    notify_master /etc/vigil/v3-', 'priority 110\n    advert_int 2\n    notify_master /etc/vigil/v3-'),
    );
    const result = await w.daemon.reload();
    assert.deepEqual(result.ok && [result.kept, result.started, result.stopped], [['VI_1', 'VI_2', 'VI_3'], [], []]);
    await w.advance(10_000);
    assert.deepEqual(w.states(), { VI_1: 'MASTER', VI_2: 'MASTER', VI_3: 'MASTER', G: 'MASTER' });
    assert.deepEqual([w.told.slice(told), w.ran.slice(ran), fifo.slice(lines), w.mails.slice(mails)], [[], [], [], []]);
    assert.deepEqual(w.host.heldAddresses().sort(), ['192.168.77.51', '192.168.77.52', '192.168.77.53', '192.168.77.62']);
    const node = w.daemon.assembly!.node;
    assert.deepEqual([node.runners.get('VI_1')!.effectivePriority, node.runners.get('VI_3')!.spec.advertIntervalCs], [120, 200]);
  } finally {
    await w.close();
  }
});
