/**
 * keepalived's signal functions: the names `keepalived --signum=NAME` turns into signal numbers (lib/signals.c
 * get_signum in 2.2.7), so that `kill -s $(vigil --signum=NAME) PID` does to vigil what it does to keepalived.
 *
 * Three are real-time signals, numbered from the C library's SIGRTMIN / SIGRTMAX as keepalived's are (glibc
 * reserves two for its threads: SIGRTMIN is 34 there, not the kernel's 32): JSON is SIGRTMIN+2, STATS_CLEAR
 * SIGRTMAX-1, and keepalived's thread dump (TDUMP, only in builds configured with THREAD_DUMP, which Debian's is
 * not) SIGRTMAX. The man page calls that one TDATA; keepalived's code only knows TDUMP.
 */
import { constants } from 'node:os';
import { holdSignals, realtimeSignalRange } from '../../native/index.js';

/** The names Debian's keepalived 2.2.7 accepts (configured with --enable-json, without THREAD_DUMP). */
export const SIGNAL_FUNCTIONS = ['STOP', 'RELOAD', 'DATA', 'STATS', 'STATS_CLEAR', 'JSON'] as const;
export type SignalFunction = (typeof SIGNAL_FUNCTIONS)[number];

/** SIGRTMIN and SIGRTMAX as the C library has them; glibc's values when the addon cannot be loaded. */
function realtimeRange(): { min: number; max: number } {
  try {
    return realtimeSignalRange();
  } catch {
    return { min: 34, max: 64 };
  }
}

/** The real-time signals vigil handles: keepalived's JSON, STATS_CLEAR and thread dump (which vigil only logs). */
export function realtimeSignals(): { json: number; statsClear: number; threadDump: number } {
  const { min, max } = realtimeRange();
  return { json: min + 2, statsClear: max - 1, threadDump: max };
}

function isSignalFunction(name: string): name is SignalFunction {
  return (SIGNAL_FUNCTIONS as readonly string[]).includes(name);
}

/** The number of a signal function (names are case-sensitive, as keepalived's strcmp); undefined for others. */
export function signalNumber(name: string): number | undefined {
  if (!isSignalFunction(name)) return undefined;
  switch (name) {
    case 'STOP':
      return constants.signals.SIGTERM;
    case 'RELOAD':
      return constants.signals.SIGHUP;
    case 'DATA':
      return constants.signals.SIGUSR1;
    case 'STATS':
      return constants.signals.SIGUSR2;
    case 'STATS_CLEAR':
      return realtimeSignals().statsClear;
    case 'JSON':
      return realtimeSignals().json;
  }
}

/**
 * The real-time signals vigil handles are ignored from now on until watched (native holdSignals): their default
 * action ends the process. Without the addon (no daemon can run then) nothing is held.
 */
export function holdRealtimeSignals(): void {
  try {
    holdSignals(Object.values(realtimeSignals()));
  } catch {
    // The addon's absence is said when the daemon first needs it.
  }
}
