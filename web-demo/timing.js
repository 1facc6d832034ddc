// Timing and output-difference helpers shared by the demo's side-by-side comparisons.

// Median ms of `runs` calls of fn, after one warm-up call (first-run costs on both sides).
export async function median(fn, runs) {
  await fn();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

// Largest |a[i] - b[i]| of two equally long numeric arrays.
export function maxDiff(a, b) {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(Number(a[i]) - Number(b[i])));
  return d;
}
