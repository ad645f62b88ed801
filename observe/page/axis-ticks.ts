/**
 * The ticks of a time axis: a round step chosen for the span and the room, so that no two labels overlap (each
 * label's width is estimated from its characters in the axis's monospace font, and the step is the smallest
 * round one that leaves every label its width and a gap). Labels fit the step: `+3 h` for hours, `1:05:00` or
 * `5 min` for minutes, `12 s` for seconds, `12.250 s` near events; a wall-clock recording (times since 1970)
 * is labelled with the time of day (`10:00:00`, `.250` ms when zoomed in that far). Used by `vigil sim --svg`
 * and injected into the page (Function.prototype.toString), so it must stay self-contained.
 */
export interface AxisTick {
  readonly at: number;
  readonly label: string;
}

export function axisTicks(fromMs: number, toMs: number, widthPx: number, originMs: number): AxisTick[] {
  // One character of the labels (12 px monospace), and the least gap between two labels.
  const charPx = 7.3;
  const gapPx = 14;
  const span = Math.max(toMs - fromMs, 1e-3);
  // Times after 2001 are wall-clock times (a daemon's recording), else times since the run began.
  const wall = originMs > 1e12;
  const steps = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000, 3600000,
    7200000, 10800000, 21600000, 43200000, 86400000, 172800000, 604800000,
  ];
  const pad = (n: number, w = 2): string => String(Math.floor(n)).padStart(w, '0');
  const label = (t: number, step: number): string => {
    if (wall) {
      const d = new Date(t);
      const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}${step < 60000 ? `:${pad(d.getSeconds())}` : ''}`;
      return step < 1000 ? `${hms}.${pad(d.getMilliseconds(), 3)}` : hms;
    }
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
  for (const step of steps) {
    const first = Math.ceil((fromMs - originMs) / step) * step + originMs;
    if (span / step > 400) continue;
    const ticks: AxisTick[] = [];
    for (let t = first; t <= toMs + 1e-9; t += step) ticks.push({ at: t, label: label(t, step) });
    const widest = ticks.reduce((w, k) => Math.max(w, k.label.length), 0);
    if ((step / span) * widthPx >= widest * charPx + gapPx) return ticks;
  }
  return [{ at: fromMs, label: label(fromMs, steps[steps.length - 1]!) }];
}
