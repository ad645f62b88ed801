/**
 * The Debian package, built with `dpkg-deb --build` from a staged tree (no debhelper): the application in
 * /usr/lib/vigil, /usr/bin/vigil, the systemd unit of packaging/vigil.service as it is, the conffile
 * /etc/vigil/vigil.conf, the DBus policy of packaging/org.keepalived.Vrrp1.conf (in /usr/share/dbus-1/system.d, where
 * packages put theirs: keepalived's own package has the same name in /etc/dbus-1/system.d), the man pages, the bash completion, the copyright and changelog lintian asks for, and the
 * maintainer scripts of packaging/debian/ (which never enable or start the service).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { nodeBinaries, normalizeModes } from './stage-app.js';
import type { ModulePackage } from './production-modules.js';

export interface DebianInputs {
  /** The checkout (packaging/vigil.service, packaging/vigil.conf, packaging/debian/). */
  readonly root: string;
  /** The staged application (stageApp). */
  readonly appDir: string;
  readonly modules: readonly ModulePackage[];
  /** The upstream version (package.json's). */
  readonly version: string;
  readonly manPages: Readonly<Record<string, string>>;
  readonly bashCompletion: string;
  /** RFC 5322 date of the changelog entry. */
  readonly date: string;
  readonly maintainer: string;
  readonly outDir: string;
}

/** Debian's name for this machine's architecture. */
export function debianArch(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'armhf', ia32: 'i386', ppc64: 'ppc64el', s390x: 's390x', riscv64: 'riscv64' };
  const name = names[arch];
  if (name === undefined) throw new Error(`no Debian architecture for ${arch}`);
  return name;
}

/** The Debian revision of this packaging: 1 (the changelog entry is named for it). */
export function debianVersion(version: string): string {
  return `${version}-1`;
}

function gzip9(text: string): Buffer {
  // zlib's gzip header has no file name and a zero time (what gzip -9n writes).
  return gzipSync(Buffer.from(text), { level: 9 });
}

function copyright(modules: readonly ModulePackage[], year: string): string {
  const licenses = new Set(['MIT', ...modules.map((m) => m.license)]);
  const stanzas = [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: vigil',
    'Source: https://github.com/vigil/vigil',
    '',
    'Files: *',
    `Copyright: ${year} the vigil authors`,
    'License: MIT',
    ...modules.flatMap((m) => ['', `Files: usr/lib/vigil/node_modules/${m.path}/*`, `Copyright: the authors of ${m.name} ${m.version}`, `License: ${m.license}`]),
  ];
  for (const license of [...licenses].sort()) {
    const common = ['Apache-2.0', 'GPL-2', 'GPL-3', 'LGPL-2.1', 'LGPL-3', 'MPL-2.0', 'BSD'].includes(license);
    stanzas.push(
      '',
      `License: ${license}`,
      common
        ? ` The full text is in /usr/share/common-licenses/${license}.`
        : license === 'MIT'
          ? ' Permission is hereby granted, free of charge, to any person obtaining a copy of this software and\n associated documentation files (the "Software"), to deal in the Software without restriction,\n including without limitation the rights to use, copy, modify, merge, publish, distribute,\n sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is\n furnished to do so, subject to the following conditions:\n .\n The above copyright notice and this permission notice shall be included in all copies or\n substantial portions of the Software.\n .\n THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT\n NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND\n NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,\n DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT\n OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.'
          : ` The full text is in the LICENSE file of each package under /usr/lib/vigil/node_modules\n that is released under ${license}.`,
    );
  }
  return `${stanzas.join('\n')}\n`;
}

function changelog(version: string, date: string, maintainer: string): string {
  return `vigil (${debianVersion(version)}) unstable; urgency=medium\n\n  * vigil ${version}, packaged with npm run package.\n\n -- ${maintainer}  ${date}\n`;
}

/**
 * A .deb is for one architecture: the prebuilt binaries the npm tarball carries for others (netlink's linux-arm64,
 * msgpackr's musl builds) are left out.
 */
function keepOnlyThisArch(appDir: string): void {
  const platform = `linux-${process.arch}`;
  for (const path of nodeBinaries(appDir)) {
    const otherPlatform = /\/prebuilds\/([^/]+)\//.exec(path)?.[1];
    if ((otherPlatform !== undefined && otherPlatform !== platform) || path.endsWith('.musl.node')) rmSync(path);
  }
  for (const dir of readdirSync(appDir, { withFileTypes: true, recursive: true })) {
    if (dir.isDirectory() && dir.name.startsWith('linux-') && dir.name !== platform && dir.parentPath.endsWith('/prebuilds')) {
      rmSync(join(dir.parentPath, dir.name), { recursive: true, force: true });
    }
  }
}

/**
 * The libraries the binaries link against, as dpkg-shlibdeps names them (`libc6 (>= 2.34), libstdc++6 (>= 5)`);
 * without dpkg-dev, the C and C++ runtimes unversioned.
 */
function sharedLibraryDepends(binaries: readonly string[]): string {
  const work = mkdtempSync(join(tmpdir(), 'vigil-shlibdeps-'));
  try {
    mkdirSync(join(work, 'debian'));
    writeFileSync(join(work, 'debian', 'control'), 'Source: vigil\n\nPackage: vigil\nArchitecture: any\n');
    const out = execFileSync('dpkg-shlibdeps', ['-O', ...binaries], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const depends = /^shlibs:Depends=(.*)$/m.exec(out)?.[1];
    if (depends !== undefined && depends.trim() !== '') return depends.trim();
  } catch {
    // No dpkg-shlibdeps here.
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return 'libc6, libgcc-s1, libstdc++6';
}

/** Every regular file under `dir`, as paths relative to it. */
function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path, base);
    return e.isFile() ? [relative(base, path)] : [];
  });
}

/** Installed-Size: KiB, each file rounded up to a KiB and each directory one (as dpkg-gencontrol counts). */
function installedKib(dir: string): number {
  let total = 1;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += installedKib(path);
    else total += Math.ceil(statSync(path).size / 1024) || 1;
  }
  return total;
}

/** Builds vigil_VERSION-1_ARCH.deb in `outDir`; returns its path. */
export function buildDebianPackage(input: DebianInputs): string {
  const arch = debianArch();
  const version = debianVersion(input.version);
  const tree = join(input.outDir, `deb-root`);
  rmSync(tree, { recursive: true, force: true });
  const at = (...parts: string[]): string => {
    const path = join(tree, ...parts);
    mkdirSync(join(path, '..'), { recursive: true });
    return path;
  };
  cpSync(input.appDir, at('usr', 'lib', 'vigil'), { recursive: true });
  // The README is /usr/share/doc's (a package keeps its documentation there).
  // The man pages and the completion go where man and bash-completion look (npm's copies stay out).
  for (const moved of ['README.md', 'man', 'completion', 'dbus']) rmSync(join(tree, 'usr', 'lib', 'vigil', moved), { recursive: true, force: true });
  cpSync(join(input.root, 'README.md'), at('usr', 'share', 'doc', 'vigil', 'README.md'));
  keepOnlyThisArch(join(tree, 'usr', 'lib', 'vigil'));
  cpSync(join(input.root, 'packaging', 'vigil.service'), at('lib', 'systemd', 'system', 'vigil.service'));
  cpSync(join(input.root, 'packaging', 'vigil.conf'), at('etc', 'vigil', 'vigil.conf'));
  cpSync(join(input.root, 'packaging', 'org.keepalived.Vrrp1.conf'), at('usr', 'share', 'dbus-1', 'system.d', 'org.keepalived.Vrrp1.conf'));
  for (const [name, roff] of Object.entries(input.manPages)) {
    const section = name.slice(name.lastIndexOf('.') + 1);
    writeFileSync(at('usr', 'share', 'man', `man${section}`, `${name}.gz`), gzip9(roff));
  }
  writeFileSync(at('usr', 'share', 'bash-completion', 'completions', 'vigil'), input.bashCompletion);
  writeFileSync(at('usr', 'share', 'doc', 'vigil', 'copyright'), copyright(input.modules, /\d{4}/.exec(input.date)?.[0] ?? ''));
  writeFileSync(at('usr', 'share', 'doc', 'vigil', 'changelog.Debian.gz'), gzip9(changelog(input.version, input.date, input.maintainer)));
  normalizeModes(tree);
  symlinkSync('../lib/vigil/bin/vigil', at('usr', 'bin', 'vigil'));

  const control = [
    'Package: vigil',
    `Version: ${version}`,
    `Architecture: ${arch}`,
    `Maintainer: ${input.maintainer}`,
    `Installed-Size: ${installedKib(tree)}`,
    `Depends: nodejs (>= 20), ${sharedLibraryDepends(nodeBinaries(tree))}`,
    'Suggests: nftables',
    'Section: net',
    'Priority: optional',
    'Homepage: https://github.com/vigil/vigil',
    'Description: VRRP failover and load-balancer health checks, keepalived compatible',
    ' vigil reads an existing keepalived.conf and does what keepalived does with it:',
    ' VRRP v2 and v3 failover over IPv4 and IPv6, interoperating with keepalived on',
    ' the wire, and health checks that keep the kernel load balancer (IPVS or',
    ' nftables) to the healthy real servers. It also replays failovers in a',
    ' deterministic simulator and shows its state machines live.',
    '',
  ].join('\n');
  writeFileSync(at('DEBIAN', 'control'), control);
  writeFileSync(at('DEBIAN', 'conffiles'), '/etc/vigil/vigil.conf\n');
  const sums = files(tree)
    .filter((f) => !f.startsWith('DEBIAN/') && !f.startsWith('etc/'))
    .sort()
    .map((f) => `${createHash('md5').update(readFileSync(join(tree, f))).digest('hex')}  ${f}`);
  writeFileSync(at('DEBIAN', 'md5sums'), `${sums.join('\n')}\n`);
  for (const script of ['postinst', 'prerm', 'postrm']) {
    cpSync(join(input.root, 'packaging', 'debian', script), at('DEBIAN', script));
    chmodSync(join(tree, 'DEBIAN', script), 0o755);
  }
  for (const meta of ['control', 'conffiles', 'md5sums']) chmodSync(join(tree, 'DEBIAN', meta), 0o644);

  const deb = join(input.outDir, `vigil_${version}_${arch}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', tree, deb], { stdio: ['ignore', 'ignore', 'pipe'] });
  return deb;
}
