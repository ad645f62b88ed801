/**
 * The JS half of the receive path, in-process and without sockets: a VrrpNode (two master instances, as the
 * receive path benchmark's daemon) on a simulated host whose channel also hears packets pushed here, the daemon's
 * log subscribed to the bus as `vigil run` does (debug lines discarded). Pushes the flood's four kinds of bad packet
 * and returns the CPU per packet. `root` is the checkout whose dist/ is measured (another one for a before/after).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Observable } from 'rxjs';
import type { ReceivedPacket, VrrpChannel, VrrpChannelOptions } from '../../transport/vrrp-link.js';
import type { BusMessage } from '../../actors/bus.js';

interface Modules {
  readonly VirtualClock: new () => { runFor(ms: number): void };
  readonly SeededRandom: new (seed: number) => unknown;
  readonly LanSegment: new (name: string, clock: unknown, random: unknown, options: object) => unknown;
  readonly SimHost: new (name: string, index: number) => { addInterface(n: string, s: unknown, a: object[]): void; open(o: VrrpChannelOptions): VrrpChannel };
  readonly loadVrrpConfig: (text: string, file: string, node: string) => unknown;
  readonly Bus: new () => { messages$: Observable<BusMessage> };
  readonly VrrpNode: new (name: string, spec: unknown, transports: object, bus: unknown) => { start(): void; stop(): void; nodeDrops: Record<string, number> };
  readonly logBusMessage: (log: object, m: BusMessage) => void;
  readonly Subject: new <T>() => { next(v: T): void; asObservable(): Observable<T> };
  readonly merge: <T>(...o: Observable<T>[]) => Observable<T>;
}

async function load(root: string): Promise<Modules> {
  const from = async (path: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(join(root, 'dist', path)).href)) as Record<string, unknown>;
  const rxjs = (await import('rxjs')) as unknown as Record<string, unknown>;
  return {
    VirtualClock: (await from('sim/virtual-clock.js'))['VirtualClock'],
    SeededRandom: (await from('sim/seeded-random.js'))['SeededRandom'],
    LanSegment: (await from('sim/lan-segment.js'))['LanSegment'],
    SimHost: (await from('sim/sim-host.js'))['SimHost'],
    loadVrrpConfig: (await from('sim/node-config-reader.js'))['loadVrrpConfig'],
    Bus: (await from('actors/bus.js'))['Bus'],
    VrrpNode: (await from('actors/vrrp/vrrp-node.js'))['VrrpNode'],
    logBusMessage: (await from('actors/daemon/log.js'))['logBusMessage'],
    Subject: (await from('transport/subject.js'))['Subject'],
    merge: rxjs['merge'],
  } as Modules;
}

/**
 * Heap bytes allocated per packet: the growth of the used heap over short runs of `packets` (a few hundred
 * packets, far less than the young generation holds), the median of the runs that no collection interrupted (a
 * collection shrinks the heap, so a run where it did not grow is left out).
 */
function allocatedPerPacket(push: (rounds: number) => void, packets: number): number {
  const rounds = Math.max(1, Math.floor(400 / packets));
  const samples: number[] = [];
  for (let i = 0; i < 40; i++) {
    const h0 = process.memoryUsage().heapUsed;
    push(rounds);
    const grown = process.memoryUsage().heapUsed - h0;
    if (grown > 0) samples.push(grown / (rounds * packets));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

/** CPU microseconds and heap bytes per packet for `rounds` rounds of `packets` pushed into the node's channel. */
export async function receivePathInProcess(
  root: string,
  config: string,
  packets: readonly ReceivedPacket[],
  rounds: number,
): Promise<{ usPerPacket: number; bytesPerPacket: number; drops: number }> {
  const m = await load(root);
  const clock = new m.VirtualClock();
  const segment = new m.LanSegment('eth0', clock, new m.SeededRandom(1), { latencyMs: 0, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new m.SimHost('v', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.155', prefix: 26, family: 4 }]);
  const injected = new m.Subject<ReceivedPacket>();
  const link = {
    open(options: VrrpChannelOptions): VrrpChannel {
      const channel = host.open(options);
      const packets$ = m.merge(channel.packets$, injected.asObservable());
      return new Proxy(channel, { get: (target, key) => (key === 'packets$' ? packets$ : (Reflect.get(target, key, target) as unknown)) });
    },
  };
  const bus = new m.Bus();
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const subscription = bus.messages$.subscribe((message) => m.logBusMessage(quiet, message));
  const node = new m.VrrpNode('v', m.loadVrrpConfig(config, 'bench.conf', 'v'), { clock, link, addresses: host, announcer: host }, bus);
  node.start();
  clock.runFor(5000); // masters by now
  const push = (n: number): void => {
    for (let r = 0; r < n; r++) for (const p of packets) injected.next(p);
  };
  push(Math.min(rounds, 2000)); // warm the JIT
  const cpu0 = process.cpuUsage();
  push(rounds);
  const cpu = process.cpuUsage(cpu0);
  const bytesPerPacket = allocatedPerPacket(push, packets.length);
  node.stop();
  subscription.unsubscribe();
  return { usPerPacket: (cpu.user + cpu.system) / (rounds * packets.length), bytesPerPacket, drops: Object.values(node.nodeDrops).reduce((a, b) => a + b, 0) };
}
