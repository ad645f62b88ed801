/**
 * use_vmac, use_ipvlan, vmac_xmit_base, use_vmac_addr and the per-address `use_vmac` completed as keepalived 2.2.7
 * completes them (vrrp_parser.c vrrp_end_handler, vrrp.c vrrp_complete_instance): what it corrects and carries on
 * with is a warning, and the result is what the runtime builds (actors/vrrp/virtual-interfaces.ts).
 */
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { IpAddress } from './model.js';
import type { InstanceDraft } from './keywords/vrrp-instance.js';

export interface VmacSettings {
  readonly useVmac?: { readonly interface?: string | undefined; readonly mac?: string | undefined } | undefined;
  readonly useIpvlan?: InstanceDraft['useIpvlan'];
  readonly vmacXmitBase: boolean;
  readonly promoteSecondaries: boolean;
  readonly virtualIpAddresses: readonly IpAddress[];
  readonly excludedVirtualIpAddresses: readonly IpAddress[];
}

export function finishVmac(v: InstanceDraft, name: string, at: SourcePosition, strict: boolean, d: Diagnostics): VmacSettings {
  let useVmac = v.useVmac;
  let useIpvlan = v.useIpvlan;
  let xmitBase = v.vmacXmitBase;
  let promoteSecondaries = v.promoteSecondaries;
  const family = v.family ?? 4;
  if (v.unicastPeers.length > 0 && (useVmac || useIpvlan)) {
    if (v.interface === undefined) {
      d.warning(at, `${name}: VMAC / ipvlan cannot be used with unicast and no interface - ignoring use_vmac / use_ipvlan`);
      useVmac = undefined;
      useIpvlan = undefined;
    } else if (!xmitBase) {
      d.warning(at, `${name}: unicast with use_vmac needs vmac_xmit_base - setting it`);
      xmitBase = true;
    }
  }
  if (useVmac?.mac !== undefined && strict) {
    d.warning(at, `${name}: a VMAC address cannot be given in strict mode - clearing`);
    useVmac = { interface: useVmac.interface };
  }
  if (useVmac?.mac !== undefined && useVmac.mac.split(':').length === 5 && v.virtualRouterId !== undefined) {
    // Five octets given: the VRID is the sixth (keepalived.conf(5) use_vmac).
    useVmac = { ...useVmac, mac: `${useVmac.mac}:${v.virtualRouterId.toString(16).padStart(2, '0')}` };
  }
  if (useVmac && xmitBase && strict) {
    d.warning(at, `${name}: strict mode requires vmac_xmit_base to be off - resetting`);
    xmitBase = false;
  }
  if ((useVmac || useIpvlan) && promoteSecondaries) {
    d.warning(at, `${name}: promote_secondaries is set on VMAC / ipvlan interfaces anyway - ignoring it`);
    promoteSecondaries = false;
  }
  if (xmitBase && !useVmac) {
    d.warning(at, `${name}: vmac_xmit_base is only valid with use_vmac - ignoring it`);
    xmitBase = false;
  }
  if (useIpvlan && useIpvlan.address === undefined && family === 4) {
    d.warning(at, `${name}: an IPv4 ipvlan needs an address (use_ipvlan … ADDRESS) - the instance stays in FAULT`);
  }
  const addresses = (list: readonly IpAddress[]): IpAddress[] =>
    list.map((a) => {
      if (!a.useVmac) return a;
      const onOwnInterface = a.dev === undefined || a.dev === v.interface;
      if (onOwnInterface && useVmac && a.family === family) {
        d.warning(a.at ?? at, `${name}: use_vmac is given for ${a.address} and for the instance - the address goes on the instance's VMAC`);
        return { ...a, useVmac: false };
      }
      if ((!onOwnInterface || a.family !== family) && v.useVmacAddr) {
        d.warning(a.at ?? at, `${name}: use_vmac_addr and use_vmac are both given for ${a.address}`);
        return { ...a, useVmac: false };
      }
      return a;
    });
  return {
    useVmac,
    useIpvlan,
    vmacXmitBase: xmitBase,
    promoteSecondaries,
    virtualIpAddresses: addresses(v.virtualIpAddresses),
    excludedVirtualIpAddresses: addresses(v.excludedVirtualIpAddresses),
  };
}
