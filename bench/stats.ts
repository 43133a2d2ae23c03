/** Summaries the benchmarks print. */

/** The nearest-rank quantile. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}
