// A local HTTP server for the loading and cache tests: serves files under `root` with
// Content-Length and an ETag, .wasm as application/wasm, and counts every request.
// Under /truncated/ it announces a file's whole length, sends half and drops the connection.
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize, sep } from 'node:path';

export async function countingServer(root) {
  const requests = [];
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(path);
    const truncated = path.startsWith('/truncated/');
    if (truncated) path = path.slice('/truncated'.length);
    const file = normalize(join(root, path));
    let st;
    try {
      if (!file.startsWith(root + sep)) throw new Error('outside');
      st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
    } catch {
      return res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
    res.writeHead(200, {
      'Content-Type': file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream',
      'Content-Length': st.size,
      ETag: `"${st.size}-${Math.floor(st.mtimeMs)}"`,
    });
    const bytes = readFileSync(file);
    if (!truncated) return res.end(bytes);
    res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}
