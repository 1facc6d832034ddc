// The demo page (web-demo/), driven like a user would: default LM loading,
// streaming generation and Stop, both Compare buttons (LM and user model), a
// model opened through the file input, a corrupt file, and the layout at phone
// width. Screenshots go to test-results/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_DIRS, serve } from '../../scripts/serve.mjs';
import { assert, ROOT, screenshot, watchErrors } from './harness.mjs';

const DATA = join(ROOT, 'tests/data');
const greedy = JSON.parse(readFileSync(join(ROOT, 'models/tinylm/expected_greedy.json'), 'utf8'));
const mlp = JSON.parse(readFileSync(join(DATA, 'mlp.expected.json'), 'utf8'));

// Records every progress state the LM panel shows (before any page script runs).
function recordProgress() {
  window.__progress = [];
  new MutationObserver(() => {
    const el = document.getElementById('lm-progress');
    if (el?.dataset.phase) window.__progress.push(`${el.dataset.phase}:${el.dataset.percent}`);
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-percent'] });
}

const text = (page, sel) => page.locator(sel).innerText();
const tokens = (page) => page.evaluate(() => Number(document.getElementById('lm-output').dataset.tokens ?? 0));
const byoError = (page) => page.locator('#byo .error');

async function loadFile(page, files) {
  await page.setInputFiles('#byo-files', files);
}

async function runByo(page) {
  const before = await page.evaluate(() => Number(document.getElementById('byo-timing').dataset.runs ?? 0));
  await page.click('#byo-run');
  await page.waitForFunction((n) => Number(document.getElementById('byo-timing').dataset.runs ?? 0) > n
    || !document.querySelector('#byo .error').hidden, before, { timeout: 30000 });
  assert(await byoError(page).isHidden(), `run failed: ${await byoError(page).innerText()}`);
}

async function desktop(browser, url, checks) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.addInitScript(recordProgress);
  await page.goto(`${url}/`);  // redirects to /web-demo/, as `npm run demo` serves it

  await checks.check('[demo] default LM loads, progress reaches 100%', async () => {
    await page.waitForSelector('#lm-progress[data-state=ready]', { timeout: 60000 });
    await page.waitForSelector('#lm-go:enabled', { timeout: 30000 });  // after the warm-up run
    const seen = await page.evaluate(() => window.__progress);
    assert(seen.some((s) => s.startsWith('weights:')), `no weights progress: ${seen.join(' ')}`);
    assert(seen.at(-1) === 'prepare:100', `last progress ${seen.at(-1)}`);
    assert(await page.locator('#lm-prompt').isEnabled(), 'prompt box still disabled');
    assert(await page.locator('#lm-go').isEnabled(), 'Generate still disabled');
    await screenshot(page, 'demo-01-loaded');
  });

  await checks.check('[demo] features panel shows the engine', async () => {
    await page.waitForSelector('html[data-ready]', { timeout: 60000 });
    const tile = (k) => text(page, `#features-list li[data-key="${k}"] .v`);
    assert(await tile('SIMD128') === 'yes', 'SIMD128');
    assert(await tile('Relaxed SIMD') === 'yes', 'relaxed SIMD');
    assert(['usdot', 'usdot-saturating', 'sdot'].includes(await tile('Dot-product class')), 'dot class');
    assert(await tile('Cross-origin isolated') === 'yes', 'not cross-origin isolated: COOP/COEP headers missing?');
    assert(await tile('Threads') === 'yes', 'threads');
    assert(await tile('Wasm build loaded') === 'relaxed', 'variant');
  });

  await checks.check('[demo] greedy generation streams the expected text', async () => {
    await page.fill('#lm-prompt', greedy.prompt);
    await page.fill('#lm-max', String(greedy.generated_ids.length));
    await page.fill('#lm-temp', '0');
    await page.click('#lm-go');
    await page.waitForSelector('#lm-output[data-state=done]', { timeout: 60000 });
    assert(await tokens(page) === greedy.generated_ids.length, `tokens ${await tokens(page)}`);
    const got = await page.locator('#lm-output').textContent();
    assert(got === greedy.text, `text:\n     ${JSON.stringify(got)}\n     expected\n     ${JSON.stringify(greedy.text)}`);
    assert(/tokens\/s/.test(await text(page, '#lm-stats')), 'no tokens/s');
    await screenshot(page, 'demo-02-greedy');
  });

  await checks.check('[demo] LM Compare: qwasm and onnxruntime-web, prefill, tokens/s, ratio, same greedy ids', async () => {
    const n = 16;  // the prompt of the greedy check above; its first n reference ids
    await page.fill('#lm-max', String(n));
    await page.click('#lm-compare-go');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('lm-compare').dataset.state),
      null, { timeout: 60000 });
    const d = await page.evaluate(() => ({ ...document.getElementById('lm-compare').dataset }));
    assert(d.state === 'done', `compare state ${d.state}: ${await page.locator('#lm .error').innerText().catch(() => '')}`);
    assert(d.qwasmThreads === '1', `qwasm timed on ${d.qwasmThreads} threads`);
    for (const k of ['qwasmPrefillMs', 'ortPrefillMs', 'qwasmTokensPerSecond', 'ortTokensPerSecond', 'decodeRatio']) {
      assert(Number(d[k]) > 0, `${k} = ${d[k]}`);
    }
    // Both greedy on the same model: the same ids, and those of the onnxruntime-node reference.
    const want = greedy.generated_ids.slice(0, n).join(',');
    assert(d.agree === 'true', `token ids differ at ${d.firstDivergence}:\n     qwasm ${d.qwasmIds}\n     ort   ${d.ortIds}`);
    assert(d.qwasmIds === want && d.ortIds === want, `ids ${d.qwasmIds}\n     expected ${want}`);
    const table = await text(page, '#lm-compare tbody');
    assert(/prefill\s+[\d.]+ ms · [\d.]+ ms/.test(table), `no prefill figures: ${table}`);
    assert(/decode\s+\d+ tokens\/s · \d+ tokens\/s/.test(table), `no tokens/s figures: ${table}`);
    assert(/speed-up\s+prefill [\d.]+x · decode [\d.]+x/.test(table), `no ratio: ${table}`);
    assert(new RegExp(`all ${n} agree`).test(table), `agreement row: ${table}`);
    assert(await page.locator('#lm-go').isEnabled(), 'Generate not re-enabled');
    console.log(`     qwasm ${Number(d.qwasmTokensPerSecond).toFixed(0)} tokens/s, onnxruntime-web ${Number(d.ortTokensPerSecond).toFixed(0)} tokens/s (decode ${d.decodeRatio}x); prefill ${d.qwasmPrefillMs} / ${d.ortPrefillMs} ms`);
    await screenshot(page, 'demo-02b-lm-compare');
  });

  await checks.check('[demo] >= 20 tokens stream with live tokens/s, then Stop halts generation', async () => {
    await page.fill('#lm-max', '240');
    await page.fill('#lm-temp', '0.8');
    // Token counts seen at animation frames: proves the text is painted as it streams.
    await page.evaluate(() => {
      window.__painted = new Set();
      const tick = () => {
        window.__painted.add(document.getElementById('lm-output').dataset.tokens);
        if (!window.__stopSampling) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.click('#lm-go');
    await page.waitForFunction(() => Number(document.getElementById('lm-output').dataset.tokens ?? 0) >= 20, null, { timeout: 60000 });
    const live = await text(page, '#lm-stats');
    assert(/\d+ tokens\/s/.test(live), `no live tokens/s: ${live}`);
    const state = await page.locator('#lm-output').getAttribute('data-state');
    assert(state === 'running', `not running: ${state}, ${await tokens(page)} tokens, ${await text(page, '#lm-stats')}`);
    await screenshot(page, 'demo-03-generating');
    await page.click('#lm-stop');
    await page.waitForSelector('#lm-output[data-state=stopped]', { timeout: 10000 });
    const atStop = await tokens(page);
    await page.waitForTimeout(1000);
    const later = await tokens(page);
    assert(atStop >= 20 && atStop < 240, `tokens at stop: ${atStop}`);
    const painted = await page.evaluate(() => { window.__stopSampling = true; return window.__painted.size; });
    assert(painted >= 5, `only ${painted} distinct token counts were painted`);
    console.log(`     stopped at ${atStop} tokens; ${painted} distinct counts painted`);
    assert(later === atStop, `token count kept growing after Stop: ${atStop} -> ${later}`);
    assert(await page.locator('#lm-go').isEnabled(), 'Generate not re-enabled');
    assert(await page.locator('#lm-stop').isDisabled(), 'Stop still enabled');
  });

  await checks.check('[demo] a model with external data opened through the file input runs', async () => {
    await loadFile(page, [join(DATA, 'external.onnx'), join(DATA, 'external.weights.bin')]);
    await page.waitForSelector('#byo-info:not([hidden])', { timeout: 30000 });
    const inputs = await text(page, '#byo-inputs tbody');
    assert(/x\s+float32\s+\[1, 1024\]/.test(inputs), `inputs table: ${inputs}`);
    await page.fill('#byo-inputs input[data-name="x"]', JSON.stringify(new Array(1024).fill(2)));
    await runByo(page);
    const out = await text(page, '#byo-outputs tbody');
    assert(/^y\s+float32\s+\[1, 1024\]\s+\[\S+, \S+, \S+, 3,/.test(out), `outputs table: ${out}`);
    assert(/run: [\d.]+ ms/.test(await text(page, '#byo-timing')), 'no timing');
  });

  await checks.check('[demo] user-given inputs: MLP output matches numpy', async () => {
    await loadFile(page, [join(DATA, 'mlp.onnx')]);
    await page.waitForSelector('#byo-info:not([hidden])', { timeout: 30000 });
    const rows = [mlp.x.slice(0, 16), mlp.x.slice(16)];
    await page.fill('#byo-inputs input[data-name="x"]', JSON.stringify(rows));
    await page.fill('#byo-repeat', '5');
    await runByo(page);
    const probs = await text(page, '#byo-outputs tr:has(td.name:text-is("probs")) td.result');
    const want = mlp.probs.map((p) => p.toFixed(4)).join(', ');
    assert(probs.startsWith(`[${want}]`), `probs ${probs}\n     expected [${want}]`);
    assert(/5 runs: median/.test(await text(page, '#byo-timing')), 'no repeat timing');
    // The README's screenshot (docs/screenshots/demo.png) is a copy of this one.
    await page.setViewportSize({ width: 1000, height: 900 });
    await screenshot(page, 'demo-04-byo', { fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await checks.check('[demo] Compare: the MLP in qwasm and in onnxruntime-web, timings, ratio and difference', async () => {
    await page.click('#byo-compare-go');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('byo-compare').dataset.state),
      null, { timeout: 60000 });
    const d = await page.evaluate(() => ({ ...document.getElementById('byo-compare').dataset }));
    assert(d.state === 'done', `compare state ${d.state}: ${await byoError(page).innerText().catch(() => '')}`);
    assert(Number(d.qwasmMs) > 0 && Number(d.ortMs) > 0, `timings ${d.qwasmMs} / ${d.ortMs}`);
    assert(d.qwasmThreads === '1', `qwasm timed on ${d.qwasmThreads} threads`);
    assert(Number(d.maxDiff) < 1e-5, `max difference ${d.maxDiff}`);
    const table = await text(page, '#byo-compare tbody');
    assert(/speed-up\s+[\d.]+x/.test(table) && /max \|difference\| probs/.test(table), `compare table: ${table}`);
  });

  await checks.check('[demo] a model from a URL: symbolic dims, int64 inputs, random values', async () => {
    await page.fill('#byo-url', `${url}/models/tinylm/onnx/model_q4.onnx`);  // its .data resolves next to it
    await page.click('#byo-url-form button');
    await page.waitForSelector('#byo-info:not([hidden])', { timeout: 30000 });
    const inputs = await text(page, '#byo-inputs tbody');
    assert(/past_key_values\.0\.key\s+float32\s+\[batch_size, 4, past_sequence_length, 48\]/.test(inputs), `inputs: ${inputs}`);
    const dims = { batch_size: 1, sequence_length: 3, past_sequence_length: 0, total_sequence_length: 3 };
    for (const [k, v] of Object.entries(dims)) await page.fill(`#byo-dims input[data-sym="${k}"]`, String(v));
    await runByo(page);
    const logits = await text(page, '#byo-outputs tr:has(td.name:text-is("logits"))');
    assert(/float32\s+\[1, 3, 2048\]\s+\[-?\d/.test(logits), `logits row: ${logits}`);
    await screenshot(page, 'demo-05-byo-url', { fullPage: true });
  });

  await checks.check('[demo] a corrupt file shows an error; a good model runs afterwards', async () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff));
    await loadFile(page, [{ name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: junk }]);
    await byoError(page).waitFor({ state: 'visible', timeout: 30000 });
    const msg = await byoError(page).innerText();
    assert(/broken\.onnx/.test(msg) && msg.length > 20, `error text: ${msg}`);
    assert(await page.locator('#byo-info').isHidden(), 'old model info still shown');
    await screenshot(page, 'demo-06-corrupt');
    await loadFile(page, [join(DATA, 'unsupported.onnx')]);
    await page.waitForFunction(() => /FancyOp/.test(document.querySelector('#byo .error').textContent), null, { timeout: 30000 });
    await loadFile(page, [join(DATA, 'mlp.onnx')]);
    await page.waitForSelector('#byo-info:not([hidden])', { timeout: 30000 });
    assert(await byoError(page).isHidden(), 'error still shown after a good model loaded');
    await runByo(page);
    assert(/probs\s+float32\s+\[1, 4\]/.test(await text(page, '#byo-outputs tbody')), 'MLP did not run');
    // The LM panel is unaffected.
    await page.fill('#lm-max', '5');
    await page.click('#lm-go');
    await page.waitForSelector('#lm-output[data-state=done]', { timeout: 30000 });
    assert(await tokens(page) === 5, 'LM did not generate after the errors');
  });

  checks.record('[demo] no console errors, uncaught errors or failed requests', errors.length === 0, errors.join('\n     '));
  await page.close();
}

async function phone(browser, url, checks) {
  const page = await browser.newPage({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const errors = watchErrors(page);
  await page.goto(`${url}/web-demo/`);
  await checks.check('[demo 375px] loads, generates, fits the width', async () => {
    await page.waitForSelector('html[data-ready]', { timeout: 60000 });
    await page.fill('#lm-max', '40');
    await page.click('#lm-go');
    await page.waitForSelector('#lm-output[data-state=done]', { timeout: 60000 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 375, `page is ${width}px wide at a 375px viewport`);
    await screenshot(page, 'demo-07-phone');
    await screenshot(page, 'demo-07-phone-full', { fullPage: true });
  });
  checks.record('[demo 375px] no console errors', errors.length === 0, errors.join('\n     '));
  await page.close();
}

// The default model's weights arrive truncated: the LM panel says so, the rest works.
async function brokenDefaultModel(browser, url, checks) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.route('**/model_q4.onnx_data', (route) =>
    route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.alloc(1000) }));
  await page.goto(`${url}/web-demo/`);
  await checks.check('[demo] a failing default model shows a readable error; the page keeps working', async () => {
    const err = page.locator('#lm .error');
    await err.waitFor({ state: 'visible', timeout: 60000 });
    const msg = await err.innerText();
    assert(/model_q4\.onnx_data/.test(msg) && /shorter|truncated/.test(msg), `error text: ${msg}`);
    assert(await page.locator('#lm-go').isDisabled(), 'Generate enabled without a model');
    await page.setInputFiles('#byo-files', [join(DATA, 'mlp.onnx')]);
    await page.waitForSelector('#byo-info:not([hidden])', { timeout: 30000 });
    await runByo(page);
    await screenshot(page, 'demo-08-lm-load-error', { fullPage: true });
  });
  checks.record('[demo, broken default model] no console errors', errors.length === 0, errors.join('\n     '));
  await page.close();
}

// Served exactly as scripts/demo.sh serves it: only the folders the page needs.
export async function demoSuite(browser, _url, checks) {
  const { server, url } = await serve(ROOT, { index: '/web-demo/', dirs: DEMO_DIRS });
  try {
    await desktop(browser, url, checks);
    await phone(browser, url, checks);
    await brokenDefaultModel(browser, url, checks);
  } finally {
    server.close();
  }
}
