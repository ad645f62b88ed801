/**
 * announce_table in the simulator, on virtual time, through the node assembly the daemon uses (actors/announce/):
 * a virtual server's address is announced while its quorum is up, a VRRP instance's addresses while it is MASTER;
 * a crash takes them at once (the device dies with the process), a graceful stop withdraws them; the ECMP router's
 * next hops are the announcing directors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, parseScenario } from '../../sim/scenario.js';
import { runSimulation } from '../../sim/run.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

const VS = (announce: string): string => `virtual_server 192.168.77.100 80 {
  ${announce}
  delay_loop 1
  lb_algo mh
  lb_kind NAT
  protocol TCP
  real_server 192.168.77.21 8080 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
  real_server 192.168.77.22 8080 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
}
`;

const scenario = (nodes: Record<string, string>, events: unknown[], extra: Record<string, unknown> = {}) =>
  parseScenario(
    JSON.stringify({
      duration: '60s',
      nodes: Object.fromEntries(Object.entries(nodes).map(([name, config], k) => [name, { config, interfaces: { eth0: `192.168.77.${11 + k}/24` } }])),
      events,
      ...extra,
    }),
    join(ROOT, 'x.json'),
  );

const changes = (r: ReturnType<typeof runSimulation>) => (r.announcements ?? []).map((a) => `${a.t_ms} ${a.node} ${a.announced ? '+' : '-'}${a.vip} table ${a.table}`);

test('examples/ecmp-maglev.json: each director announces while it runs; a crash withdraws at once, a restart announces again', () => {
  const r = runSimulation(loadScenarioFile(join(ROOT, 'examples/ecmp-maglev.json')), { seed: 1 });
  assert.deepEqual(changes(r), [
    '0 d1 +192.168.77.100 table 100',
    '0 d2 +192.168.77.100 table 100',
    '0 d3 +192.168.77.100 table 100',
    '20000 d2 -192.168.77.100 table 100',
    '50000 d2 +192.168.77.100 table 100',
    '75000 d1 -192.168.77.100 table 100',
  ]);
});

test('a virtual server withdraws when its quorum goes (every real server down) and announces when it is back', () => {
  const r = runSimulation(
    scenario({ d1: VS('announce_table 100') }, [
      { at: '10s', server: { target: '192.168.77.21:8080', state: 'down' } },
      { at: '20s', server: { target: '192.168.77.22:8080', state: 'down' } },
      { at: '40s', server: { target: '192.168.77.22:8080', state: 'up' } },
    ]),
    { seed: 2 },
  );
  const seen = changes(r);
  assert.equal(seen.length, 3, seen.join('\n'));
  assert.equal(seen[0], '0 d1 +192.168.77.100 table 100');
  // One server of two down keeps the quorum (1); the second takes it, after its check fails (delay_loop 1, timeout 1).
  const [down, up] = [r.announcements![1]!, r.announcements![2]!];
  assert.equal(down.announced, false);
  assert.ok(down.t_ms > 20_000 && down.t_ms <= 23_000, String(down.t_ms));
  assert.equal(up.announced, true);
  assert.ok(up.t_ms > 40_000 && up.t_ms <= 43_000, String(up.t_ms));
});

test('without announce_table nothing is announced; with it on two directors of three, the router sends flows to those two', () => {
  assert.equal(runSimulation(scenario({ d1: VS('') }, []), { seed: 3 }).announcements, undefined);
  const r = runSimulation(scenario({ d1: VS('announce_table 100'), d2: VS('announce_table 100'), d3: VS('') }, [], { flows: 3000 }), { seed: 3 });
  const report = r.ecmp?.[0];
  assert.ok(report);
  assert.deepEqual(Object.keys(report.per_director), ['d1', 'd2']);
  assert.equal(report.errors, 0);
});

const INSTANCE = (priority: number): string => `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  announce_table 7
  virtual_ipaddress {
    192.168.77.200/24
    192.168.77.201/24
  }
}
`;

test('a VRRP instance announces its addresses while MASTER only: the backup takes over the announcement when the master crashes', () => {
  const r = runSimulation(scenario({ lb1: INSTANCE(150), lb2: INSTANCE(100) }, [{ at: '20s', crash: 'lb1' }, { at: '40s', stop: 'lb2' }]), { seed: 4 });
  const seen = changes(r);
  const lb1 = seen.filter((c) => c.includes(' lb1 '));
  const lb2 = seen.filter((c) => c.includes(' lb2 '));
  // lb1 becomes master after its Master_Down_Timer (about 3 s), announces both addresses; its crash takes them at once.
  assert.deepEqual(lb1.map((c) => c.split(' ').slice(1).join(' ')), ['lb1 +192.168.77.200 table 7', 'lb1 +192.168.77.201 table 7', 'lb1 -192.168.77.200 table 7', 'lb1 -192.168.77.201 table 7']);
  assert.ok(lb1.slice(2).every((c) => c.startsWith('20000 ')), lb1.join('\n'));
  // lb2, backup until then, announces once it is master, and withdraws at its stop.
  assert.deepEqual(lb2.map((c) => c.split(' ').slice(1).join(' ')), ['lb2 +192.168.77.200 table 7', 'lb2 +192.168.77.201 table 7', 'lb2 -192.168.77.200 table 7', 'lb2 -192.168.77.201 table 7']);
  const takeover = Number(lb2[0]!.split(' ')[0]);
  assert.ok(takeover > 20_000 && takeover < 24_000, String(takeover));
  assert.ok(lb2.slice(2).every((c) => c.startsWith('40000 ')), lb2.join('\n'));
});
