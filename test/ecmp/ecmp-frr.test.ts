/** Issue 18 in namespaces with FRR (zebra + bgpd) as the upstream router and the directors' speaker (see ecmp-checks.ts). */
import { test } from 'node:test';
import { ecmpDoneWhen } from './ecmp-checks.js';

test('three directors behind FRR ECMP: spread, withdrawal on SIGKILL, no flow moved by a director loss, a server loss moves its share', { timeout: 300_000 }, (t) => ecmpDoneWhen(t, 'frr'));
