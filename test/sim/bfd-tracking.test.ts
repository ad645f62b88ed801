/**
 * track_bfd in the simulator: the BFD sessions of `bfd_instance` run in each node's assembly (actors/bfd/
 * node-bfd.ts) over the simulated BFD link, on the virtual clock. A gateway node runs only a BFD session; when it
 * dies (crash: silent at once) the tracking instance hears of it one Detection Time after the gateway's last
 * packet, and acts as keepalived does: weight 0 is FAULT while the session is down, a weight moves the priority,
 * `reverse` turns both round. Same seed, same run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation, type SimulationResult } from '../../sim/run.js';
import type { BusMessage } from '../../actors/bus.js';
import { roundTime } from '../../sim/timeline.js';
import { checkBfdTracking } from '../../sim/bfd-invariant.js';

type BfdMessage = Extract<BusMessage, { kind: 'bfd' }>;

const LB1 = '192.168.77.11';
const LB2 = '192.168.77.12';
const GW = '192.168.77.1';

/** lb1 (150) and lb2 (100 unless given) share a configuration; `@lb1` lines are lb1's alone. */
function lbConfig(tracking: string, lb2Priority = 100, sessions = ''): string {
  return `bfd_instance gw {
    neighbor_ip ${GW}
    min_rx 10
    min_tx 10
    multiplier 3
}
${sessions}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    @lb1 priority 150
    @lb2 priority ${lb2Priority}
    version 3
    advert_int 0.1
    virtual_ipaddress {
        192.168.77.100/24
    }
${tracking
  .split('\n')
  .map((line) => `    @lb1 ${line.trim()}`)
  .join('\n')}
}
`;
}

/** The gateway: BFD sessions to both load balancers, nothing else. */
const GW_CONFIG = `bfd_instance lb1 {
    neighbor_ip ${LB1}
    min_rx 10
    min_tx 10
    multiplier 3
}
bfd_instance lb2 {
    neighbor_ip ${LB2}
    min_rx 10
    min_tx 10
    multiplier 3
}
`;

function run(lbConf: string, events: unknown[], seed = 1, duration = '8s'): { result: SimulationResult; bfd: BfdMessage[] } {
  const text = JSON.stringify({
    duration,
    network: { latency: '0.2ms' },
    nodes: {
      lb1: { config: lbConf, interfaces: { eth0: `${LB1}/24` } },
      lb2: { config: lbConf, interfaces: { eth0: `${LB2}/24` } },
      gw: { config: GW_CONFIG, interfaces: { eth0: `${GW}/24` } },
    },
    events,
  });
  const bfd: BfdMessage[] = [];
  const result = runSimulation(parseScenario(text, 'bfd.json'), {
    seed,
    observe: ({ bus }) => {
      bus.messages$.subscribe((m) => {
        if (m.kind === 'bfd') bfd.push({ ...m, at: roundTime(m.at) });
      });
      return { inspector: () => () => {}, fault: () => {} };
    },
  });
  return { result, bfd };
}

const of = (result: SimulationResult, node: string) => result.transitions.filter((t) => t.node === node);

test('weight 0: lb1 is FAULT until its session to the gateway is Up, and FAULT within the Detection Time of the gateway dying', () => {
  const { result, bfd } = run(lbConfig('track_bfd {\n        gw\n    }'), [{ at: '5s', crash: 'gw' }]);
  const up = bfd.find((m) => m.node === 'lb1' && m.session === 'gw' && m.to === 'Up');
  assert.ok(up, 'lb1 session to gw comes Up');
  const lb1 = of(result, 'lb1');
  // keepalived's bfd_up starts false: FAULT from the start, out of it only once the session is Up.
  assert.equal(lb1[0]!.to, 'FAULT');
  const leftFault = lb1.find((t) => t.from === 'FAULT')!;
  assert.ok(leftFault.t_ms >= up.at - 1e-6, `left FAULT at ${leftFault.t_ms}, session Up at ${up.at}`);
  assert.ok(lb1.some((t) => t.to === 'MASTER' && t.t_ms < 5000), 'lb1 becomes MASTER while the gateway lives');
  // The crash at 5 s: the gateway's last packet left at most one transmit interval (10 ms) before; the session
  // is Down one Detection Time (3 x 10 ms) after that packet arrived, and the instance FAULT at the same moment.
  const down = bfd.find((m) => m.node === 'lb1' && m.session === 'gw' && m.to === 'Down' && m.at >= 5000)!;
  assert.ok(down, 'lb1 session to gw goes Down');
  assert.equal(down.diag, 1, 'Control Detection Time Expired');
  assert.ok(down.at - 5000 <= 30 + 0.2 + 1e-6 && down.at - 5000 >= 30 - 10, `Down ${down.at - 5000} ms after the crash`);
  const fault = lb1.find((t) => t.to === 'FAULT' && t.t_ms >= 5000)!;
  assert.ok(fault, 'lb1 goes to FAULT');
  assert.equal(fault.t_ms, down.at, 'FAULT as the session goes Down');
  // lb2, not tracking the gateway, takes over within its Master_Down_Interval (lb1 in FAULT sends priority 0:
  // Skew_Time).
  const lb2Master = of(result, 'lb2').find((t) => t.to === 'MASTER' && t.t_ms >= 5000);
  assert.ok(lb2Master && lb2Master.t_ms - fault.t_ms <= 100, `lb2 MASTER at ${lb2Master?.t_ms}`);
  // (The simulator's stability invariants know nothing of BFD: lb1 leaving FAULT at start is a change they see
  // in a quiet period. What they would catch here, a VIP held twice, must not happen.)
  const vip = result.invariants.find((i) => i.name === 'no_duplicate_vip');
  assert.ok(vip?.ok, vip?.detail);
  // The invariant of issue 15: the dead neighbour's session Down within its Detection Time, the instance FAULT then.
  const tracking = result.invariants.find((i) => i.name === 'bfd_tracking');
  assert.ok(tracking?.ok, tracking?.detail);
  assert.match(tracking.detail, /^1 session\(s\) down/);
});

test('the bfd_tracking invariant catches an instance that is not FAULT when its session goes Down, and a late Down', () => {
  const conf = lbConfig('track_bfd {\n        gw\n    }');
  const { result, bfd } = run(conf, [{ at: '3s', crash: 'gw' }], 1, '4s');
  const specs = new Map([['lb1', { instances: [{ name: 'VI_1', trackers: [{ id: 'bfd:gw', weight: 0, up: false }] }] }]]) as unknown as Parameters<typeof checkBfdTracking>[0]['specs'];
  assert.equal(checkBfdTracking({ changes: bfd, specs, transitions: result.transitions })?.ok, true);
  // The same run judged as if lb1 had stayed MASTER: its FAULT transitions left out.
  const noFault = result.transitions.filter((t) => !(t.node === 'lb1' && t.to === 'FAULT' && t.t_ms > 3000));
  const caught = checkBfdTracking({ changes: bfd, specs, transitions: noFault });
  assert.equal(caught?.ok, false);
  assert.match(caught?.detail ?? '', /lb1 VI_1 MASTER at [\d.]+ ms, when bfd gw went Down/);
  // A Down later than the Detection Time after the last packet.
  const late = bfd.map((m) => (m.node === 'lb1' && m.to === 'Down' ? { ...m, sinceLastPacketMs: 45 } : m));
  assert.match(checkBfdTracking({ changes: late, specs, transitions: result.transitions })?.detail ?? '', /Down 45 ms after its last packet \(Detection Time 30 ms\)/);
});

test('the same seed gives the same run; another seed draws other discriminators and jitter', () => {
  const conf = lbConfig('track_bfd {\n        gw\n    }');
  const events = [{ at: '3s', crash: 'gw' }];
  const a = run(conf, events, 7, '4s');
  const b = run(conf, events, 7, '4s');
  assert.deepEqual(b.bfd, a.bfd);
  assert.deepEqual(b.result.transitions, a.result.transitions);
  const c = run(conf, events, 8, '4s');
  assert.notDeepEqual(c.bfd.map((m) => m.at), a.bfd.map((m) => m.at));
});

test('weight: the session down takes the weight off lb1 (150 - 60 < 140), lb2 preempts; back Up, lb1 takes over again', () => {
  const { result, bfd } = run(lbConfig('track_bfd {\n        gw weight -60\n    }', 140), [
    { at: '4s', stop: 'gw' },
    { at: '6s', start: 'gw' },
  ], 1, '12s');
  const lb1 = of(result, 'lb1');
  // Never FAULT with a weight: down at the start only lowers the priority (90 < 140: lb2 is master first).
  assert.ok(!lb1.some((t) => t.to === 'FAULT'));
  const lb1Up = bfd.find((m) => m.node === 'lb1' && m.to === 'Up')!;
  const lb1Master = lb1.find((t) => t.to === 'MASTER')!;
  assert.ok(lb1Master.t_ms > lb1Up.at, 'lb1 preempts only once its session is Up (150 > 140)');
  const down = bfd.find((m) => m.node === 'lb1' && m.to === 'Down' && m.at > 4000)!;
  const lb2Master = of(result, 'lb2').find((t) => t.to === 'MASTER' && t.t_ms > 4000)!;
  assert.ok(lb2Master.t_ms >= down.at && lb2Master.t_ms - down.at <= 400, `lb2 preempts at ${lb2Master.t_ms} after Down at ${down.at}`);
  const upAgain = bfd.find((m) => m.node === 'lb1' && m.to === 'Up' && m.at > 6000)!;
  assert.ok(upAgain, 'the session comes back with the gateway');
  assert.ok(lb1.some((t) => t.to === 'MASTER' && t.t_ms > upAgain.at), 'lb1 takes over again');
});

test('reverse: weight 0 reverse is FAULT while the session is Up', () => {
  const { result, bfd } = run(lbConfig('track_bfd {\n        gw weight 0 reverse\n    }'), [{ at: '4s', crash: 'gw' }], 1, '6s');
  const up = bfd.find((m) => m.node === 'lb1' && m.to === 'Up')!;
  const down = bfd.find((m) => m.node === 'lb1' && m.to === 'Down' && m.at > 4000)!;
  const lb1 = of(result, 'lb1');
  assert.ok(lb1.some((t) => t.to === 'FAULT' && t.t_ms === up.at), 'FAULT as the session comes Up');
  assert.ok(lb1.some((t) => t.from === 'FAULT' && t.t_ms === down.at), 'out of FAULT as it goes Down');
});

test('vrrp_sync_group track_bfd: every member follows the group\'s session', () => {
  const conf = `bfd_instance gw {
    neighbor_ip ${GW}
    min_rx 10
    min_tx 10
}
vrrp_sync_group G {
    group {
        VI_1
        VI_2
    }
    @lb1 track_bfd {
    @lb1     gw
    @lb1 }
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    @lb1 priority 150
    @lb2 priority 100
    version 3
    advert_int 0.1
    virtual_ipaddress {
        192.168.77.100/24
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    @lb1 priority 150
    @lb2 priority 100
    version 3
    advert_int 0.1
    virtual_ipaddress {
        192.168.77.101/24
    }
}
`;
  const { result, bfd } = run(conf, [{ at: '4s', crash: 'gw' }], 1, '6s');
  const down = bfd.find((m) => m.node === 'lb1' && m.to === 'Down' && m.at > 4000)!;
  for (const instance of ['VI_1', 'VI_2']) {
    assert.ok(
      result.transitions.some((t) => t.node === 'lb1' && t.instance === instance && t.to === 'FAULT' && t.t_ms === down.at),
      `${instance} FAULT as the group's session goes Down`,
    );
    assert.ok(result.transitions.some((t) => t.node === 'lb2' && t.instance === instance && t.to === 'MASTER' && t.t_ms > down.at));
  }
  const tracking = result.invariants.find((i) => i.name === 'bfd_tracking');
  assert.ok(tracking?.ok, tracking?.detail);
});
