/**
 * transport/subject.ts: RxJS's Subject with a `next` that makes nothing per call (issue 13: every packet of a flood
 * goes through two). What RxJS's own `next` does must hold: each observer in subscription order, the observers as
 * they were when the value came (one that leaves or arrives meanwhile), nothing after complete, an error after
 * unsubscribe, operators and asObservable as usual.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subject as RxSubject, config, filter, map } from 'rxjs';
import { Subject } from '../../transport/subject.js';

/** The same script of subscriptions and values on a subject; what each observer heard. */
function script(make: () => RxSubject<number>): string[] {
  const s = make();
  const heard: string[] = [];
  const b = s.subscribe((v) => {
    heard.push(`b${v}`);
  });
  s.subscribe((v) => {
    heard.push(`a${v}`);
    // Leaves while the value is handed out: the value still reaches everyone the snapshot had, b included.
    if (v === 2) b.unsubscribe();
    // Arrives while the value is handed out: hears the next one, not this one.
    if (v === 3) s.subscribe((w) => heard.push(`c${w}`));
  });
  s.asObservable()
    .pipe(
      filter((v) => v % 2 === 1),
      map((v) => v * 10),
    )
    .subscribe((v) => heard.push(`odd${v}`));
  for (const v of [1, 2, 3, 4]) s.next(v);
  s.complete();
  s.next(5);
  return heard;
}

test('the same observers hear the same values in the same order as with RxJS\'s own Subject', () => {
  const ours = script(() => new Subject<number>());
  assert.deepEqual(ours, script(() => new RxSubject<number>()));
  // Not vacuous: b left during 2 (after hearing it), c came during 3, nothing after complete.
  assert.deepEqual(ours, ['b1', 'a1', 'odd10', 'b2', 'a2', 'a3', 'odd30', 'a4', 'c4']);
});

test('next after unsubscribe throws as RxJS does; an RxJS Subject it is', () => {
  const s = new Subject<number>();
  assert.ok(s instanceof RxSubject);
  s.unsubscribe();
  assert.throws(() => s.next(1), { name: 'ObjectUnsubscribedError' });
});

test('with the deprecated synchronous error handling, an observer\'s error is thrown at next as RxJS does', () => {
  config.useDeprecatedSynchronousErrorHandling = true;
  try {
    const s = new Subject<number>();
    s.subscribe(() => {
      throw new Error('observer failed');
    });
    assert.throws(() => s.next(1), /observer failed/);
  } finally {
    config.useDeprecatedSynchronousErrorHandling = false;
  }
});
