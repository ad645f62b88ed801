/**
 * The parts of the `netlink` package that the daemon uses, each required from its own file. `import … from
 * 'netlink'` goes through the ESM loader, which lexes every CommonJS file that the package's index re-exports
 * (nl80211's tables alone are 240 kB) and loads wireguard and nl80211 support we never use: about 20 ms of a
 * daemon's start, before its first advertisement. The values are the very ones the index re-exports.
 */
import { createRequire } from 'node:module';
import type * as Netlink from 'netlink';

const require = createRequire(import.meta.url);

export type { NetlinkMessage, NetlinkSocket, RtNetlinkSocket, StreamData } from 'netlink';
export type { Netlink };

export const { createNetlink } = require('netlink/dist/netlink.js') as Pick<typeof Netlink, 'createNetlink'>;
export const { createRtNetlink } = require('netlink/dist/rt/rt.js') as Pick<typeof Netlink, 'createRtNetlink'>;
export const { Protocol, FlagsNew } = require('netlink/dist/constants.js') as Pick<typeof Netlink, 'Protocol' | 'FlagsNew'>;
export const { AttrStream, parseMessages } = require('netlink/dist/structs.js') as Pick<typeof Netlink, 'AttrStream' | 'parseMessages'>;
/** rtnetlink's structures (the package's `rt` namespace). */
export const rt = require('netlink/dist/rt/structs.js') as typeof Netlink.rt;
// A namespace cannot be re-exported as a type alias; `rt.Route` etc. are reached through this one.
export declare namespace rt {
  type Route = Netlink.rt.Route;
  type RouteAttrs = Netlink.rt.RouteAttrs;
  type Rule = Netlink.rt.Rule;
  type RuleAttrs = Netlink.rt.RuleAttrs;
  type AddressAttrs = Netlink.rt.AddressAttrs;
  type Address = Netlink.rt.Address;
  type AddressMessage = Netlink.rt.AddressMessage;
  type LinkMessage = Netlink.rt.LinkMessage;
}

/** The link-info attributes (`ifla`, 150 kB of tables): only use_vmac needs them, so they load when first used. */
export function ifla(): typeof Netlink.ifla {
  return require('netlink/dist/rt/ifla.js') as typeof Netlink.ifla;
}
