/**
 * interface_up_down_delays (actors/vrrp/link-debounce.ts) on the virtual clock: a change is acted on once it has
 * lasted its delay, a change back within the delay cancels it, a repeat leaves the pending timer alone, an
 * interface never seen up comes up at once (keepalived update_interface_flags and seen_up).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkDebounce } from '../../actors/vrrp/link-debounce.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

function debounce(initial: Record<string, boolean>, delays = [{ interface: 'eth0', downMs: 1500, upMs: 2000 }]) {
  const clock = new VirtualClock();
  const acted: string[] = [];
  const links = new LinkDebounce(clock, (name) => initial[name] ?? false, (name, up) => acted.push(`${clock.now()} ${name} ${up ? 'up' : 'down'}`));
  links.setDelays(delays);
  return { clock, acted, links };
}

test('a change is acted on once it has lasted its delay: down after the down delay, up after the up delay', () => {
  const { clock, acted, links } = debounce({ eth0: true });
  assert.equal(links.state('eth0'), true);
  clock.runUntil(1000);
  links.event('eth0', false);
  clock.runUntil(2499);
  assert.deepEqual(acted, []);
  assert.equal(links.state('eth0'), true, 'the instances still see it up');
  clock.runUntil(2500);
  assert.deepEqual(acted, ['2500 eth0 down']);
  links.event('eth0', true);
  // A repeated event does not restart the timer.
  clock.runUntil(3000);
  links.event('eth0', true);
  clock.runUntil(5000);
  assert.deepEqual(acted, ['2500 eth0 down', '4500 eth0 up']);
});

test('a flap shorter than the delay is not acted on; a change to the state acted on does nothing', () => {
  const { clock, acted, links } = debounce({ eth0: true });
  links.state('eth0');
  links.event('eth0', false);
  clock.runUntil(1000);
  links.event('eth0', true);
  clock.runUntil(10_000);
  assert.deepEqual(acted, []);
  links.event('eth0', true);
  clock.runUntil(20_000);
  assert.deepEqual(acted, []);
});

test('an interface never seen up comes up at once; an interface without delays changes at once', () => {
  const { clock, acted, links } = debounce({ eth0: false, eth1: true });
  assert.equal(links.state('eth0'), false);
  links.state('eth1');
  clock.runUntil(100);
  links.event('eth0', true);
  links.event('eth1', false);
  assert.deepEqual(acted, ['100 eth0 up', '100 eth1 down']);
  // Seen up now: the next change waits.
  links.event('eth0', false);
  clock.runUntil(1599);
  assert.equal(acted.length, 2);
  clock.runUntil(1600);
  assert.deepEqual(acted.at(-1), '1600 eth0 down');
});

test('closing cancels what is pending', () => {
  const { clock, acted, links } = debounce({ eth0: true });
  links.state('eth0');
  links.event('eth0', false);
  links.close();
  clock.runUntil(10_000);
  assert.deepEqual(acted, []);
});
