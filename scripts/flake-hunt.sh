#!/usr/bin/env bash
# Runs what CI runs (CI=true bash .ci/run, no stdin) N times, one after the other, each time on a
# fresh clone of this repository at REV (default: the committed HEAD; uncommitted changes are
# not in it), and writes down which tests failed in which run (issue 13, part 2).
#
#   scripts/flake-hunt.sh [--keep-going | --stop-on-fail] N [REV]
#
#   --keep-going     run all N runs (default)
#   --stop-on-fail   stop after the first run that does not pass
#
# Everything goes to .sendy/flakes/<timestamp>/: run-<i>/ci.log (the whole output), run-<i>/
# results/*.trx, the mode's logs (dotnet-test.log, postgres.log, ...), and summary.md (per run:
# exit code, minutes, the "N passed, N failed" line, the failed tests and run-level errors as
# scripts/test-report.py --names reads them from that run's trx files), rewritten after every
# run and printed at the end. A clone is deleted once its run is over and nothing of it runs
# any more. Runs are sequential: the test set-up uses fixed ports (SENDY_PORT_OFFSET, when set,
# is passed on). Ctrl-C stops the running CI run (its own clean-up first, then its process
# group and anything still running from its clone), keeps the partial summary and exits 130.
# Exit: 0 when every run passed, 1 otherwise, 2 on bad usage.
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(git -C "$SCRIPTS" rev-parse --show-toplevel)"
REPORT="$SCRIPTS/test-report.py"
STOP_GRACE=120 # seconds for a run's own clean-up (tests, PostgreSQL, kinesalite, ...) after SIGTERM

usage() {
  sed -n '6,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

say() { printf 'flake-hunt: %s\n' "$*" >&2; }

stop_on_fail=0 runs="" rev=""
for arg in "$@"; do
  case $arg in
    --stop-on-fail) stop_on_fail=1 ;;
    --keep-going) stop_on_fail=0 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *)
      if [[ -z $runs ]]; then
        runs=$arg
      elif [[ -z $rev ]]; then
        rev=$arg
      else
        usage
      fi
      ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
rev=${rev:-HEAD}
command -v python3 >/dev/null 2>&1 || { say "python3 is missing (scripts/test-report.py reads the results)"; exit 2; }

sha=$(git -C "$ROOT" rev-parse --verify --quiet "$rev^{commit}") || { say "unknown revision: $rev"; exit 2; }
subject=$(git -C "$ROOT" log -1 --format=%s "$sha")

mkdir -p "$ROOT/.sendy/flakes"
# One hunt at a time from this repository: the runs use fixed ports.
exec 8>"$ROOT/.sendy/flakes/lock"
flock -n 8 || { say "another flake hunt from this repository is running"; exit 2; }

stamp=$(date -u +%Y%m%d-%H%M%S)
OUT="$ROOT/.sendy/flakes/$stamp"
n=1
while ! mkdir "$OUT" 2>/dev/null; do # two hunts in one second
  n=$((n + 1))
  OUT="$ROOT/.sendy/flakes/$stamp-$n"
done
TSV="$OUT/runs.tsv" # run, exit, minutes, counts line, failures (joined by \x1f)
: >"$TSV"

CHILD="" CLONE_TMP="" INTERRUPTED=0

# ---------------------------------------------------------------- processes of a clone

# clone_pids DIR: processes (not us) whose working directory is inside DIR or whose command
# line names it: what a run left behind (PostgreSQL, kinesalite, maildev, moto, dotnet).
clone_pids() {
  local dir=$1 p pid cwd args=()
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [[ $pid != "$$" && $pid != "$BASHPID" ]] || continue
    cwd=$(readlink "$p/cwd" 2>/dev/null) || cwd=""
    mapfile -d '' args 2>/dev/null <"$p/cmdline" || args=()
    if [[ $cwd == "$dir" || $cwd == "$dir"/* || " ${args[*]} " == *"$dir"* ]]; then
      printf '%s\n' "$pid"
    fi
  done
}

# stop_leftovers DIR: TERM, then KILL, whatever still runs from DIR.
stop_leftovers() {
  local dir=$1 pids i
  pids=$(clone_pids "$dir")
  [[ -n $pids ]] || return 0
  say "stopping what still runs from the clone: $(tr '\n' ' ' <<<"$pids")"
  # shellcheck disable=SC2086 # one pid a word
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pids=$(clone_pids "$dir")
    [[ -n $pids ]] || return 0
    sleep 0.1 || true
  done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 0.5 || true
}

group_alive() { kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null; }

# stop_child: the run's own clean-up first (SIGTERM to sendy.sh, whose trap stops the tests and
# the servers), then SIGKILL to its process group. A second Ctrl-C skips the wait.
stop_child() {
  [[ -n $CHILD ]] || return 0
  local i
  if group_alive "$CHILD"; then
    say "stopping the run (pid $CHILD; its clean-up may take a minute, Ctrl-C again to kill it)"
    kill -TERM "$CHILD" 2>/dev/null || true
    for ((i = 0; i < STOP_GRACE * 10 && INTERRUPTED < 2; i++)); do
      kill -0 "$CHILD" 2>/dev/null || break
      sleep 0.1 || true # a Ctrl-C kills sleep too; set -e must not end us here
    done
    kill -KILL -- "-$CHILD" 2>/dev/null || true
  fi
  wait "$CHILD" 2>/dev/null || true
  CHILD=""
}

# pg_elsewhere_of REPO: sendy.sh keeps PostgreSQL's data and log under /var/tmp/sendy-<hash of the
# clone path> when the postgres user cannot reach the clone (lib.sh, pg_paths).
pg_elsewhere_of() {
  printf '/var/tmp/sendy-%s\n' "$(printf '%s' "$1" | sha256sum | cut -c1-12)"
}

# remove_clone: nothing of the clone may run when the next run starts (fixed ports).
remove_clone() {
  [[ -n $CLONE_TMP ]] || return 0
  local repo="$CLONE_TMP/repo" pg_elsewhere
  pg_elsewhere=$(pg_elsewhere_of "$repo")
  stop_leftovers "$repo"
  [[ ! -d $pg_elsewhere ]] || stop_leftovers "$pg_elsewhere"
  rm -rf "$CLONE_TMP" "$pg_elsewhere"
  CLONE_TMP=""
}

on_signal() {
  INTERRUPTED=$((INTERRUPTED + 1))
  ((INTERRUPTED > 1)) || say "caught SIG$1: stopping after this run's clean-up"
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'stop_child; remove_clone' EXIT

# ---------------------------------------------------------------- summary

md_cell() { printf '%s' "${1//|/\\|}"; }

write_summary() {
  local f="$OUT/summary.md" run code minutes counts failures
  {
    printf '# Flake hunt: %s run(s) of %s\n\n' "$runs" "\`CI=true bash .ci/run\`"
    printf -- '- revision: %s (%s)\n' "$sha" "$(md_cell "$subject")"
    printf -- '- started: %s on %s\n' "$STARTED" "$(uname -n)"
    [[ -z ${SENDY_PORT_OFFSET:-} ]] || printf -- '- SENDY_PORT_OFFSET=%s\n' "$SENDY_PORT_OFFSET"
    [[ -z ${SENDY_TEST_FILTER:-} ]] || printf -- '- SENDY_TEST_FILTER=%s (not what CI runs)\n' "$(md_cell "$SENDY_TEST_FILTER")"
    printf -- '- logs: %s/run-<i>/\n\n' "${OUT#"$ROOT/"}"
    printf '| run | exit | minutes | result | failed tests and run-level errors |\n'
    printf '|---|---|---|---|---|\n'
    while IFS=$'\t' read -r run code minutes counts failures; do
      printf '| %s | %s | %s | %s | %s |\n' "$run" "$code" "$minutes" "$(md_cell "$counts")" \
        "$(md_cell "${failures//$'\x1f'/<br>}")"
    done <"$TSV"
    printf '\n'
    # Which failure came back how often: the flakes.
    if awk -F'\t' '$5 != "" && $5 != "(interrupted)" { found = 1 } END { exit !found }' "$TSV"; then
      printf '## Failures over all runs\n\n'
      awk -F'\t' '$5 != "" && $5 != "(interrupted)" {
          n = split($5, items, "\x1f")
          for (i = 1; i <= n; i++) { count[items[i]]++; where[items[i]] = where[items[i]] (where[items[i]] ? ", " : "") $1 }
        }
        END { for (k in count) printf "- %dx %s (run %s)\n", count[k], k, where[k] }' "$TSV" | sort -t' ' -k2,2nr
      printf '\n'
    fi
    local not_run=""
    ((DONE == runs)) || not_run=" ($((runs - DONE)) of $runs not run)"
    printf '%s of %s runs passed%s\n' "$PASSED" "$DONE" "$not_run"
  } >"$f"
}

# ---------------------------------------------------------------- one run

# run_once I: clone, CI run, collect, delete the clone. Sets RUN_RC.
run_once() {
  local i=$1
  local dir="$OUT/run-$i" repo t0 t1 minutes counts failures="" f trx=() names
  mkdir -p "$dir"
  CLONE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sendy-flake.XXXXXX")
  chmod 755 "$CLONE_TMP" # the postgres user (when we are root) must reach the clone
  repo="$CLONE_TMP/repo"
  say "run $i/$runs: cloning $sha into $repo"
  if ! { git clone --quiet --no-checkout "$ROOT" "$repo" && git -C "$repo" checkout --quiet --detach "$sha"; } \
    >"$dir/clone.log" 2>&1; then
    say "run $i: git clone/checkout failed (see ${dir#"$ROOT/"}/clone.log)"
    RUN_RC=2
  fi

  t0=$(date +%s)
  if ((RUN_RC == 0 && INTERRUPTED == 0)); then
    say "run $i/$runs: CI=true bash .ci/run (output: ${dir#"$ROOT/"}/ci.log)"
    # Its own session and process group: a terminal's Ctrl-C reaches only us, and we stop it in
    # order (stop_child). sendy.sh is exec'd by .ci/run, so CHILD ends up being sendy.sh.
    # A background child starts with SIGINT ignored, which sendy.sh could not trap: reset it.
    (cd "$repo" && CI=true exec setsid "${SIGNALS_RESET[@]}" bash .ci/run </dev/null >"$dir/ci.log" 2>&1 8>&-) &
    CHILD=$!
    RUN_RC=0
    while :; do
      wait "$CHILD" && RUN_RC=0 || RUN_RC=$?
      # wait returns early when a signal arrives; the run goes on unless we were interrupted.
      if ((INTERRUPTED)); then
        stop_child
        RUN_RC=130
        break
      fi
      kill -0 "$CHILD" 2>/dev/null || break
    done
    CHILD=""
  fi
  t1=$(date +%s)
  minutes=$(awk -v s=$((t1 - t0)) 'BEGIN { printf "%.1f", s / 60 }')

  # Keep what tells the story: the trx files and the mode's logs.
  if [[ -d $repo/.sendy/test ]]; then
    mkdir -p "$dir/results"
    for f in "$repo"/.sendy/test/results/*.trx; do
      if [[ -f $f ]]; then
        cp "$f" "$dir/results/"
        trx+=("$dir/results/${f##*/}")
      fi
    done
    for f in "$repo"/.sendy/test/*.log "$repo"/.sendy/test/pgrun/postgres.log \
      "$(pg_elsewhere_of "$repo")/test/pgrun/postgres.log"; do
      if [[ -f $f ]]; then cp "$f" "$dir/"; fi
    done
  fi
  remove_clone

  counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$dir/ci.log" 2>/dev/null | tail -n 1) || true
  if ((${#trx[@]})); then
    names=$(python3 "$REPORT" --names "${trx[@]}" 2>/dev/null | sed '$d') || true
    failures=$(paste -sd $'\x1f' <<<"$names")
  fi
  ((INTERRUPTED == 0)) || RUN_RC=130
  if [[ $RUN_RC != 0 && -z $failures ]]; then
    # Nothing in the trx files: the run's own last word (sendy: error ..., a build error).
    if ((RUN_RC == 130)); then
      failures="(interrupted)"
    elif [[ ! -f $dir/ci.log ]]; then
      failures="(git clone failed)"
    else
      failures=$(grep -E 'sendy: error:|error [A-Z]+[0-9]+:|Test Run Aborted' "$dir/ci.log" 2>/dev/null | tail -n 1) ||
        failures="(see ci.log)"
      failures=${failures:-(see ci.log)}
    fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$i" "$RUN_RC" "$minutes" "${counts:-(no total)}" "$failures" >>"$TSV"
  DONE=$i
  ((RUN_RC != 0)) || PASSED=$((PASSED + 1))
  write_summary
  say "run $i/$runs: exit $RUN_RC in $minutes min: ${counts:-(no total)}"
}

# ---------------------------------------------------------------- main

SIGNALS_RESET=()
if env --default-signal=INT,QUIT true 2>/dev/null; then
  SIGNALS_RESET=(env "--default-signal=INT,QUIT")
fi

STARTED=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
PASSED=0 DONE=0
say "$runs run(s) of $sha ($subject); results in ${OUT#"$ROOT/"}"
write_summary
for ((run = 1; run <= runs; run++)); do
  RUN_RC=0
  run_once "$run"
  ((INTERRUPTED == 0)) || break
  if ((stop_on_fail && RUN_RC != 0)); then
    say "stopping after run $run (--stop-on-fail)"
    break
  fi
done

printf '\n' >&2
cat "$OUT/summary.md"
((INTERRUPTED == 0)) || exit 130
((PASSED == runs)) || exit 1
