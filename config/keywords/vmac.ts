/**
 * `use_vmac [NAME] [MAC]` and `use_ipvlan [NAME] [ADDRESS] [bridge|private|vepa]` lines of a vrrp_instance, read
 * as keepalived 2.2.7 reads them (vrrp_parser.c vrrp_vmac_handler / vrrp_ipvlan_handler): what keepalived reports
 * and ignores is a warning here, and the rest of the line still counts.
 */
import { canonicalIp, ipFamily, type IpFamily } from '../../protocol/ip.js';
import type { Diagnostics } from '../diagnostics.js';
import type { ConfigLine } from '../reader.js';

export interface UseVmacDraft {
  interface?: string | undefined;
  /** Six octets, or five: the VRID is then the sixth (resolved by finalize-vmac.ts). Lower case, two digits each. */
  mac?: string | undefined;
}

export interface UseIpvlanDraft {
  interface?: string | undefined;
  /** ADDRESS/PREFIX (a missing prefix is the host's, /32 or /128). */
  address?: string | undefined;
  mode?: 'bridge' | 'private' | 'vepa' | undefined;
}

/** The kernel's dev_valid_name: 1 to 15 characters, not `.` or `..`, no `/`, `:` or white space. */
export function validInterfaceName(name: string): boolean {
  return name.length > 0 && name.length < 16 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

/**
 * The octets of a MAC as keepalived reads them: 1-2 hex digits each, separated by ':'; six of them (anything after
 * a sixth ':' is not read), or five followed by the end or by a last ':' — the VRID is then the sixth.
 */
function macOctets(text: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:]+$/.test(text)) return undefined;
  const parts = text.split(':');
  const octets: number[] = [];
  for (let j = 0; j < 6; j++) {
    const part = parts[j];
    if (part === undefined || !/^[0-9A-Fa-f]{1,2}$/.test(part)) return undefined;
    octets.push(Number.parseInt(part, 16));
    const last = parts.length === j + 1;
    if (last && j < 4) return undefined;
    if (j === 4 && (last || (parts.length === 6 && parts[5] === ''))) return octets;
    if (!last && j < 4 && parts.length === j + 2 && parts[j + 1] === '') return undefined;
  }
  return octets;
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');

/** RFC 5798 §7.3's 00-00-5E-00-01-XX / 00-00-5E-00-02-XX: keepalived does not take them as a given MAC. */
function isVrrpMac(octets: readonly number[]): boolean {
  return octets[0] === 0 && octets[1] === 0 && octets[2] === 0x5e && octets[3] === 0 && (octets[4] === 1 || octets[4] === 2);
}

export function parseUseVmac(line: ConfigLine, prefix: string, d: Diagnostics): UseVmacDraft {
  const vmac: UseVmacDraft = {};
  // keepalived reads the first two words after the keyword only.
  for (const arg of line.words.slice(1, 3)) {
    if (arg.includes(':')) {
      // A MAC: interface names cannot contain ':'.
      if (vmac.mac !== undefined) {
        d.warning(line, `${prefix}: use_vmac: the MAC address is already given - ignoring ${arg}`);
        continue;
      }
      const octets = macOctets(arg);
      if (octets === undefined) d.warning(line, `${prefix}: use_vmac: invalid MAC address ${arg} - ignoring it`);
      else if ((octets[0]! & 1) !== 0) d.warning(line, `${prefix}: use_vmac: MAC address ${arg} is multicast - ignoring it`);
      else if (isVrrpMac(octets)) d.warning(line, `${prefix}: use_vmac: MAC address ${arg} may not be an RFC 5798 address - ignoring it`);
      else vmac.mac = octets.map(hex).join(':');
      continue;
    }
    if (vmac.interface !== undefined) d.warning(line, `${prefix}: use_vmac: the interface name is already given - ignoring ${arg}`);
    else if (!validInterfaceName(arg)) d.warning(line, `${prefix}: use_vmac: interface name '${arg}' is too long or has invalid characters - ignoring it`);
    else vmac.interface = arg;
  }
  return vmac;
}

/** The instance's family so far (an address decides it), updated when the ipvlan address decides it. */
export interface FamilyHolder {
  family?: IpFamily | undefined;
}

export function parseUseIpvlan(line: ConfigLine, prefix: string, v: FamilyHolder, d: Diagnostics): UseIpvlanDraft {
  const ipvlan: UseIpvlanDraft = {};
  for (const arg of line.words.slice(1)) {
    if (arg === 'bridge' || arg === 'private' || arg === 'vepa') {
      if (ipvlan.mode !== undefined) d.warning(line, `${prefix}: use_ipvlan: the ipvlan type is already given - ignoring '${arg}'`);
      else ipvlan.mode = arg;
      continue;
    }
    const address = ipvlanAddress(arg);
    if (address !== undefined) {
      if (ipvlan.address !== undefined) d.warning(line, `${prefix}: use_ipvlan: the ipvlan address is already given - ignoring '${arg}'`);
      else if (v.family !== undefined && address.family !== v.family) {
        d.warning(line, `${prefix}: use_ipvlan: address ${arg} must be of the instance's address family - ignoring it`);
      } else {
        v.family ??= address.family;
        ipvlan.address = address.text;
      }
      continue;
    }
    if (ipvlan.interface !== undefined) d.warning(line, `${prefix}: use_ipvlan: the interface is already given - ignoring '${arg}'`);
    else if (arg.length >= 16) d.warning(line, `${prefix}: use_ipvlan: interface name '${arg}' is too long - ignoring it`);
    else ipvlan.interface = arg;
  }
  return ipvlan;
}

/** ADDRESS[/PREFIX] as keepalived's check_valid_ipaddress takes it, canonical, with its prefix. */
function ipvlanAddress(text: string): { text: string; family: IpFamily } | undefined {
  const slash = text.indexOf('/');
  const bare = slash < 0 ? text : text.slice(0, slash);
  const family = ipFamily(bare);
  if (family === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = slash < 0 ? max : /^\d{1,3}$/.test(text.slice(slash + 1)) ? Number(text.slice(slash + 1)) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { text: `${canonicalIp(bare)!}/${prefix}`, family };
}
