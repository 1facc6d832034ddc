// Every file the loader may fetch, each named by a literal `new URL('../dist/<file>',
// import.meta.url)`: bundlers (Vite, webpack, esbuild, Rollup) see each one and emit it
// with the app. Node-only files (the pthread workers as CommonJS) are listed in
// node-platform.js, behind the "node" export condition.
export const DIST_FILES = {
  'qwasm-relaxed.mjs': new URL('../dist/qwasm-relaxed.mjs', import.meta.url),
  'qwasm-relaxed.wasm': new URL('../dist/qwasm-relaxed.wasm', import.meta.url),
  'qwasm-simd128.mjs': new URL('../dist/qwasm-simd128.mjs', import.meta.url),
  'qwasm-simd128.wasm': new URL('../dist/qwasm-simd128.wasm', import.meta.url),
  'qwasm-relaxed-threads.mjs': new URL('../dist/qwasm-relaxed-threads.mjs', import.meta.url),
  'qwasm-relaxed-threads.wasm': new URL('../dist/qwasm-relaxed-threads.wasm', import.meta.url),
  'qwasm-relaxed-threads.worker.js': new URL('../dist/qwasm-relaxed-threads.worker.js', import.meta.url),
  'qwasm-simd128-threads.mjs': new URL('../dist/qwasm-simd128-threads.mjs', import.meta.url),
  'qwasm-simd128-threads.wasm': new URL('../dist/qwasm-simd128-threads.wasm', import.meta.url),
  'qwasm-simd128-threads.worker.js': new URL('../dist/qwasm-simd128-threads.worker.js', import.meta.url),
  // qwasm/quantize's module (js/quantize.js)
  'qwasm-quantize.mjs': new URL('../dist/qwasm-quantize.mjs', import.meta.url),
  'qwasm-quantize.wasm': new URL('../dist/qwasm-quantize.wasm', import.meta.url),
};

// Where `file` is loaded from: options.wasmPaths is a URL prefix (string or URL; a
// trailing '/' is implied) or a map { 'qwasm-relaxed.wasm': url, ... } whose missing
// entries fall back to the package's own files (`defaults`).
export function locate(file, wasmPaths, defaults, toUrl) {
  if (wasmPaths === undefined || wasmPaths === null) return defaults[file];
  if (typeof wasmPaths === 'string' || wasmPaths instanceof URL) {
    const prefix = String(wasmPaths);
    return new URL(file, toUrl(prefix.endsWith('/') ? prefix : `${prefix}/`));
  }
  if (typeof wasmPaths === 'object') {
    const v = wasmPaths[file];
    return v === undefined ? defaults[file] : toUrl(String(v));
  }
  throw new TypeError(`options.wasmPaths must be a URL prefix or an object mapping file names to URLs, got ${typeof wasmPaths}`);
}
