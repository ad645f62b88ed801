/**
 * A site of running daemons on one page (`vigil site URL…`): each daemon's records, read over its HTTP endpoint
 * (peer-link.ts), moved onto this process's clock by the peer's estimated offset (clock-offset.ts), with its node
 * named as the site names it (record-map.ts), merged in time order (merge-buffer.ts) into one stream the
 * endpoint serves as it serves a daemon's (observe/http-server.ts): the page the simulator writes, lanes per
 * node. A peer that cannot be reached is a band of its own on its lanes (a `process` record with cause
 * `unreachable`, from the last time it was heard) until it is heard again; the page's header lists the peers
 * with their state and clock offsets (`snapshot()`, `/site`), and the VIP holder of every VRID across the
 * routers is read from the merged lanes.
 */
import { Subject, type Observable } from 'rxjs';
import type { Clock } from '../../machines/clock.js';
import type { ObservedSource, SiteView } from '../http-server.js';
import type { MachineGraph } from '../machine-graph.js';
import type { ObservedEvent } from '../observed-event.js';
import { createLaneModel, type LaneModel } from '../page/lane-model.js';
import { MergeBuffer } from './merge-buffer.js';
import { PeerLink, type PeerLinkOptions } from './peer-link.js';
import { mapRecord } from './record-map.js';
import type { SitePeerView, SiteSnapshot } from './site-snapshot.js';

export type { SitePeerView, SiteSnapshot, SiteVrid } from './site-snapshot.js';

/** The cause of the band drawn while a peer cannot be reached (observe/page/lane-model.ts shows it as such). */
export const UNREACHABLE = 'unreachable';

export interface SitePeerSpec {
  readonly url: string;
  /** The node name the site shows (default: the one the daemon reports). */
  readonly name?: string | undefined;
}

export interface SiteOptions {
  readonly peers: readonly SitePeerSpec[];
  /** The token the peers' endpoints require. */
  readonly token?: string | undefined;
  readonly clock: Clock;
  readonly wallClock?: (() => number) | undefined;
  readonly fetch?: typeof fetch | undefined;
  /** Timeouts and retries of the peer links (peer-link.ts). */
  readonly link?: Omit<PeerLinkOptions, 'url' | 'token' | 'clock' | 'wallClock' | 'fetch'> | undefined;
}

interface Peer {
  readonly spec: SitePeerSpec;
  readonly link: PeerLink;
  name: string | undefined;
  since: number;
  /** The last record's site time: a peer's records stay in order when its offset estimate moves. */
  lastAt: number;
  /** Drawn unreachable on the page (a band is open). */
  banded: boolean;
}

export class Site implements ObservedSource, SiteView {
  private readonly subject = new Subject<ObservedEvent>();
  readonly events$: Observable<ObservedEvent> = this.subject.asObservable();
  readonly graphs = new Map<string, MachineGraph>();
  private readonly changes = new Subject<SiteSnapshot>();
  readonly changes$: Observable<SiteSnapshot> = this.changes.asObservable();
  private readonly model: LaneModel = createLaneModel();
  private readonly merge = new MergeBuffer((e) => this.out(e));
  private readonly peers: Peer[] = [];
  /** The site's own records (a peer unreachable, reachable again) go into the merge under this source. */
  private static readonly SELF = '';

  constructor(private readonly options: SiteOptions) {
    for (const spec of options.peers) {
      // The link's callbacks run after `peer` exists (the link starts in start()).
      const link = new PeerLink(
        { ...(options.link ?? {}), url: spec.url, token: options.token, clock: options.clock, wallClock: options.wallClock, fetch: options.fetch },
        {
          connected: (node) => this.connected(peer, node),
          record: (e) => this.record(peer, e),
          caughtUp: () => this.caughtUp(peer),
          tick: (now) => this.tick(peer, now),
          unreachable: (_error, lastHeard) => this.unreachable(peer, lastHeard),
          offset: () => this.changed(),
        },
      );
      const peer: Peer = { spec, link, name: spec.name, since: options.clock.now(), lastAt: -Infinity, banded: false };
      this.peers.push(peer);
    }
  }

  /** Connects to every peer. Records are held until each peer has told its backlog or was found unreachable. */
  start(): void {
    for (const p of this.peers) this.merge.hold(p.link.url);
    for (const p of this.peers) p.link.start();
  }

  close(): void {
    for (const p of this.peers) p.link.close();
    this.subject.complete();
    this.changes.complete();
  }

  snapshot(): SiteSnapshot {
    const peers = this.peers.map((p): SitePeerView => {
      const estimate = p.link.estimate();
      return {
        url: p.link.url,
        name: p.name,
        state: p.link.state,
        since: p.since,
        ...(p.link.error === undefined ? {} : { error: p.link.error }),
        ...(estimate === undefined ? {} : { offsetMs: estimate.offsetMs, rttMs: estimate.rttMs, wallOffsetMs: estimate.wallOffsetMs }),
        records: p.link.records,
        late: this.merge.late.get(p.link.url) ?? 0,
      };
    });
    const vrids = new Map<string, { vrid: number; iface: string | undefined; masters: string[]; holders: string[] }>();
    for (const lane of this.model.lanes) {
      if (lane.vrid === undefined) continue;
      const key = `${lane.iface ?? ''}:${lane.vrid}`;
      const entry = vrids.get(key) ?? { vrid: lane.vrid, iface: lane.iface, masters: [], holders: [] };
      vrids.set(key, entry);
      if (this.model.stateAt(lane, Infinity) === 'MASTER') entry.masters.push(lane.node);
      if (lane.holding.size > 0) entry.holders.push(lane.node);
    }
    const sorted = [...vrids.values()].sort((a, b) => a.vrid - b.vrid || (a.iface ?? '').localeCompare(b.iface ?? ''));
    return { now: this.options.clock.now(), peers, vrids: sorted };
  }

  private changed(): void {
    this.changes.next(this.snapshot());
  }

  private out(e: ObservedEvent): void {
    if (e.kind === 'machine' && !this.graphs.has(e.graph.id)) this.graphs.set(e.graph.id, e.graph);
    this.model.add(e);
    this.subject.next(e);
  }

  private connected(peer: Peer, node: string): void {
    if (peer.name === undefined) {
      // Two daemons on hosts of the same name stay two nodes: the second is named by its address too.
      const taken = this.peers.some((p) => p !== peer && p.name === node);
      peer.name = taken ? `${node}@${new URL(peer.link.url).host}` : node;
    }
    peer.since = this.options.clock.now();
    this.merge.hold(peer.link.url);
    this.changed();
  }

  private record(peer: Peer, e: ObservedEvent): void {
    const node = peer.link.node ?? '';
    const offset = peer.link.estimate()?.offsetMs ?? 0;
    // The peer's time T is the site's T − offset; never before the peer's previous record.
    const delta = Math.max(-offset, peer.lastAt - e.at);
    const mapped = mapRecord(e, delta, node, peer.name ?? node);
    peer.lastAt = mapped.at;
    this.merge.push(peer.link.url, mapped);
  }

  private caughtUp(peer: Peer): void {
    if (!peer.banded) return;
    // Heard again: the band ends now (a restarted daemon's own `start` record may have ended it already).
    peer.banded = false;
    this.merge.push(Site.SELF, { kind: 'process', at: this.options.clock.now(), node: peer.name ?? '', up: true, cause: 'reachable' });
  }

  private tick(peer: Peer, now: number): void {
    const offset = peer.link.estimate()?.offsetMs ?? 0;
    this.merge.advance(peer.link.url, Math.max(now - offset, peer.lastAt));
  }

  private unreachable(peer: Peer, lastHeard: number | undefined): void {
    peer.since = this.options.clock.now();
    if (peer.name !== undefined && !peer.banded) {
      peer.banded = true;
      this.merge.push(Site.SELF, { kind: 'process', at: Math.max(lastHeard ?? peer.since, peer.lastAt), node: peer.name, up: false, cause: UNREACHABLE });
    }
    this.merge.release(peer.link.url);
    this.changed();
  }
}
