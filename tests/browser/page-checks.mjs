// Shared by the in-page test modules (api-page, loading-page, transformers-page): named
// checks logged to the page's <pre id="log">, collected for the Playwright runner, which
// reads window.__qwasmResults once the page calls publish().
export const results = [];

export const log = (s) => { document.getElementById('log').textContent += s + '\n'; };

// Runs fn; a throw fails the check, the page goes on with the next one.
export async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   ${name}`);
  } catch (e) {
    fail(name, e);
  }
}

// Records a failure that happened outside a check (e.g. the page's own setup).
export function fail(name, e) {
  results.push({ name, ok: false, error: String(e?.stack || e) });
  log(`FAIL ${name}: ${e}`);
}

export const assert = (c, msg) => { if (!c) throw new Error(msg); };

// Hands the results to the runner; call once, after the last check.
export const publish = () => { window.__qwasmResults = results; };
