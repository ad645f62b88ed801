/**
 * The machines `vigil viz` can draw, by name. Each entry names its file in machines/ and its export; a file that is
 * not in this build (the checker side lands separately) is simply absent from the list. To add a machine, add a
 * line here.
 */
import type { AnyStateMachine } from 'xstate';

export interface MachineEntry {
  /** Name on the command line, e.g. `vigil viz sync-group`. */
  readonly name: string;
  /** Other accepted spellings (keepalived's block names among them). */
  readonly aliases: readonly string[];
  readonly description: string;
  /** File in machines/, without extension. */
  readonly file: string;
  /** Preferred export; otherwise the first exported state machine of the file. */
  readonly exportName: string;
}

export const MACHINES: readonly MachineEntry[] = [
  { name: 'vrrp-instance', aliases: ['vrrp', 'vrrp_instance', 'instance'], description: 'a vrrp_instance (RFC 5798 §6.4)', file: 'vrrp-instance', exportName: 'vrrpInstanceMachine' },
  { name: 'sync-group', aliases: ['vrrp_sync_group', 'group'], description: 'a vrrp_sync_group', file: 'sync-group', exportName: 'syncGroupMachine' },
  { name: 'vrrp-script', aliases: ['vrrp_script', 'script', 'tracked-script'], description: 'a tracked vrrp_script', file: 'tracked-script', exportName: 'trackedScriptMachine' },
  { name: 'track-file', aliases: ['vrrp_track_file', 'track_file', 'polled-tracker'], description: 'a tracked file', file: 'polled-tracker', exportName: 'polledTrackerMachine' },
  { name: 'track-process', aliases: ['vrrp_track_process', 'track_process', 'tracked-process'], description: 'a tracked process (quorum, fork_delay, terminate_delay)', file: 'tracked-process', exportName: 'trackedProcessMachine' },
  { name: 'checker', aliases: ['health-checker', 'TCP_CHECK', 'HTTP_GET'], description: 'a health checker of a real server', file: 'checker', exportName: 'checkerMachine' },
  { name: 'real-server', aliases: ['real_server'], description: 'a real_server of a virtual_server', file: 'real-server', exportName: 'realServerMachine' },
  { name: 'virtual-server', aliases: ['virtual_server'], description: 'a virtual_server (quorum, sorry server)', file: 'virtual-server', exportName: 'virtualServerMachine' },
  { name: 'watchdog', aliases: ['supervisor'], description: 'the watchdog restarting failed children', file: 'watchdog', exportName: 'watchdogMachine' },
];

export const DEFAULT_MACHINE = 'vrrp-instance';

export function findEntry(name: string): MachineEntry | undefined {
  const wanted = name.toLowerCase();
  return MACHINES.find((m) => m.name === wanted || m.aliases.some((a) => a.toLowerCase() === wanted));
}

function isMachine(value: unknown): value is AnyStateMachine {
  return typeof value === 'object' && value !== null && 'root' in value && 'config' in value && 'id' in value;
}

/** Loads an entry's machine; undefined when its file is not part of this build. */
export async function loadMachine(entry: MachineEntry): Promise<AnyStateMachine | undefined> {
  let module: Record<string, unknown>;
  // A computed specifier: the file may not exist in this build, and the compiler must not insist that it does.
  const url = new URL(`../machines/${entry.file}.js`, import.meta.url);
  try {
    module = (await import(url.href)) as Record<string, unknown>;
  } catch (err) {
    // Only the file itself missing means "not in this build"; a module it imports failing is a real error.
    const missing = (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(url.pathname);
    if (missing) return undefined;
    throw err;
  }
  const preferred = module[entry.exportName];
  if (isMachine(preferred)) return preferred;
  return Object.values(module).find(isMachine);
}

/** The entries whose machine is present in this build. */
export async function availableMachines(): Promise<MachineEntry[]> {
  const out: MachineEntry[] = [];
  for (const entry of MACHINES) if (await loadMachine(entry)) out.push(entry);
  return out;
}
