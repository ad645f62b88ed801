/**
 * A sync group's first announcement (keepalived vrrp_init_state / vrrp_dispatcher_init): at start, once its
 * instances have started, a group in BACKUP or FAULT is told as entering it from INIT, one that reaches MASTER later
 * only as it gets there; a reload tells it again only for the groups it changed (state_same_at_reload). Simulated
 * transports, virtual time: the bus messages the notifier, the FIFO, traps and e-mail all take it from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulatedDaemon, type SimulatedDaemon } from './simulated-daemon.js';

const instance = (name: string, vrid: number): string =>
  `vrrp_instance ${name} {\n    state BACKUP\n    interface eth0\n    virtual_router_id ${vrid}\n    priority 100\n    advert_int 1\n    virtual_ipaddress {\n        192.168.77.${vrid}/24\n    }\n}\n`;
const group = (name: string, members: readonly string[]): string => `vrrp_sync_group ${name} {\n    group {\n        ${members.join('\n        ')}\n    }\n}\n`;
const CONFIG = group('G', ['VI_1', 'VI_2']) + group('H', ['VI_4']) + instance('VI_1', 51) + instance('VI_2', 52) + instance('VI_4', 54);

/** The daemon's group and instance notifications, in order, as "sync G INIT>BACKUP" and "notify VI_1 BACKUP". */
function told(d: SimulatedDaemon): string[] {
  const lines: string[] = [];
  d.daemon.bus.messages$.subscribe((m) => {
    if (m.kind === 'sync') lines.push(`sync ${m.group} ${m.from}>${m.to}`);
    if (m.kind === 'notify') lines.push(`notify ${m.instance} ${m.state}`);
  });
  return lines;
}

test('at start each group is told BACKUP from INIT once its instances have started; MASTER later, from BACKUP', async () => {
  const d = simulatedDaemon(CONFIG);
  const lines = told(d);
  try {
    await d.daemon.start();
    assert.deepEqual(lines, ['notify VI_1 BACKUP', 'notify VI_2 BACKUP', 'notify VI_4 BACKUP', 'sync G INIT>BACKUP', 'sync H INIT>BACKUP']);
    // Alone on the LAN, every instance becomes master after Master_Down_Interval.
    await d.advance(5000);
    assert.deepEqual(
      lines.filter((l) => l.startsWith('sync G')),
      ['sync G INIT>BACKUP', 'sync G BACKUP>MASTER'],
    );
  } finally {
    await d.close();
  }
});

test('at start with the interface down, each group is told FAULT from INIT after its instances', async () => {
  const d = simulatedDaemon(CONFIG);
  d.host.setLink('eth0', false, true);
  const lines = told(d);
  try {
    await d.daemon.start();
    for (const [g, last] of [['G', 'notify VI_2 FAULT'], ['H', 'notify VI_4 FAULT']] as const) {
      const at = lines.indexOf(`sync ${g} INIT>FAULT`);
      assert.ok(at > lines.indexOf(last), lines.join('\n'));
    }
    assert.ok(!lines.some((l) => /^sync . INIT>(BACKUP|MASTER)/.test(l)), lines.join('\n'));
  } finally {
    await d.close();
  }
});

test('a reload announces the group it adds, not the ones it keeps', async () => {
  const d = simulatedDaemon(CONFIG);
  const lines = told(d);
  try {
    await d.daemon.start();
    await d.advance(1000);
    const before = lines.length;
    d.write(group('K', ['VI_3']) + CONFIG + instance('VI_3', 53));
    assert.equal((await d.daemon.reload()).ok, true);
    assert.deepEqual(lines.slice(before), ['sync K INIT>BACKUP', 'notify VI_3 BACKUP']);
  } finally {
    await d.close();
  }
});

test('at start a group of address owners is told nothing: its members are told MASTER, as keepalived 2.2.7 does', async () => {
  // keepalived 2.2.7 in a namespace, notify_fifo, this configuration with `state MASTER` or no state: the FIFO reads
  // INSTANCE "VI_1" MASTER 255, INSTANCE "VI_2" MASTER 255 and no GROUP line (vrrp_sync_set_group starts the group
  // MASTER; vrrp_init_state tells only a group in BACKUP or FAULT).
  const owner = (name: string, vrid: number, state: string): string => instance(name, vrid).replace('    state BACKUP\n', state).replace('priority 100', 'priority 255');
  for (const state of ['    state MASTER\n', '']) {
    const d = simulatedDaemon(group('G', ['VI_1', 'VI_2']) + owner('VI_1', 51, state) + owner('VI_2', 52, state));
    const lines = told(d);
    try {
      await d.daemon.start();
      await d.advance(5000);
      assert.deepEqual(lines, ['notify VI_1 MASTER', 'notify VI_2 MASTER']);
      assert.deepEqual([...d.daemon.assembly!.node.groupStates()], [['G', 'MASTER']]);
    } finally {
      await d.close();
    }
  }
});
