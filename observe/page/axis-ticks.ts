/**
 * The ticks of a time axis: a round step chosen for the span and the room, so that no two labels overlap (each
 * label's width is estimated from its characters in the axis's monospace font, and the step is the smallest
 * round one that leaves every label its width and a gap). Labels fit the step: `+3 h` for hours, `1:05:00` or
 * `5 min` for minutes, `12 s` for seconds, `12.250 s` near events.
 *
 * A recording with wall-clock time (a daemon's: its clock's time 0 is `wallAtZeroMs` since 1970; or times that
 * are themselves after 2001) is labelled with the local time of day instead, on round times of the clock:
 * `10:00`, `10:00:30`, `10:00:00.250` when zoomed in that far, and the date (`01-02`) at midnight and for steps
 * of days. `wallAtZeroMs` null labels the times since `originMs`, whatever they are. Used by `vigil sim --svg` and injected into the page (Function.prototype.toString), so it must stay
 * self-contained.
 */
export interface AxisTick {
  readonly at: number;
  readonly label: string;
}

export function axisTicks(fromMs: number, toMs: number, widthPx: number, originMs: number, wallAtZeroMs?: number | null): AxisTick[] {
  // One character of the labels (12 px monospace), and the least gap between two labels.
  const charPx = 7.3;
  const gapPx = 14;
  const span = Math.max(toMs - fromMs, 1e-3);
  // Times after 2001 are wall-clock times, else times since the run began (unless the clock's epoch is given).
  const wallZero = wallAtZeroMs === null ? undefined : (wallAtZeroMs ?? (originMs > 1e12 ? 0 : undefined));
  const steps = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000, 3600000,
    7200000, 10800000, 21600000, 43200000, 86400000, 172800000, 604800000,
  ];
  const pad = (n: number, w = 2): string => String(Math.floor(n)).padStart(w, '0');
  // Local time: minutes east of UTC at the start of the view (a change of daylight saving time inside it is ignored).
  const zoneMs = wallZero === undefined ? 0 : -new Date(fromMs + wallZero).getTimezoneOffset() * 60000;
  const wallLabel = (t: number, step: number): string => {
    const d = new Date(t + (wallZero ?? 0));
    const date = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    const midnight = d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0 && d.getMilliseconds() === 0;
    if (step >= 86400000 || (midnight && step >= 1000)) return date;
    const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}${step < 60000 ? `:${pad(d.getSeconds())}` : ''}`;
    if (step >= 1000) return hms;
    const decimals = step >= 100 ? 1 : step >= 10 ? 2 : 3;
    return `${hms}.${pad(d.getMilliseconds(), 3).slice(0, decimals)}`;
  };
  const label = (t: number, step: number): string => {
    if (wallZero !== undefined) return wallLabel(t, step);
    const rel = t - originMs;
    const sign = rel < 0 ? '-' : '';
    const a = Math.abs(rel);
    const h = Math.floor(a / 3600000);
    const m = Math.floor((a % 3600000) / 60000);
    const s = (a % 60000) / 1000;
    if (step >= 3600000) return a === 0 ? '0' : `${rel < 0 ? '-' : '+'}${Math.round(a / 3600000)} h`;
    // Up to an hour (or a minute) the unit counts the whole time: `60 min`, `60 s`, not `1:00` beside `50 min`.
    if (step >= 60000) return toMs - originMs > 3600000 ? `${sign}${h}:${pad(m)}` : `${sign}${Math.round(a / 60000)} min`;
    if (step >= 1000) {
      if (h > 0) return `${sign}${h}:${pad(m)}:${pad(s)}`;
      if (toMs - originMs > 60000) return `${sign}${m}:${pad(s)}`;
      return `${sign}${Math.round(a / 1000)} s`;
    }
    const decimals = step >= 100 ? 1 : step >= 10 ? 2 : 3;
    if (a >= 60000) return `${sign}${h > 0 ? `${h}:${pad(m)}` : m}:${s.toFixed(decimals).padStart(decimals + 3, '0')}`;
    return `${sign}${s.toFixed(decimals)} s`;
  };
  // Ticks fall on round times: of the run (relative), or of the local clock (wall-clock).
  const base = wallZero === undefined ? originMs : -(wallZero + zoneMs);
  for (const step of steps) {
    if (span / step > 400) continue;
    const first = Math.ceil((fromMs - base) / step) * step + base;
    const ticks: AxisTick[] = [];
    for (let t = first; t <= toMs + 1e-9; t += step) ticks.push({ at: t, label: label(t, step) });
    if (ticks.length === 0) continue;
    const widest = ticks.reduce((w, k) => Math.max(w, k.label.length), 0);
    if ((step / span) * widthPx >= widest * charPx + gapPx) return ticks;
  }
  return [{ at: fromMs, label: label(fromMs, steps[steps.length - 1]!) }];
}
