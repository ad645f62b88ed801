/**
 * RxJS's Subject without RxJS's whole CommonJS index: `import … from 'rxjs'` loads every operator (about 80 ms of
 * a daemon's start-up, before its first advertisement). `rxjs/internal/*` is in rxjs 7's package exports, and
 * the class is the very one the index re-exports (under Node both resolve to dist/cjs). It is required, not
 * imported: the ESM loader would lex each CommonJS file it pulls in (a few ms more).
 */
import { createRequire } from 'node:module';

export const { Subject } = createRequire(import.meta.url)('rxjs/internal/Subject') as typeof import('rxjs/internal/Subject');
export type Subject<T> = import('rxjs/internal/Subject').Subject<T>;
