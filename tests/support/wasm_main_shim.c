/* clang >= 15 renames `int main(int, char**)` to __main_argc_argv for wasm, and
 * emcc 3.1.6's startup code only calls `main`. This exports a real `main` (the asm
 * label keeps clang from renaming it) that forwards to the renamed one. */
int __main_argc_argv(int argc, char** argv);
int qwasm_main_shim(int argc, char** argv) __asm__("main");
int qwasm_main_shim(int argc, char** argv) { return __main_argc_argv(argc, argv); }
