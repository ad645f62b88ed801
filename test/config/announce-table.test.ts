/**
 * `announce_table` (vigil's extension, config/keywords/announce.ts, config/finalize-announce.ts): in virtual_server
 * and vrrp_instance blocks, a number 1-252 or a name from rt_tables (rt_tables.d too), resolved to the table id the
 * runtime puts the announced host routes in; every problem an error at the keyword's file:line.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ipProtocolNames } from '../../config/ip-protocols.js';
import { iproute2Names } from '../../config/iproute2-names.js';
import { renderConfig } from '../../config/render.js';
import { errorsOf, instance, MAIN, parse } from './helpers.js';

const FILES: Readonly<Record<string, string>> = {
  '/etc/iproute2/rt_tables': '255 local\n254 main\n253 default\n100 vips\n',
  '/etc/iproute2/rt_tables.d/bgp.conf': '120 bgp_export\n',
};

const routeNames = {
  iproute2: iproute2Names({ read: (p) => FILES[p], list: (d) => Object.keys(FILES).filter((p) => p.startsWith(`${d}/`)).map((p) => p.slice(d.length + 1)) }, '/etc/iproute2', '/nowhere'),
  ipProtocols: ipProtocolNames({ read: () => undefined, list: () => [] }),
};

const vs = (head: string, extra: string): string =>
  `virtual_server ${head} {\n  lb_algo mh\n  protocol TCP\n${extra}\n  real_server 192.0.2.21 8080 {\n    TCP_CHECK {\n    }\n  }\n}\n`;

const read = (text: string) => parse(text, {}, { routeNames });

test('a virtual server and a VRRP instance take a table number or a name (rt_tables and rt_tables.d)', () => {
  const r = read(`${vs('192.0.2.100 80', '  announce_table 100')}${vs('192.0.2.101 80', '  announce_table bgp_export')}${instance('  announce_table vips')}`);
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(
    r.config.virtualServers.map((v) => v.announceTable),
    [100, 120],
  );
  assert.equal(r.config.vrrpInstances[0]!.announceTable, 100);
});

test('without the keyword nothing is announced', () => {
  const r = read(`${vs('192.0.2.100 80', '')}${instance('')}`);
  assert.equal(r.config.virtualServers[0]!.announceTable, undefined);
  assert.equal(r.config.vrrpInstances[0]!.announceTable, undefined);
});

test('bad tables are errors naming the file and line: out of range, unknown name, a kernel table, no value, fwmark', () => {
  const cases: [string, string][] = [
    [vs('192.0.2.100 80', '  announce_table 253'), `${MAIN}:4: virtual_server 192.0.2.100 80: announce_table 253 is not a table from 1 to 252`],
    [vs('192.0.2.100 80', '  announce_table 0'), `${MAIN}:4: virtual_server 192.0.2.100 80: announce_table 0 is not a table from 1 to 252`],
    [instance('  announce_table nosuch'), `${MAIN}:7: vrrp_instance VI_1: announce_table 'nosuch' is not a number or a name in /etc/iproute2/rt_tables or rt_tables.d/*.conf`],
    [instance('  announce_table main'), `${MAIN}:7: vrrp_instance VI_1: announce_table 'main' is the kernel's table 254; announced routes need a table of their own`],
    [instance('  announce_table'), `${MAIN}:7: announce_table: expected one table, a number 1-252 or a name from rt_tables`],
    [vs('fwmark 7', '  announce_table 100'), `${MAIN}:4: announce_table: a fwmark virtual server has no address to announce (fwmark 7)`],
  ];
  for (const [text, error] of cases) {
    const errors = errorsOf(read(text));
    assert.ok(errors.some((e) => e.includes(error)), `${error}\n not in:\n${errors.join('\n')}`);
  }
});

test('config dump writes the resolved table back, and reading the dump gives the same configuration', () => {
  const r = read(`${vs('192.0.2.100 80', '  announce_table bgp_export')}${instance('  announce_table 7')}`);
  const text = renderConfig(r.config);
  assert.match(text, /^\s+announce_table 120$/m);
  assert.match(text, /^\s+announce_table 7$/m);
  const again = read(text);
  assert.deepEqual(errorsOf(again), []);
  assert.deepEqual([again.config.virtualServers[0]!.announceTable, again.config.vrrpInstances[0]!.announceTable], [120, 7]);
});

test('global_defs announce_device names the TUN device (default vigil-announce); a name the kernel would refuse is an error', () => {
  assert.equal(read(instance('')).config.globalDefs.announceDevice, 'vigil-announce');
  assert.equal(read(`global_defs {\n  announce_device vigil-b\n}\n${instance('')}`).config.globalDefs.announceDevice, 'vigil-b');
  const errors = errorsOf(read(`global_defs {\n  announce_device much-too-long-a-name\n}\n`));
  assert.ok(errors.some((e) => e.startsWith(`${MAIN}:2: announce_device: 'much-too-long-a-name' is not an interface name`)), errors.join('\n'));
  assert.ok(errorsOf(read(`global_defs {\n  announce_device "a;b"\n}\n`)).some((e) => e.includes('is not an interface name')));
});
