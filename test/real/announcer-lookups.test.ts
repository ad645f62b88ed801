/**
 * RawAnnouncer asks the kernel for an interface's index and MAC at most once a second (issue 13: a master flooded
 * with lower-priority advertisements announces on each, and the look-ups were most of the cost); a frame that
 * cannot be sent forgets the interface at once. No sockets: the addon's calls are the test's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTERFACE_LOOKUP_TTL_MS, RawAnnouncer, type AnnouncerNative } from '../../transport/real/announcer.js';

function fakeNative(): AnnouncerNative & { calls: string[]; ifindex: number; mac: Uint8Array; failSend: boolean; frames: { ifindex: number; sender: string }[] } {
  const fake = {
    calls: [] as string[],
    ifindex: 7,
    mac: Uint8Array.from([2, 0, 0, 0, 0, 1]),
    failSend: false,
    frames: [] as { ifindex: number; sender: string }[],
    interfaceIndex(name: string): number {
      fake.calls.push(`index ${name}`);
      return fake.ifindex;
    },
    interfaceMac(name: string): Uint8Array {
      fake.calls.push(`mac ${name}`);
      return fake.mac;
    },
    sendFrame(ifindex: number, frame: Uint8Array): number {
      if (fake.failSend) throw Object.assign(new Error('sendto: No such device'), { code: 'ENXIO' });
      // Ethernet source MAC: bytes 6-11.
      fake.frames.push({ ifindex, sender: Buffer.from(frame.subarray(6, 12)).toString('hex') });
      return frame.length;
    },
  };
  return fake;
}

const VIP = [{ interface: 'eth0', address: '192.168.77.10', prefix: 24, family: 4 as const }];

test('announcer: one interface look-up per second, whatever the number of announcements', () => {
  const native = fakeNative();
  let now = 0;
  const announcer = new RawAnnouncer({ native, now: () => now });
  for (let i = 0; i < 500; i++) announcer.announce('eth0', VIP);
  assert.equal(announcer.sent, 500);
  assert.deepEqual(native.calls, ['index eth0', 'mac eth0']);
  assert.equal(announcer.lookups, 1);
  // Another interface is its own look-up.
  announcer.announce('eth1', VIP);
  assert.equal(announcer.lookups, 2);
  // A MAC (or index) that changed is used once the look-up is older than the TTL.
  native.mac = Uint8Array.from([2, 0, 0, 0, 0, 2]);
  native.ifindex = 8;
  now = INTERFACE_LOOKUP_TTL_MS - 1;
  announcer.announce('eth0', VIP);
  assert.deepEqual(native.frames.at(-1), { ifindex: 7, sender: '020000000001' });
  now = INTERFACE_LOOKUP_TTL_MS;
  announcer.announce('eth0', VIP);
  assert.deepEqual(native.frames.at(-1), { ifindex: 8, sender: '020000000002' });
  assert.equal(announcer.lookups, 3);
});

test('announcer: a frame that cannot be sent forgets the interface, the next announcement looks it up again', () => {
  const native = fakeNative();
  const errors: string[] = [];
  const announcer = new RawAnnouncer({ native, now: () => 0, onError: (e) => errors.push(`${e.interface} ${e.address}`) });
  announcer.announce('eth0', VIP);
  native.failSend = true;
  announcer.announce('eth0', VIP);
  assert.deepEqual(errors, ['eth0 192.168.77.10']);
  assert.equal(announcer.failed, 1);
  native.failSend = false;
  native.ifindex = 9; // re-created
  announcer.announce('eth0', VIP);
  assert.equal(announcer.lookups, 2);
  assert.equal(native.frames.at(-1)?.ifindex, 9);
  // Deleted: the send fails, the look-up after it finds nothing, and nothing is cached.
  native.ifindex = 0;
  native.failSend = true;
  announcer.announce('eth0', VIP);
  native.failSend = false;
  announcer.announce('eth0', VIP);
  announcer.announce('eth0', VIP);
  assert.equal(announcer.failed, 4);
  assert.equal(announcer.lookups, 4);
});
