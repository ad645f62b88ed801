/**
 * RxJS's Subject without RxJS's whole CommonJS index: `import … from 'rxjs'` loads every operator (about 80 ms of
 * a daemon's start-up, before its first advertisement). `rxjs/internal/*` is in rxjs 7's package exports, and
 * the class is the very one the index re-exports.
 */
export { Subject } from 'rxjs/internal/Subject';
