/**
 * A notify FIFO (keepalived notify_fifo, vrrp_notify_fifo, lvs_notify_fifo): the contract. The real one creates
 * the FIFO when it is missing and writes without ever blocking (transport/real/notify-fifo.ts); the simulator has
 * none.
 */
export interface NotifyFifo {
  /** One line, newline included; dropped (and said once) when it cannot be written now. */
  write(line: string): void;
  /** Closes it; a FIFO this side created is removed, as keepalived removes its own. */
  close(): void;
}

/** Opens the FIFO at `path`, created for `owner` when missing; undefined (and said why) when that cannot be done. */
export type OpenNotifyFifo = (path: string, owner: { readonly uid: number; readonly gid: number } | undefined) => NotifyFifo | undefined;
