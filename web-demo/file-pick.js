// Opening a model from disk, shared by the panels that take a user's .onnx: a file input and
// drag-and-drop onto the panel both hand over a list of files; exactly one must be a .onnx,
// the others are its external data files, matched by file name against the model's
// external_data locations.

// files: File[] -> { model: File, externalData: [{ path, data: File }] | undefined }; throws an
// Error saying what is wrong with the choice.
export function pickModelFiles(files) {
  const models = files.filter((f) => /\.onnx$/i.test(f.name));
  if (models.length !== 1) {
    throw new Error(models.length ? 'choose exactly one .onnx file (plus its external data files)'
      : 'no .onnx file among the chosen files');
  }
  const [model] = models;
  const externalData = files.filter((f) => f !== model).map((f) => ({ path: f.name, data: f }));
  return { model, externalData: externalData.length ? externalData : undefined };
}

// Calls onFiles(File[]) when files are chosen in `input` or dropped on `zone` (which shows the
// .dragging class while files hover over it).
export function wireFilePicker(input, zone, onFiles) {
  input.addEventListener('change', (ev) => {
    onFiles([...ev.target.files]);
    ev.target.value = '';  // choosing the same file again fires change again
  });
  zone.addEventListener('dragover', (ev) => { ev.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('dragging');
    onFiles([...ev.dataTransfer.files]);
  });
}
