// Loads one of the two wasm builds (relaxed SIMD or plain SIMD128) once per
// variant and caches it. 'auto' takes the relaxed build when the engine validates
// it AND its in-module probe finds the dot-product instruction usable.
import { engineFeatures } from './features.js';

const isNode = typeof process === 'object' && !!process.versions?.node && typeof window === 'undefined';
const modules = new Map();

async function instantiate(variant) {
  const glueUrl = new URL(`../dist/qwasm-${variant}.mjs`, import.meta.url);
  const wasmUrl = new URL(`../dist/qwasm-${variant}.wasm`, import.meta.url);
  const { default: factory } = await import(glueUrl.href);
  const opts = { locateFile: () => wasmUrl.href };
  if (isNode) {
    // emcc 3.1.6's glue would fetch() a file path under Node (TOOLCHAIN.md trap 4).
    const { readFile } = await import('node:fs/promises');
    opts.wasmBinary = await readFile(wasmUrl);
  }
  return factory(opts);
}

function load(variant) {
  if (!modules.has(variant)) {
    const p = instantiate(variant);
    p.catch(() => modules.delete(variant));
    modules.set(variant, p);
  }
  return modules.get(variant);
}

// The probe's verdict inside the relaxed build (null when the build has no probe).
function dotClass(mod) {
  const c = typeof mod.dotClass === 'function' ? mod.dotClass() : 'none';
  return c === 'none' ? null : c;
}

export async function getModule(simd = 'auto') {
  const f = engineFeatures();
  if (simd === 'relaxed') {
    if (!f.relaxedSimd) throw new Error("simd: 'relaxed' requested but this engine does not support WebAssembly relaxed SIMD");
    return { mod: await load('relaxed'), variant: 'relaxed' };
  }
  if (simd !== 'auto' && simd !== 'simd128') {
    throw new Error(`simd must be 'auto', 'relaxed' or 'simd128', got '${simd}'`);
  }
  if (!f.simd128) throw new Error('this engine does not support WebAssembly SIMD128, which qwasm requires');
  if (simd === 'auto' && f.relaxedSimd) {
    const mod = await load('relaxed');
    if (dotClass(mod) !== 'broken') return { mod, variant: 'relaxed' };
  }
  return { mod: await load('simd128'), variant: 'simd128' };
}

export { dotClass, isNode };
