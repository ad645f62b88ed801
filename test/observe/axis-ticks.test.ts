/**
 * The time axis (observe/page/axis-ticks.ts): at every span from milliseconds to a week and every width, round
 * ticks inside the span whose labels, at their width in the axis font, leave a gap between them; units that fit
 * the span (`+3 h`, `1:05`, `5 min`, `12 s`, `12.250 s`), and the time of day for a wall-clock recording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisTicks } from '../../observe/page/axis-ticks.js';

test('ticks never crowd: labels at 7.3 px a character keep apart at every span and width', () => {
  for (const span of [3, 40, 700, 5_000, 59_000, 60_000, 600_000, 3_600_000, 4 * 3_600_000, 86_400_000, 7 * 86_400_000]) {
    for (const width of [240, 600, 1400]) {
      for (const from of [0, span / 3]) {
        const ticks = axisTicks(from, from + span, width, 0);
        assert.ok(ticks.length >= 2, `${span} ms on ${width} px: ${ticks.length} ticks`);
        for (const t of ticks) assert.ok(t.at >= from - 1e-6 && t.at <= from + span + 1e-6);
        const widest = Math.max(...ticks.map((t) => t.label.length)) * 7.3;
        const stepPx = ((ticks[1]!.at - ticks[0]!.at) / span) * width;
        assert.ok(stepPx >= widest + 14, `${span} ms on ${width} px: ${ticks.map((t) => t.label).join(' ')}`);
        assert.equal(new Set(ticks.map((t) => t.label)).size, ticks.length, `distinct labels: ${ticks.map((t) => t.label).join(' ')}`);
      }
    }
  }
});

test('units fit the span', () => {
  assert.deepEqual(axisTicks(0, 60_000, 1000, 0).map((t) => t.label).slice(0, 3), ['0 s', '5 s', '10 s']);
  assert.equal(axisTicks(0, 60_000, 1000, 0).at(-1)!.label, '60 s');
  assert.equal(axisTicks(0, 3_600_000, 1000, 0).at(-1)!.label, '60 min');
  assert.deepEqual(axisTicks(0, 600_000, 800, 0).map((t) => t.label).slice(0, 3), ['0 min', '1 min', '2 min']);
  assert.deepEqual(axisTicks(0, 24 * 3_600_000, 700, 0).map((t) => t.label).slice(0, 3), ['0', '+2 h', '+4 h']);
  const near = axisTicks(3_601_000, 3_601_020, 1000, 0).map((t) => t.label);
  assert.ok(near.every((l) => /^1:00:01\.\d{3}$/.test(l)), near.join(' '));
  // A daemon's recording: times of day.
  const wall = Date.UTC(2026, 0, 1, 10, 0, 0);
  const day = axisTicks(wall, wall + 3_600_000, 1000, wall).map((t) => t.label);
  assert.ok(day.every((l) => /^\d\d:\d\d(:\d\d)?$/.test(l)), day.join(' '));
});

test("a daemon's recording (its clock's epoch known): times of day on round times of the local clock", () => {
  const saved = process.env['TZ'];
  try {
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
      process.env['TZ'] = zone;
      // The daemon's monotonic clock read 0 at 09:59:47.123 local time (an odd moment, not a round one).
      const zero = new Date(2026, 0, 1, 9, 59, 47, 123).getTime();
      const local = (t: number): Date => new Date(t + zero);
      for (const [span, width, shape] of [
        [3_600_000, 1000, /^\d\d:\d\d(:\d\d)?$/],
        [90_000, 1000, /^\d\d:\d\d:\d\d$/],
        [2_000, 1000, /^\d\d:\d\d:\d\d\.\d{1,3}$/],
        [3 * 86_400_000, 700, /^(\d\d:\d\d|\d\d-\d\d)$/],
      ] as const) {
        const from = 1234.5;
        const ticks = axisTicks(from, from + span, width, 0, zero);
        assert.ok(ticks.length >= 2, `${zone} ${span}: ${ticks.length} ticks`);
        const step = ticks[1]!.at - ticks[0]!.at;
        assert.ok((step / span) * width >= Math.max(...ticks.map((t) => t.label.length)) * 7.3 + 14, `${zone} ${span}: crowded`);
        for (const t of ticks) {
          assert.match(t.label, shape, `${zone} ${span}: ${t.label}`);
          assert.ok(t.at >= from - 1e-6 && t.at <= from + span + 1e-6);
          // On a round time of the local clock: the label is what the clock shows there, whole in the step's unit.
          const d = local(t.at);
          const ms = ((d.getHours() * 60 + d.getMinutes()) * 60 + d.getSeconds()) * 1000 + d.getMilliseconds();
          assert.equal(ms % Math.min(step, 86_400_000), 0, `${zone} ${span}: ${t.label} at ${d.toString()}`);
          if (/:/.test(t.label)) assert.ok(t.label.startsWith(`${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`), `${zone}: ${t.label} is ${d.toString()}`);
        }
      }
      // Days: the date at midnight.
      const days = axisTicks(0, 3 * 86_400_000, 700, 0, zero).map((t) => t.label);
      assert.ok(days.includes('01-02') && days.includes('01-03'), days.join(' '));
    }
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
});

test('times that are themselves wall-clock times are labelled as times of day, unless told null', () => {
  const saved = process.env['TZ'];
  process.env['TZ'] = 'UTC';
  try {
    const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
    const day = axisTicks(t0, t0 + 3_600_000, 1000, t0).map((t) => t.label);
    assert.ok(day.every((l) => /^1[01]:\d\d$/.test(l)), day.join(' '));
    assert.deepEqual(axisTicks(t0, t0 + 3_600_000, 1000, t0, null).map((t) => t.label), axisTicks(0, 3_600_000, 1000, 0).map((t) => t.label));
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
});
