/**
 * Entry point of the keepalived.conf parser: file (or text) in, `{ config, warnings, errors }` out. Never throws
 * on user input; every problem is a Diagnostic with file:line. An internal failure is reported as an error too.
 */
import { Diagnostics, type Diagnostic } from './diagnostics.js';
import type { ConfigFileSystem } from './files.js';
import { finishLvsGlobals, finishVirtualServers } from './finalize-lvs.js';
import { finishRoutes, type RouteNames } from './finalize-routes.js';
import { resolveAnnounceTable } from './finalize-announce.js';
import { finishVrrp, type VrrpParts } from './finalize-vrrp.js';
import { ipProtocolNames } from './ip-protocols.js';
import { iproute2Names } from './iproute2-names.js';
import type { Config, VirtualServer } from './model.js';
import { newDrafts, ROOT_SPEC, type Drafts } from './keywords/root.js';
import { nodeFileSystem } from './node-files.js';
import { notImplementedObserver } from './not-implemented.js';
import { ConfigReader } from './reader.js';
import type { ReaderLimits } from './reader-limits.js';
import { checkScriptSecurity } from './script-security.js';
import { Walker } from './walker.js';

export interface ParseOptions {
  /** keepalived's -i / --config-id (selects `@id` lines). */
  readonly configId?: string | undefined;
  readonly fs?: ConfigFileSystem | undefined;
  /** Seed for ${_RANDOM}. */
  readonly randomSeed?: number | undefined;
  /** Caps on what the reader reads and generates (config/reader-limits.ts). */
  readonly limits?: Partial<ReaderLimits> | undefined;
  /** Refuse configuration files a non-root user could change (config/file-security.ts). */
  readonly secureConfig?: boolean | undefined;
  /** Where route and rule names are looked up (default: this host's /etc/iproute2 and /etc/protocols). */
  readonly routeNames?: RouteNames | undefined;
}

export interface ParseResult {
  readonly config: Config;
  readonly warnings: readonly Diagnostic[];
  readonly errors: readonly Diagnostic[];
  /** Every file read (the main file and its includes), absolute paths. */
  readonly files: readonly string[];
}

function assemble(drafts: Drafts, vrrp: VrrpParts, virtualServers: VirtualServer[]): Config {
  return {
    globalDefs: drafts.globalDefs,
    staticIpAddresses: drafts.staticIpAddresses,
    staticRoutes: drafts.staticRoutes,
    staticRules: drafts.staticRules,
    trackGroups: drafts.trackGroups,
    linkbeatInterfaces: drafts.linkbeatInterfaces,
    interfaceUpDownDelays: drafts.interfaceUpDownDelays,
    garpGroups: drafts.garpGroups,
    vrrpScripts: vrrp.vrrpScripts,
    trackFiles: vrrp.trackFiles,
    trackProcesses: vrrp.trackProcesses,
    bfdInstances: vrrp.bfdInstances,
    vrrpSyncGroups: vrrp.vrrpSyncGroups,
    vrrpInstances: vrrp.vrrpInstances,
    virtualServerGroups: drafts.vsGroups,
    virtualServers,
    ssl: drafts.ssl,
  };
}

function run(file: string, text: string | undefined, options: ParseOptions): ParseResult {
  const diagnostics = new Diagnostics();
  const drafts = newDrafts();
  let files: readonly string[] = [];
  try {
    const reader = new ConfigReader(
      file,
      diagnostics,
      { fs: options.fs ?? nodeFileSystem, configId: options.configId, randomSeed: options.randomSeed, limits: options.limits, secureConfig: options.secureConfig },
      text,
    );
    files = reader.files;
    new Walker(reader, diagnostics, notImplementedObserver(diagnostics)).root(drafts, ROOT_SPEC);
  } catch (err) {
    diagnostics.error({ file, line: 0 }, `internal error while reading: ${err instanceof Error ? err.message : String(err)}`);
  }
  const g = drafts.globalDefs;
  let config: Config;
  const routeNames = options.routeNames ?? { iproute2: iproute2Names(), ipProtocols: ipProtocolNames() };
  try {
    for (const v of drafts.instances) resolveAnnounceTable(v, `vrrp_instance ${v.name}`, routeNames.iproute2, diagnostics);
    for (const vs of drafts.virtualServers) resolveAnnounceTable(vs, `virtual_server ${vs.at.words.slice(1).join(' ')}`, routeNames.iproute2, diagnostics);
    const vrrp = finishVrrp(g, drafts, diagnostics);
    finishLvsGlobals(g, vrrp.vrrpInstances, diagnostics);
    const virtualServers = finishVirtualServers(drafts.virtualServers, drafts.vsGroups, g, { trackFiles: vrrp.trackFiles, bfds: vrrp.bfdInstances }, diagnostics);
    config = finishRoutes(assemble(drafts, vrrp, virtualServers), routeNames, diagnostics);
    checkScriptSecurity(config, diagnostics);
  } catch (err) {
    diagnostics.error({ file, line: 0 }, `internal error while completing the configuration: ${err instanceof Error ? err.message : String(err)}`);
    config = assemble(drafts, { vrrpScripts: [], trackFiles: [], trackProcesses: [], bfdInstances: [], vrrpSyncGroups: [], vrrpInstances: [] }, []);
  }
  return { config, warnings: diagnostics.warnings, errors: diagnostics.errors, files };
}

/** Parses a keepalived.conf file and everything it includes. */
export function parseConfigFile(path: string, options: ParseOptions = {}): ParseResult {
  return run(path, undefined, options);
}

/** Parses configuration text as if it were the file `file` (includes are relative to it). */
export function parseConfigText(text: string, file: string, options: ParseOptions = {}): ParseResult {
  return run(file, text, options);
}
