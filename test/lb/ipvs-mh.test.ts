/**
 * lb_algo mh on IPVS: the kernel's own Maglev scheduler (ip_vs_mh), named in IPVS_SVC_ATTR_SCHED_NAME, with
 * keepalived's `mh-fallback` as IP_VS_SVC_F_SCHED1 (0x08) and `mh-port` as IP_VS_SVC_F_SCHED2 (0x10), from the
 * configuration text to the generic-netlink bytes (written out by hand from include/uapi/linux/ip_vs.h) and into
 * the stand-in kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newServiceMessage } from '../../protocol/ipvs-messages.js';
import { toIpvsService } from '../../transport/real/lb/ipvs-mapping.js';
import { IpvsBackend } from '../../transport/real/lb/ipvs-backend.js';
import type { AddressService } from '../../machines/desired-state.js';
import { virtualServersOf } from '../checkers/lvs-config.js';
import { FakeIpvsKernel } from './fake-ipvs-kernel.js';

const h = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');

function serviceOf(flags: string): AddressService {
  const text = `virtual_server 192.168.77.100 80 {\n  lb_algo mh\n${flags}  protocol TCP\n  real_server 192.168.77.67 8080 {\n  }\n  real_server 192.168.77.68 8080 {\n  }\n}\n`;
  const template = virtualServersOf(text)[0]!.services[0]!;
  assert.equal(template.kind, 'address');
  return { ...(template as Omit<AddressService, 'destinations'>), destinations: [] };
}

/** IPVS_CMD_NEW_SERVICE for 192.168.77.100:80/tcp, scheduler "mh", the given IP_VS_SVC_F_* flags. */
const expected = (flags: string): string =>
  h(
    '6800 0000 2300 0500 01000000 00000000', // nlmsghdr: 104 bytes, family 0x23, REQUEST|ACK, seq 1
    '01 01 0000', // genlmsghdr: IPVS_CMD_NEW_SERVICE, version 1
    '5400 0180', // IPVS_CMD_ATTR_SERVICE, nested, 84 bytes
    '0600 0100 0200 0000', // AF AF_INET
    '0600 0200 0600 0000', // PROTOCOL IPPROTO_TCP
    '1400 0300 c0a84d64 000000000000000000000000', // ADDR 192.168.77.100
    '0600 0400 0050 0000', // PORT 80
    '0700 0600 6d6800 00', // SCHED_NAME "mh"
    `0c00 0700 ${flags} ffffffff`, // FLAGS {flags, mask}
    '0800 0800 00000000', // TIMEOUT 0
    '0800 0900 ffffffff', // NETMASK
  );

test('mh, mh-port, mh-fallback: SCHED_NAME "mh" and the flags SCHED2, SCHED1, both', () => {
  const hex = (s: AddressService): string => Buffer.from(newServiceMessage({ familyId: 0x23, seq: 1 }, toIpvsService(s))).toString('hex');
  assert.equal(hex(serviceOf('')), expected('00000000'));
  assert.equal(hex(serviceOf('  mh-port\n')), expected('10000000'));
  assert.equal(hex(serviceOf('  mh-fallback\n')), expected('08000000'));
  assert.equal(hex(serviceOf('  mh-port\n  mh-fallback\n')), expected('18000000'));
});

test('the stand-in kernel holds an mh service with both flags; dropping mh-port is an edit of the flags', async () => {
  const kernel = new FakeIpvsKernel();
  const backend = new IpvsBackend(kernel);
  const dests = [
    { address: '192.168.77.67', port: 8080, weight: 1, forwarding: 'NAT' as const },
    { address: '192.168.77.68', port: 8080, weight: 1, forwarding: 'NAT' as const },
  ];
  await backend.apply({ services: [{ ...serviceOf('  mh-port\n  mh-fallback\n'), destinations: dests }] });
  const entry = [...kernel.services.values()][0]!;
  assert.equal(entry.service.scheduler, 'mh');
  assert.equal(entry.service.flags, 0x18);
  assert.equal(entry.dests.size, 2);
  await backend.apply({ services: [{ ...serviceOf('  mh-fallback\n'), destinations: dests }] });
  assert.equal([...kernel.services.values()][0]!.service.flags, 0x08);
});
