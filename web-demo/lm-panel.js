// The text-generation panel: loads the embedded default LM (models/tinylm, a Hugging Face
// model folder) through qwasm's public API and streams generated text with generateText;
// Compare runs the same prompt greedily in qwasm and in onnxruntime-web (lm-compare.js).
import { loadCausalLM } from '../js/llm.js';
import { compareLmWithOrt } from './lm-compare.js';
import { $, overallProgress, setBusy, showError } from './ui.js';

const MODEL_DIR = new URL('../models/tinylm/', import.meta.url);

// Lets the browser paint and handle clicks (Stop) between tokens. A decode
// step is a few ms of synchronous wasm; setTimeout(0) would be clamped to 4 ms
// once nested, and scheduler.yield() continuations outrank rendering, so post
// an ordinary task through a MessageChannel.
const channel = new MessageChannel();
function nextTask() {
  return new Promise((resolve) => { channel.port1.onmessage = () => resolve(); channel.port2.postMessage(0); });
}

async function fetchJSON(name) {
  const res = await fetch(new URL(name, MODEL_DIR));
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return res.json();
}

const fmtMB = (n) => `${(n / 1048576).toFixed(1)} MB`;

export async function setupTextGeneration() {
  const panel = $('lm');
  const progress = $('lm-progress');
  const form = $('lm-form');
  const out = $('lm-output');
  const stats = $('lm-stats');
  const err = panel.querySelector('.error');

  let lm, tok, config, stopRequested = false;
  try {
    config = await fetchJSON('config.json');
    let weightBytes = 0;
    const onProgress = overallProgress(progress, (p) => { if (p.phase === 'weights') weightBytes = p.total; });
    const t0 = performance.now();
    lm = await loadCausalLM(MODEL_DIR.href, { dtype: 'q4', onProgress });
    tok = lm.tokenizer;
    const ms = performance.now() - t0;
    // The first run pays one-time costs (the engine optimizing the wasm code);
    // pay them here so the first Generate shows steady-state speed.
    progress.querySelector('.label').textContent = 'Warming up…';
    const t1 = performance.now();
    for await (const _ of lm.generateText('It was', { maxNewTokens: 2 }));
    const warm = performance.now() - t1;
    progress.querySelector('.label').textContent = `Ready: ${fmtMB(weightBytes)} of 4-bit weights streamed in ` +
      `${ms.toFixed(0)} ms, warm-up run ${warm.toFixed(0)} ms (${lm.session.variant} build)`;
    $('lm-model-name').textContent =
      `${config.num_hidden_layers}-layer ${config.model_type}, ${config.vocab_size}-token vocabulary, q4`;
  } catch (e) {
    showError(err, e, 'Could not load the default model');
    progress.dataset.state = 'error';
    progress.querySelector('.label').textContent = 'The default model is unavailable; the rest of the page works.';
    return;
  }

  const maxContext = config.max_position_embeddings ?? 256;
  setBusy(form, false);

  // The prompt's ids and how many tokens to generate, or null after showing why not.
  function request() {
    showError(err, null);
    const prompt = $('lm-prompt').value;
    const promptIds = tok.encode(prompt);
    if (promptIds.length === 0) { showError(err, new Error('type a prompt first')); return null; }
    if (promptIds.length >= maxContext) {
      showError(err, new Error(`the prompt is ${promptIds.length} tokens; this model's context is ${maxContext}`));
      return null;
    }
    const wanted = Math.max(1, Number($('lm-max').value) || 1);
    return { prompt, promptIds, wanted, maxNewTokens: Math.min(wanted, maxContext - promptIds.length) };
  }

  async function generate() {
    const req = request();
    if (!req) return;
    const { prompt, wanted, maxNewTokens } = req;
    const temperature = Math.max(0, Number($('lm-temp').value) || 0);
    const topK = Math.max(0, Math.floor(Number($('lm-topk').value) || 0));

    out.replaceChildren(document.createTextNode(prompt));
    const gen = document.createElement('span');
    gen.className = 'gen';
    out.append(gen);
    let count = 0;
    stopRequested = false;
    setBusy(form, true);
    out.dataset.state = 'running';
    const t0 = performance.now();
    try {
      const opts = { maxNewTokens, temperature, topK, seed: Date.now() >>> 0 };
      for await (const piece of lm.generateText(prompt, opts)) {
        gen.textContent += piece;
        count = lm.lastStats.generatedTokens;
        out.dataset.tokens = String(count);
        const s = lm.lastStats;
        stats.textContent = `${count} tokens · ${s.tokensPerSecond ? s.tokensPerSecond.toFixed(0) : '…'} tokens/s · prefill ${s.prefillMs.toFixed(0)} ms (${s.promptTokens} prompt tokens)`;
        await nextTask();
        // Leaving the loop ends the generator, which frees its KV cache.
        if (stopRequested) break;
      }
      count = lm.lastStats.generatedTokens;
      const wall = (performance.now() - t0) / 1000;
      const why = stopRequested ? 'Stopped' : count < maxNewTokens ? 'End of text' : 'Done';
      stats.textContent = `${why}: ${count} tokens in ${wall.toFixed(2)} s · ${(lm.lastStats.tokensPerSecond || 0).toFixed(0)} tokens/s decode · prefill ${lm.lastStats.prefillMs.toFixed(0)} ms`;
      if (maxNewTokens < wanted) stats.textContent += ` · capped at the ${maxContext}-token context`;
      out.dataset.state = stopRequested ? 'stopped' : 'done';
    } catch (e) {
      showError(err, e, 'Generation failed');
      out.dataset.state = 'error';
    } finally {
      setBusy(form, false);
    }
  }

  async function compare() {
    const req = request();
    if (!req) return;
    setBusy(form, true);
    $('lm-stop').disabled = true;  // the comparison runs to its end
    try {
      await compareLmWithOrt({ lm, promptIds: req.promptIds, n: req.maxNewTokens });
    } catch (e) {
      $('lm-compare').dataset.state = 'error';
      showError(err, e, 'Comparison failed');
    } finally {
      setBusy(form, false);
    }
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); generate(); });
  $('lm-compare-go').addEventListener('click', compare);
  $('lm-stop').addEventListener('click', () => { stopRequested = true; });
  // Ctrl/Cmd+Enter in the prompt box generates.
  $('lm-prompt').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey) && !$('lm-go').disabled) form.requestSubmit();
  });
}
