/**
 * VRRP instance parameters for the machine tests: VI_1, VRID 51, VRRPv3, priority 100, 1 s adverts, preempt, one
 * announcement on becoming master and no GARP schedule beyond it; `over` changes what a test is about.
 */
import type { VrrpInstanceParams } from '../../machines/vrrp-instance.js';

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
