/**
 * What a virtual server asks of the load balancer, as a pure function of its state (keepalived ipwrapper.c,
 * ipvs_cmd): a live real server with its effective weight; a failed one removed, or kept with weight 0 under
 * `inhibit_on_failure`; while the quorum is lost and a sorry server exists, the sorry server alone (inhibited
 * servers stay at weight 0); with `sorry_server_inhibit`, the unused sorry server kept at weight 0.
 */
import type { AddressService, Destination, ForwardingMethod, FwmarkService, TunnelOptions, VirtualService } from './desired-state.js';

/** A service as the load balancer sees it, before its destinations are filled in. */
export type ServiceTemplate = Omit<AddressService, 'destinations' | 'sorry'> | Omit<FwmarkService, 'destinations' | 'sorry'>;

export interface PoolMember {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly forwarding: ForwardingMethod;
  readonly tunnel?: TunnelOptions;
  readonly inhibitOnFailure: boolean;
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
}

export interface PoolConfig {
  readonly services: readonly ServiceTemplate[];
  readonly sorryServer?: Destination;
  readonly sorryServerInhibit: boolean;
  readonly realServers: readonly PoolMember[];
}

export interface MemberState {
  readonly alive: boolean;
  readonly weight: number;
}

function destination(member: PoolMember, weight: number): Destination {
  return {
    address: member.address,
    port: member.port,
    weight,
    forwarding: member.forwarding,
    ...(member.tunnel !== undefined ? { tunnel: member.tunnel } : {}),
    ...(member.upperThreshold !== undefined ? { upperThreshold: member.upperThreshold } : {}),
    ...(member.lowerThreshold !== undefined ? { lowerThreshold: member.lowerThreshold } : {}),
  };
}

/** The destinations (and sorry server) of the virtual server's services. */
export function poolOf(
  config: PoolConfig,
  members: Readonly<Record<string, MemberState>>,
  quorumUp: boolean,
): { destinations: Destination[]; sorry: Destination | undefined } {
  const sorryInUse = !quorumUp && config.sorryServer !== undefined;
  const destinations: Destination[] = [];
  for (const member of config.realServers) {
    const state = members[member.key];
    const alive = state?.alive ?? false;
    if (alive && !sorryInUse) destinations.push(destination(member, state!.weight));
    else if (member.inhibitOnFailure) destinations.push(destination(member, 0));
  }
  const sorry = config.sorryServer;
  if (sorry !== undefined && !sorryInUse && config.sorryServerInhibit) {
    // keepalived s_svr_duplicates_rs: a sorry server that is also a real server is not added twice.
    const duplicate = destinations.some((d) => d.address === sorry.address && d.port === sorry.port);
    if (!duplicate) destinations.push({ ...sorry, weight: 0 });
  }
  return { destinations, sorry: sorryInUse ? sorry : undefined };
}

export function desiredServices(
  config: PoolConfig,
  members: Readonly<Record<string, MemberState>>,
  quorumUp: boolean,
): VirtualService[] {
  const { destinations, sorry } = poolOf(config, members, quorumUp);
  return config.services.map(
    (template) => ({ ...template, destinations, ...(sorry !== undefined ? { sorry } : {}) }) as VirtualService,
  );
}
