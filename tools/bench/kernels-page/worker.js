// Classic worker: loads the Emscripten glue of qwasm_kernel_bench_web with
// importScripts and runs its main with the given arguments. stdout/stderr lines and
// the exit status go back to the page as messages.
self.onmessage = ({ data }) => {
  const script = new URL(data.script, self.location.href).href;
  const dir = script.slice(0, script.lastIndexOf('/') + 1);
  const send = (line) => self.postMessage({ line: String(line) });
  self.Module = {
    arguments: data.args,
    print: send,
    printErr: send,
    locateFile: (path) => dir + path,  // the glue would look next to this worker
    onExit: (code) => self.postMessage({ exit: code }),
    onAbort: (what) => self.postMessage({ error: `abort: ${what}` }),
  };
  try {
    importScripts(script);
  } catch (e) {
    self.postMessage({ error: `loading ${script}: ${e}` });
  }
};
