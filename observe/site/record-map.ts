/**
 * A peer's record as the site shows it: its times moved onto the site's clock (by the same amount everywhere in
 * the record, so its inner times keep their distances) and its node renamed to the name the site gives the peer
 * (two daemons on hosts with the same host name stay two nodes). Records are plain data: a copy is returned.
 */
import type { BusMessage } from '../../actors/bus.js';
import type { ObservedEvent } from '../observed-event.js';

function renameActor(actor: string, from: string, to: string): string {
  return from !== to && actor.startsWith(`${from}/`) ? `${to}${actor.slice(from.length)}` : actor;
}

function mapMessage(m: BusMessage, delta: number, from: string, to: string): BusMessage {
  return { ...m, at: m.at + delta, node: m.node === from ? to : m.node };
}

/** `e` with every time plus `delta` and node `from` called `to`. */
export function mapRecord(e: ObservedEvent, delta: number, from: string, to: string): ObservedEvent {
  const at = e.at + delta;
  switch (e.kind) {
    case 'machine':
      return { ...e, at };
    case 'fault':
      return { ...e, at };
    case 'actor':
      return { ...e, at, actor: renameActor(e.actor, from, to), node: e.node === from ? to : e.node };
    case 'step':
      return { ...e, at, actor: renameActor(e.actor, from, to) };
    case 'steady':
      return { ...e, at, actor: renameActor(e.actor, from, to), first: e.first + delta, last: e.last + delta };
    case 'repeated':
      return { ...e, at, message: mapMessage(e.message, delta, from, to), last: e.last + delta };
    case 'bus':
      return { ...e, at, message: mapMessage(e.message, delta, from, to) };
    case 'process':
      return { ...e, at, node: e.node === from ? to : e.node };
  }
}
