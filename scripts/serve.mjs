// A small static server for the demo and the browser tests. It sends the
// Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy headers that
// SharedArrayBuffer (threads) needs, and serves .wasm as application/wasm.
//
//   node scripts/serve.mjs [--port N]   serves the demo (web-demo/ and the js/, dist/,
//                                       models/ it loads) on 127.0.0.1 and prints its URL
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8',
};

// The folders the demo page needs; nothing else of the repository is served by the demo.
// node_modules: the browser import map of web-demo/index.html points into it (tokenizers, jinja).
export const DEMO_DIRS = ['web-demo', 'js', 'dist', 'models', 'node_modules'];

// `dirs`: top-level folders that may be served (undefined = the whole root, for tests).
// `index`: where '/' redirects (a redirect, so the page's relative URLs resolve).
export function serve(root, { port = 0, host = '127.0.0.1', index, dirs } = {}) {
  root = resolve(root);
  const server = createServer((req, res) => {
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    };
    const fail = (code, text) => res.writeHead(code, { ...headers, 'Content-Type': 'text/plain' }).end(text);
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'method not allowed');
    let path;
    try { path = decodeURIComponent(new URL(req.url, 'http://x').pathname); } catch { return fail(400, 'bad request'); }
    if (path === '/' && index) return res.writeHead(302, { ...headers, Location: index }).end();
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) return fail(403, 'forbidden');
    const top = file.slice(root.length + 1).split(sep)[0];
    if (dirs && !dirs.includes(top)) return fail(404, 'not found');
    let st;
    try { st = statSync(file); } catch { return fail(404, 'not found'); }
    if (st.isDirectory()) return res.writeHead(302, { ...headers, Location: `${path}/` }).end();
    res.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': st.size,
    });
    if (req.method === 'HEAD') return res.end();
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok({ server, url: `http://${host}:${server.address().port}` }));
  });
}

// Tries `port`, then the next few if it is taken.
async function serveDemo(root, port) {
  for (let p = port; ; p++) {
    try {
      return await serve(root, { port: p, index: '/web-demo/', dirs: DEMO_DIRS });
    } catch (e) {
      if (e.code !== 'EADDRINUSE' || p >= port + 10 || port === 0) throw e;
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = new URL('../', import.meta.url).pathname;
  const i = process.argv.indexOf('--port');
  const port = Number(i > 0 ? process.argv[i + 1] : process.env.PORT ?? 8080);
  const { url } = await serveDemo(root, port);
  console.log(`qwasm demo: ${url}/web-demo/  (serving web-demo/, js/, dist/, models/ from ${root}; Ctrl+C to stop)`);
}
