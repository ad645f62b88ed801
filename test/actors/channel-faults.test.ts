/**
 * A channel that cannot send puts its instances in FAULT, and they come back when it can again (keepalived: an
 * instance whose sockets are closed is down, vrrp_if.c); send errors are counted by interface and errno name and
 * logged at most once a minute, with the count of those not logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subject } from 'rxjs';
import type { VirtualClock } from '../../sim/virtual-clock.js';
import type { SimHost } from '../../sim/sim-host.js';
import type { BusMessage } from '../../actors/bus.js';
import type { VrrpNode } from '../../actors/vrrp/vrrp-node.js';
import { singleHost, singleNode } from './single-node.js';
import type { SendError, VrrpChannel, VrrpChannelOptions, VrrpLink } from '../../transport/vrrp-link.js';

/** A simulated host's channels, whose usability and send errors the test decides. */
class ControlledLink implements VrrpLink {
  readonly usable$ = new Subject<boolean>();
  readonly sendErrors$ = new Subject<SendError>();
  usable = true;
  /** Sends while the test says the channel cannot send. */
  refused = 0;

  constructor(private readonly host: SimHost) {}

  open(options: VrrpChannelOptions): VrrpChannel {
    const channel = this.host.open(options);
    const link = this;
    return {
      packets$: channel.packets$,
      get usable() {
        return link.usable;
      },
      usable$: this.usable$,
      sendErrors$: this.sendErrors$,
      refresh: () => channel.refresh(),
      send(destination, bytes, source) {
        if (!link.usable) {
          link.refused++;
          return;
        }
        channel.send(destination, bytes, source);
      },
      close: () => channel.close(),
    };
  }

  set(usable: boolean): void {
    this.usable = usable;
    this.usable$.next(usable);
  }
}

function world(): { clock: VirtualClock; host: SimHost; link: ControlledLink; node: VrrpNode; messages: BusMessage[] } {
  const { clock, host } = singleHost();
  const link = new ControlledLink(host);
  const { node, messages } = singleNode(clock, host, link);
  return { clock, host, link, node, messages };
}

test('a channel that cannot send puts its instance in FAULT (VIP released); usable again, it is elected again', () => {
  const { clock, host, link, node, messages } = world();
  node.start();
  clock.runUntil(5_000);
  const runner = node.runners.get('VI_1')!;
  assert.equal(runner.state, 'MASTER');
  assert.ok(host.heldAddresses().includes('192.168.77.100'));

  link.set(false);
  assert.equal(runner.state, 'FAULT');
  // Leaving MASTER for FAULT tries a priority 0 (keepalived's vrrp_state_leave_master); nothing after that.
  const tried = link.refused;
  clock.runUntil(10_000);
  assert.equal(runner.state, 'FAULT');
  assert.deepEqual(host.heldAddresses(), []);
  assert.equal(link.refused, tried, 'a FAULT instance sends nothing');
  assert.ok(messages.some((m) => m.kind === 'warning' && /eth0: VRRP channel lost its interface/.test(m.message)));

  link.set(true);
  assert.equal(runner.state, 'BACKUP');
  clock.runUntil(15_000);
  assert.equal(runner.state, 'MASTER');
  assert.ok(host.heldAddresses().includes('192.168.77.100'));
  assert.ok(messages.some((m) => m.kind === 'warning' && /eth0: VRRP channel bound again/.test(m.message)));
});

test('an instance whose channel is unusable from the start waits in FAULT, then starts when it is usable', () => {
  const { clock, link, node } = world();
  link.usable = false;
  node.start();
  clock.runUntil(10_000);
  const runner = node.runners.get('VI_1')!;
  assert.equal(runner.state, 'FAULT');
  link.set(true);
  clock.runUntil(15_000);
  assert.equal(runner.state, 'MASTER');
});

test('send errors: counted by interface, family and errno; logged at most once a minute with the count not logged', () => {
  const { clock, link, node, messages } = world();
  node.start();
  const error = (code: string): SendError => ({ destination: '224.0.0.18', code, error: Object.assign(new Error(`sendmsg: ${code}`), { code }) });
  const lines = (): string[] => messages.flatMap((m) => (m.kind === 'warning' && /cannot send VRRP advertisement/.test(m.message) ? [m.message] : []));
  for (let s = 0; s < 90; s++) {
    clock.runUntil(s * 1000);
    link.sendErrors$.next(error('ENOBUFS'));
  }
  link.sendErrors$.next(error('EADDRNOTAVAIL'));
  assert.deepEqual(node.sendErrorCounts(), [
    { interface: 'eth0', family: 4, code: 'ENOBUFS', count: 90 },
    { interface: 'eth0', family: 4, code: 'EADDRNOTAVAIL', count: 1 },
  ]);
  assert.deepEqual(lines(), [
    'eth0: cannot send VRRP advertisement to 224.0.0.18: sendmsg: ENOBUFS',
    'eth0: cannot send VRRP advertisement to 224.0.0.18: sendmsg: ENOBUFS (and 59 more like it since the last report)',
    'eth0: cannot send VRRP advertisement to 224.0.0.18: sendmsg: EADDRNOTAVAIL',
  ]);
});
