/**
 * Script users and script files, checked as `keepalived -t` checks them (lib/notify.c, vrrp_parser.c,
 * check_misc.c, vrrp.c check_vrrp_script_security):
 * - `script_user`, a vrrp_script's `user` and a MISC_CHECK's `user` must name a user (and group) of this host;
 * - a script without a user of its own runs as script_user, else as keepalived_script when that user exists, else
 *   as root; with enable_script_security root is refused, so keepalived_script missing is an error at the first
 *   script (or notify FIFO) that needs it;
 * - a vrrp_script (when there is a vrrp_instance) must be found (a bare name through $PATH) and, run as root with
 *   enable_script_security, no part of its path may be writable by a non-root user (a directory with the sticky
 *   bit excepted), else keepalived disables it and `-t` fails.
 * keepalived drops, without failing `-t`, a notify or MISC_CHECK script that is missing, not executable or
 * insecure, or whose user does not exist: those are warnings here.
 */
import { basename, dirname, join } from 'node:path';
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { FileInfo, HostAccount, HostFacts } from './host-facts.js';
import type { Config, Script } from './model.js';

/** What keepalived calls the program of a command line: its first word, quotes and backslashes undone. */
export function programOf(command: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else out += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '\\' && i + 1 < command.length) out += command[++i];
    else if (c === ' ' || c === '\t') {
      if (out !== '') break;
    } else out += c;
  }
  return out;
}

/** keepalived's is_executable(). */
export function executableBy(file: FileInfo, who: HostAccount): boolean {
  if (who.uid === 0) return (file.mode & 0o111) !== 0;
  if (who.uid === file.uid) return (file.mode & 0o100) !== 0;
  return who.gid === file.gid ? (file.mode & 0o010) !== 0 : (file.mode & 0o001) !== 0;
}

/** The first part of `path` (from `/` down) a non-root user could replace, or undefined when none. */
export function insecurePart(path: string, host: Pick<HostFacts, 'lstat'>): string | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  const prefixes = [path.startsWith('/') ? '/' : '.', ...parts.map((_, i) => `${path.startsWith('/') ? '/' : ''}${parts.slice(0, i + 1).join('/')}`)];
  for (const [i, p] of prefixes.entries()) {
    const last = i === prefixes.length - 1;
    const s = host.lstat(p);
    if (!s) return p;
    if (last ? s.kind !== 'file' && s.kind !== 'symlink' : s.kind !== 'directory') return p;
    const writable = (s.gid !== 0 && (s.mode & 0o020) !== 0) || (s.mode & 0o002) !== 0;
    if (s.uid !== 0 || (((s.kind === 'directory' && (s.mode & 0o1000) === 0) || s.kind === 'file') && writable)) return p;
  }
  return undefined;
}

export type ScriptStatus =
  | { readonly kind: 'system' | 'ok' }
  | { readonly kind: 'missing' | 'not executable'; readonly path: string }
  | { readonly kind: 'insecure'; readonly path: string; readonly part: string };

/** What keepalived's check_script_secure() finds for a command run as `who`. */
export function scriptStatus(command: string, who: HostAccount, scriptSecurity: boolean, host: HostFacts): ScriptStatus {
  let program = programOf(command);
  // `<FILE`: keepalived only checks that the file can be opened, when it runs.
  if (/^<\s*\//.test(program) || /^<\s*$/.test(program)) return { kind: 'system' };
  if (!program.includes('/')) {
    const found = host.searchPath
      .map((dir) => join(dir === '' ? '.' : dir, program))
      .find((candidate) => {
        const s = host.stat(candidate);
        return s !== undefined && s.kind === 'file' && executableBy(s, who);
      });
    if (found === undefined) return { kind: 'missing', path: program };
    program = found;
  }
  const resolved = host.realpath(program);
  if (resolved === undefined) return { kind: 'missing', path: program };
  // keepalived runs the resolved path, but keeps the file name it was given when that names the same file.
  let checked = [resolved];
  if (basename(resolved) !== basename(program)) {
    const named = join(dirname(resolved), basename(program));
    if (host.stat(named)?.id === host.stat(resolved)?.id) checked = [named, resolved];
  }
  const file = host.stat(resolved);
  if (!file) return { kind: 'missing', path: program };
  if (!executableBy(file, who)) return { kind: 'not executable', path: program };
  const asRoot =
    who.uid === 0 || who.gid === 0 || (file.uid === 0 && (file.mode & 0o4100) === 0o4100) || (file.gid === 0 && (file.mode & 0o2010) === 0o2010);
  if (!asRoot || !scriptSecurity) return { kind: 'ok' };
  for (const p of checked) {
    const part = insecurePart(p, host);
    if (part !== undefined) return { kind: 'insecure', path: program, part };
  }
  return { kind: 'ok' };
}

interface ScriptUse {
  readonly owner: string;
  readonly at: SourcePosition;
  readonly command?: string | undefined;
  readonly user?: string | undefined;
  readonly group?: string | undefined;
  /** A vrrp_script: what keepalived refuses in `-t` (the others it drops quietly). */
  readonly track: boolean;
  /** vrrp_script and MISC_CHECK: an unknown user is an error (keepalived removes the script and `-t` fails). */
  readonly userIsError: boolean;
}

function uses(config: Config): ScriptUse[] {
  const out: ScriptUse[] = [];
  const notify = (owner: string, at: SourcePosition, keyword: string, s: Script | true | undefined, command = true): void => {
    if (s === undefined || s === true) return;
    out.push({ owner: `${owner}${keyword}`, at: s.at ?? at, command: command ? s.command : undefined, user: s.user, group: s.group, track: false, userIsError: false });
  };
  const g = config.globalDefs;
  const top: SourcePosition = { file: '', line: 0 };
  notify('', top, 'startup_script', g.startupScript);
  notify('', top, 'shutdown_script', g.shutdownScript);
  for (const [keyword, fifo, script] of [
    ['notify_fifo', g.notifyFifo, g.notifyFifoScript],
    ['vrrp_notify_fifo', g.vrrpNotifyFifo, g.vrrpNotifyFifoScript],
    ['lvs_notify_fifo', g.lvsNotifyFifo, g.lvsNotifyFifoScript],
  ] as const) {
    notify('', top, keyword, fifo, false);
    notify('', top, `${keyword}_script`, script);
  }
  if (config.vrrpInstances.length > 0) {
    for (const s of config.vrrpScripts) {
      out.push({ owner: `vrrp_script ${s.name}`, at: s.at, command: s.script, user: s.user, group: s.group, track: true, userIsError: true });
    }
  }
  for (const v of config.vrrpInstances) {
    const o = `vrrp_instance ${v.name}: `;
    notify(o, v.at, 'notify_master', v.notifyMaster);
    notify(o, v.at, 'notify_backup', v.notifyBackup);
    notify(o, v.at, 'notify_fault', v.notifyFault);
    notify(o, v.at, 'notify_stop', v.notifyStop);
    notify(o, v.at, 'notify_deleted', v.notifyDeleted);
    notify(o, v.at, 'notify', v.notify);
    notify(o, v.at, 'notify_master_rx_lower_pri', v.notifyMasterRxLowerPri);
  }
  for (const sg of config.vrrpSyncGroups) {
    const o = `vrrp_sync_group ${sg.name}: `;
    notify(o, sg.at, 'notify_master', sg.notifyMaster);
    notify(o, sg.at, 'notify_backup', sg.notifyBackup);
    notify(o, sg.at, 'notify_fault', sg.notifyFault);
    notify(o, sg.at, 'notify_stop', sg.notifyStop);
    notify(o, sg.at, 'notify', sg.notify);
  }
  for (const vs of config.virtualServers) {
    const a = vs.address;
    const o = `virtual_server ${a.kind === 'ip' ? `${a.ip} ${a.port}` : a.kind === 'fwmark' ? `fwmark ${a.fwmark}` : `group ${a.group}`}: `;
    notify(o, vs.at, 'quorum_up', vs.quorumUp);
    notify(o, vs.at, 'quorum_down', vs.quorumDown);
    for (const rs of vs.realServers) {
      const r = `real_server ${rs.ip} ${rs.port}: `;
      notify(r, rs.at, 'notify_up', rs.notifyUp);
      notify(r, rs.at, 'notify_down', rs.notifyDown);
      for (const c of rs.checkers) {
        if (c.type === 'MISC_CHECK') out.push({ owner: `${r}MISC_CHECK`, at: c.at, command: c.miscPath, user: c.user, group: c.group, track: false, userIsError: true });
      }
    }
  }
  return out;
}

export function checkScripts(config: Config, host: HostFacts, d: Diagnostics): void {
  const g = config.globalDefs;
  const security = g.enableScriptSecurity === true;
  const account = (user: string, group: string | undefined): HostAccount | string => {
    const u = host.user(user);
    if (!u) return `user ${user} does not exist`;
    if (group === undefined) return u;
    const gid = host.group(group);
    return gid === undefined ? `group ${group} does not exist` : { uid: u.uid, gid };
  };

  // The default script user: script_user, else keepalived_script, else root (refused with enable_script_security).
  let fallback: HostAccount | undefined;
  let fallbackProblem: string | undefined;
  if (g.scriptUser !== undefined) {
    const a = account(g.scriptUser.user, g.scriptUser.group);
    if (typeof a === 'string') d.error(g.scriptUser.at ?? { file: '', line: 0 }, `script_user: ${a}`);
    else fallback = a;
  } else {
    fallback = host.user('keepalived_script');
    if (!fallback && !security) fallback = { uid: 0, gid: 0 };
    if (!fallback) fallbackProblem = 'no script_user, no user keepalived_script on this host, and enable_script_security will not run scripts as root';
  }

  for (const use of uses(config)) {
    let who: HostAccount | undefined;
    if (use.user !== undefined) {
      const a = account(use.user, use.group);
      if (typeof a === 'string') {
        if (use.userIsError) d.error(use.at, `${use.owner}: ${a}`);
        else d.warning(use.at, `${use.owner}: ${a} - keepalived ignores this script`);
        continue;
      }
      who = a;
    } else {
      who = fallback;
      if (!who && fallbackProblem !== undefined) {
        d.error(use.at, `${use.owner}: ${fallbackProblem} - set script_user`);
        fallbackProblem = undefined; // keepalived reports it once
      }
    }
    if (!who || use.command === undefined) continue;
    const status = scriptStatus(use.command, who, security, host);
    const problem =
      status.kind === 'missing'
        ? `${status.path} not found${status.path.includes('/') ? '' : ' in $PATH'}`
        : status.kind === 'not executable'
          ? `${status.path} is not executable by uid ${who.uid}`
          : status.kind === 'insecure'
            ? `${status.part === status.path ? status.path : `${status.path} is insecure: ${status.part}`} can be changed by a user other than root (enable_script_security refuses that)`
            : undefined;
    if (problem === undefined) continue;
    // keepalived refuses a missing or insecure vrrp_script; a non-executable one it disables quietly.
    if (use.track && status.kind !== 'not executable') d.error(use.at, `${use.owner}: ${problem}`);
    else d.warning(use.at, `${use.owner}: ${problem} - keepalived disables this script`);
  }
}
