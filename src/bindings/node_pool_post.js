// Linked into the threaded module's glue with --post-js (src/bindings/CMakeLists.txt), so it
// runs inside the factory. In Node the pool's idle workers must not keep the app's process
// alive: unref them once the runtime is up (postRun: the pool workers have loaded the module;
// earlier, loading them refs them again), here next to the glue that made them and built by
// the same emcc, instead of js/ reading the glue's internals.
if (ENVIRONMENT_IS_NODE && !ENVIRONMENT_IS_PTHREAD) {
  addOnPostRun(() => {
    for (const w of PThread.unusedWorkers) w.unref();
  });
}
