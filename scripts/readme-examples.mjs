// The README's ```js code blocks, in order: the packed-tarball test runs them and the
// type check compiles them, so the README cannot drift from what works.
import { readFileSync } from 'node:fs';

export function readmeExamples(readmePath) {
  const text = readFileSync(readmePath, 'utf8');
  const blocks = [...text.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  if (blocks.length === 0) throw new Error(`${readmePath}: no \`\`\`js code blocks`);
  return blocks;
}
