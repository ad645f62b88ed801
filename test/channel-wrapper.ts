/** A VRRP channel passed through with some of its methods replaced: how tests put a fault or a count on one. */
import type { VrrpChannel } from '../transport/vrrp-link.js';

/** `channel` but for `over`; `usable` is always the channel's own, read at each use. */
export function wrapChannel(channel: VrrpChannel, over: Partial<Pick<VrrpChannel, 'send' | 'refresh' | 'close'>>): VrrpChannel {
  return {
    packets$: channel.packets$,
    usable$: channel.usable$,
    sendErrors$: channel.sendErrors$,
    get usable() {
      return channel.usable;
    },
    send: (destination, bytes, source) => channel.send(destination, bytes, source),
    refresh: () => channel.refresh(),
    close: () => channel.close(),
    ...over,
  };
}
