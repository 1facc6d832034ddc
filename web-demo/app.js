// The demo page: wires the panels. Every panel uses only qwasm's public API
// (../js/index.js and ../js/llm.js, i.e. 'qwasm' and 'qwasm/llm').
import { setupByo } from './byo-panel.js';
import { setupFeatures } from './features-panel.js';
import { setupTextGeneration } from './lm-panel.js';

// The model panel works while the default LM is still loading.
setupByo();
await Promise.all([setupFeatures(), setupTextGeneration()]);
// For the browser tests: everything that runs at page open has settled.
document.documentElement.dataset.ready = 'true';
