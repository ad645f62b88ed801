/**
 * IP protocol names for a rule's `ipproto`, as keepalived resolves them (vrrp_iprule.c inet_proto_a2n): a decimal
 * number up to 127, or a name getprotobyname(3) knows, which on a Linux host is a line `NAME NUMBER ALIASES…` of
 * /etc/protocols (the name or one of its aliases).
 */
import { nodeNameFileReader, type NameFileReader } from './iproute2-names.js';

export interface IpProtocolNames {
  /** The protocol number a configuration word stands for, or undefined. */
  resolve(text: string): number | undefined;
}

export function ipProtocolNames(reader: NameFileReader = nodeNameFileReader, path = '/etc/protocols'): IpProtocolNames {
  let byName: Map<string, number> | undefined;
  const load = (): Map<string, number> => {
    if (byName) return byName;
    byName = new Map();
    for (const line of (reader.read(path) ?? '').split('\n')) {
      const words = line.replace(/#.*/, '').trim().split(/\s+/);
      const number = Number(words[1]);
      if (words.length < 2 || !/^[0-9]+$/.test(words[1]!) || number > 255) continue;
      for (const name of [words[0]!, ...words.slice(2)]) if (!byName.has(name)) byName.set(name, number);
    }
    return byName;
  };
  return {
    resolve(text) {
      // keepalived takes a number only up to INT8_MAX.
      if (/^\s*[0-9]+$/.test(text)) return Number(text) <= 127 ? Number(text) : undefined;
      if (text.trim() === '' || text.trim().startsWith('-')) return undefined;
      return load().get(text.trim());
    },
  };
}
