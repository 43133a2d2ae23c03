/** Summaries the benchmarks print. */

/** The nearest-rank quantile. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * A distribution-free 95 % confidence interval for the median: the order statistics that bracket
 * it as a sign test does (normal approximation to the binomial). Rounds are not normally
 * distributed on a shared machine (a disturbed round is far off), so no mean ± deviation.
 */
export function medianInterval(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const k = Math.max(0, Math.floor((n - 1.96 * Math.sqrt(n)) / 2));
  return [sorted[k], sorted[n - 1 - k]];
}

/** A ratio transformed / plain as an overhead: 1.012 → "+1.2 %". */
export function percent(ratio: number): string {
  return `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;
}
