/**
 * The colour of a state on a timeline lane, for the page's lanes (client.ts) and `vigil sim --svg`
 * (timeline-svg.ts): the VRRP states (keepalived's names), DOWN (the process), UNREACHABLE (a site's peer), and a
 * BFD session's (RFC 5880 §4.1's names). Undefined for any other state. Injected into the page
 * (Function.prototype.toString), so it must stay self-contained.
 */
export function stateColour(state: string): string | undefined {
  const colours: Record<string, string> = {
    INIT: '#afb8c1',
    BACKUP: '#54aeff',
    MASTER: '#2da44e',
    FAULT: '#cf222e',
    STOP: '#57606a',
    DOWN: '#24292f',
    UNREACHABLE: '#9a6700',
    AdminDown: '#8c959f',
    Down: '#cf222e',
    Init: '#d4a72c',
    Up: '#2da44e',
  };
  return colours[state];
}
