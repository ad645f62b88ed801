/**
 * The timing keywords a peer can see, on the wire between vigil and Debian's keepalived 2.2.7 in namespaces,
 * told from a capture on the LAN's bridge (tcpdump): higher_prio_send_advert (the old master's one last
 * advertisement), garp_lower_prio_repeat / _delay (the new master's answer to it) and down_timer_adverts (how
 * long a backup waits after the master's last advertisement). Counts and orders, and one lower bound: a timer
 * never fires early, however loaded the machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable, createLan, type Lan, type LanHost } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, holders, startDaemon, vrrpConfig, type Daemon, stopDaemons } from './daemons.js';

const VIP = '192.168.77.250';

interface Heard {
  readonly t: number;
  readonly kind: 'advert' | 'arp';
  /** The sender: its IPv4 address for an advertisement, its MAC for an ARP. */
  readonly from: string;
  readonly priority?: number;
}

/** tcpdump on the bridge: every VRRP advertisement and every ARP for the VIP, with its time and sender. */
function capture(lan: Lan): { heard: Heard[]; proc: ChildProcess; ready: Promise<void> } {
  const heard: Heard[] = [];
  const proc = lan.spawn(lan.bridgeNs, ['tcpdump', '-l', '-n', '-e', '-tt', '-i', 'br0', 'ip proto 112 or arp']);
  let rest = '';
  let readyResolve: () => void = () => undefined;
  const ready = new Promise<void>((r) => (readyResolve = r));
  proc.stderr?.on('data', (c: Buffer) => {
    if (c.toString().includes('listening on')) readyResolve();
  });
  proc.stdout?.on('data', (c: Buffer) => {
    rest += c.toString();
    const lines = rest.split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const advert = /^(\d+\.\d+) .*? (\d+\.\d+\.\d+\.\d+) > 224\.0\.0\.18: VRRPv\d, Advertisement, vrid \d+, prio (\d+)/.exec(line);
      if (advert) heard.push({ t: Number(advert[1]), kind: 'advert', from: advert[2]!, priority: Number(advert[3]) });
      const arp = /^(\d+\.\d+) ([0-9a-f:]{17}) > .*ARP.*(?:who-has|Reply) 192\.168\.77\.250\b/.exec(line);
      if (arp) heard.push({ t: Number(arp[1]), kind: 'arp', from: arp[2]! });
    }
  });
  return { heard, proc, ready };
}

async function withLan(name: string, body: (lan: Lan, v: LanHost, k: LanHost, heard: Heard[], daemons: Daemon[]) => Promise<void>): Promise<void> {
  const lan = await createLan({ name, hosts: ['v', 'k'], v4Prefix: '192.168.77.X', v4Start: 193, v4PrefixLength: 26 });
  const daemons: Daemon[] = [];
  const cap = capture(lan);
  try {
    await Promise.race([cap.ready, delay(5000)]);
    await body(lan, lan.host('v'), lan.host('k'), cap.heard, daemons);
  } finally {
    await stopDaemons(lan, daemons);
  }
}

const describe = (lan: Lan, hosts: LanHost[], daemons: Daemon[], heard: Heard[]) => async () =>
  `holders ${JSON.stringify(await holders(lan, hosts, VIP))}\nheard ${JSON.stringify(heard.slice(-20))}\n${daemons.map((d) => `--- ${d.kind}:\n${d.log().slice(-2000)}`).join('\n')}`;

/**
 * The old master (`oldKind`, priority 100, `extra` its keywords) holds the VIP; the new one (priority 150,
 * `newExtra`) starts, waits its Master_Down_Interval and takes over. Returns what the capture heard from the
 * new one's first advertisement on, with the two hosts.
 */
interface Takeover {
  readonly after: Heard[];
  /** What was heard in the half second before the new master's first advertisement. */
  readonly before: Heard[];
  readonly oldHost: LanHost;
  readonly newHost: LanHost;
}

async function takeover(name: string, oldKind: 'vigil' | 'keepalived', extra: string, newExtra: string): Promise<Takeover> {
  let out: Takeover | undefined;
  await withLan(name, async (lan, v, k, heard, daemons) => {
    const [oldHost, newHost] = oldKind === 'vigil' ? [v, k] : [k, v];
    const newKind = oldKind === 'vigil' ? 'keepalived' : 'vigil';
    const why = describe(lan, [v, k], daemons, heard);
    daemons.push(startDaemon(lan, oldHost, oldKind, vrrpConfig({ name: 'old', vrid: 77, priority: 100, version: 2, vip: `${VIP}/26`, extra })));
    await eventually(async () => JSON.stringify(await holders(lan, [v, k], VIP)) === JSON.stringify([oldHost.name]), 15_000, why);
    daemons.push(startDaemon(lan, newHost, newKind, vrrpConfig({ name: 'new', vrid: 77, priority: 150, version: 2, vip: `${VIP}/26`, extra: newExtra })));
    await eventually(async () => JSON.stringify(await holders(lan, [v, k], VIP)) === JSON.stringify([newHost.name]), 15_000, why);
    // Long enough for a delayed burst (garp_lower_prio_delay 1) and a few advertisements more: the new master's
    // fourth advertisement (advert_int 1) on the wire, not a wait on this process's clock, which a loaded machine
    // can outrun. The capture is in order: whatever the new master sent before it has been read.
    const fromNew = (h: Heard): boolean => h.kind === 'advert' && h.from === newHost.ipv4 && h.priority === 150;
    await eventually(async () => heard.filter(fromNew).length >= 4, 15_000, why);
    const first = heard.findIndex(fromNew);
    assert.ok(first >= 0, await why());
    out = { after: heard.slice(first), before: heard.slice(0, first).filter((h) => h.t >= heard[first]!.t - 0.5), oldHost, newHost };
  });
  return out!;
}

test('higher_prio_send_advert: vigil, the old master, advertises once more on hearing keepalived take over; without it, never', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'), () => commandAvailable('tcpdump'))) return;
  const [withIt, without] = await Promise.all([takeover('tga', 'vigil', 'higher_prio_send_advert', ''), takeover('tgb', 'vigil', '', '')]);
  const oldAdverts = (r: typeof withIt) => r.after.filter((h) => h.kind === 'advert' && h.from === r.oldHost.ipv4);
  assert.deepEqual(
    oldAdverts(withIt).map((h) => h.priority),
    [100],
    JSON.stringify(withIt.after.slice(0, 10)),
  );
  assert.deepEqual(oldAdverts(without), [], JSON.stringify(without.after.slice(0, 10)));
});

/**
 * The new master's immediate answers (advertisements in its first half second after the first) and the
 * lower-priority advertisements of the old master around them that it could have been answering.
 */
function answersOf(r: Takeover): { answers: number; lowerHeard: number; trace: string } {
  const t0 = r.after[0]!.t;
  const answers = r.after.filter((h, i) => i > 0 && h.kind === 'advert' && h.from === r.newHost.ipv4 && h.t - t0 < 0.5).length;
  const lowerHeard = [...r.before, ...r.after].filter((h) => h.kind === 'advert' && h.from === r.oldHost.ipv4 && h.priority === 100 && h.t - t0 < 0.5).length;
  return { answers, lowerHeard, trace: JSON.stringify([...r.before, ...r.after.slice(0, 15)]) };
}

test("garp_lower_prio_repeat / _delay: vigil, the new master, announces the VIP again on keepalived's last advertisement, and once more after the delay", { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'), () => commandAvailable('tcpdump'))) return;
  const vigilGarps = 'garp_master_repeat 1\n  garp_master_delay 0\n  garp_lower_prio_repeat 2\n  garp_lower_prio_delay 1';
  const [answered, unanswered] = await Promise.all([
    takeover('tgc', 'keepalived', 'higher_prio_send_advert', vigilGarps),
    takeover('tgd', 'keepalived', '', vigilGarps),
  ]);
  const arps = (r: typeof answered) => r.after.filter((h) => h.kind === 'arp' && h.from === r.newHost.mac.toLowerCase());
  const lastOld = (r: typeof answered) => r.after.findIndex((h) => h.kind === 'advert' && h.from === r.oldHost.ipv4);
  // keepalived (higher_prio_send_advert) answers vigil's first advertisement with one of priority 100.
  const at = lastOld(answered);
  assert.ok(at > 0, JSON.stringify(answered.after.slice(0, 10)));
  assert.equal(answered.after[at]!.priority, 100);
  // vigil answers each lower-priority advertisement it hears as master with one advertisement at once. Usually
  // that is keepalived's answer only; when keepalived's own timer fired just as vigil took over, vigil (already
  // master when it read it) answers that one too, as keepalived would: count the answers rather than assume one.
  const { answers, lowerHeard, trace } = answersOf(answered);
  assert.ok(answers >= 1 && answers <= lowerHeard, `answers ${answers}, lower-priority advertisements heard ${lowerHeard}: ${trace}`);
  // vigil: 1 on becoming master (garp_master_repeat 1), then for each answer 2 at once and 2 a second later
  // (the first may leave after keepalived's advertisement: it waits for the address to be added).
  const all = arps(answered);
  assert.equal(all.length, 1 + 4 * answers, trace);
  const last = answered.after.filter((h) => h.kind === 'advert' && h.from === answered.oldHost.ipv4)[0]!;
  assert.equal(all.filter((h) => h.t >= last.t).length >= 4 * answers, true, `the lower-priority announcements follow keepalived's advertisement: ${trace}`);
  const firstAnswer = all[1]!.t;
  assert.equal(all.filter((h) => h.t - firstAnswer >= 0.99).length, 2 * answers, `the repeats wait garp_lower_prio_delay: ${JSON.stringify(all)}`);
  // Without keepalived's answer there is no lower priority to answer (unless its timer fired as vigil took
  // over, counted as above): the one announcement.
  const quiet = answersOf(unanswered);
  assert.ok(quiet.answers <= quiet.lowerHeard, quiet.trace);
  if (quiet.lowerHeard === 0) assert.equal(lastOld(unanswered), -1);
  assert.equal(arps(unanswered).length, 1 + 4 * quiet.answers, quiet.trace);
});

test("down_timer_adverts 5: vigil, the backup, takes over no sooner than 5 intervals and the skew after keepalived's last advertisement", { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'), () => commandAvailable('tcpdump'))) return;
  await withLan('tge', async (lan, v, k, heard, daemons) => {
    const why = describe(lan, [v, k], daemons, heard);
    const dk = startDaemon(lan, k, 'keepalived', vrrpConfig({ name: 'k', vrid: 78, priority: 150, version: 2, vip: `${VIP}/26` }));
    daemons.push(dk);
    await eventually(async () => JSON.stringify(await holders(lan, [v, k], VIP)) === JSON.stringify(['k']), 15_000, why);
    daemons.push(startDaemon(lan, v, 'vigil', vrrpConfig({ name: 'v', vrid: 78, priority: 100, version: 2, vip: `${VIP}/26`, extra: 'down_timer_adverts 5' })));
    // vigil has heard keepalived for a while (it would have taken over after 5.6 s alone).
    await delay(7000);
    assert.deepEqual(await holders(lan, [v, k], VIP), ['k'], await why());
    dk.kill('SIGKILL');
    await eventually(async () => (await holders(lan, [v, k], VIP)).includes('v'), 15_000, why);
    // vigil's first advertisement as master, read from the capture.
    await eventually(async () => heard.some((h) => h.kind === 'advert' && h.from === v.ipv4), 15_000, why);
    const last = heard.filter((h) => h.kind === 'advert' && h.from === k.ipv4).at(-1)!;
    const first = heard.find((h) => h.kind === 'advert' && h.from === v.ipv4)!;
    assert.ok(last !== undefined && first !== undefined, await why());
    // Master_Down_Interval = 5 × 1 s + (256 − 100) / 256 s = 5.609 s; the RFCs' 3 would give 3.609 s.
    assert.ok(first.t - last.t >= 5.6, `vigil's first advertisement ${(first.t - last.t).toFixed(3)} s after keepalived's last`);
  });
});
