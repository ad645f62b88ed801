/**
 * A private dbus-daemon for the DBus tests (a system bus of the test's own: its policy is packaging's
 * org.keepalived.Vrrp1.conf, the one vigil ships) and the busctl / gdbus readers pointed at it through
 * DBUS_SYSTEM_BUS_ADDRESS. The daemon runs in the host's namespace (its socket is a path) and is killed by the
 * LAN's cleanup (by PID).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Lan, LanHost } from '../netns/harness.js';
import { ROOT, eventually } from '../daemon/daemons.js';

const run = promisify(execFile);

/** A second name root may own on the test bus (dbus_service_name). */
export const OTHER_NAME = 'org.keepalived.VigilTest1';

export interface TestBus {
  /** DBUS_SYSTEM_BUS_ADDRESS of the bus. */
  readonly address: string;
  readonly env: Readonly<Record<string, string>>;
  /** Stops the bus daemon (SIGTERM, by PID). */
  stop(): void;
}

/** A system bus like Debian's (deny by default, root may monitor), with vigil's policy file included. */
export async function startBus(lan: Lan, host: LanHost, dir: string): Promise<TestBus> {
  // Other users reach the socket (the policy's default context is tested as nobody).
  chmodSync(dir, 0o755);
  const socket = join(dir, 'system_bus_socket');
  const conf = join(dir, 'bus.conf');
  writeFileSync(
    conf,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <policy user="root">
    <allow own="${OTHER_NAME}"/>
    <allow send_destination="${OTHER_NAME}"/>
  </policy>
  <include>${join(ROOT, 'packaging', 'org.keepalived.Vrrp1.conf')}</include>
</busconfig>
`,
  );
  const daemon = lan.spawn(host.ns, ['dbus-daemon', `--config-file=${conf}`, '--nofork', '--nopidfile']);
  await eventually(async () => existsSync(socket), 10_000, () => `dbus-daemon made no socket ${socket}`);
  const address = `unix:path=${socket}`;
  return {
    address,
    env: { DBUS_SYSTEM_BUS_ADDRESS: address },
    stop: () => {
      if (daemon.pid !== undefined && daemon.exitCode === null) process.kill(daemon.pid, 'SIGTERM');
    },
  };
}

/** busctl --system on the bus; `as` runs it as another user (setpriv). */
export async function busctl(bus: TestBus, args: readonly string[], as?: number): Promise<string> {
  const argv = ['busctl', '--system', '--no-pager', ...args];
  const [cmd, ...rest] = as === undefined ? argv : ['setpriv', `--reuid=${as}`, `--regid=${as}`, '--clear-groups', ...argv];
  const { stdout } = await run(cmd!, rest, { env: { ...process.env, ...bus.env }, timeout: 20_000 });
  return stdout;
}

/** `busctl introspect` of an object: its table of interfaces, methods, properties and signals (values left out). */
export async function introspectTable(bus: TestBus, service: string, path: string): Promise<string[]> {
  const out = await busctl(bus, ['introspect', '--no-legend', service, path]);
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '));
}

/** Every object path of the service (busctl tree). */
export async function objectPaths(bus: TestBus, service: string): Promise<string[]> {
  const out = await busctl(bus, ['tree', '--list', service]);
  return out.split('\n').filter((l) => l.startsWith('/'));
}

/** A `busctl monitor` of the service's signals, as JSON lines: [path, member, payload] of each signal seen. */
export interface Monitor {
  signals(): [string, string, unknown][];
  /** Every message seen so far (calls included): more than none once the monitor is live. */
  messages(): number;
  stop(): void;
}

export function monitor(bus: TestBus, service: string): Monitor {
  const proc: ChildProcess = spawn('busctl', ['--system', 'monitor', '--json=short', service], { env: { ...process.env, ...bus.env }, stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  proc.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  return {
    signals: () =>
      text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { type: string; path: string; member: string; payload?: { data?: unknown } })
        .filter((m) => m.type === 'signal' && m.path?.startsWith('/org/keepalived'))
        .map((m) => [m.path, m.member, m.payload?.data ?? []]),
    messages: () => text.split('\n').filter((l) => l.startsWith('{')).length,
    stop: () => {
      if (proc.pid !== undefined && proc.exitCode === null) process.kill(proc.pid, 'SIGTERM');
    },
  };
}

/** Until busctl sees the service on the bus. */
export async function serviceUp(bus: TestBus, service: string, describe: () => string): Promise<void> {
  await eventually(
    async () => (await busctl(bus, ['list', '--no-legend']).catch(() => '')).split('\n').some((l) => l.startsWith(`${service} `)),
    15_000,
    describe,
    200,
  );
}

/**
 * The introspection XML of an object (gdbus introspect --xml), as a list of its tags: comments and the DOCTYPE left
 * out, empty elements written `<x/>`, spaces and quotes normalized, child nodes sorted (their order is free).
 */
export async function introspectXml(bus: TestBus, service: string, path: string): Promise<string[]> {
  const { stdout } = await run('gdbus', ['introspect', '--system', '--dest', service, '--object-path', path, '--xml'], { env: { ...process.env, ...bus.env }, timeout: 20_000 });
  let xml = stdout.replace(/<!DOCTYPE[^>]*>/, '').replace(/<!--[\s\S]*?-->/g, '');
  for (let before = ''; before !== xml; ) {
    before = xml;
    xml = xml.replace(/<(\w+)([^<>]*?)>\s*<\/\1>/g, '<$1$2/>');
  }
  const tags = (xml.match(/<[^>]+>/g) ?? []).map((t) => t.replace(/'/g, '"').replace(/\s+/g, ' ').replace(/ \/>$/, '/>'));
  const children = tags.filter((t) => t.startsWith('<node name=')).sort();
  return [...tags.filter((t) => !t.startsWith('<node name=')), ...children];
}
