/**
 * Simulation scenarios: a JSON or YAML file naming the nodes (each with a keepalived.conf, as a path relative to
 * the scenario or inline text, and its interfaces), the network's behaviour and a schedule of faults. Bad input
 * is a ScenarioError whose message is one line naming the file and the problem.
 *
 * Tracked objects: each node runs its vrrp_script, track_file and track_process trackers as the daemon does, on a
 * simulated host where every program exits 0, no file exists (it reads as 0) and every tracked process runs.
 * `{ "at": T, "track": { "node": N, "id": "script:NAME", "up": false } }` makes vrrp_script NAME's program exit 1
 * from T on (`true`: 0); `"id": "file:NAME"` writes 1 (down) or 0 (up) into track_file NAME's file, or the
 * integer given as `"value"` instead of `"up"`; `"id": "process:NAME"` stops (down) or starts (up) the processes
 * track_process NAME counts, or makes `"value"` copies run (forks of a running one, or exits). The node notices on
 * its trackers' own schedule (interval, rise, fall; one second for files; processes at once, as the kernel's
 * process events tell, then fork_delay / terminate_delay). An id the node's configuration does not define is an input error; any other id (e.g.
 * `interface:eth1`) reaches the node's instances at once. Notify scripts are not run but recorded, with their
 * arguments and virtual time, in the readable report.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from './duration.js';

export interface NetworkSettings {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly loss: number;
  readonly duplication: number;
  readonly reorder: number;
}

export interface ScenarioNode {
  readonly name: string;
  /** keepalived.conf text, and the file it came from (the scenario itself for inline text). */
  readonly configText: string;
  readonly configFile: string;
  /** Interface name → "address/prefix" list (IPv4 and/or IPv6). */
  readonly interfaces: Readonly<Record<string, readonly string[]>>;
}

export type ScenarioAction =
  | { readonly kind: 'crash'; readonly node: string }
  | { readonly kind: 'restart'; readonly node: string }
  | { readonly kind: 'stop'; readonly node: string }
  | { readonly kind: 'start'; readonly node: string }
  | { readonly kind: 'partition'; readonly groups: readonly (readonly string[])[] }
  | { readonly kind: 'heal' }
  | { readonly kind: 'link'; readonly node: string; readonly interface: string; readonly up: boolean }
  /**
   * `ip link del` (present false) and the interface created again under its name (present true: up, with its
   * configured addresses, a new attachment that channels must bind to again).
   */
  | { readonly kind: 'interface'; readonly node: string; readonly interface: string; readonly present: boolean }
  | { readonly kind: 'network'; readonly settings: Partial<NetworkSettings> }
  /**
   * A tracked object of a node changes on its host: `script:NAME` exits 0/1, `file:NAME` holds 0/1 (or `value`),
   * `process:NAME` runs or not, or runs `value` copies (sim/sim-tracked-objects.ts); the node's trackers notice it
   * on their own schedule.
   */
  | { readonly kind: 'track'; readonly node: string; readonly id: string; readonly up: boolean; readonly value?: number }
  /** A simulated real server changes: up (answers), down/silent (probes time out), refuse (connection refused). */
  | { readonly kind: 'server'; readonly target: string; readonly state: SimServerMode };

export interface ScenarioEvent {
  readonly atMs: number;
  readonly action: ScenarioAction;
}

/** A simulated real server's behaviour towards health checks (sim/simulated-prober.ts). */
export type SimServerMode = 'up' | 'refuse' | 'silent';

export interface Scenario {
  readonly file: string;
  readonly durationMs: number;
  readonly network: NetworkSettings;
  /** Simulated real servers ("address:port" or "address") at the start; any real server not named is up. */
  readonly servers: Readonly<Record<string, SimServerMode>>;
  readonly nodes: readonly ScenarioNode[];
  readonly events: readonly ScenarioEvent[];
  /**
   * Client flows sent through an ECMP router to the directors of every lb_algo mh virtual service, and judged
   * (sim/ecmp-flows.ts); absent = none.
   */
  readonly flows?: number;
}

export class ScenarioError extends Error {}

type Json = Record<string, unknown>;

function serverMode(value: unknown, fail: (problem: string) => never, where: string): SimServerMode {
  if (value === 'up' || value === 'refuse' || value === 'silent') return value;
  if (value === 'down') return 'silent';
  return fail(`${where}: not up, down, refuse or silent: ${JSON.stringify(value)}`);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScenarioError(`${path}: cannot read scenario (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseScenario(text, path);
}

export function parseScenario(text: string, file: string, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Scenario {
  const fail = (problem: string): never => {
    throw new ScenarioError(`${file}: ${problem}`);
  };
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return fail(`not valid ${file.endsWith('.json') ? 'JSON' : 'YAML/JSON'}: ${first}`);
  }
  if (!isObject(raw)) return fail('a scenario must be an object with "nodes"');

  const durationMs = raw.duration === undefined ? 60_000 : parseDuration(raw.duration);
  if (durationMs === undefined || durationMs <= 0) return fail(`"duration": not a duration: ${JSON.stringify(raw.duration)}`);

  const network = parseNetwork(raw.network ?? {}, fail, 'network');
  const defaults: NetworkSettings = {
    latencyMs: network.latencyMs ?? 1,
    jitterMs: network.jitterMs ?? 0,
    loss: network.loss ?? 0,
    duplication: network.duplication ?? 0,
    reorder: network.reorder ?? 0,
  };

  if (!isObject(raw.nodes) || Object.keys(raw.nodes).length === 0) return fail('"nodes": at least one node is needed');
  const nodes: ScenarioNode[] = [];
  for (const [name, value] of Object.entries(raw.nodes)) {
    if (!isObject(value)) return fail(`node "${name}": must be an object with "config" and "interfaces"`);
    if (typeof value.config !== 'string' || value.config.trim() === '') return fail(`node "${name}": "config" must be a file path or keepalived.conf text`);
    const inline = /[{\n]/.test(value.config);
    let configText = value.config;
    let configFile = file;
    if (!inline) {
      configFile = resolve(dirname(file), value.config);
      try {
        configText = readFile(configFile);
      } catch {
        return fail(`node "${name}": config file not found: ${value.config}`);
      }
    }
    if (!isObject(value.interfaces) || Object.keys(value.interfaces).length === 0) {
      return fail(`node "${name}": "interfaces" must map interface names to addresses`);
    }
    const interfaces: Record<string, string[]> = {};
    for (const [ifname, addrs] of Object.entries(value.interfaces)) {
      const list = Array.isArray(addrs) ? addrs : [addrs];
      for (const a of list) {
        if (typeof a !== 'string' || !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(a)) {
          return fail(`node "${name}" interface "${ifname}": not an address/prefix: ${JSON.stringify(a)}`);
        }
      }
      interfaces[ifname] = list as string[];
    }
    nodes.push({ name, configText, configFile, interfaces });
  }
  const names = new Set(nodes.map((n) => n.name));

  const servers: Record<string, SimServerMode> = {};
  if (raw.servers !== undefined) {
    if (!isObject(raw.servers)) return fail('"servers" must map "address:port" to up, down, refuse or silent');
    for (const [target, state] of Object.entries(raw.servers)) servers[target] = serverMode(state, fail, `servers "${target}"`);
  }

  const rawEvents = raw.events ?? [];
  if (!Array.isArray(rawEvents)) return fail('"events" must be a list');
  const events: ScenarioEvent[] = rawEvents.map((e, index) => parseEvent(e, index, names, fail));
  // Stable sort by time: events at the same time keep their file order.
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i).map((x) => x.e);
  const flows = raw.flows;
  if (flows !== undefined && (!Number.isInteger(flows) || (flows as number) < 1 || (flows as number) > 1_000_000)) {
    return fail(`"flows": must be a number of flows from 1 to 1000000: ${JSON.stringify(flows)}`);
  }
  return { file, durationMs, network: defaults, servers, nodes, events: ordered, ...(flows !== undefined ? { flows: flows as number } : {}) };
}

function parseNetwork(value: unknown, fail: (p: string) => never, where: string): Partial<NetworkSettings> {
  if (!isObject(value)) return fail(`"${where}" must be an object`);
  const out: { -readonly [K in keyof NetworkSettings]?: number } = {};
  const durationField = (key: string, target: 'latencyMs' | 'jitterMs'): void => {
    if (value[key] === undefined) return;
    const ms = parseDuration(value[key]);
    if (ms === undefined) fail(`"${where}.${key}": not a duration: ${JSON.stringify(value[key])}`);
    out[target] = ms;
  };
  const probabilityField = (key: string, target: 'loss' | 'duplication' | 'reorder'): void => {
    if (value[key] === undefined) return;
    const p = value[key];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) fail(`"${where}.${key}": must be a probability from 0 to 1`);
    out[target] = p as number;
  };
  durationField('latency', 'latencyMs');
  durationField('jitter', 'jitterMs');
  probabilityField('loss', 'loss');
  probabilityField('duplication', 'duplication');
  probabilityField('reorder', 'reorder');
  return out;
}

function parseEvent(value: unknown, index: number, nodes: Set<string>, fail: (p: string) => never): ScenarioEvent {
  const where = `events[${index}]`;
  if (!isObject(value)) return fail(`${where}: must be an object with "at"`);
  const atMs = parseDuration(value.at);
  if (atMs === undefined) return fail(`${where}: "at" is not a duration: ${JSON.stringify(value.at)}`);
  const node = (key: string): string => {
    const name = value[key];
    if (typeof name !== 'string' || !nodes.has(name)) return fail(`${where}: "${key}" names no node: ${JSON.stringify(name)}`);
    return name;
  };
  let action: ScenarioAction;
  if ('crash' in value) action = { kind: 'crash', node: node('crash') };
  else if ('restart' in value) action = { kind: 'restart', node: node('restart') };
  else if ('stop' in value) action = { kind: 'stop', node: node('stop') };
  else if ('start' in value) action = { kind: 'start', node: node('start') };
  else if ('partition' in value) {
    const groups = value.partition;
    if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g) && g.every((n) => typeof n === 'string' && nodes.has(n)))) {
      return fail(`${where}: "partition" must be a list of lists of node names`);
    }
    action = { kind: 'partition', groups: groups as string[][] };
  } else if ('heal' in value) action = { kind: 'heal' };
  else if ('link' in value) {
    const link = value.link;
    if (!isObject(link) || typeof link.interface !== 'string' || typeof link.up !== 'boolean') {
      return fail(`${where}: "link" needs { node, interface, up }`);
    }
    const name = link.node;
    if (typeof name !== 'string' || !nodes.has(name)) return fail(`${where}: "link.node" names no node: ${JSON.stringify(name)}`);
    action = { kind: 'link', node: name, interface: link.interface, up: link.up };
  } else if ('interface' in value) {
    const change = value.interface;
    if (!isObject(change) || typeof change.interface !== 'string' || typeof change.present !== 'boolean') {
      return fail(`${where}: "interface" needs { node, interface, present }`);
    }
    const name = change.node;
    if (typeof name !== 'string' || !nodes.has(name)) return fail(`${where}: "interface.node" names no node: ${JSON.stringify(name)}`);
    action = { kind: 'interface', node: name, interface: change.interface, present: change.present };
  } else if ('track' in value) {
    const track = value.track;
    const fileValue = isObject(track) ? track.value : undefined;
    if (fileValue !== undefined && !Number.isInteger(fileValue)) return fail(`${where}: "track.value" must be an integer: ${JSON.stringify(fileValue)}`);
    if (!isObject(track) || typeof track.id !== 'string' || (typeof track.up !== 'boolean' && fileValue === undefined)) {
      return fail(`${where}: "track" needs { node, id, up } (or { node, id, value } for a file)`);
    }
    const name = track.node;
    if (typeof name !== 'string' || !nodes.has(name)) return fail(`${where}: "track.node" names no node: ${JSON.stringify(name)}`);
    action =
      typeof fileValue === 'number'
        ? { kind: 'track', node: name, id: track.id, up: fileValue === 0, value: fileValue }
        : { kind: 'track', node: name, id: track.id, up: track.up === true };
  } else if (value.server !== undefined) {
    const server = value.server;
    if (!isObject(server) || typeof server.target !== 'string') return fail(`${where}: "server" needs "target" ("address:port") and "state"`);
    action = { kind: 'server', target: server.target, state: serverMode(server.state, fail, `${where} "server.state"`) };
  } else {
    const settings = parseNetwork(
      Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'at')),
      fail,
      where,
    );
    if (Object.keys(settings).length === 0) return fail(`${where}: no known action (crash, restart, stop, start, partition, heal, link, interface, track, server, loss, latency, jitter)`);
    action = { kind: 'network', settings };
  }
  return { atMs, action };
}
