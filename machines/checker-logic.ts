/**
 * keepalived's counting for one health checker, as a pure function: what a probe result does to the checker's
 * state and when the next probe runs. Shared by every checker kind (TCP_CHECK, HTTP_GET, …); the differences
 * between kinds are parameters (CheckerParams).
 *
 * The rule (keepalived check_tcp.c tcp_epilog and its siblings, current upstream):
 * - one success brings the checker UP and resets the retry counter;
 * - while UP, a failure is retried `retry` times, `delay_before_retry` apart; the (retry+1)-th consecutive failure
 *   declares it DOWN;
 * - the counter starts full (keepalived sets retry_it = retry at start), so the very first probe decides at once;
 * - while DOWN, failures change nothing and the next probe comes after the "while down" delay (delay_loop).
 * keepalived 2.2.7 still retried while DOWN (fixed upstream in 77dad708, 2025); vigil follows the fix.
 *
 * HTTP_GET / SSL_GET without `fast_recovery` (check_http.c epilog): when the failed url answers again, keepalived
 * goes back to the first url and checks each of the N urls again, delay_loop apart, before the checker is UP. vigil
 * checks every url in each probe, so a DOWN HTTP checker's first success is confirmed by one more probe
 * N × delay_loop later (`confirmUpAfterMs`); a failure meanwhile is retried `retry` times, delay_before_retry
 * apart, as keepalived retries a url, and otherwise leaves it DOWN as before. With fast_recovery keepalived checks
 * those urls back to back, at once: the first success is UP.
 */

/** A weight a probe reports along with success. */
export type ProbeWeight =
  /** MISC_CHECK misc_dynamic: the real server's weight becomes this (exit status − 2). */
  | { readonly kind: 'absolute'; readonly value: number }
  /** FILE_CHECK with a weight: added to the real server's configured weight. */
  | { readonly kind: 'delta'; readonly value: number };

export interface CheckerParams {
  /** `delay_loop`: between probes while nothing is failing. */
  readonly delayLoopMs: number;
  /** `connect_timeout` (network checkers) or `misc_timeout` (MISC_CHECK): a probe not answered by then failed. */
  readonly timeoutMs: number;
  /** `retry` (formerly `nb_get_retry`). */
  readonly retry: number;
  /** `delay_before_retry`. */
  readonly delayBeforeRetryMs: number;
  /** Between probes while DOWN: delay_loop; HTTP_GET/SSL_GET wait max(delay_before_retry, delay_loop). */
  readonly delayWhileDownMs: number;
  /** `alpha`: start DOWN, so that a success is needed before the real server enters the pool. */
  readonly alpha: boolean;
  /** MISC_CHECK counts the next run from the start of the previous one, not its end. */
  readonly fromStart: boolean;
  /** HTTP_GET / SSL_GET without fast_recovery: a DOWN checker's success is confirmed by a probe this much later. */
  readonly confirmUpAfterMs?: number;
}

export interface CheckerCounters {
  readonly up: boolean;
  /** Whether a probe has completed since start (keepalived `has_run`). */
  readonly hasRun: boolean;
  /** keepalived `retry_it`: consecutive failures counted while UP. */
  readonly retryIt: number;
  readonly weight: ProbeWeight | undefined;
  /** DOWN, with a success waiting for its confirmation (confirmUpAfterMs). */
  readonly confirming: boolean;
}

export interface ProbeOutcome {
  readonly ok: boolean;
  /** Time the probe took (the timeout when it timed out): given where the schedule counts from the start (MISC_CHECK). */
  readonly latencyMs?: number;
  readonly weight?: ProbeWeight;
}

export interface Verdict {
  readonly counters: CheckerCounters;
  /** Milliseconds until the next probe starts. */
  readonly nextDelayMs: number;
  /** Something the real server must hear: a change of state or weight, or the first result. */
  readonly report: boolean;
}

export function initialCounters(params: CheckerParams, initialUp?: boolean): CheckerCounters {
  return { up: initialUp ?? !params.alpha, hasRun: initialUp !== undefined, retryIt: params.retry, weight: undefined, confirming: false };
}

export function sameWeight(a: ProbeWeight | undefined, b: ProbeWeight | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.kind === b.kind && a.value === b.value);
}

export function judge(params: CheckerParams, c: CheckerCounters, outcome: ProbeOutcome): Verdict {
  let delay = params.delayLoopMs;
  let next: CheckerCounters;
  let report: boolean;
  if (outcome.ok && !c.up && c.hasRun && !c.confirming && params.confirmUpAfterMs !== undefined) {
    next = { ...c, retryIt: 0, confirming: true };
    delay = params.confirmUpAfterMs;
    report = false;
  } else if (outcome.ok) {
    const weight = outcome.weight;
    next = { up: true, hasRun: true, retryIt: 0, weight, confirming: false };
    report = !c.up || !c.hasRun || !sameWeight(weight, c.weight);
  } else if (c.confirming) {
    const retrying = c.retryIt < params.retry;
    next = { ...c, retryIt: retrying ? c.retryIt + 1 : 0, confirming: retrying };
    delay = retrying ? params.delayBeforeRetryMs : params.delayWhileDownMs;
    report = false;
  } else if ((c.up || !c.hasRun) && c.retryIt >= params.retry) {
    next = { up: false, hasRun: true, retryIt: 0, weight: undefined, confirming: false };
    delay = params.delayWhileDownMs;
    report = true;
  } else if (c.up) {
    next = { ...c, hasRun: true, retryIt: c.retryIt + 1 };
    delay = params.delayBeforeRetryMs;
    report = false;
  } else {
    next = { ...c, hasRun: true };
    delay = params.delayWhileDownMs;
    report = false;
  }
  if (params.fromStart) delay = Math.max(0, delay - (outcome.latencyMs ?? 0));
  return { counters: next, nextDelayMs: delay, report };
}
