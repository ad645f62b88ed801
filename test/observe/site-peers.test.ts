/**
 * `vigil site`'s merge over real HTTP, in one process: two daemon endpoints (ObservationServer, as `vigil run
 * --http` serves one, the first with a token) on virtual clocks far apart, and a site on a third. The site
 * estimates each clock's offset (exactly: the virtual clocks stand still during a request), moves every record
 * onto its own clock, merges them in time order, shows the VIP holder per VRID, marks a peer that went away as
 * unreachable and reads it again, from its first record, when it comes back restarted.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Subject } from 'rxjs';
import type { BusMessage } from '../../actors/bus.js';
import { ObservationServer } from '../../observe/http-server.js';
import type { MachineGraph } from '../../observe/machine-graph.js';
import type { ObservedEvent } from '../../observe/observed-event.js';
import { Site, type SiteSnapshot } from '../../observe/site/site.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { closeBrowser, requireBrowser } from './browser.js';

after(closeBrowser);

const TOKEN = 'site-test-token-0123456789abcdef';

/** A daemon's endpoint fed by hand, its clock at `start`. */
async function peer(node: string, start: number, options: { token?: string; port?: number; wallAtStart?: number } = {}) {
  const clock = new VirtualClock();
  clock.runUntil(start);
  const events = new Subject<ObservedEvent>();
  const source = { events$: events.asObservable(), graphs: new Map<string, MachineGraph>() };
  const server = new ObservationServer({ host: '127.0.0.1', port: options.port ?? 0, title: node, node, clock, wallClock: () => (options.wallAtStart ?? 1_700_000_000_000 + start) + clock.now() - start, stream: source, token: options.token });
  const { port, url } = await server.listen();
  const bus = (message: BusMessage): void => events.next({ kind: 'bus', at: message.at, message });
  const instance = (name: string): void => events.next({ kind: 'actor', at: clock.now(), actor: `${node}/${name}`, node, id: name, machine: 'vrrp' });
  const transition = (instance: string, vrid: number, from: 'INIT' | 'BACKUP' | 'MASTER', to: 'BACKUP' | 'MASTER'): void =>
    bus({ kind: 'transition', at: clock.now(), node, instance, from, to, priority: 100, vrid, interface: 'eth0' });
  const vip = (instance: string, action: 'add' | 'del'): void => bus({ kind: 'vip', at: clock.now(), node, instance, address: '192.168.77.100', action });
  return { clock, server, port, url, instance, transition, vip, events };
}

/** Waits (real time, generously) for a condition on the site. */
async function until(what: string, check: () => boolean, describe: () => string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await delay(25);
  }
  assert.fail(`${what}: ${describe()}`);
}

const shown = (list: readonly ObservedEvent[]): string[] =>
  list.flatMap((e) => {
    if (e.kind === 'bus' && e.message.kind === 'transition') return [`${e.at} ${e.message.node} ${e.message.to}`];
    if (e.kind === 'bus' && e.message.kind === 'vip') return [`${e.at} ${e.message.node} vip ${e.message.action}`];
    if (e.kind === 'process') return [`${e.at} ${e.node} ${e.up ? 'up' : 'down'} ${e.cause}`];
    return [];
  });

test('site: two peers on clocks far apart, merged on the site clock in time order; one goes away and comes back restarted', { timeout: 60_000 }, async (t) => {
  const a = await peer('hostA', 10_000, { token: TOKEN });
  const b = await peer('hostB', 500_000, { token: TOKEN });
  const siteClock = new VirtualClock();
  siteClock.runUntil(100);
  // What a: had already done before the site came: its backlog.
  a.instance('VI_1');
  a.transition('VI_1', 51, 'INIT', 'BACKUP');
  a.clock.runFor(20);
  a.transition('VI_1', 51, 'BACKUP', 'MASTER');
  a.vip('VI_1', 'add');
  const site = new Site({
    peers: [{ url: a.url, name: 'r1' }, { url: b.url }],
    token: TOKEN,
    clock: siteClock,
    wallClock: () => 1_700_000_000_000 + siteClock.now() + 250,
    link: { samples: 2, minBackoffMs: 500, maxBackoffMs: 500 },
  });
  const siteServer = new ObservationServer({ host: '127.0.0.1', port: 0, title: 'site', clock: siteClock, stream: site, site });
  const merged: ObservedEvent[] = [];
  site.events$.subscribe((e) => merged.push(e));
  const siteUrl = (await siteServer.listen()).url;
  let b2: Awaited<ReturnType<typeof peer>> | undefined;
  t.after(async () => {
    site.close();
    await siteServer.close();
    await a.server.close();
    await b.server.close();
    await b2?.server.close();
  });
  site.start();
  const snap = (): SiteSnapshot => site.snapshot();
  const peerOf = (name: string) => snap().peers.find((p) => p.name === name);
  await until('both peers live', () => snap().peers.every((p) => p.state === 'live'), () => JSON.stringify(snap()));
  // The clocks stood still during each request: the offsets are exact, the round trips 0 (a's clock is at 10_020).
  assert.deepEqual(
    snap().peers.map((p) => [p.name, p.offsetMs, p.rttMs, p.wallOffsetMs]),
    [
      ['r1', 9_920, 0, 9_670],
      ['hostB', 499_900, 0, 499_650],
    ],
  );
  // a's backlog is held: b has not told of any time yet (its records could be older).
  assert.deepEqual(shown(merged), []);

  // b does something at its 500_050 (the site's 150), a at its 10_120 (the site's 200), b again at 230.
  b.instance('VI_1');
  b.clock.runFor(50);
  b.transition('VI_1', 51, 'INIT', 'BACKUP');
  a.clock.runFor(100);
  a.transition('VI_1', 51, 'MASTER', 'BACKUP');
  a.vip('VI_1', 'del');
  b.clock.runFor(80);
  b.transition('VI_1', 51, 'BACKUP', 'MASTER');
  b.vip('VI_1', 'add');
  // Their ticks (each second of their clocks) let everything before them go out.
  a.clock.runFor(1000);
  b.clock.runFor(1000);
  const expected = ['80 r1 BACKUP', '100 r1 MASTER', '100 r1 vip add', '150 hostB BACKUP', '200 r1 BACKUP', '200 r1 vip del', '230 hostB MASTER', '230 hostB vip add'];
  await until('the records merged', () => shown(merged).length === expected.length, () => shown(merged).join('\n'));
  assert.deepEqual(shown(merged), expected);
  // The actors are named by the site's names too.
  assert.ok(merged.some((e) => e.kind === 'actor' && e.actor === 'r1/VI_1' && e.node === 'r1'));
  // One master, one VIP holder for VRID 51, across the two routers.
  assert.deepEqual(snap().vrids, [{ vrid: 51, iface: 'eth0', masters: ['hostB'], holders: ['hostB'] }]);
  const served = (await (await fetch(`${siteUrl}site`)).json()) as SiteSnapshot;
  assert.deepEqual(served.vrids, snap().vrids);
  assert.deepEqual(served.peers.map((p) => p.state), ['live', 'live']);
  const page = await (await fetch(siteUrl)).text();
  assert.ok(page.includes('"site":{'), 'the page boots with the peers');

  // b goes away (its process ended): unreachable from the last time it was heard; a goes on.
  const before = merged.length;
  await b.server.close();
  await until('b unreachable', () => peerOf('hostB')?.state === 'unreachable', () => JSON.stringify(snap()));
  a.clock.runFor(1000);
  await until('the band', () => merged.length > before, () => shown(merged).join('\n'));
  const band = merged.slice(before).find((e) => e.kind === 'process');
  assert.deepEqual(band && band.kind === 'process' ? [band.node, band.up, band.cause] : [], ['hostB', false, 'unreachable']);
  assert.deepEqual(snap().vrids[0]!.masters, [], 'an unreachable master is not shown as master');
  a.transition('VI_1', 51, 'BACKUP', 'MASTER');
  a.clock.runFor(1000);
  await until('a goes on', () => shown(merged).some((l) => l.endsWith('r1 MASTER') && Number(l.split(' ')[0]) > 230), () => shown(merged).join('\n'));

  // b comes back, restarted, on the same port: another incarnation, read from its first record.
  b2 = await peer('hostB', 900_000, { token: TOKEN, port: b.port });
  b2.instance('VI_1');
  b2.transition('VI_1', 51, 'INIT', 'BACKUP');
  // The link tries again after its backoff (site clock).
  // a's clock keeps pace (its ticks keep it from looking silent).
  for (let i = 0; i < 400 && peerOf('hostB')?.state !== 'live'; i++) {
    siteClock.runFor(500);
    a.clock.runFor(500);
    await delay(25);
  }
  assert.equal(peerOf('r1')?.state, 'live', JSON.stringify(snap()));
  assert.equal(peerOf('hostB')?.state, 'live', JSON.stringify(snap()));
  // The new clock, estimated again (the site's clock moved on while it retried: the offset of a sample taken then).
  const offset = peerOf('hostB')!.offsetMs!;
  assert.ok(offset >= 900_000 - siteClock.now() && offset < 900_000 - 100, `offset ${offset} at ${siteClock.now()}`);
  // The peers' clocks go on (together, as real ones do) until b's return is merged.
  for (let i = 0; i < 400 && !shown(merged).some((l) => l.endsWith('hostB up reachable')); i++) {
    b2.clock.runFor(500);
    a.clock.runFor(500);
    await delay(25);
  }
  assert.ok(shown(merged).some((l) => l.endsWith('hostB up reachable')), shown(merged).join('\n'));
  const again = merged.filter((e) => e.kind === 'bus' && e.message.kind === 'transition' && e.message.node === 'hostB' && e.at === 900_000 - offset);
  assert.equal(again.length, 1, shown(merged).join('\n'));
});

test('site page in Chromium: the peers and their clocks in the header, the VIP holder per VRID, an unreachable peer banded', { timeout: 90_000 }, async (t) => {
  const browser = await requireBrowser(t);
  if (!browser) return;
  // Their wall clocks read 1_700_000_001_000 as they start; the site's reads 1_700_000_000_998 at its 1000.
  const a = await peer('hostA', 10_000, { wallAtStart: 1_700_000_001_000 });
  const b = await peer('hostB', 40_000, { wallAtStart: 1_700_000_001_000 });
  const siteClock = new VirtualClock();
  siteClock.runUntil(1000);
  const site = new Site({ peers: [{ url: a.url, name: 'r1' }, { url: b.url, name: 'r2' }], clock: siteClock, wallClock: () => 1_700_000_000_000 + siteClock.now() - 2, link: { samples: 2 } });
  const siteServer = new ObservationServer({ host: '127.0.0.1', port: 0, title: 'site', clock: siteClock, stream: site, site });
  const siteUrl = (await siteServer.listen()).url;
  t.after(async () => {
    site.close();
    await siteServer.close();
    await a.server.close();
    await b.server.close();
  });
  for (const p of [a, b]) {
    p.instance('VI_1');
    p.transition('VI_1', 51, 'INIT', 'BACKUP');
  }
  b.clock.runFor(10);
  b.transition('VI_1', 51, 'BACKUP', 'MASTER');
  b.vip('VI_1', 'add');
  site.start();
  await until('both live', () => site.snapshot().peers.every((p) => p.state === 'live'), () => JSON.stringify(site.snapshot()));
  a.clock.runFor(1000);
  b.clock.runFor(1000);
  await until('merged', () => site.snapshot().vrids.length === 1 && site.snapshot().vrids[0]!.masters.length === 1, () => JSON.stringify(site.snapshot()));
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  t.after(() => page.close());
  await page.goto(siteUrl);
  await page.waitForSelector('#peers .peer[data-peer="r2"]');
  const peers = await page.$$eval('#peers .peer', (els) => els.map((e) => `${(e as HTMLElement).dataset['peer']} ${(e as HTMLElement).dataset['state']} ${e.textContent}`));
  // Wall clocks 2 ms apart (b's 10 ms on when asked), known exactly here (round trips of 0 on virtual clocks).
  assert.deepEqual(peers, ['r1 live r1 ● clock +2.0 ±0.0 ms', 'r2 live r2 ● clock +12.0 ±0.0 ms']);
  await page.waitForSelector('#holders .vrid[data-vrid="51"]');
  const holder = await page.$eval('#holders .vrid[data-vrid="51"]', (e) => [(e as HTMLElement).dataset['masters'], (e as HTMLElement).dataset['holders'], e.textContent]);
  assert.deepEqual(holder, ['r2', 'r2', 'VRID 51 eth0: r2']);
  // Lanes per node, both nodes.
  const lanes = await page.$$eval('#tl-rows .row.lane', (els) => els.map((e) => (e as HTMLElement).dataset['lane']));
  assert.deepEqual(lanes.sort(), ['r1 VI_1', 'r2 VI_1']);

  // r2 goes away: the header says so (a `site` event), its lane turns UNREACHABLE and it is no longer the master.
  await b.server.close();
  a.clock.runFor(1000);
  await page.waitForSelector('#peers .peer[data-peer="r2"][data-state="unreachable"]');
  await page.waitForSelector('#tl-rows .row.lane[data-lane="r2 VI_1"] rect.down[data-band="UNREACHABLE"]');
  const badge = await page.$eval('#tl-rows .row.lane[data-lane="r2 VI_1"] .lane-label .state', (e) => e.textContent);
  assert.equal(badge, 'UNREACHABLE');
  await page.waitForSelector('#holders .vrid.odd[data-vrid="51"][data-masters=""]');
});
