// emcc 3.1.6's pthread worker (<build>.worker.js, a classic script) imports the glue with
// import(e.data.urlOrBlob). Vite's dev server rewrites every non-literal dynamic import of a
// script it serves into __vite__injectQuery(...) plus an `import` line at the top, which a
// classic worker cannot parse (the pool never starts). The browser copy makes that import
// through a function built from a string, which no bundler parses. (The Node copy,
// .worker.cjs, is copied unchanged.)
import { readFileSync, writeFileSync } from 'node:fs';

const [src, dst] = process.argv.slice(2);
const code = readFileSync(src, 'utf8');
const from = 'import(e.data.urlOrBlob)';
if (!code.includes(from)) throw new Error(`${src}: no '${from}' to patch (emcc version changed?)`);
writeFileSync(dst, code.replace(from, '(0,eval)("u=>import(u)")(e.data.urlOrBlob)'));
