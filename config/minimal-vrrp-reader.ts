/**
 * A minimal reader of keepalived.conf's VRRP blocks (vrrp_instance, vrrp_sync_group, vrrp_script, and
 * global_defs' vrrp_version), enough for the simulator until the full parser (config/parse.ts) lands. Unknown
 * keywords and blocks are skipped. Errors carry file:line.
 */
import type { KeepalivedConfig, VrrpInstanceConfig, VrrpScriptConfig } from '../actors/instance-specs.js';

export class MinimalConfigError extends Error {}

interface Token {
  readonly text: string;
  readonly line: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/[#!].*$/, '');
    for (const m of line.matchAll(/"([^"]*)"|\{|\}|[^\s{}"]+/g)) tokens.push({ text: m[1] ?? m[0], line: n + 1 });
  }
  return tokens;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function readVrrpConfig(text: string, file: string): KeepalivedConfig {
  const tokens = tokenize(text);
  let pos = 0;
  const fail = (token: Token | undefined, message: string): never => {
    throw new MinimalConfigError(`${file}:${token?.line ?? tokens.at(-1)?.line ?? 1}: ${message}`);
  };
  const next = (): Token => tokens[pos++] ?? fail(undefined, 'unexpected end of file');
  const peek = (): Token | undefined => tokens[pos];
  const expectOpen = (): void => {
    const t = next();
    if (t.text !== '{') fail(t, `expected "{" but found "${t.text}"`);
  };
  /** Words up to the end of the keyword's line. */
  const restOfLine = (line: number): string[] => {
    const out: string[] = [];
    while (peek() && peek()!.line === line && peek()!.text !== '{' && peek()!.text !== '}') out.push(next().text);
    return out;
  };
  const skipBlock = (): void => {
    let depth = 1;
    while (depth > 0) {
      const t = next();
      if (t.text === '{') depth++;
      else if (t.text === '}') depth--;
    }
  };
  const blockLines = (): Token[][] => {
    expectOpen();
    const out: Token[][] = [];
    for (;;) {
      const t = next();
      if (t.text === '}') return out;
      const line = [t];
      while (peek() && peek()!.line === t.line && peek()!.text !== '}' && peek()!.text !== '{') line.push(next());
      out.push(line);
    }
  };
  const int = (t: Token, keyword: string, min: number, max: number, value = t.text): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) fail(t, `${keyword}: "${value}" is not an integer from ${min} to ${max}`);
    return n;
  };

  let defaultVersion: 2 | 3 = 2;
  const instances: Mutable<VrrpInstanceConfig>[] = [];
  const groups: { name: string; group: string[] }[] = [];
  const scripts: Mutable<VrrpScriptConfig>[] = [];
  const globalDefs: { scriptUser?: string; scriptGroup?: string; notifyFifo?: string; routerId?: string } = {};

  while (pos < tokens.length) {
    const t = next();
    if (t.text === 'global_defs') {
      for (const line of blockLines()) {
        if (line[0]!.text === 'vrrp_version') defaultVersion = int(line[1] ?? line[0]!, 'vrrp_version', 2, 3) as 2 | 3;
        if (line[0]!.text === 'script_user' && line[1]) {
          globalDefs.scriptUser = line[1].text;
          if (line[2]) globalDefs.scriptGroup = line[2].text;
        }
        if ((line[0]!.text === 'notify_fifo' || line[0]!.text === 'vrrp_notify_fifo') && line[1]) globalDefs.notifyFifo = line[1].text;
        if (line[0]!.text === 'router_id' && line[1]) globalDefs.routerId = line[1].text;
      }
    } else if (t.text === 'vrrp_instance') {
      instances.push(readInstance(next().text, t));
    } else if (t.text === 'vrrp_sync_group') {
      const name = next().text;
      expectOpen();
      const members: string[] = [];
      while (peek()?.text !== '}') {
        const k = next();
        if (k.text === 'group') {
          expectOpen();
          while (peek()?.text !== '}') members.push(next().text);
          next();
        } else if (peek()?.text === '{') {
          next();
          skipBlock();
        } else restOfLine(k.line);
      }
      next();
      groups.push({ name, group: members });
    } else if (t.text === 'vrrp_script') {
      const name = next().text;
      const script: Mutable<VrrpScriptConfig> = { name };
      for (const line of blockLines()) {
        const key = line[0]!.text;
        const arg = line[1] ?? line[0]!;
        if (key === 'weight') script.weight = int(arg, 'weight', -254, 254);
        if (key === 'init_fail') script.initFail = true;
        if (key === 'script') script.script = line.slice(1).map((w) => w.text).join(' ');
        if (key === 'interval') script.interval = int(arg, 'interval', 1, 1_000_000);
        if (key === 'timeout') script.timeout = int(arg, 'timeout', 1, 1_000_000);
        if (key === 'rise') script.rise = int(arg, 'rise', 1, 1_000_000);
        if (key === 'fall') script.fall = int(arg, 'fall', 1, 1_000_000);
        if (key === 'user' && line[1]) script.user = line[1].text;
      }
      scripts.push(script);
    } else if (peek()?.text === '{' || tokens[pos + 1]?.text === '{') {
      while (next().text !== '{');
      skipBlock();
    } else {
      restOfLine(t.line);
    }
  }
  for (const i of instances) if ((i.version as number) === 0) i.version = defaultVersion;
  return { vrrpInstances: instances, vrrpSyncGroups: groups, vrrpScripts: scripts, globalDefs };

  function readInstance(name: string, at: Token): Mutable<VrrpInstanceConfig> {
    const instance: Mutable<VrrpInstanceConfig> = {
      name,
      interface: '',
      virtualRouterId: 0,
      priority: 100,
      advertIntervalCs: 100,
      version: 0 as 2 | 3,
      nopreempt: false,
      preemptDelaySeconds: 0,
      lowerPrioNoAdvert: false,
      authentication: undefined,
      virtualIpAddresses: [],
      unicastSrcIp: undefined,
      unicastPeers: [],
      trackInterfaces: [],
      trackScripts: [],
      trackFiles: [],
      trackProcesses: [],
      garpMasterDelay: 5,
      garpMasterRepeat: 5,
      garpMasterRefresh: 0,
    };
    let state: string | undefined;
    let priorityGiven = false;
    expectOpen();
    for (;;) {
      const k = next();
      if (k.text === '}') break;
      const words = (): Token[] => {
        const out: Token[] = [];
        while (peek() && peek()!.line === k.line && peek()!.text !== '{' && peek()!.text !== '}') out.push(next());
        return out;
      };
      const value = (): Token => words()[0] ?? fail(k, `${k.text}: a value is needed`);
      switch (k.text) {
        case 'state':
          state = value().text;
          if (state !== 'MASTER' && state !== 'BACKUP') fail(k, `state: "${state}" is not MASTER or BACKUP`);
          break;
        case 'interface':
          instance.interface = value().text;
          break;
        case 'virtual_router_id':
          instance.virtualRouterId = int(k, 'virtual_router_id', 1, 255, value().text);
          break;
        case 'priority':
          instance.priority = int(k, 'priority', 1, 255, value().text);
          priorityGiven = true;
          break;
        case 'advert_int': {
          const v = value().text;
          const seconds = Number(v);
          if (!(seconds > 0 && seconds <= 40.95)) fail(k, `advert_int: "${v}" is not a number of seconds from 0.01 to 40.95`);
          instance.advertIntervalCs = Math.round(seconds * 100);
          break;
        }
        case 'version':
          instance.version = int(k, 'version', 2, 3, value().text) as 2 | 3;
          break;
        case 'nopreempt':
          instance.nopreempt = true;
          break;
        case 'preempt':
          instance.nopreempt = false;
          break;
        case 'preempt_delay':
          instance.preemptDelaySeconds = int(k, 'preempt_delay', 0, 1000, value().text);
          break;
        case 'lower_prio_no_advert':
          instance.lowerPrioNoAdvert = true;
          break;
        case 'garp_master_delay':
          instance.garpMasterDelay = int(k, 'garp_master_delay', 0, 1000, value().text);
          break;
        case 'garp_master_repeat':
          instance.garpMasterRepeat = int(k, 'garp_master_repeat', 1, 255, value().text);
          break;
        case 'garp_master_refresh':
          instance.garpMasterRefresh = int(k, 'garp_master_refresh', 0, 100000, value().text);
          break;
        case 'notify_master':
        case 'notify_backup':
        case 'notify_fault':
        case 'notify_stop':
        case 'notify': {
          const line = words().map((w) => w.text).join(' ');
          if (line === '') fail(k, `${k.text}: a script is needed`);
          const field = ({ notify_master: 'notifyMaster', notify_backup: 'notifyBackup', notify_fault: 'notifyFault', notify_stop: 'notifyStop', notify: 'notify' } as const)[k.text];
          instance[field] = line;
          break;
        }
        case 'unicast_src_ip':
          instance.unicastSrcIp = value().text;
          break;
        case 'authentication': {
          let type: 'PASS' | 'AH' = 'PASS';
          let password = '';
          for (const line of blockLines()) {
            if (line[0]!.text === 'auth_type') type = line[1]?.text === 'AH' ? 'AH' : 'PASS';
            if (line[0]!.text === 'auth_pass') password = (line[1]?.text ?? '').slice(0, 8);
          }
          instance.authentication = { type, password };
          break;
        }
        case 'virtual_ipaddress':
          instance.virtualIpAddresses = blockLines().map((line) => {
            const [addr, prefixText] = line[0]!.text.split('/');
            const family = addr!.includes(':') ? 6 : 4;
            const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : int(line[0]!, 'virtual_ipaddress', 0, family === 4 ? 32 : 128, prefixText);
            const option = (name: string): string | undefined => {
              const i = line.findIndex((w) => w.text === name);
              return i >= 0 ? line[i + 1]?.text : undefined;
            };
            return { address: addr!, prefix, family, dev: option('dev'), scope: option('scope'), label: option('label'), broadcast: option('brd') };
          });
          break;
        case 'unicast_peer':
          instance.unicastPeers = blockLines().map((line) => ({ address: line[0]!.text }));
          break;
        case 'track_interface':
        case 'track_script': {
          const list = blockLines().map((line) => {
            const w = line.findIndex((x) => x.text === 'weight');
            return { name: line[0]!.text, weight: w >= 0 ? int(line[w + 1] ?? line[w]!, 'weight', -254, 254) : undefined };
          });
          if (k.text === 'track_interface') instance.trackInterfaces = list;
          else instance.trackScripts = list;
          break;
        }
        default:
          if (peek()?.text === '{' && peek()!.line === k.line) {
            next();
            skipBlock();
          } else {
            words();
            if (peek()?.text === '{') {
              next();
              skipBlock();
            }
          }
      }
    }
    if (instance.interface === '') fail(at, `vrrp_instance ${name}: interface is missing`);
    if (instance.virtualRouterId === 0) fail(at, `vrrp_instance ${name}: virtual_router_id is missing`);
    // keepalived: `state MASTER` without a priority makes the instance the address owner.
    if (state === 'MASTER' && !priorityGiven) instance.priority = 255;
    return instance;
  }
}
