/**
 * Runs a scenario in the simulated world: builds hosts and LAN segments (one per interface name), starts every
 * node at t = 0 with the daemon's node assembly (actors/node-assembly.ts: VRRP, trackers, notifier, checker side)
 * over simulated transports, applies the fault schedule on the virtual clock, and judges the invariants. Same
 * scenario and seed ⇒ byte-identical result.
 */
import type { InspectionEvent } from 'xstate';
import { Bus } from '../actors/bus.js';
import type { Clock } from '../machines/clock.js';
import type { VrrpNodeSpec } from '../actors/vrrp/instance-spec.js';
import type { KeepalivedConfig } from '../actors/vrrp/specs-from-config.js';
import { NodeAssembly } from '../actors/node-assembly.js';
import { runnableScripts } from '../actors/scripts/runnable-scripts.js';
import { NodeChecks } from '../actors/lvs/node-checks.js';
import type { DaemonLog, NodeEnvironment } from '../actors/environment.js';
import { loadNodeConfig } from './node-config-reader.js';
import { SimDirectors, type PoolChange } from './sim-directors.js';
import type { ResolvedVirtualServer } from '../actors/checks/resolve-checkers.js';
import { checkInvariants, type InstanceFacts, type InvariantResult } from './invariants.js';
import { checkPoolsMatchHealth } from './pool-invariant.js';
import { checkBfdTracking, type BfdDown } from './bfd-invariant.js';
import { judgeEcmpFlows, type EcmpReport } from './ecmp-flows.js';
import { LanSegment, type LinkQuality } from './lan-segment.js';
import type { Scenario, ScenarioAction, ScenarioEvent } from './scenario.js';
import { SeededRandom } from './seeded-random.js';
import { SimHost, type ConfiguredAddress } from './sim-host.js';
import { SimulatedBfdLink } from './simulated-bfd-link.js';
import { SimulatedRouteAnnouncer, type AnnouncementChange } from './simulated-route-announcer.js';
import { SimTrackedObjects } from './sim-tracked-objects.js';
import { SimulationInputError } from './simulation-input-error.js';
import type { ProcessOutcome } from '../transport/process-runner.js';
import { roundTime, Timeline, type TimelineTransition, type TimelineVip } from './timeline.js';
import { VirtualClock } from './virtual-clock.js';
import { timer } from 'rxjs';
import { ClockScheduler } from '../transport/clock-scheduler.js';

/** A script a node ran (notify scripts, checkers' notify scripts; not the vrrp_script checks themselves). */
export interface ScriptRun {
  readonly t_ms: number;
  readonly node: string;
  readonly argv: readonly string[];
  readonly outcome: string;
}

export interface SimulationResult {
  readonly seed: number;
  readonly duration_ms: number;
  readonly transitions: readonly TimelineTransition[];
  readonly vips: readonly TimelineVip[];
  readonly invariants: readonly InvariantResult[];
  readonly stats: {
    readonly events: number;
    readonly packets_sent: number;
    readonly packets_dropped: Readonly<Record<string, number>>;
  };
  /** The injected faults, for the readable report (not part of `--json`). */
  readonly faults: readonly { readonly t_ms: number; readonly text: string }[];
  /** Each change of a director's live pool (virtual servers), for the readable report (not part of `--json`). */
  readonly pools: readonly PoolChange[];
  /** Scripts the nodes ran, as the simulated process runner recorded them (not part of `--json`). */
  readonly scripts: readonly ScriptRun[];
  /** With `flows`: what the client flows did behind the ECMP router, per lb_algo mh service (not part of `--json`). */
  readonly ecmp?: readonly EcmpReport[];
  /** Each change of a node's announce_table routes (announced or withdrawn, with its virtual time; not part of `--json`). */
  readonly announcements?: readonly AnnouncementChange[];
}

/** Watches a run (observe/inspection-stream.ts): every node's XState inspection and the injected faults. */
export interface SimulationObserver {
  inspector(node: string): (event: InspectionEvent) => void;
  fault(text: string): void;
  /** A node's process went down (crash, stop, restart) or came up (start, restart). */
  process?(node: string, up: boolean, cause: string): void;
}

export interface SimulationOptions {
  readonly seed: number;
  readonly untilMs?: number | undefined;
  /** Called once the world's bus and clock exist; passive, so the run is the same with or without it. */
  readonly observe?: ((world: { readonly bus: Bus; readonly clock: Clock }) => SimulationObserver) | undefined;
}

function describe(action: ScenarioAction): string {
  switch (action.kind) {
    case 'partition':
      return `partition ${action.groups.map((g) => `[${g.join(' ')}]`).join(' ')}`;
    case 'heal':
      return 'heal';
    case 'link':
      return `link ${action.node} ${action.interface} ${action.up ? 'up' : 'down'}`;
    case 'interface':
      return `interface ${action.node} ${action.interface} ${action.present ? 'created' : 'deleted'}`;
    case 'network':
      return `network ${Object.entries(action.settings).map(([k, v]) => `${k}=${v}`).join(' ')}`;
    case 'track':
      return `track ${action.node} ${action.id} ${action.value !== undefined ? `value ${action.value}` : action.up ? 'up' : 'down'}`;
    case 'server':
      return `server ${action.target} ${action.state}`;
    default:
      return `${action.kind} ${action.node}`;
  }
}

function parseInterfaceAddress(text: string): ConfiguredAddress {
  const [address, prefix] = text.split('/');
  return { address: address!, prefix: Number(prefix), family: address!.includes(':') ? 6 : 4 };
}

/** The JSON form printed by `vigil sim --json`: exactly the documented keys. */
export function simulationJson(result: SimulationResult): string {
  const { seed, duration_ms, transitions, vips, invariants, stats } = result;
  return JSON.stringify({ seed, duration_ms, transitions, vips, invariants, stats });
}

/** A simulated node's daemon logs nowhere: the report is built from the bus and the recorded runs. */
const SILENT: DaemonLog = { debug() {}, info() {}, warn() {}, error() {} };

function outcomeText(outcome: ProcessOutcome): string {
  switch (outcome.kind) {
    case 'exited':
      return `exit ${outcome.code}`;
    case 'signalled':
      return `killed by ${outcome.signal}`;
    case 'failed':
      return `failed: ${outcome.error}`;
    default:
      return outcome.kind;
  }
}

class SimWorld {
  readonly clock = new VirtualClock();
  readonly bus = new Bus();
  readonly timeline = new Timeline();
  readonly segments = new Map<string, LanSegment>();
  readonly hosts = new Map<string, SimHost>();
  readonly configs = new Map<string, KeepalivedConfig>();
  readonly specs = new Map<string, VrrpNodeSpec>();
  /** What each node's tracked objects look at (its programs, files, processes): the host's, kept across restarts. */
  readonly tracked = new Map<string, SimTrackedObjects>();
  readonly nodes = new Map<string, NodeAssembly>();
  readonly virtualServers = new Map<string, readonly ResolvedVirtualServer[]>();
  readonly directors: SimDirectors;
  readonly scripts: ScriptRun[] = [];
  /** Every BFD change of state, for the bfd_tracking invariant (times rounded as the timeline's). */
  readonly bfdChanges: BfdDown[] = [];
  /** Each node's announce tables (announce_table), the host's: a crash of the process empties them. */
  readonly routeAnnouncers = new Map<string, SimulatedRouteAnnouncer>();
  /** Every change of an announced route, for the ECMP router (sim/ecmp-flows.ts). */
  readonly announcements: AnnouncementChange[] = [];
  worstDelayMs = 0;
  /** Each node's BFD link draws its source ports, discriminators and jitter from a stream of its own. */
  private readonly root: SeededRandom;
  private readonly starts = new Map<string, number>();
  private readonly observer: SimulationObserver | undefined;

  constructor(
    private readonly scenario: Scenario,
    seed: number,
    observe?: SimulationOptions['observe'],
  ) {
    this.observer = observe?.({ bus: this.bus, clock: this.clock });
    const root = new SeededRandom(seed);
    this.root = root;
    const quality: LinkQuality = scenario.network;
    this.timeline.initialLoss = quality.loss;
    this.timeline.initialReordering = quality.jitterMs > 0 || quality.reorder > 0;
    this.timeline.record(this.bus);
    this.bus.messages$.subscribe((m) => {
      if (m.kind === 'bfd') this.bfdChanges.push({ ...m, at: roundTime(m.at) });
    });
    scenario.nodes.forEach((node, index) => {
      const host = new SimHost(node.name, index);
      for (const [ifname, addresses] of Object.entries(node.interfaces)) {
        let segment = this.segments.get(ifname);
        if (!segment) {
          segment = new LanSegment(ifname, this.clock, root.fork(`segment:${ifname}`), quality);
          this.segments.set(ifname, segment);
        }
        host.addInterface(ifname, segment, addresses.map(parseInterfaceAddress));
      }
      this.hosts.set(node.name, host);
      const loaded = loadNodeConfig(node.configText, node.configFile, node.name);
      const spec = loaded.vrrp;
      this.virtualServers.set(node.name, loaded.virtualServers);
      for (const instance of spec.instances) {
        if (!host.interfaceNames().includes(instance.interface)) {
          throw new SimulationInputError(
            `${scenario.file}: node "${node.name}": vrrp_instance ${instance.name} uses interface ${instance.interface}, which the node does not have`,
          );
        }
      }
      // The macvlans and ipvlans the daemon would create (actors/daemon/host-setup.ts), there from the start.
      for (const instance of spec.instances) {
        for (const v of instance.interfaces ?? []) host.addVirtualInterface(v.name, v.parent, v.mac, v.address);
      }
      // A simulated host judges no script: every one runs, as the simulator (runnable-scripts.ts without a host).
      this.configs.set(node.name, runnableScripts(loaded.config, undefined).config);
      this.specs.set(node.name, spec);
      const record = (run: { t_ms: number; argv: readonly string[]; outcome: ProcessOutcome }): void => {
        this.scripts.push({ t_ms: roundTime(run.t_ms), node: node.name, argv: run.argv, outcome: outcomeText(run.outcome) });
      };
      this.tracked.set(node.name, new SimTrackedObjects(this.clock, loaded.config, record));
    });
    for (const event of scenario.events) {
      const action = event.action;
      if (action.kind !== 'track') continue;
      const problem = this.tracked.get(action.node)?.problem(action.id, action.value);
      if (problem) throw new SimulationInputError(`${scenario.file}: track ${action.node} ${action.id}: ${problem} in node "${action.node}"'s configuration`);
    }
    this.directors = new SimDirectors(this.clock, root.fork('directors'), this.virtualServers, scenario.servers);
    this.noteDelay();
  }

  private noteDelay(): void {
    for (const s of this.segments.values()) this.worstDelayMs = Math.max(this.worstDelayMs, s.worstDelayMs());
  }

  /** The node's environment: its simulated host, its tracked objects' world, the world's clock. */
  private environment(name: string): NodeEnvironment {
    const host = this.hosts.get(name)!;
    return {
      clock: this.clock,
      link: host,
      addresses: host,
      announcer: host,
      vipFirewall: (settings) => host.nftables.firewall(settings),
      routeAnnouncer: this.routeAnnouncer(name),
      log: SILENT,
      ...this.tracked.get(name)!.environment(),
      inspect: this.observer?.inspector(name),
      bfd: () => {
        // A fresh stream per start of the node: a restarted node draws new discriminators, as a new process does.
        const start = (this.starts.get(name) ?? 0) + 1;
        this.starts.set(name, start);
        const random = this.root.fork(`bfd:${name}:${start}`);
        const ports = host.interfaceNames().flatMap((i) => host.portOf(i) ?? []);
        return { link: new SimulatedBfdLink(ports, random), random };
      },
    };
  }

  private routeAnnouncer(name: string): SimulatedRouteAnnouncer {
    let announcer = this.routeAnnouncers.get(name);
    if (!announcer) {
      announcer = new SimulatedRouteAnnouncer(this.clock, name, (change) => this.announcements.push(change));
      this.routeAnnouncers.set(name, announcer);
    }
    return announcer;
  }

  startNode(name: string): void {
    const host = this.hosts.get(name)!;
    if (!host.alive || this.nodes.has(name)) return;
    const env = this.environment(name);
    const config = this.configs.get(name)!;
    const node = new NodeAssembly(env, this.bus, { name, config });
    this.nodes.set(name, node);
    node.start();
    if (this.directors.wants(name)) {
      const checks = new NodeChecks(env, config, this.directors.transports(name, env.inspect));
      void node.attachChecks(checks);
      this.directors.started(name, checks);
    }
  }

  /** A crash (`graceful` false: silent at once) or a stop (priority 0, addresses released, notify_stop). */
  private stopNode(name: string, graceful: boolean): void {
    const node = this.nodes.get(name);
    if (!node) return;
    this.nodes.delete(name);
    if (graceful) {
      node.stop();
      void node.closeFirewall();
    } else node.halt();
    void node.detachChecks(true);
    this.directors.stopped(name);
    node.detach();
    // The process is gone, and its TUN device with every route through it.
    this.routeAnnouncers.get(name)?.processDied();
  }

  apply(event: ScenarioEvent): void {
    const action = event.action;
    this.timeline.fault(this.clock.now(), action);
    this.observer?.fault(describe(action));
    switch (action.kind) {
      case 'crash': {
        const host = this.hosts.get(action.node)!;
        if (!host.alive) return;
        const running = this.nodes.has(action.node);
        this.stopNode(action.node, false);
        host.crash();
        if (running) this.observer?.process?.(action.node, false, 'crash');
        return;
      }
      case 'restart': {
        const host = this.hosts.get(action.node)!;
        if (this.nodes.has(action.node)) this.observer?.process?.(action.node, false, 'restart');
        this.stopNode(action.node, false);
        for (const address of host.restart()) {
          this.bus.publish({ kind: 'vip', at: this.clock.now(), node: action.node, instance: '-', address, action: 'del' });
        }
        this.startNode(action.node);
        if (this.nodes.has(action.node)) this.observer?.process?.(action.node, true, 'restart');
        return;
      }
      case 'stop':
        if (this.nodes.has(action.node)) this.observer?.process?.(action.node, false, 'stop');
        this.stopNode(action.node, true);
        return;
      case 'start': {
        const before = this.nodes.has(action.node);
        this.startNode(action.node);
        if (!before && this.nodes.has(action.node)) this.observer?.process?.(action.node, true, 'start');
        return;
      }
      case 'partition':
        for (const s of this.segments.values()) s.partition(action.groups);
        return;
      case 'heal':
        for (const s of this.segments.values()) s.heal();
        return;
      case 'link':
        this.hosts.get(action.node)!.setLink(action.interface, action.up);
        return;
      case 'interface': {
        const host = this.hosts.get(action.node)!;
        if (action.present) host.createInterface(action.interface);
        else host.deleteInterface(action.interface);
        return;
      }
      case 'network':
        for (const s of this.segments.values()) s.setQuality(action.settings);
        this.noteDelay();
        return;
      case 'track':
        // A script, file or process changes on the host; the node's trackers notice it on their own schedule.
        if (!this.tracked.get(action.node)!.set(action.id, action.up, action.value)) this.nodes.get(action.node)?.node.track(action.id, action.up);
        return;
      case 'server':
        this.directors.setServer(action.target, action.state);
        return;
    }
  }

  instanceFacts(): InstanceFacts[] {
    const facts: InstanceFacts[] = [];
    for (const [node, spec] of this.specs) {
      for (const i of spec.instances) {
        facts.push({
          node,
          instance: i.name,
          groupKey: `${i.interface}|${i.family}|${i.vrid}`,
          interface: i.interface,
          priority: i.priority,
          advertIntervalCs: i.advertIntervalCs,
          version: i.version,
          preemptDelayMs: i.preemptDelayMs,
          vips: i.virtualAddresses.map((a) => a.address),
        });
      }
    }
    return facts;
  }
}

export function runSimulation(scenario: Scenario, options: SimulationOptions): SimulationResult {
  const durationMs = options.untilMs ?? scenario.durationMs;
  const world = new SimWorld(scenario, options.seed, options.observe);
  // The fault schedule runs as RxJS timers on the virtual clock (ties keep the scenario's order).
  const scheduler = new ClockScheduler(world.clock);
  for (const event of scenario.events) {
    if (event.atMs > durationMs) continue;
    timer(event.atMs, scheduler).subscribe(() => world.apply(event));
  }
  for (const name of world.hosts.keys()) world.startNode(name);
  world.clock.runUntil(durationMs);

  const timeline = world.timeline;
  const invariants = checkInvariants({
    durationMs,
    instances: world.instanceFacts(),
    maxDelayMs: world.worstDelayMs,
    timeline,
    noticeMs: (action) => (action.kind === 'track' ? world.tracked.get(action.node)!.noticeMs(action.id) : 0),
  });
  const pools = checkPoolsMatchHealth({
    durationMs,
    pools: world.directors.pools,
    resolved: world.directors.resolved,
    faults: timeline.faults,
    initialServers: new Map(Object.entries(scenario.servers)),
  });
  if (pools) invariants.push(pools);
  const bfd = checkBfdTracking({ changes: world.bfdChanges, specs: world.specs, transitions: timeline.transitions });
  if (bfd) invariants.push(bfd);
  let ecmp: readonly EcmpReport[] | undefined;
  if (scenario.flows !== undefined) {
    const judged = judgeEcmpFlows(world.directors.services, scenario.flows, new SeededRandom(options.seed).fork('ecmp-flows'), world.announcements);
    invariants.push(...judged.invariants);
    ecmp = judged.reports;
  }
  const packetsDropped: Record<string, number> = {};
  let packetsSent = 0;
  for (const segment of world.segments.values()) {
    packetsSent += segment.packetsSent;
    for (const [cause, n] of Object.entries(segment.dropped)) if (n > 0) packetsDropped[cause] = (packetsDropped[cause] ?? 0) + n;
  }
  for (const [reason, n] of Object.entries(timeline.drops)) packetsDropped[reason] = (packetsDropped[reason] ?? 0) + n;
  const sortedDrops = Object.fromEntries(Object.entries(packetsDropped).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    seed: options.seed,
    duration_ms: durationMs,
    transitions: timeline.transitions,
    vips: timeline.vips,
    invariants,
    stats: { events: world.clock.eventsRun, packets_sent: packetsSent, packets_dropped: sortedDrops },
    faults: timeline.faults.map((f) => ({ t_ms: f.t_ms, text: describe(f.action) })),
    pools: world.directors.pools,
    scripts: world.scripts,
    ...(ecmp !== undefined ? { ecmp } : {}),
    ...(world.announcements.length > 0 ? { announcements: world.announcements } : {}),
  };
}
