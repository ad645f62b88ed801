/**
 * The simulated run the BFD page and timeline tests draw: lb1 tracks its BFD session to a gateway (10 ms × 3), and
 * at 4 s the gateway's link fails (its process lives on; or, with `crash`, the gateway crashes): both ends of the
 * session go Down, lb1's instance FAULT.
 * Only exports: the test runner executes this file too, and it does nothing then.
 */
import type { ObservedEvent } from '../../observe/observed-event.js';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation } from '../../sim/run.js';
import { observeInto } from './observe-into.js';

const session = (name: string, neighbor: string): string => `bfd_instance ${name} {\n  neighbor_ip ${neighbor}\n  min_rx 10\n  min_tx 10\n  multiplier 3\n}\n`;
const LB = `${session('gw', '192.168.77.1')}vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    192.168.77.100/24\n  }\n  track_bfd {\n    gw\n  }\n}\n`;

/** The run's observed events and its duration. */
export function bfdGatewayRun(failure: 'link' | 'crash' = 'link'): { events: ObservedEvent[]; durationMs: number } {
  const text = JSON.stringify({
    duration: '6s',
    network: { latency: '0.2ms' },
    nodes: {
      lb1: { config: LB, interfaces: { eth0: '192.168.77.11/24' } },
      gw: { config: session('lb1', '192.168.77.11'), interfaces: { eth0: '192.168.77.1/24' } },
    },
    events: [failure === 'link' ? { at: '4s', link: { node: 'gw', interface: 'eth0', up: false } } : { at: '4s', crash: 'gw' }],
  });
  const events: ObservedEvent[] = [];
  const result = runSimulation(parseScenario(text, 'bfd-gateway.json'), {
    seed: 1,
    observe: observeInto((e) => events.push(e)),
  });
  return { events, durationMs: result.duration_ms };
}
