/**
 * Differential check against Debian's keepalived 2.2.7: for the configurations in test/config/differential,
 * `keepalived -t -f FILE` and `vigil config test -f FILE` agree on valid / invalid, on one controlled host.
 *
 * - valid/ must pass both; invalid/ must fail both (keepalived -t exits non-zero on any problem it reports, 5 for
 *   most, 4 for a few fatal ones; vigil exits 1 on errors, and its host checks are errors).
 * - warn/ holds what keepalived reports (so -t fails) and then works around, which vigil reports as a warning:
 *   vigil runs there with --strict, which makes warnings fail as keepalived's do. A problem keepalived drops
 *   without failing -t (a notify script it cannot run) is a vigil warning in a valid/ file: both pass.
 *
 * Both run inside one network namespace made here, so they see the same host: interfaces eth0 (192.168.77.200/24)
 * and eth1 (a veth pair), nomc0 (no multicast) and its peer nomc1, tun0 (not Ethernet), lo; no eth9. Through
 * /etc/netns/NAME (which `ip netns exec` mounts over /etc) they read the same /etc/iproute2 (this host's, plus
 * `100 vigil_web` in rt_tables) and the same /etc/passwd and /etc/group (root and nobody; no keepalived_script).
 * The corpus is copied to a temporary directory beside a scripts/ directory whose modes git cannot keep (a
 * world-writable script and directory, a sticky directory, a link); files reach it as ${_PWD}/../scripts.
 * Skipped (with the reason) without root/netns or keepalived, unless VIGIL_REQUIRE_NETNS=1.
 */
import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandAvailable, requireNetns } from '../netns/harness.js';
import { ROOT } from './helpers.js';

const DIR = join(ROOT, 'test/config/differential');
const CLI = join(ROOT, 'dist/cli/main.js');
const CONFIG_ID = 'lb1';
/** Files checked at once (each case starts two processes; the machine may be shared). */
const PARALLEL = 3;

interface Outcome {
  readonly code: number;
  readonly output: string;
}

function run(file: string, args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 128;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

function configs(root: string, kind: 'valid' | 'invalid' | 'warn'): string[] {
  return readdirSync(join(root, kind))
    .filter((f) => f.endsWith('.conf'))
    .sort()
    .map((f) => join(root, kind, f));
}

/** The scripts the corpus refers to as ${_PWD}/../scripts/NAME, with the modes its files are about. */
function writeScripts(dir: string): void {
  const script = (path: string, mode: number): void => {
    writeFileSync(path, '#!/bin/sh\nexit 0\n');
    chmodSync(path, mode);
  };
  const directory = (path: string, mode: number): void => {
    mkdirSync(path);
    chmodSync(path, mode);
  };
  directory(dir, 0o755);
  script(join(dir, 'ok.sh'), 0o755);
  script(join(dir, 'open.sh'), 0o777);
  symlinkSync('open.sh', join(dir, 'link.sh'));
  script(join(dir, 'plain.txt'), 0o644);
  directory(join(dir, 'open-dir'), 0o777);
  script(join(dir, 'open-dir/ok.sh'), 0o755);
  directory(join(dir, 'sticky-dir'), 0o1777);
  script(join(dir, 'sticky-dir/ok.sh'), 0o755);
}

/** /etc/netns/NS: what `ip netns exec NS` mounts over /etc. */
function writeNamespaceEtc(etc: string): void {
  mkdirSync(etc, { recursive: true });
  const iproute2 = ['/etc/iproute2', '/usr/share/iproute2'].find((d) => existsSync(join(d, 'rt_tables'))) ?? '/etc/iproute2';
  if (existsSync(iproute2)) cpSync(iproute2, join(etc, 'iproute2'), { recursive: true, dereference: true });
  else mkdirSync(join(etc, 'iproute2'));
  appendFileSync(join(etc, 'iproute2/rt_tables'), '\n100\tvigil_web\n');
  writeFileSync(join(etc, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  writeFileSync(join(etc, 'group'), 'root:x:0:\nnogroup:x:65534:\n');
}

function createNamespace(ns: string): void {
  const inNs = (...cmd: string[]): void => {
    execFileSync('ip', ['netns', 'exec', ns, ...cmd], { stdio: 'pipe' });
  };
  execFileSync('ip', ['netns', 'add', ns], { stdio: 'pipe' });
  inNs('ip', 'link', 'set', 'lo', 'up');
  inNs('ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1');
  inNs('ip', 'addr', 'add', '192.168.77.200/24', 'dev', 'eth0');
  inNs('ip', 'link', 'add', 'nomc0', 'type', 'veth', 'peer', 'name', 'nomc1');
  inNs('ip', 'link', 'set', 'nomc0', 'multicast', 'off');
  for (const link of ['eth0', 'eth1', 'nomc0', 'nomc1']) inNs('ip', 'link', 'set', link, 'up');
  inNs('ip', 'tuntap', 'add', 'dev', 'tun0', 'mode', 'tun');
}

async function inBatches<T, R>(items: readonly T[], size: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(each))));
  return out;
}

test('keepalived -t and vigil config test agree on valid and invalid configurations, host checks included', async (t) => {
  if (!requireNetns(t, () => commandAvailable('keepalived'))) return;
  const ns = `vigil-host-checks-${process.pid}`;
  const etc = join('/etc/netns', ns);
  const etcNetnsExisted = existsSync('/etc/netns');
  const tmp = mkdtempSync('/tmp/vigil-host-checks-');
  try {
    for (const kind of ['valid', 'invalid', 'warn']) cpSync(join(DIR, kind), join(tmp, kind), { recursive: true });
    writeScripts(join(tmp, 'scripts'));
    writeNamespaceEtc(etc);
    createNamespace(ns);
    const cases = [
      ...configs(tmp, 'valid').map((file) => ({ file, valid: true, strict: false })),
      ...configs(tmp, 'invalid').map((file) => ({ file, valid: false, strict: false })),
      ...configs(tmp, 'warn').map((file) => ({ file, valid: false, strict: true })),
    ];
    assert.ok(cases.filter((c) => c.valid).length >= 20, 'at least 20 valid files');
    assert.ok(cases.filter((c) => !c.valid).length >= 50, 'at least 50 broken files');
    const results = await inBatches(cases, PARALLEL, async (c) => {
      const [keepalived, vigil] = await Promise.all([
        run('ip', ['netns', 'exec', ns, 'keepalived', '-t', '-f', c.file, '-i', CONFIG_ID]),
        run('ip', ['netns', 'exec', ns, process.execPath, CLI, 'config', 'test', '-q', ...(c.strict ? ['--strict'] : []), '-f', c.file, '-i', CONFIG_ID]),
      ]);
      return { ...c, keepalived, vigil };
    });
    const first = (o: Outcome): string => o.output.trim().split('\n')[0] ?? '';
    const disagreements = results
      .filter((r) => (r.keepalived.code === 0) !== r.valid || (r.vigil.code === 0) !== r.valid)
      .map((r) => `${r.file.slice(tmp.length + 1)}: expected ${r.valid ? 'valid' : 'invalid'}; keepalived exit ${r.keepalived.code}: ${first(r.keepalived)}; vigil exit ${r.vigil.code}: ${first(r.vigil)}`);
    assert.deepEqual(disagreements, []);
    // An invalid configuration makes vigil name a file and line for at least one problem, and only exit 1.
    for (const r of results.filter((x) => !x.valid)) {
      assert.match(r.vigil.output, /\.conf:\d+: /, r.file);
      assert.equal(r.vigil.code, 1, r.file);
    }
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe' });
    } catch {
      // never created
    }
    rmSync(etc, { recursive: true, force: true });
    if (!etcNetnsExisted) {
      try {
        rmdirSync('/etc/netns'); // only when empty: another run may be using it
      } catch {
        // not empty, or gone
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  }
});
