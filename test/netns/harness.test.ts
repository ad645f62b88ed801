import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createLan, requireNetns } from './harness.js';

const namespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '');

test('createLan builds connected namespaces and cleanup removes them and their processes', { timeout: 30_000 }, async (t) => {
  if (!requireNetns(t)) return;
  const lan = await createLan({ name: 'harness', hosts: ['one', 'two'], v4Prefix: '192.168.77.X', v4Start: 115, v4PrefixLength: 26 });
  let cleaned = false;
  try {
    const [one, two] = lan.hosts;
    assert.ok(one !== undefined && two !== undefined);
    assert.notEqual(one.ns, two.ns);
    assert.ok(namespaces().includes(one.ns) && namespaces().includes(lan.bridgeNs));
    assert.match(one.ipv6LinkLocal, /^fe80::/);
    assert.match(one.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    // They reach each other across the bridge: a UDP listener in `two` hears a datagram sent from `one`.
    const listener = lan.spawn(two.ns, [
      process.execPath,
      '-e',
      `const s = require('node:dgram').createSocket('udp4');
       s.on('message', (m, r) => { console.log(m.toString() + ' from ' + r.address); process.exit(0); });
       s.bind(7777, () => console.log('bound'));`,
    ]);
    let heard = '';
    const bound = new Promise<void>((resolve) =>
      listener.stdout?.on('data', (c: Buffer) => {
        heard += c.toString();
        if (heard.includes('bound')) resolve();
      }),
    );
    const listenerExit = new Promise<void>((resolve) => listener.once('exit', () => resolve()));
    await bound;
    await lan.exec(one.ns, [
      process.execPath,
      '-e',
      `const s = require('node:dgram').createSocket('udp4'); s.send('hello', 7777, '${two.ipv4}', () => s.close());`,
    ]);
    await listenerExit;
    assert.match(heard, new RegExp(`hello from ${one.ipv4.replace(/\./g, '\\.')}`));
    const sleeper = lan.spawn(two.ns, ['sleep', '600']);
    const exited = new Promise<string | null>((resolve) => sleeper.once('exit', (_code, signal) => resolve(signal)));
    await lan.cleanup();
    cleaned = true;
    assert.equal(await exited, 'SIGKILL');
    for (const ns of [one.ns, two.ns, lan.bridgeNs]) assert.equal(namespaces().includes(ns), false);
  } finally {
    if (!cleaned) await lan.cleanup();
  }
});
