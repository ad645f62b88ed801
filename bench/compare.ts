/**
 * Comparing two sets of timings (vigil's and keepalived's) without fooling ourselves: medians, and a two-sided
 * Mann-Whitney U test (normal approximation, ties averaged), so that a verdict says "slower" or "faster" only
 * when the difference is unlikely to be the noise of a loaded machine.
 */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The standard normal distribution function (Abramowitz & Stegun 26.2.17, error below 1e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const tail = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - tail : tail;
}

/** Two-sided p-value of the Mann-Whitney U test: how likely samples this different are, were both alike. */
export function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return 1;
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  let rankSumA = 0;
  all.forEach((x, i) => {
    if (x.g === 0) rankSumA += ranks[i]!;
  });
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sigma === 0) return 1;
  const z = (Math.abs(u - (n1 * n2) / 2) - 0.5) / sigma; // with continuity correction
  return Math.min(1, 2 * (1 - normalCdf(Math.max(0, z))));
}

export const SIGNIFICANCE = 0.05;

/** One line: which one is faster, by how much (medians), and whether that is more than noise. */
export function verdict(vigil: readonly number[], keepalived: readonly number[]): string {
  const a = vigil.filter(Number.isFinite);
  const b = keepalived.filter(Number.isFinite);
  if (a.length === 0 || b.length === 0) return 'verdict: not comparable (a side saw nothing)';
  const delta = median(a) - median(b);
  const p = mannWhitneyP(a, b);
  const by = `${Math.abs(delta).toFixed(1)} ms (medians, p=${p.toFixed(3)}, ${a.length}+${b.length} runs)`;
  if (p >= SIGNIFICANCE) return `verdict: no measurable difference: vigil ${delta >= 0 ? '+' : '-'}${by}`;
  return delta < 0 ? `verdict: vigil FASTER by ${by}` : `verdict: vigil SLOWER by ${by}`;
}
