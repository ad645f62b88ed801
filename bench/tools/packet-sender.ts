/**
 * A paced raw IPv4 sender for the flood and wire-fuzz benchmarks and the fault campaign, run inside a namespace:
 *   ip netns exec NS node dist/bench/tools/packet-sender.js '<json SenderPlan>'
 * It sends whole IPv4 datagrams (header included: IP_HDRINCL, so TTL, options and fragment fields are the
 * caller's; the kernel fills the header checksum and total length) at `rate` packets per second, cycling through
 * `packets` (hex) or, for `fuzz`, mutating them with a seeded generator. It prints one JSON line, SenderReport, on
 * stdout when done (or on SIGTERM).
 */
import { interfaceIndex, nativeAvailable, openRawIpSocket } from '../../native/index.js';
import { mutateDatagram, seededRandom } from './packet-mutations.js';

export interface SenderPlan {
  /** Interface to send on (its index picks the route for multicast). */
  readonly interface: string;
  readonly destination: string;
  /** Packets per second. */
  readonly rate: number;
  /** How many packets in all. */
  readonly count: number;
  /** Whole IPv4 datagrams, hex. */
  readonly packets: readonly string[];
  /** When set: each packet is a seeded mutation of one of `packets`. */
  readonly fuzzSeed?: number;
}

export interface SenderReport {
  readonly sent: number;
  /** sendmsg refused these (the kernel's IP output checks: a header it will not send). */
  readonly refused: number;
  /** Per template (index into `packets`): how many were sent. */
  readonly perPacket: readonly number[];
  readonly seconds: number;
}

function main(): void {
  const plan = JSON.parse(process.argv[2] ?? '{}') as SenderPlan;
  if (!nativeAvailable()) throw new Error('the vigil_native addon is not built (npm run build:native)');
  const socket = openRawIpSocket(4, 112, () => undefined);
  socket.setHeaderIncluded(true);
  const templates = plan.packets.map((h) => new Uint8Array(Buffer.from(h, 'hex')));
  const ifindex = interfaceIndex(plan.interface);
  const random = plan.fuzzSeed !== undefined ? seededRandom(plan.fuzzSeed) : undefined;
  const perPacket = templates.map(() => 0);
  let sent = 0;
  let refused = 0;
  const start = performance.now();
  const finish = (): void => {
    const report: SenderReport = { sent, refused, perPacket, seconds: (performance.now() - start) / 1000 };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    socket.close();
    process.exit(0);
  };
  process.on('SIGTERM', finish);
  const tick = (): void => {
    // Send what the rate says is due by now, in one burst (at most 2 ms worth), then yield to the loop.
    const due = Math.min(plan.count, Math.floor(((performance.now() - start) / 1000) * plan.rate));
    const limit = Math.min(due, sent + refused + Math.max(1, Math.ceil(plan.rate / 500)));
    while (sent + refused < limit) {
      const i = (sent + refused) % templates.length;
      const bytes = random ? mutateDatagram(templates[i]!, random) : templates[i]!;
      try {
        socket.send(bytes, plan.destination, ifindex);
        sent++;
        perPacket[i]!++;
      } catch {
        refused++;
      }
    }
    if (sent + refused >= plan.count) finish();
    else setImmediate(tick);
  };
  tick();
}

main();
