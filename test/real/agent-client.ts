/**
 * Parent side of test/real/fixtures/agent.ts: starts the agent in a namespace of a Lan and talks JSON lines.
 *
 *   const agent = await startAgent(lan, lan.host('a').ns);
 *   const channel = await agent.call<number>('open', { interface: 'eth0', family: 4, … });
 *   const packet = await agent.waitFor((e) => e.event === 'packet' && e.channel === channel);
 */
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import type { Lan } from '../netns/harness.js';

export type AgentEvent = { readonly event: string } & Readonly<Record<string, unknown>>;

export interface Agent {
  readonly ns: string;
  readonly pid: number;
  /** Every event received so far, in order. */
  readonly events: readonly AgentEvent[];
  call<T = unknown>(method: string, params?: object): Promise<T>;
  /**
   * Resolves with the first matching event, already received (from index `since` of `events`, default 0) or
   * future; rejects after `timeoutMs`.
   */
  waitFor(predicate: (event: AgentEvent) => boolean, timeoutMs?: number, since?: number): Promise<AgentEvent>;
  /** Asks the agent to exit and waits for it. */
  stop(): Promise<void>;
  stderr(): string;
}

const AGENT_SCRIPT = fileURLToPath(new URL('./fixtures/agent.js', import.meta.url));
const DEFAULT_TIMEOUT_MS = 5000;

export async function startAgent(lan: Lan, ns: string): Promise<Agent> {
  const child: ChildProcess = lan.spawn(ns, [process.execPath, AGENT_SCRIPT], {
    env: { ...process.env, VIGIL_FIXTURE: '1' },
  });
  const events: AgentEvent[] = [];
  const waiters = new Set<{ predicate: (e: AgentEvent) => boolean; resolve: (e: AgentEvent) => void }>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let stderr = '';
  let nextId = 1;
  let exited = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    for (const p of pending.values()) p.reject(new Error(`agent in ${ns} exited; stderr: ${stderr}`));
    pending.clear();
    resolve();
  }));
  let ready: (pid: number) => void = () => undefined;
  const readyPromise = new Promise<number>((resolve) => {
    ready = resolve;
  });
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  lines.on('line', (line) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      stderr += `[stdout] ${line}\n`;
      return;
    }
    if (typeof message['id'] === 'number') {
      const p = pending.get(message['id']);
      pending.delete(message['id']);
      if (p === undefined) return;
      if ('error' in message) {
        p.reject(Object.assign(new Error(String(message['error'])), { code: message['code'] }));
      } else p.resolve(message['result']);
      return;
    }
    if (typeof message['event'] !== 'string') return;
    const event = message as AgentEvent;
    if (event.event === 'ready') ready(Number(message['pid']));
    events.push(event);
    for (const w of [...waiters]) {
      if (w.predicate(event)) {
        waiters.delete(w);
        w.resolve(event);
      }
    }
  });

  const readyTimeout = new AbortController();
  const pid = await Promise.race([
    readyPromise,
    exit.then(() => {
      throw new Error(`agent in ${ns} exited before ready; stderr: ${stderr}`);
    }),
    delay(10_000, undefined, { signal: readyTimeout.signal }).then(
      () => {
        throw new Error(`agent in ${ns} not ready after 10 s; stderr: ${stderr}`);
      },
      () => 0,
    ),
  ]).finally(() => readyTimeout.abort());

  const agent: Agent = {
    ns,
    pid,
    events,
    call<T>(method: string, params: object = {}): Promise<T> {
      if (exited) return Promise.reject(new Error(`agent in ${ns} has exited; stderr: ${stderr}`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.stdin?.write(`${JSON.stringify({ id, method, params })}\n`);
      });
    },
    waitFor(predicate: (event: AgentEvent) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS, since = 0): Promise<AgentEvent> {
      const already = events.slice(since).find(predicate);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise<AgentEvent>((resolve, reject) => {
        const ac = new AbortController();
        const waiter = {
          predicate,
          resolve: (e: AgentEvent) => {
            ac.abort();
            resolve(e);
          },
        };
        waiters.add(waiter);
        delay(timeoutMs, undefined, { signal: ac.signal }).then(
          () => {
            waiters.delete(waiter);
            reject(new Error(`no matching event from agent in ${ns} within ${timeoutMs} ms; stderr: ${stderr}`));
          },
          () => undefined,
        );
      });
    },
    async stop(): Promise<void> {
      if (exited) return;
      child.stdin?.write(`${JSON.stringify({ id: 0, method: 'exit' })}\n`);
      const stopTimeout = new AbortController();
      await Promise.race([exit, delay(3000, undefined, { signal: stopTimeout.signal }).catch(() => undefined)]);
      stopTimeout.abort();
      if (!exited && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      await exit;
    },
    stderr: () => stderr,
  };
  return agent;
}
