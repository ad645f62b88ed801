/**
 * The node's announcements (actors/announce/) on virtual time, with the simulated route announcer: health in,
 * routes out; a refused announcement is retried; a reload keeps an unchanged announcement, withdraws a dropped or
 * changed one; a stop withdraws, a halt leaves the routes to the kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeAnnouncements } from '../../actors/announce/node-announcements.js';
import { announcementSpecs } from '../../actors/announce/announcement-specs.js';
import { ANNOUNCE_RETRY_MS } from '../../actors/announce/announcement-runner.js';
import type { KeepalivedConfig } from '../../actors/vrrp/specs-from-config.js';
import { SimulatedRouteAnnouncer } from '../../sim/simulated-route-announcer.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { AnnouncedRoute, RouteAnnouncer } from '../../transport/route-announcer.js';
import { parse } from '../config/helpers.js';

const config = (vsTable: string, instanceTable: string): KeepalivedConfig =>
  parse(`virtual_server group WEB {
  ${vsTable}
  lb_algo mh
  lb_kind NAT
  real_server 192.0.2.21 80 {
    TCP_CHECK {
    }
  }
}
virtual_server_group WEB {
  192.0.2.100 80
  192.0.2.110-111 80
  fwmark 5
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  ${instanceTable}
  virtual_ipaddress {
    192.0.2.1/24
    192.0.2.2/24
  }
}
`).config as KeepalivedConfig;

function rig(announcer?: (inner: SimulatedRouteAnnouncer) => RouteAnnouncer) {
  const clock = new VirtualClock();
  const table = new SimulatedRouteAnnouncer(clock, 'lb1');
  const warnings: string[] = [];
  const node = new NodeAnnouncements({ clock, announcer: announcer ? announcer(table) : table, warn: (m) => warnings.push(m), changed: () => {} });
  return { clock, table, node, warnings };
}

test('what is announced: a group virtual server its addresses (ranges expanded, fwmark entries none), an instance its VIPs', () => {
  const specs = announcementSpecs(config('announce_table 100', 'announce_table 7'));
  assert.deepEqual(
    specs.map((s) => [s.owner, s.routes.map((r) => `${r.vip} ${r.table}`)]),
    [
      ['virtual_server group WEB', ['192.0.2.100 100', '192.0.2.110 100', '192.0.2.111 100']],
      ['vrrp_instance VI_1', ['192.0.2.1 7', '192.0.2.2 7']],
    ],
  );
});

test('health in, routes out: quorum for the virtual server, MASTER for the instance', () => {
  const { node, table } = rig();
  node.apply(config('announce_table 100', 'announce_table 7'));
  assert.deepEqual(table.table(), []);
  node.quorum('group WEB', true);
  assert.deepEqual(table.table(), ['192.0.2.100 table 100', '192.0.2.110 table 100', '192.0.2.111 table 100']);
  node.vrrpState('VI_1', 'MASTER');
  assert.equal(table.table().length, 5);
  node.vrrpState('VI_1', 'BACKUP');
  node.quorum('group WEB', false);
  assert.deepEqual(table.table(), []);
  node.vrrpState('VI_1', 'MASTER');
  assert.deepEqual(node.statuses().filter((s) => s.announced).map((s) => s.vip), ['192.0.2.1', '192.0.2.2']);
});

test('a refused announcement is a warning and is tried again, on the clock, while healthy', () => {
  let refusals = 2;
  const { node, table, clock, warnings } = rig((inner) => ({
    announce: (r: AnnouncedRoute) => (refusals-- > 0 ? Promise.reject(new Error('EPERM')) : inner.announce(r)),
    withdraw: (r: AnnouncedRoute) => inner.withdraw(r),
    close: () => inner.close(),
  }));
  node.apply(config('', 'announce_table 7'));
  node.vrrpState('VI_1', 'MASTER');
  return Promise.resolve().then(async () => {
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(warnings.some((w) => w.includes('cannot announce 192.0.2.1 in table 7: EPERM')), warnings.join('\n'));
    clock.runFor(ANNOUNCE_RETRY_MS);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(table.table(), ['192.0.2.1 table 7', '192.0.2.2 table 7']);
  });
});

test('a reload keeps an unchanged announcement, withdraws a dropped one and moves a changed one', () => {
  const { node, table } = rig();
  node.apply(config('announce_table 100', 'announce_table 7'));
  node.quorum('group WEB', true);
  node.vrrpState('VI_1', 'MASTER');
  node.apply(config('announce_table 100', 'announce_table 8'));
  assert.deepEqual(table.table(), ['192.0.2.1 table 8', '192.0.2.100 table 100', '192.0.2.110 table 100', '192.0.2.111 table 100', '192.0.2.2 table 8']);
  node.apply(config('', 'announce_table 8'));
  assert.deepEqual(table.table(), ['192.0.2.1 table 8', '192.0.2.2 table 8']);
});

test('a stop withdraws everything; a halt (crash) leaves the routes to the kernel', () => {
  const stopped = rig();
  stopped.node.apply(config('announce_table 100', ''));
  stopped.node.quorum('group WEB', true);
  stopped.node.stop();
  assert.deepEqual(stopped.table.table(), []);
  const crashed = rig();
  crashed.node.apply(config('announce_table 100', ''));
  crashed.node.quorum('group WEB', true);
  crashed.node.halt();
  assert.equal(crashed.table.table().length, 3, 'the process has not withdrawn anything: the kernel will');
});

test('global_defs announce_device goes to the announcer before the first announcement; a change at a reload is said', () => {
  const clock = new VirtualClock();
  const table = new SimulatedRouteAnnouncer(clock, 'lb1');
  const devices: string[] = [];
  const warnings: string[] = [];
  const announcer: RouteAnnouncer = {
    announce: (r) => table.announce(r),
    withdraw: (r) => table.withdraw(r),
    close: () => table.close(),
    useDevice: (name) => (devices.push(name), devices.length > 1 ? `kept ${devices[0]}` : undefined),
  };
  const node = new NodeAnnouncements({ clock, announcer, warn: (m) => warnings.push(m), changed: () => {} });
  const withDevice = (name: string): KeepalivedConfig => {
    const c = config('', 'announce_table 7');
    return { ...c, globalDefs: { ...c.globalDefs, announceDevice: name } };
  };
  node.apply(withDevice('vigil-b'));
  assert.deepEqual(devices, ['vigil-b']);
  node.apply(withDevice('vigil-c'));
  assert.deepEqual(warnings, ['kept vigil-b']);
});
