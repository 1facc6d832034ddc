// In Node the package must leave the app's process alone: after qwasm loaded and made a
// session, the app's own errors reach the app's handlers and Node's default reporting.
// (emcc's glue would otherwise install process-wide uncaughtException / unhandledRejection
// listeners that rethrow, print the ~100 KB minified glue line and exit with code 7;
// the module links -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0, docs/toolchain.md trap 7.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const helpers = new URL('./helpers.mjs', import.meta.url).href;
const model = new URL('../data/add.onnx', import.meta.url).pathname;
const root = new URL('../../', import.meta.url).pathname;

// Runs `tail` in a child Node after `import { createSession } from 'qwasm'` made a session
// with the variant under test (QWASM_SIMD / QWASM_THREADS are inherited).
function runApp(tail) {
  const src = `
    import { createSession } from 'qwasm';
    import { opts } from ${JSON.stringify(helpers)};
    const session = await createSession(${JSON.stringify(model)}, opts());
    if (!session.inputNames.length) throw new Error('no inputs');
    ${tail}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', src], { cwd: root, encoding: 'utf8', timeout: 60000 });
}

test('an uncaught app error after a session exists: exit code 1, a short report naming it', () => {
  const r = runApp("setTimeout(() => { throw new Error('app boom'); }, 0);");
  assert.equal(r.status, 1, r.stderr.slice(0, 2000));
  assert.match(r.stderr, /Error: app boom/);
  console.log(`# uncaught error: exit code ${r.status}, ${r.stderr.length} characters on stderr`);
  assert.ok(r.stderr.length < 4000, `stderr is ${r.stderr.length} characters`);
});

test("the app's own uncaughtException handler, installed after the session, runs", () => {
  const r = runApp(`
    process.on('uncaughtException', (e) => { console.log('app handler: ' + e.message); process.exit(3); });
    setTimeout(() => { throw new Error('app boom'); }, 0);`);
  assert.equal(r.status, 3, r.stderr.slice(0, 2000));
  assert.equal(r.stdout.trim(), 'app handler: app boom');
});

test('an unhandled app rejection: exit code 1, a short report naming it', () => {
  const r = runApp("Promise.reject(new Error('app rejection'));");
  assert.equal(r.status, 1, r.stderr.slice(0, 2000));
  assert.match(r.stderr, /Error: app rejection/);
  console.log(`# unhandled rejection: exit code ${r.status}, ${r.stderr.length} characters on stderr`);
  assert.ok(r.stderr.length < 4000, `stderr is ${r.stderr.length} characters`);
});

test('the process exits promptly once its last session is disposed (no pool worker or timer keeps it alive)', () => {
  // threads: 2 loads the threaded build, whose pthread pool is a set of worker_threads.
  const r = runApp(`
    const t = await createSession(${JSON.stringify(model)}, opts({ threads: 2 }));
    session.dispose();
    t.dispose();
    console.log(JSON.stringify({ threads: t.threads, end: Date.now() }));`);
  const exited = Date.now();
  assert.equal(r.status, 0, r.stderr.slice(0, 2000));
  const { threads, end } = JSON.parse(r.stdout);
  console.log(`# exit ${exited - end} ms after the last line (threaded session with ${threads} threads)`);
  assert.equal(threads, 2);
  assert.ok(exited - end < 1500, `the process exited ${exited - end} ms after its last line`);
});
