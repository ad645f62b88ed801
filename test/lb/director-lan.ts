/**
 * The LAN of the nftables namespace tests: a client (.65), a director (.66) holding the VIP 192.168.77.100 with
 * ip_forward on, and three real servers b1-b3 (.67-.69) whose route back to the client goes through the director,
 * each running a TCP server on 8080 that answers its name. Only exports.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createLan, type Lan, type LanHost } from '../netns/harness.js';

export const VIP = '192.168.77.100';
export const SERVERS = ['b1', 'b2', 'b3'] as const;

const SERVER = `
const net = require('node:net');
const name = process.argv[1];
net.createServer((s) => { s.on('error', () => {}); s.end(name); }).listen(8080, '0.0.0.0', () => console.log('ready'));
`;

export interface DirectorLan {
  readonly lan: Lan;
  readonly director: LanHost;
  readonly client: LanHost;
}

/** The LAN named `name`, its servers answering; `rpFilterOff` also turns the director's reverse-path filter off. */
export async function directorLan(name: string, rpFilterOff = false): Promise<DirectorLan> {
  const lan = await createLan({ name, hosts: ['client', 'director', ...SERVERS], v4Prefix: '192.168.77.X' });
  try {
    const director = lan.host('director');
    const client = lan.host('client');
    await lan.exec(director.ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth0.send_redirects=0']);
    if (rpFilterOff) await lan.exec(director.ns, ['sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.eth0.rp_filter=0']);
    await lan.exec(director.ns, ['ip', 'addr', 'add', `${VIP}/32`, 'dev', 'eth0']);
    await Promise.all(
      SERVERS.map(async (server) => {
        const host = lan.host(server);
        // Replies to the client go back through the director, which undoes the DNAT (connection tracking).
        await lan.exec(host.ns, ['ip', 'route', 'add', `${client.ipv4}/32`, 'via', director.ipv4]);
        const child = lan.spawn(host.ns, [process.execPath, '-e', SERVER, server]);
        const [line] = (await once(child.stdout!, 'data')) as [Buffer];
        assert.equal(line.toString().trim(), 'ready');
      }),
    );
    return { lan, director, client };
  } catch (e) {
    await lan.cleanup();
    throw e;
  }
}
