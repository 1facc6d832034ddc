// The "This engine" panel: what qwasm's features() found in this browser.
import { features } from '../js/index.js';
import { $, showError } from './ui.js';

const DOT = {
  usdot: 'u8 × i8, no saturation (VNNI-like)',
  'usdot-saturating': 'u8 × i8, pair sums saturate',
  sdot: 'i8 × i8 (Arm SDOT-like)',
  broken: 'unusable: simd128 fallback',
};

function tile(key, value, good, note) {
  const li = document.createElement('li');
  li.className = good === undefined ? 'tile' : `tile ${good ? 'yes' : 'no'}`;
  li.dataset.key = key;
  const k = document.createElement('span'); k.className = 'k'; k.textContent = key;
  const v = document.createElement('span'); v.className = 'v'; v.textContent = value;
  li.append(k, v);
  if (note) { const n = document.createElement('span'); n.className = 'note'; n.textContent = note; li.append(n); }
  return li;
}

export async function setupFeatures() {
  const list = $('features-list');
  try {
    const f = await features();
    const yn = (b) => (b ? 'yes' : 'no');
    list.replaceChildren(
      tile('SIMD128', yn(f.simd128), f.simd128),
      tile('Relaxed SIMD', yn(f.relaxedSimd), f.relaxedSimd),
      tile('Dot-product class', f.dot ?? 'n/a', f.dot ? f.dot !== 'broken' : undefined, DOT[f.dot] ?? 'from the startup probe'),
      tile('Threads', yn(f.threads), f.threads, f.threads ? 'SharedArrayBuffer available' : 'needs cross-origin isolation'),
      tile('Cross-origin isolated', yn(globalThis.crossOriginIsolated), !!globalThis.crossOriginIsolated, 'COOP/COEP headers'),
      tile('Wasm build loaded', f.variant ?? 'none', f.variant ? true : false, f.variant === 'relaxed' ? 'dist/qwasm-relaxed.wasm' : 'dist/qwasm-simd128.wasm'),
      tile('CPU cores', String(navigator.hardwareConcurrency ?? '?')),
    );
    list.dataset.variant = f.variant ?? '';
  } catch (e) {
    list.replaceChildren();
    showError($('features').querySelector('.error'), e, 'Feature detection failed');
  }
}
