// The package as a user gets it: `npm pack`, installed from the tarball into a fresh
// project (offline; the package's dependencies, if any, linked from this checkout), where the README's examples (extracted from README.md, so they
// cannot drift) run as written on the model that ships in the package.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { readmeExamples } from '../../scripts/readme-examples.mjs';

const root = new URL('../../', import.meta.url).pathname;
const expected = JSON.parse(readFileSync(join(root, 'models/tinylm/expected_greedy.json'), 'utf8'));
const examples = readmeExamples(join(root, 'README.md'));
let dir, app, files;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'qwasm-pack-'));
  const npm = (args, cwd) => execFileSync('npm', [...args, '--cache', join(dir, 'npm-cache'), '--no-audit', '--no-fund',
    '--loglevel=error'], { cwd, encoding: 'utf8', timeout: 120000 });
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], root));
  files = packed.files.map((f) => f.path);
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const tgz = join(dir, packed.filename);
  const deps = Object.keys(JSON.parse(execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }))
    .dependencies ?? {});
  if (deps.length === 0) {
    npm(['install', '--offline', tgz], app);
  } else {
    // Offline, npm cannot fetch the package's own dependencies: unpack the tarball as
    // npm would and link the dependencies this checkout already installed.
    const modules = join(app, 'node_modules');
    mkdirSync(join(modules, 'qwasm'), { recursive: true });
    execFileSync('tar', ['-xzf', tgz, '-C', join(modules, 'qwasm'), '--strip-components=1']);
    for (const d of deps) {
      mkdirSync(dirname(join(modules, d)), { recursive: true });
      symlinkSync(join(root, 'node_modules', d), join(modules, d));
    }
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

// Runs one README example in the app, with the Node under test.
function runExample(i) {
  const file = join(app, `example-${i + 1}.mjs`);
  writeFileSync(file, examples[i]);
  const r = spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, `example ${i + 1} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('the tarball holds the runtime, its builds, the shipped model and the license, and no sources', () => {
  for (const f of ['LICENSE', 'README.md', 'package.json', 'js/index.js', 'js/index.node.js', 'js/index.d.ts',
    'js/llm.node.js', 'dist/qwasm-relaxed.wasm', 'dist/qwasm-simd128.mjs', 'dist/qwasm-relaxed-threads.worker.js',
    'dist/qwasm-simd128-threads.worker.cjs', 'models/tinylm/onnx/model_q4.onnx', 'models/tinylm/onnx/model_q4.onnx_data',
    'models/tinylm/tokenizer.json']) {
    assert.ok(files.includes(f), `${f} is not in the tarball`);
  }
  assert.deepEqual(files.filter((f) => /^(src|tests|kernels|build|node_modules)\//.test(f)), []);
});

test("the README's first example runs in a fresh project: onnxruntime-node's greedy next token", () => {
  const out = runExample(0);
  // expected_greedy.json: the same prompt ids; its first generated token is onnxruntime-node's argmax.
  assert.deepEqual(expected.prompt_ids, [1022, 364, 258, 1914, 471, 105, 1169, 555]);
  assert.match(out, new RegExp(`next token: ${expected.generated_ids[0]}\\b`));
  assert.match(out, /variant: '(relaxed|simd128)'/);
});

test("the README's text generation example prints onnxruntime-node's greedy text", () => {
  const out = runExample(1);
  assert.ok(out.startsWith(`${expected.text}\n`), out.slice(0, 300));
});
