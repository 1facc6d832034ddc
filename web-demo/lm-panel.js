// The text-generation panel: shown when the embedded default LM is present.
export async function setupTextGeneration() {
  // Filled in once the embedded model (models/tinylm) lands.
}
