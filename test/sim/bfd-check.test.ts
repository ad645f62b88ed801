/**
 * BFD_CHECK in the simulator: a director's real servers follow BFD sessions (actors/bfd/node-bfd.ts → the checker
 * side), combined with their other checkers as keepalived counts them (alive only while every checker is up). The
 * web server web1 runs a BFD session to the director and nothing else; when it dies, web1 leaves the pool one
 * Detection Time after its last packet; web3 has a BFD_CHECK and a TCP_CHECK, and leaves the pool when either
 * fails. A real server is out of the pool until its session is Up (keepalived's BFD process reports every session,
 * Down, at start, and the first event always applies).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation, type SimulationResult } from '../../sim/run.js';
import type { BusMessage } from '../../actors/bus.js';
import { roundTime } from '../../sim/timeline.js';

type BfdMessage = Extract<BusMessage, { kind: 'bfd' }>;

const WEB1 = '192.168.77.21:8080';
const WEB2 = '192.168.77.22:8080';
const WEB3 = '192.168.77.23:8080';

const bfd = (name: string, neighbor: string): string => `bfd_instance ${name} {
    neighbor_ip ${neighbor}
    min_rx 10
    min_tx 10
    multiplier 3
}
`;

const DIRECTOR = `${bfd('web1', '192.168.77.21')}${bfd('web3', '192.168.77.23')}
virtual_server 192.168.77.100 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 192.168.77.21 8080 {
        BFD_CHECK {
            name web1
        }
    }
    real_server 192.168.77.22 8080 {
        TCP_CHECK {
            connect_timeout 1
            retry 0
            delay_before_retry 1
        }
    }
    real_server 192.168.77.23 8080 {
        BFD_CHECK {
            name web3
        }
        TCP_CHECK {
            connect_timeout 1
            retry 0
            delay_before_retry 1
        }
    }
}
`;

function run(events: unknown[], duration = '12s'): { result: SimulationResult; bfd: BfdMessage[] } {
  const text = JSON.stringify({
    duration,
    network: { latency: '0.2ms' },
    nodes: {
      lb1: { config: DIRECTOR, interfaces: { eth0: '192.168.77.11/24' } },
      web1: { config: bfd('lb1', '192.168.77.11'), interfaces: { eth0: '192.168.77.21/24' } },
      web3: { config: bfd('lb1', '192.168.77.11'), interfaces: { eth0: '192.168.77.23/24' } },
    },
    events,
  });
  const messages: BfdMessage[] = [];
  const result = runSimulation(parseScenario(text, 'bfd-check.json'), {
    seed: 3,
    observe: ({ bus }) => {
      bus.messages$.subscribe((m) => {
        if (m.kind === 'bfd') messages.push({ ...m, at: roundTime(m.at) });
      });
      return { inspector: () => () => {}, fault: () => {} };
    },
  });
  return { result, bfd: messages };
}

/** The pool's members at time t (the last change at or before it). */
function poolAt(result: SimulationResult, t: number): string[] {
  let members: readonly string[] = [];
  for (const p of result.pools) if (p.node === 'lb1' && p.t_ms <= t) members = p.members;
  return [...members].sort();
}

test('BFD_CHECK: a real server is in the pool while its session is Up, and out one Detection Time after its BFD dies', () => {
  const { result, bfd } = run([{ at: '6s', crash: 'web1' }]);
  const up = bfd.find((m) => m.node === 'lb1' && m.session === 'web1' && m.to === 'Up')!;
  assert.ok(up, 'the session to web1 comes Up');
  // Before the session is Up web1 is not in the pool; after, it is.
  const firstWith = result.pools.find((p) => p.node === 'lb1' && p.members.includes(WEB1))!;
  assert.ok(firstWith.t_ms >= up.at, `web1 joined at ${firstWith.t_ms}, session Up at ${up.at}`);
  assert.deepEqual(poolAt(result, 5000), [WEB1, WEB2, WEB3]);
  const down = bfd.find((m) => m.node === 'lb1' && m.session === 'web1' && m.to === 'Down' && m.at >= 6000)!;
  assert.ok(down.at - 6000 <= 30 + 0.2 + 1e-6, `Down ${down.at - 6000} ms after the crash`);
  const left = result.pools.find((p) => p.node === 'lb1' && p.t_ms >= 6000 && !p.members.includes(WEB1))!;
  assert.equal(left.t_ms, down.at, 'web1 leaves the pool as its session goes Down');
  assert.deepEqual(poolAt(result, 11_000), [WEB2, WEB3]);
});

test('BFD_CHECK with a TCP_CHECK: the real server leaves the pool when either fails, and comes back only when both are up', () => {
  const { result, bfd } = run(
    [
      { at: '5s', server: { target: WEB3, state: 'refuse' } },
      { at: '8s', server: { target: WEB3, state: 'up' } },
      { at: '11s', crash: 'web3' },
    ],
    '14s',
  );
  // BFD Up, TCP refused: out (web1 and web2 stay).
  assert.deepEqual(poolAt(result, 7500), [WEB1, WEB2]);
  // Both up again: back.
  assert.deepEqual(poolAt(result, 10_500), [WEB1, WEB2, WEB3]);
  // TCP answers, BFD Down: out, at the session's Down.
  const down = bfd.find((m) => m.node === 'lb1' && m.session === 'web3' && m.to === 'Down' && m.at >= 11_000)!;
  const left = result.pools.find((p) => p.node === 'lb1' && p.t_ms >= 11_000 && !p.members.includes(WEB3))!;
  assert.equal(left.t_ms, down.at);
  assert.deepEqual(poolAt(result, 13_900), [WEB1, WEB2]);
});
