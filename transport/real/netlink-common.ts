/** Small helpers shared by the netlink-based transports (the `netlink` npm package, rtnetlink). */
import { FlagsNew } from './netlink-package.js';

/** Flags for a NEW request that creates and refuses to replace (EEXIST tells us it was already there). */
export const CREATE_EXCL = FlagsNew.CREATE | FlagsNew.EXCL;

/** The errno name of a rejected netlink request ("Request rejected: EEXIST"), or undefined. */
export function netlinkErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const withCode = error as Error & { code?: unknown };
  if (typeof withCode.code === 'string') return withCode.code;
  return /Request rejected: (\w+)/.exec(error.message)?.[1];
}

/**
 * How long a netlink request waits for its answer. The kernel answers at once; an answer lost (a receive buffer
 * overrun) or never sent would otherwise leave the caller waiting forever, and with it a VIP change or a reload.
 */
export const NETLINK_REQUEST_TIMEOUT_MS = 5000;

/** The `netlink` package's words when its `timeout` option fires. */
const PACKAGE_TIMEOUT = 'Timeout has been reached';

/**
 * Runs a request of the `netlink` package with a bound: `send` gets the options to pass (its `timeout`), and an
 * answer that does not come within it fails with ETIMEDOUT naming the request (the package then forgets it).
 */
export async function bounded<T>(what: string, send: (options: { timeout: number }) => Promise<T>, timeoutMs = NETLINK_REQUEST_TIMEOUT_MS): Promise<T> {
  try {
    return await send({ timeout: timeoutMs });
  } catch (error) {
    if (error instanceof Error && error.message === PACKAGE_TIMEOUT) {
      throw Object.assign(new Error(`netlink ${what}: no answer from the kernel within ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
    }
    throw error;
  }
}

/** Runs a request, treating the listed errno names as success (idempotent add / remove). */
export async function tolerate(request: Promise<unknown>, codes: readonly string[]): Promise<boolean> {
  try {
    await request;
    return true;
  } catch (error) {
    const code = netlinkErrorCode(error);
    if (code !== undefined && codes.includes(code)) return false;
    throw error;
  }
}

/** iproute2 / keepalived scope names (`scope host`) ⇄ rtnetlink numbers (RT_SCOPE_*). */
const SCOPES: Readonly<Record<string, number>> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };

export function scopeNumber(scope: string | undefined): number {
  if (scope === undefined) return 0;
  const named = SCOPES[scope];
  if (named !== undefined) return named;
  const n = Number(scope);
  if (Number.isInteger(n) && n >= 0 && n <= 255) return n;
  throw new Error(`unknown scope: ${scope}`);
}

export function scopeName(scope: number): string {
  switch (scope) {
    case 0:
      return 'global';
    case 200:
      return 'site';
    case 253:
      return 'link';
    case 254:
      return 'host';
    case 255:
      return 'nowhere';
    default:
      return String(scope);
  }
}

export const AF_INET = 2;
export const AF_INET6 = 10;
