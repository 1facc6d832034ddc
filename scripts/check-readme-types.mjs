// tsc --strict over the README's ```js examples against the package's own declarations
// (js/*.d.ts), both as JavaScript (checkJs) and as TypeScript (.mts): what an app that
// copies them gets from its editor and compiler. Also tests/types/*.mts: declarations the
// README does not show (worker mode's promise-returning profiling), with @ts-expect-error
// lines that must stay errors. Needs the devDependency typescript
// (node_modules/.bin/tsc, or the TSC environment variable); fails when it is missing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples } from './readme-examples.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = process.env.TSC || join(root, 'node_modules/.bin/tsc');
if (!existsSync(tsc)) {
  console.error(`check-readme-types: FAILED, no TypeScript compiler at ${tsc} ` +
    '(the devDependency typescript@5.9.x; run npm install, or set TSC)');
  process.exit(1);
}
// Inside the package, so 'qwasm' resolves to this package by its own name (package.json "exports").
const dir = join(root, 'build/readme-types');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const files = [];
readmeExamples(join(root, 'README.md')).forEach((code, i) => {
  for (const ext of ['mjs', 'mts']) {
    const name = `example-${i + 1}.${ext}`;
    writeFileSync(join(dir, name), code);
    files.push(name);
  }
});
const examples = files.length;
for (const name of readdirSync(join(root, 'tests/types')).filter((f) => f.endsWith('.mts')).sort()) {
  copyFileSync(join(root, 'tests/types', name), join(dir, name));
  files.push(name);
}
writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
  compilerOptions: {
    strict: true, noEmit: true, allowJs: true, checkJs: true, resolveJsonModule: true,
    module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'],
    types: [], skipLibCheck: false,
  },
  files,
}, null, 2));
const version = spawnSync(tsc, ['--version'], { encoding: 'utf8' }).stdout.trim();
const r = spawnSync(tsc, ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
process.stdout.write(r.stdout + r.stderr);
if (r.status !== 0) {
  console.error(`check-readme-types: FAILED (${version}, ${files.length} files)`);
  process.exit(1);
}
console.log(`check-readme-types: ok, ${files.length} files (${examples / 2} README examples as .mjs and .mts, ` +
  `${files.length - examples} from tests/types) pass tsc --strict (${version})`);
