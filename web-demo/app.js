// The demo page: wires the panels. Every panel uses only qwasm's public API
// (../js/index.js, ../js/llm.js and ../js/quantize.js, i.e. 'qwasm', 'qwasm/llm', 'qwasm/quantize').
import { setupByo } from './byo-panel.js';
import { setupFeatures } from './features-panel.js';
import { setupTextGeneration } from './lm-panel.js';
import { setupQuantize } from './quantize-panel.js';

// The model panel works while the default LM is still loading.
setupByo();
setupQuantize();
await Promise.all([setupFeatures(), setupTextGeneration()]);
// For the browser tests: everything that runs at page open has settled.
document.documentElement.dataset.ready = 'true';
