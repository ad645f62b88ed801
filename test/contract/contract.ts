/**
 * The shape of every contract suite here (docs/design.md, "Tests, by layer" 4): a list of cases, each one behaviour
 * of the contract checked against a rig (one implementation and the world it runs in: real sockets, processes and
 * time, or the simulator's). The same cases run on the real and the simulated implementation, and on deliberately
 * broken ones, which must fail them: a suite that cannot fail proves nothing.
 */
import type { TestContext } from 'node:test';

export interface ContractCase<R> {
  readonly name: string;
  check(rig: R): Promise<void>;
}

/** Thrown by a rig that cannot set up what a case needs here (no namespaces, no root): the case is skipped. */
export class CaseSkipped extends Error {
  override readonly name = 'CaseSkipped';
}

/** Runs each case as a subtest of `t`, in order, on one rig (or one made afresh for each case, when `rig` is a function). */
export async function runContract<R>(t: TestContext, cases: readonly ContractCase<R>[], rig: R | (() => R | Promise<R>)): Promise<void> {
  for (const c of cases) {
    await t.test(c.name, async (st) => {
      try {
        await c.check(typeof rig === 'function' ? await (rig as () => R | Promise<R>)() : rig);
      } catch (error) {
        if (!(error instanceof CaseSkipped)) throw error;
        st.skip(error.message);
      }
    });
  }
}

/** The names of the cases that fail on a rig (made afresh for each case, when `rig` is a function). */
export async function failingCases<R>(cases: readonly ContractCase<R>[], rig: R | (() => R | Promise<R>)): Promise<string[]> {
  const failed: string[] = [];
  for (const c of cases) {
    const r = typeof rig === 'function' ? await (rig as () => R | Promise<R>)() : rig;
    try {
      await c.check(r);
    } catch (error) {
      if (!(error instanceof CaseSkipped)) failed.push(c.name);
    }
  }
  return failed;
}

/**
 * Polls `done` every `everyMs` of real time; fails after `limitMs` (a bound for a broken implementation, not a
 * speed goal).
 */
export async function pollUntil(done: () => boolean | Promise<boolean>, what: string, limitMs = 20_000, everyMs = 2): Promise<void> {
  const start = performance.now();
  while (!(await done())) {
    if (performance.now() - start > limitMs) throw new Error(`${what}: not reached in ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Runs a case's body, then `clear` whatever happened, so that the next case starts from nothing. */
export async function thenClear(clear: () => Promise<void>, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await clear();
  }
}
