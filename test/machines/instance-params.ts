/**
 * VRRP instance parameters for the machine tests: VI_1, VRID 51, VRRPv3, priority 100, 1 s adverts, preempt, one
 * announcement on becoming master and no GARP schedule beyond it; `over` changes what a test is about. Also the
 * effect log those tests read. Only exports.
 */
import type { VrrpInstanceParams } from '../../machines/vrrp-instance.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

export function instanceParams(over: Partial<VrrpInstanceParams> = {}): VrrpInstanceParams {
  return {
    name: 'VI_1',
    vrid: 51,
    version: 3,
    priority: 100,
    advertIntervalCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    downTimerAdverts: 3,
    garpMasterDelayMs: 0,
    garpMasterRepeat: 1,
    garpMasterRefreshMs: 0,
    garpMasterRefreshRepeat: 1,
    garpIntervalMs: 0,
    garpLowerPrioRepeat: 0,
    garpLowerPrioDelayMs: 0,
    garpExtraIfMs: 0,
    ...over,
  };
}

/** A virtual clock and a log of "time what" lines; `at(what)` is an action logging `what` at the clock's now. */
export function effectLog(): { clock: VirtualClock; log: string[]; at: (what: string) => () => void } {
  const clock = new VirtualClock();
  const log: string[] = [];
  return { clock, log, at: (what) => () => void log.push(`${clock.now()} ${what}`) };
}
