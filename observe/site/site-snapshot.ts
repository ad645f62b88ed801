/**
 * What a site (`vigil site`, site.ts) tells beyond its records: its peers with their state and clock offsets, and
 * the masters and VIP holders of every VRID across them. Served at `/site`, in the page's boot data and as its
 * `site` events; plain JSON.
 */
import type { PeerState } from './peer-link.js';

export interface SitePeerView {
  readonly url: string;
  /** The node name on the page (undefined until the peer was first heard, unless given). */
  readonly name: string | undefined;
  readonly state: PeerState;
  /** Site time of the last change of state. */
  readonly since: number;
  readonly error?: string | undefined;
  /** Peer clock minus the site's (what the page's times are corrected by), and the round trip it came from. */
  readonly offsetMs?: number | undefined;
  readonly rttMs?: number | undefined;
  /** The peer host's wall clock minus the site host's. */
  readonly wallOffsetMs?: number | undefined;
  readonly records: number;
  /** Records that arrived after later ones had been shown (a backlog after a reconnection). */
  readonly late: number;
}

export interface SiteVrid {
  readonly vrid: number;
  readonly iface: string | undefined;
  /** Nodes whose instance of this VRID is MASTER now. */
  readonly masters: readonly string[];
  /** Nodes holding the VRID's addresses now, as their records tell. */
  readonly holders: readonly string[];
}

export interface SiteSnapshot {
  readonly now: number;
  readonly peers: readonly SitePeerView[];
  readonly vrids: readonly SiteVrid[];
}
