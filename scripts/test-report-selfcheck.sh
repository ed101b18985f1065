#!/usr/bin/env bash
# Checks scripts/test-report.py against the real trx files in scripts/testdata/ (see its
# README): each case's output must equal scripts/testdata/expected/<case>.txt, and its exit code
# must be the one given. Not part of ./sendy.sh test. Usage:
#   bash scripts/test-report-selfcheck.sh            check
#   bash scripts/test-report-selfcheck.sh --update   rewrite the expected files (then read the diff)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

update=0
[[ ${1:-} == --update ]] && update=1
failed=0

# check NAME EXPECTED_EXIT ARGS...: run the report with ARGS (paths relative to scripts/).
check() {
  local name=$1 want_rc=$2 rc=0 out
  shift 2
  out=$(python3 test-report.py "$@" 2>/dev/null) || rc=$?
  local expected="testdata/expected/$name.txt"
  if ((update)); then
    printf '%s\n' "$out" >"$expected"
  fi
  if [[ $rc != "$want_rc" ]]; then
    printf 'FAIL %s: exit %s, expected %s\n' "$name" "$rc" "$want_rc"
    failed=1
  elif ! diff -u "$expected" <(printf '%s\n' "$out") >/dev/null; then
    printf 'FAIL %s: output differs from %s:\n' "$name" "$expected"
    diff -u "$expected" <(printf '%s\n' "$out") || true
    failed=1
  else
    printf 'ok   %s\n' "$name"
  fi
}

check passed 0 testdata/passed.trx
check failures 1 testdata/failures.trx
check crash 1 testdata/crash.trx
check inner-exception 1 testdata/inner-exception.trx
check names 1 --names testdata/passed.trx testdata/failures.trx testdata/crash.trx testdata/inner-exception.trx
# dotnet test exited 1, the trx files show nothing: the reason comes from the log.
check log-fallback 0 --exit-code 1 --log testdata/dotnet-test.log testdata/passed.trx
# The same with failures in the trx: no log excerpt.
check no-log-when-trx-explains 1 --exit-code 1 --log testdata/dotnet-test.log testdata/failures.trx
check no-trx-with-log 2 --exit-code 1 --log testdata/dotnet-test.log
check no-trx 2
check no-counters 2 testdata/passed.trx testdata/no-counters.trx
check not-xml 2 testdata/dotnet-test.log

# The last line is always the counts line (or nothing when unreadable).
for f in testdata/expected/*.txt; do
  last=$(tail -n 1 "$f")
  if [[ -n $last && ! $last =~ ^[0-9]+\ passed,\ [0-9]+\ failed(,\ [0-9]+\ skipped)?$ && $f != *no-trx-with-log* ]]; then
    printf 'FAIL %s: last line is not "N passed, N failed": %s\n' "$f" "$last"
    failed=1
  fi
done

if ((failed)); then
  echo "test-report self-check: FAILED"
  exit 1
fi
echo "test-report self-check: all cases passed"
