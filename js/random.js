// mulberry32: a small, fast, seedable generator, uniform in [0, 1). Sampling in generate()
// uses it (a seed makes a generation repeatable), and the tests draw seeded inputs from it.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
