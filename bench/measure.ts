// Small measuring helpers shared by the benchmarks.

export const mb = (n: number) => Math.round(n / 1048576);

/** Peak RSS of this process while `fn` runs (sampled every 20 ms), and the time it took. */
export async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peak: number; ms: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = performance.now();
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peak, ms: performance.now() - t0 };
  } finally {
    clearInterval(timer);
  }
}
