// What bundlers see: the browser / default entries reach no `node:` module (static or
// dynamic import), and every dist file the loader may fetch is named by its own literal
// new URL('../dist/<file>', import.meta.url), with the package's exports pointing Node at
// the entries that install Node's platform.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// Every module the entry reaches by relative imports, and every specifier it imports.
function importGraph(entry) {
  const seen = new Set();
  const specifiers = [];
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    const patterns = [
      /^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm,  // import ... from / export ... from
      /^\s*import\s*['"]([^'"]+)['"]/gm,  // import 'x'
      /\bimport\(\s*(?:\/\*[^*]*\*\/\s*)?['"]([^'"]+)['"]/g,  // import('x')
    ];
    for (const re of patterns) {
      for (const m of src.matchAll(re)) {
        specifiers.push([file, m[1]]);
        if (m[1].startsWith('.')) visit(normalize(join(dirname(file), m[1])));
      }
    }
  };
  visit(join(root, entry));
  return { files: [...seen], specifiers };
}

const ENTRIES = ['.', './llm', './ort', './quantize'];
// Bare imports may name the package's own dependencies (bundlers resolve them), nothing else.
const deps = new Set(Object.keys(pkg.dependencies ?? {}));

test('the default entries import no node: module and not the Node platform', () => {
  for (const entry of ENTRIES.map((k) => pkg.exports[k].default)) {
    const { files, specifiers } = importGraph(entry);
    assert.ok(files.length > 3, `${entry} reaches ${files.length} files`);
    const bad = specifiers.filter(([, s]) => (!s.startsWith('.') && !deps.has(s)) || /node-platform|\.node\.js$/.test(s));
    assert.deepEqual(bad, [], `${entry} imports ${JSON.stringify(bad)}`);
  }
});

test('the node condition comes first and names the Node entries, which do reach the Node platform', () => {
  for (const [key, node] of [['.', './js/index.node.js'], ['./llm', './js/llm.node.js'], ['./ort', './js/ort.node.js'],
    ['./quantize', './js/quantize.node.js']]) {
    const conds = Object.keys(pkg.exports[key]);
    assert.deepEqual(conds, ['types', 'node', 'default']);
    assert.equal(pkg.exports[key].node, node);
    assert.ok(importGraph(node).files.some((f) => f.endsWith('js/node-platform.js')));
  }
  assert.equal(pkg.sideEffects, false);
});

test('each dist file has one literal new URL in the loader, and the loader names no other', () => {
  const builds = ['relaxed', 'simd128', 'relaxed-threads', 'simd128-threads'];
  const expected = builds.flatMap((b) => [`qwasm-${b}.mjs`, `qwasm-${b}.wasm`])
    .concat(['relaxed-threads', 'simd128-threads'].flatMap((b) => [`qwasm-${b}.worker.js`, `qwasm-${b}.worker.cjs`]))
    .concat(['qwasm-quantize.mjs', 'qwasm-quantize.wasm']);
  const found = [];
  for (const f of readdirSync(join(root, 'js')).filter((f) => f.endsWith('.js'))) {
    const src = readFileSync(join(root, 'js', f), 'utf8');
    for (const m of src.matchAll(/new URL\('\.\.\/dist\/([^']+)', import\.meta\.url\)/g)) found.push(m[1]);
    // No URL built from a template or a variable into dist/.
    assert.doesNotMatch(src, /new URL\(`[^`]*dist/, `${f} builds a dist URL from a template`);
  }
  assert.deepEqual(found.sort(), expected.sort());
});

test("worker mode's worker is created in the one form bundlers bundle: new Worker(new URL(literal, import.meta.url))", () => {
  const src = readFileSync(join(root, 'js/platform.js'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  assert.match(src, /new Worker\(new URL\('\.\/worker\.js', import\.meta\.url\), \{ type: 'module' \}\)/);
  // A separate literal new URL('./worker.js', ...) would be emitted as a plain asset (Vite
  // inlines it as a data: URL without its imports), so there is none.
  assert.equal([...src.matchAll(/new URL\('\.\/worker\.js'/g)].length, 1);
});
