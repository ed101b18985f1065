#!/usr/bin/env bash
# Sums the <Counters .../> of every .trx file given (one per test project) and prints
#   N passed, N failed            (", N skipped" is added when tests were skipped)
# "failed" counts the outcomes failed, error, timeout and aborted; "skipped" is total - executed.
# Exit: 0 when nothing failed, 1 when something failed, 2 when no trx file was given or
# a trx file has no Counters element. Needs only bash, grep and awk.
set -euo pipefail

if (($# == 0)); then
  echo "trx-summary: no .trx files" >&2
  exit 2
fi

for f in "$@"; do
  if ! grep -q '<Counters ' "$f"; then
    echo "trx-summary: no <Counters> in $f" >&2
    exit 2
  fi
done

# grep -o isolates each Counters element (attributes may share its line with other tags).
grep -ho '<Counters [^>]*>' "$@" | awk '
  {
    line = $0
    while (match(line, /[A-Za-z]+="[0-9]+"/)) {
      kv = substr(line, RSTART, RLENGTH)
      line = substr(line, RSTART + RLENGTH)
      eq = index(kv, "=")
      name = substr(kv, 1, eq - 1)
      value = substr(kv, eq + 2, length(kv) - eq - 2) + 0
      sum[name] += value
    }
  }
  END {
    passed = sum["passed"] + 0
    failed = sum["failed"] + sum["error"] + sum["timeout"] + sum["aborted"]
    # xunit records skipped tests as not executed: total - executed.
    skipped = sum["total"] - sum["executed"]
    out = passed " passed, " failed " failed"
    if (skipped > 0) out = out ", " skipped " skipped"
    print out
    exit (failed > 0 ? 1 : 0)
  }'
