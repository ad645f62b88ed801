/** `lb_kind` / `lvs_method NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]` (keepalived.conf(5)). */
import type { Diagnostics } from '../diagnostics.js';
import type { Forwarding } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { integerText } from '../values.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function parseForwarding(line: ConfigLine, d: Diagnostics): Forwarding | undefined {
  const method = line.words[1];
  if (method !== 'NAT' && method !== 'DR' && method !== 'TUN') {
    d.error(line, `${line.words[0]}: '${method ?? ''}' is not NAT, DR or TUN`);
    return undefined;
  }
  const f: Mutable<Forwarding> = { method };
  for (let i = 2; i < line.words.length; i++) {
    const w = line.words[i]!;
    if (method !== 'TUN') {
      d.error(line, `${line.words[0]}: option '${w}' only applies to TUN`);
      return undefined;
    }
    if (w === 'type') {
      const t = line.words[++i];
      if (t !== 'ipip' && t !== 'gue' && t !== 'gre') {
        d.error(line, `${line.words[0]}: unknown tunnel type '${t ?? ''}'`);
        return undefined;
      }
      f.tunnelType = t;
    } else if (w === 'port') {
      const p = line.words[++i];
      const n = p === undefined ? undefined : integerText(p, line, 1, 65535, d, `${line.words[0]} port`);
      if (n === undefined) return undefined;
      f.tunnelPort = n;
    } else if (w === 'nocsum' || w === 'csum' || w === 'remcsum') {
      f.tunnelChecksum = w;
    } else {
      d.error(line, `${line.words[0]}: invalid tunnel option '${w}'`);
      return undefined;
    }
  }
  if ((f.tunnelType === 'gue') !== (f.tunnelPort !== undefined)) {
    d.error(line, `${line.words[0]}: a gue tunnel needs a port, other tunnels cannot have one`);
    return undefined;
  }
  if ((f.tunnelType ?? 'ipip') === 'ipip' && f.tunnelChecksum !== undefined && f.tunnelChecksum !== 'nocsum') {
    d.error(line, `${line.words[0]}: ipip tunnels have no checksum option`);
    return undefined;
  }
  if (f.tunnelType === 'gre' && f.tunnelChecksum === 'remcsum') {
    d.error(line, `${line.words[0]}: gre tunnels have no remote checksum option`);
    return undefined;
  }
  return f;
}
