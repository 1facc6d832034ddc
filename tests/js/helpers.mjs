// Shared by the JS API tests: fixture paths and the wasm variant under test
// (QWASM_SIMD=relaxed|simd128|auto, default auto; QWASM_THREADS=N, default: the package's
// default, which in Node is the threaded build on all cores up to 4).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DATA = fileURLToPath(new URL('../data/', import.meta.url));
export const SIMD = process.env.QWASM_SIMD || 'auto';
export const fixture = (name) => DATA + name;
export const fixtureBytes = (name) => new Uint8Array(readFileSync(DATA + name));
export const THREADS = process.env.QWASM_THREADS ? Number(process.env.QWASM_THREADS) : undefined;
export const opts = (extra = {}) => ({ simd: SIMD, threads: THREADS, ...extra });
