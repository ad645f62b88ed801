/** keepalived.conf text for the checker tests, resolved as the daemon and the simulator resolve it. */
import { loadConfigText } from '../../config/load.js';
import { resolveVirtualServers, type ResolvedVirtualServer } from '../../actors/checks/resolve-checkers.js';

/** The virtual servers of a configuration text (finalized, then resolved); a configuration error throws. */
export function virtualServersOf(text: string): ResolvedVirtualServer[] {
  return resolveVirtualServers(loadConfigText(text, 'test.conf').config);
}

