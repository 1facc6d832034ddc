// The only Vite setting the app needs, and only for threads: the cross-origin isolation
// headers (SharedArrayBuffer), on the dev server and on `vite preview`; the same lines as
// the README's (tests/vite/run.mjs checks). The plain-page runs start Vite without this file.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
export default { server: { headers: isolation }, preview: { headers: isolation } };
