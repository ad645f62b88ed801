/**
 * The track_* blocks a vrrp_instance and a vrrp_sync_group share, in the order keepalived.conf writes them, with
 * the tracked objects each names (their `weight reverse` decides what a line without reverse / noreverse means).
 * Used by the two writers of the resolved configuration, config/render.ts and config/dump.ts.
 */
import type { Config, TrackedByName, VrrpInstance } from './model.js';

export type TrackOwner = Pick<VrrpInstance, 'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses' | 'trackBfds'>;

export interface TrackedObject {
  readonly name: string;
  readonly weightReverse: boolean;
}

export interface TrackBlock {
  readonly keyword: string;
  readonly list: (owner: TrackOwner) => readonly TrackedByName[];
  readonly objects: (config: Config) => readonly TrackedObject[];
}

export const TRACK_BLOCKS: readonly TrackBlock[] = [
  { keyword: 'track_interface', list: (o) => o.trackInterfaces, objects: () => [] },
  { keyword: 'track_script', list: (o) => o.trackScripts, objects: (c) => c.vrrpScripts },
  { keyword: 'track_file', list: (o) => o.trackFiles, objects: (c) => c.trackFiles },
  { keyword: 'track_process', list: (o) => o.trackProcesses, objects: (c) => c.trackProcesses },
  { keyword: 'track_bfd', list: (o) => o.trackBfds, objects: (c) => c.bfdInstances },
];
