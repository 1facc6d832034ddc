#!/usr/bin/env bash
# run-node-tests.sh NODE [env...] -- FILES...: runs node:test files with NODE and
# fails unless at least one test ran and none failed.
set -uo pipefail
node_bin=$1; shift
envs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
shift
out=$(env "${envs[@]}" "$node_bin" --test --test-reporter=tap "$@" 2>&1)
rc=$?
pass=$(printf '%s\n' "$out" | sed -n 's/^# pass \([0-9]*\)$/\1/p' | tail -1)
fail=$(printf '%s\n' "$out" | sed -n 's/^# fail \([0-9]*\)$/\1/p' | tail -1)
label="$("$node_bin" --version) ${envs[*]}"
if [ "$rc" -ne 0 ] || [ "${fail:-1}" != 0 ]; then
  printf '%s\n' "$out" | grep -vE '^\s*(duration_ms|\.\.\.|---|type:)' | tail -80
  echo "node tests FAILED ($label): pass=${pass:-?} fail=${fail:-?}"
  exit 1
fi
if [ -z "$pass" ] || [ "$pass" -eq 0 ]; then
  echo "node tests FAILED ($label): zero tests ran"
  exit 1
fi
echo "node tests ok ($label): $pass passed"
