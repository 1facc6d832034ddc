#!/usr/bin/env node
// Fails on an #include "..." that points up a layer (docs/contributing.md "Layers"; the
// CMake libraries in src/CMakeLists.txt link the same way). No dependencies.
//
//   node scripts/check-layers.mjs              check this checkout
//   node scripts/check-layers.mjs --root DIR   check another tree laid out the same way
//   node scripts/check-layers.mjs --self-test  prove the check fails on up-pointing includes
//
// Each include is resolved the way the compiler does (the including file's folder, then
// src/, kernels/include, kernels/ref) and takes the layer of the file it finds; one that
// resolves nowhere fails too, so a new include folder cannot hide an edge.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Layer of each folder and the layers its files may include (their own included).
const ALLOWED = {
  kernels: [],
  graph: [],
  onnx: ['graph'],
  ops: ['graph', 'kernels'],
  runtime: ['ops', 'onnx', 'graph', 'kernels'],
  quantize: ['runtime', 'ops', 'onnx', 'graph', 'kernels'],  // the quantizer (calibration runs models)
  api: ['quantize', 'runtime', 'ops', 'onnx', 'graph', 'kernels'],
  bindings: ['api'],          // glue: the public C++ API only (and emscripten)
  tools: ['api'],             // native tools: the public C++ API only
};
const SCANNED = ['kernels', 'src/graph', 'src/onnx', 'src/ops', 'src/runtime', 'src/quantize', 'src/api', 'src/bindings', 'tools'];
const INCLUDE_DIRS = ['src', 'kernels/include', 'kernels/ref'];
// Generated at build time (cmake/protobuf.cmake): not in the tree.
const GENERATED = { 'onnx.pb.h': 'onnx' };
const SOURCE = /\.(h|hh|hpp|c|cc|cpp|inc)$/;
const INCLUDE = /^\s*#\s*include\s*"([^"]+)"/;

function layerOf(rel) {
  const parts = rel.split('/');
  if (parts[0] === 'kernels' || parts[0] === 'tools') return parts[0];
  if (parts[0] === 'src' && parts[1] in ALLOWED) return parts[1];
  return null;
}

function* walk(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile() && SOURCE.test(e.name)) yield p;
  }
}

// Returns ["file:line: message", ...] for every include that breaks the rules under root.
export function checkLayers(root) {
  const problems = [];
  const rel = (p) => path.relative(root, p).split(path.sep).join('/');
  for (const top of SCANNED) {
    for (const file of walk(path.join(root, top))) {
      const from = layerOf(rel(file));
      if (!from) continue;
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const m = INCLUDE.exec(line);
        if (!m) return;
        const inc = m[1];
        const where = `${rel(file)}:${i + 1}`;
        let to = GENERATED[inc];
        if (!to) {
          const candidates = [path.dirname(file), ...INCLUDE_DIRS.map((d) => path.join(root, d))];
          const found = candidates.map((d) => path.resolve(d, inc)).find((p) => fs.existsSync(p));
          if (!found) {
            problems.push(`${where}: "${inc}" resolves to no file in the tree`);
            return;
          }
          to = layerOf(rel(found));
          if (!to) {
            problems.push(`${where}: "${inc}" is ${rel(found)}, outside every layer`);
            return;
          }
        }
        if (to !== from && !ALLOWED[from].includes(to))
          problems.push(`${where}: ${from}/ may not include ${to}/ ("${inc}"); ${from} may include: ${
            ALLOWED[from].join(', ') || 'nothing outside itself'}`);
      });
    }
  }
  return problems;
}

// A fake tree with one clean include per layer and one up-pointing include in several:
// the check must name exactly the bad ones.
function selfTest() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'check-layers-'));
  const put = (p, text) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  };
  try {
    put('kernels/include/qwasm_kernels.h', '#pragma once\n');
    put('kernels/generic/k.cc', '#include "qwasm_kernels.h"\n#include "../include/qwasm_kernels.h"\n');
    put('src/graph/graph.h', '#pragma once\n');
    put('src/onnx/loader.h', '#include "graph/graph.h"\n#include "onnx.pb.h"\n');
    put('src/ops/op.h', '#include "graph/graph.h"\n#include "qwasm_kernels.h"\n');
    put('src/runtime/thread_pool.h', '#include "ops/op.h"\n#include "onnx/loader.h"\n');
    put('src/api/session.h', '#include "runtime/thread_pool.h"\n');
    put('src/bindings/ok.cc', '#include <emscripten/bind.h>\n#include "api/session.h"\n');
    put('tools/run.cc', '#include "api/session.h"\n');
    const clean = checkLayers(root);
    if (clean.length) throw new Error(`clean tree reported problems:\n${clean.join('\n')}`);

    put('src/ops/bad.cc', '// ok\n#include "ops/op.h"\n  #  include "runtime/thread_pool.h"\n');
    put('kernels/generic/bad.cc', '#include "graph/graph.h"\n');
    put('src/graph/bad.cc', '#include "onnx/loader.h"\n');
    put('src/bindings/bad.cc', '#include "runtime/thread_pool.h"\n');
    put('src/onnx/bad.cc', '#include "missing/nowhere.h"\n');
    const got = checkLayers(root).map((p) => p.split(':').slice(0, 2).join(':')).sort();
    const want = ['kernels/generic/bad.cc:1', 'src/bindings/bad.cc:1', 'src/graph/bad.cc:1', 'src/onnx/bad.cc:1',
                  'src/ops/bad.cc:3'];
    if (JSON.stringify(got) !== JSON.stringify(want))
      throw new Error(`expected problems at ${want.join(', ')}\ngot ${got.join(', ') || 'none'}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log('check-layers self-test: ok (a clean tree passes, 5 up-pointing or unresolved includes fail)');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--self-test')) {
    try {
      selfTest();
    } catch (e) {
      console.error(`check-layers self-test FAILED: ${e.message}`);
      process.exit(1);
    }
    process.exit(0);
  }
  const r = args.indexOf('--root');
  const root = r >= 0 ? path.resolve(args[r + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkLayers(root);
  if (problems.length) {
    console.error(`check-layers: ${problems.length} include(s) point up a layer or out of the tree:`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log('check-layers: ok (every include points down a layer)');
}
