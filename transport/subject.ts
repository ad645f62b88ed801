/**
 * RxJS's Subject without RxJS's whole CommonJS index: `import … from 'rxjs'` loads every operator (about 80 ms of
 * a daemon's start-up, before its first advertisement). `rxjs/internal/*` is in rxjs 7's package exports, and
 * the class extended is the very one the index re-exports (under Node both resolve to dist/cjs). It is required,
 * not imported: the ESM loader would lex each CommonJS file it pulls in (a few ms more).
 *
 * `next` is RxJS's own without what its ES5 build makes on every call (a closure for errorContext, an iterator
 * and a result object per observer): each packet of a flood goes through two Subjects (the channel's packets$
 * and the bus), and that was a third of what a dropped packet allocated (issue 13, bench/vrrp-receive-path.ts).
 * Same snapshot semantics: the observers as they were when the value came, unsubscribing during it included.
 */
import { createRequire } from 'node:module';
import type { Observer } from 'rxjs';

const require = createRequire(import.meta.url);
const { Subject: RxSubject } = require('rxjs/internal/Subject') as typeof import('rxjs/internal/Subject');
const { config } = require('rxjs/internal/config') as typeof import('rxjs/internal/config');
const { ObjectUnsubscribedError } = require('rxjs/internal/util/ObjectUnsubscribedError') as typeof import('rxjs/internal/util/ObjectUnsubscribedError');

/** What RxJS's Subject keeps of its observers (private in its types). */
interface ObserverLists<T> {
  currentObservers: Observer<T>[] | null;
  readonly observers: Observer<T>[];
}

export class Subject<T> extends RxSubject<T> {
  override next(value: T): void {
    // The deprecated synchronous error handling needs RxJS's errorContext: its own next then.
    if (config.useDeprecatedSynchronousErrorHandling) {
      super.next(value);
      return;
    }
    if (this.closed) throw new ObjectUnsubscribedError();
    if (this.isStopped) return;
    const lists = this as unknown as ObserverLists<T>;
    // RxJS drops the snapshot whenever an observer comes or goes (Subject._innerSubscribe).
    const observers = (lists.currentObservers ??= Array.from(lists.observers));
    for (let i = 0; i < observers.length; i++) observers[i]!.next(value);
  }
}
