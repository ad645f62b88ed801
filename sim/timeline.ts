/**
 * What a simulation run produced, in virtual milliseconds: transitions, VIP changes, the faults that were
 * injected, and drop counts. Fed by the bus; read by the invariant checkers and the report printers.
 */
import type { Subscription } from 'rxjs';
import type { Bus } from '../actors/bus.js';
import type { VrrpStateName } from '../machines/vrrp-instance.js';
import type { ScenarioAction } from './scenario.js';

export interface TimelineTransition {
  readonly t_ms: number;
  readonly node: string;
  readonly instance: string;
  readonly from: VrrpStateName;
  readonly to: VrrpStateName;
}

export interface TimelineVip {
  readonly t_ms: number;
  readonly node: string;
  readonly address: string;
  readonly action: 'add' | 'del';
}

export interface TimelineFault {
  readonly t_ms: number;
  readonly action: ScenarioAction;
}

/** Rounds virtual time to the microsecond, the resolution of VRRP timers, so output never shows float noise. */
export function roundTime(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class Timeline {
  readonly transitions: TimelineTransition[] = [];
  readonly vips: TimelineVip[] = [];
  readonly faults: TimelineFault[] = [];
  readonly drops: Record<string, number> = {};
  advertsSent = 0;
  /** Packet loss probability the network starts with (the invariants treat a lossy network as not connected). */
  initialLoss = 0;
  /** Whether packets may overtake each other at the start (jitter or reordering). */
  initialReordering = false;

  record(bus: Bus): Subscription {
    return bus.messages$.subscribe((m) => {
      switch (m.kind) {
        case 'transition':
          this.transitions.push({ t_ms: roundTime(m.at), node: m.node, instance: m.instance, from: m.from, to: m.to });
          break;
        case 'vip':
          this.vips.push({ t_ms: roundTime(m.at), node: m.node, address: m.address, action: m.action });
          break;
        case 'drop':
          this.drops[m.reason] = (this.drops[m.reason] ?? 0) + 1;
          break;
        case 'advert_sent':
          this.advertsSent++;
          break;
        default:
          break;
      }
    });
  }

  fault(atMs: number, action: ScenarioAction): void {
    this.faults.push({ t_ms: roundTime(atMs), action });
  }
}
