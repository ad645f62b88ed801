/**
 * The names keepalived 2.2.7 derives from its process-level keywords, with vigil's prefix (core/main.c,
 * core/pidfile.c, core/global_data.c open_dump_file):
 * - pid file: `-p` wins; else with `instance NAME` `PIDDIR/vigil_NAME.pid`; else with `use_pid_dir` (which
 *   `instance` and `net_namespace` imply) `PIDDIR/vigil.pid`; else `/run/vigil.pid`. PIDDIR is /run/vigil/; under
 *   `net_namespace NS` keepalived bind-mounts /run/keepalived/NS over its pid directory in a mount namespace of
 *   its own, so the files are /run/vigil/NS/… seen from the host, which is where vigil puts them directly.
 * - dumps with `data_use_instance` and an instance or namespace: `vigil.NS_NAME.data` (NS, NAME or both).
 * - `reload_file` without a name: `PIDDIR/vigil.reload`, `PIDDIR/vigil_NAME.reload` with an instance.
 */
import type { GlobalDefs } from '../../config/keywords/global-defs.js';

export const PID_DIR = '/run/vigil';
export const DEFAULT_PID_FILE = '/run/vigil.pid';

type ProcessGlobals = Pick<GlobalDefs, 'instance' | 'netNamespace' | 'usePidDir' | 'dataUseInstance' | 'reloadFile'>;

/** The directory of the pid files when keepalived would use its pid directory, else undefined. */
export function pidDirectory(g: ProcessGlobals): string | undefined {
  if (g.netNamespace !== undefined) return `${PID_DIR}/${g.netNamespace}`;
  if (g.instance !== undefined || g.usePidDir) return PID_DIR;
  return undefined;
}

/** The main pid file: the one given with -p, else as keepalived names it. */
export function pidFilePath(g: ProcessGlobals, given?: string): string {
  if (given !== undefined) return given;
  const dir = pidDirectory(g);
  if (dir === undefined) return DEFAULT_PID_FILE;
  return g.instance !== undefined ? `${dir}/vigil_${g.instance}.pid` : `${dir}/vigil.pid`;
}

/** A dump file's name (`vigil.data`) with the namespace and instance in it when data_use_instance says so. */
export function dumpFileName(name: string, g: ProcessGlobals): string {
  if (g.dataUseInstance !== true || (g.instance === undefined && g.netNamespace === undefined)) return name;
  const dot = name.lastIndexOf('.');
  const tag = [g.netNamespace, g.instance].filter((p) => p !== undefined).join('_');
  return `${name.slice(0, dot)}.${tag}${name.slice(dot)}`;
}

/** reload_file: the file named, the default in the pid directory, or none. */
export function reloadFilePath(g: ProcessGlobals): string | undefined {
  if (g.reloadFile === undefined) return undefined;
  if (g.reloadFile !== true) return g.reloadFile;
  const dir = pidDirectory(g) ?? PID_DIR;
  return g.instance !== undefined ? `${dir}/vigil_${g.instance}.reload` : `${dir}/vigil.reload`;
}

type NameGlobals = Pick<GlobalDefs, 'processNames' | 'processName' | 'vrrpProcessName' | 'checkerProcessName'>;

/**
 * The VRRP thread's name. It is vigil's main thread, so it is also what keepalived's process_name names (the
 * parent process): vrrp_process_name, else process_name, else with process_names `vigil_vrrp` (keepalived_vrrp).
 */
export function vrrpThreadName(g: NameGlobals): string | undefined {
  return g.vrrpProcessName ?? g.processName ?? (g.processNames ? 'vigil_vrrp' : undefined);
}

/** The checker worker thread's name: checker_process_name, else with process_names `vigil_lvs` (keepalived_lvs). */
export function checkerThreadName(g: NameGlobals): string | undefined {
  return g.checkerProcessName ?? (g.processNames ? 'vigil_lvs' : undefined);
}
