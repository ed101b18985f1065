#!/usr/bin/env bash
# Sendy for newcomers:
#   ./sendy.sh run    set up, then run the console with a demo fleet (Ctrl-C stops everything)
#   ./sendy.sh test   set up, then build and run all tests; last line: "N passed, N failed"
# Set-up installs what is missing (Debian packages, npm tools, moto) and starts a private
# PostgreSQL/PostGIS cluster, kinesalite, maildev and moto per mode under .sendy/<mode>/.
# See docs/running.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

CONSOLE_URL="http://127.0.0.1:5080"
READY_TIMEOUT=90

usage() {
  cat <<'EOF'
usage: ./sendy.sh COMMAND

  run     set up and run the console with a demo fleet on http://127.0.0.1:5080
  test    set up and run all tests (results in .sendy/test/results)
  node    [PORT] another console node (default port 5081) beside a running "run":
          same stream and database; shards are shared, live views cross nodes
  bench   set up, build in Release and run the benchmark; prints one JSON document of
          figures and writes it to bench/results/latest.json (about 10 minutes)
EOF
}

cmd_run() {
  #          pg    kinesalite moto maildev-smtp maildev-web
  setup run 25432 25671 5000 1025 1080 "$PG_PACKAGE"
  log "Building the console and the migrations tool (Release)"
  run_fg dotnet build Sendy.Console -c Release -nologo -v:q --disable-build-servers || die "build failed"
  run_fg dotnet build migrations -c Release -nologo -v:q --disable-build-servers || die "build failed"
  migrate Release
  note "set-up done in $(elapsed "$SETUP_T0")"
  start_console
  print_banner
  local rc=0
  wait "$CONSOLE_PID" || rc=$?
  CONSOLE_PID=""
  log "The console exited (status $rc)"
  exit "$rc"
}

ADMIN_EMAIL=admin@sendy.local

# admin_password: the first admin's password for the local set-up, made once at random and kept
# (owner-only) in .sendy/run/admin-password, so every run and every node signs in the same way.
admin_password() {
  local file="$ROOT/.sendy/run/admin-password"
  if [[ ! -s $file ]]; then
    mkdir -p "$(dirname "$file")"
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20 >"$file")
  fi
  cat "$file"
}

# console_env: the configuration every console node of the run set-up shares (PG_PORT,
# KINESALITE_PORT, MAILDEV_SMTP_PORT and MOTO_PORT must be set), in the array CONSOLE_ENV.
console_env() {
  CONSOLE_ENV=(
    ASPNETCORE_ENVIRONMENT=Development
    ConnectionStrings__Sendy="$(pg_connection_string)"
    Sendy__Stream__Endpoint="http://127.0.0.1:$KINESALITE_PORT"
    Sendy__Stream__Region=us-east-1
    Sendy__Stream__StreamName=sendy-positions
    Sendy__Stream__ShardCount=4
    Sendy__PublicBaseUrl="$CONSOLE_URL"
    Sendy__Smtp__Enabled=true
    Sendy__Smtp__Host=127.0.0.1
    Sendy__Smtp__Port="$MAILDEV_SMTP_PORT"
    Sendy__Smtp__TlsMode=None
    Sendy__Smtp__From=no-reply@sendy.local
    Sendy__Sns__Enabled=true
    Sendy__Sns__Endpoint="http://127.0.0.1:$MOTO_PORT"
    Sendy__Sns__Region=us-east-1
    Sendy__Sns__TopicArn="arn:aws:sns:us-east-1:123456789012:sendy-status"
    Sendy__Archive__Enabled=true # closed days of positions to moto's S3 as Parquet
    Sendy__Archive__Bucket=sendy-archive
    Sendy__Archive__ServiceUrl="http://127.0.0.1:$MOTO_PORT"
    Sendy__Archive__CreateBucketIfMissing=true
    Sendy__Admin__Email="$ADMIN_EMAIL"
    Sendy__Admin__Password="$(admin_password)"
    Sendy__Webhooks__AllowedHosts__0=127.0.0.1 # a receiver on this machine (the README's example); not for production
  )
}

# A further console node against the running set-up (same stream, same database): leases spread
# over the nodes and live views cross them. Runs in the foreground; Ctrl-C stops just this node.
cmd_node() {
  local port=${1:-5081}
  [[ $port =~ ^[0-9]+$ ]] || die "usage: ./sendy.sh node [PORT]"
  [[ $(http_status "$CONSOLE_URL/health/ready") == 200 ]] ||
    die "no running Sendy found on $CONSOLE_URL: start ./sendy.sh run in another terminal first"
  ! port_open "$port" || die "port $port is already in use"
  [[ -f $ROOT/Sendy.Console/bin/Release/net10.0/Sendy.Console.dll ]] || die "the console is not built: ./sendy.sh run builds it"
  PG_PORT=25432 KINESALITE_PORT=25671 MAILDEV_SMTP_PORT=1025 MOTO_PORT=5000
  console_env
  log "Starting another console node on http://127.0.0.1:$port (Ctrl-C stops it)"
  cd "$ROOT/Sendy.Console"
  exec env "${CONSOLE_ENV[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port" dotnet bin/Release/net10.0/Sendy.Console.dll
}

start_console() {
  local links="$MODE_DIR/demo-links.txt" pidfile="$MODE_DIR/console.pid"
  console_env
  stop_orphan "$pidfile" Sendy.Console.dll console
  if port_open 5080; then
    die "port 5080 is already in use by another program (see: ss -ltnp 'sport = :5080')"
  fi
  rm -f "$links"
  log "Starting the console on $CONSOLE_URL"
  (
    cd "$ROOT/Sendy.Console"
    exec setsid env "${CONSOLE_ENV[@]}" \
      ASPNETCORE_URLS="$CONSOLE_URL" \
      Sendy__Stream__CreateIfMissing=true \
      Sendy__Sns__CreateTopicIfMissing=true \
      Sendy__Demo__Enabled=true \
      Sendy__Demo__Trucks=24 \
      Sendy__Demo__LinksFile="$links" \
      dotnet bin/Release/net10.0/Sendy.Console.dll
  ) 9>&- &
  CONSOLE_PID=$!
  printf '%s\n' "$CONSOLE_PID" >"$pidfile"

  local t0=$SECONDS ready=0
  while ((SECONDS - t0 < READY_TIMEOUT)); do
    kill -0 "$CONSOLE_PID" 2>/dev/null || {
      local rc=0
      wait "$CONSOLE_PID" || rc=$?
      CONSOLE_PID=""
      die "the console exited during start-up (status $rc)"
    }
    if ((ready == 0)) && [[ $(http_status "$CONSOLE_URL/health/ready") == 200 ]]; then
      ready=1
    fi
    if ((ready)) && [[ -s $links ]]; then
      return 0
    fi
    sleep 1
  done
  if ((ready)); then
    warn "the console is ready but wrote no demo links to $links within ${READY_TIMEOUT} s"
    return 0
  fi
  die "the console did not answer 200 on $CONSOLE_URL/health/ready within ${READY_TIMEOUT} s"
}

print_banner() {
  local links="$MODE_DIR/demo-links.txt" rule
  rule=$(printf '=%.0s' {1..72})
  {
    printf '\n%s\n' "$rule"
    printf '  Sendy is running\n\n'
    printf '  Operations console:  %s\n' "$CONSOLE_URL"
    printf '  Staff sign-in:       %s/account/login  as %s / %s\n' "$CONSOLE_URL" "$ADMIN_EMAIL" "$(admin_password)"
    printf '  Dispatcher map:      %s/dispatch   Leases and workers: %s/admin/consumers\n' "$CONSOLE_URL" "$CONSOLE_URL"
    if [[ -s $links ]]; then
      printf '\n'
      sed 's/^/  /' "$links"
    fi
    printf '\n  PostgreSQL/PostGIS:  127.0.0.1:%s, database sendy, user sendy/sendy\n' "$PG_PORT"
    printf '  Kinesis (kinesalite): http://127.0.0.1:%s, stream sendy-positions\n' "$KINESALITE_PORT"
    printf '  Email (maildev):     http://127.0.0.1:%s (SMTP 127.0.0.1:%s)\n' "$MAILDEV_WEB_PORT" "$MAILDEV_SMTP_PORT"
    printf '  SNS/SQS (moto):      http://127.0.0.1:%s, topic sendy-status\n' "$MOTO_PORT"
    printf '  S3 archive (moto):   s3://sendy-archive/positions/ on http://127.0.0.1:%s (closed days, Parquet)\n' "$MOTO_PORT"
    printf '  Logs and data:       %s\n' "${MODE_DIR#"$ROOT/"}/"
    printf '\n  Press Ctrl-C to stop everything.\n'
    printf '%s\n\n' "$rule"
  } >&2
}

cmd_test() {
  #           pg    kinesalite moto  maildev-smtp maildev-web
  # fonts-noto-cjk: Korean text in the browser tests' screenshots (boxes without it).
  # nginx: the two-node test runs docs/nginx/sendy.conf in front of two console processes.
  # Every port is below Linux's ephemeral range (32768-60999): a server must not find its port
  # taken by some client's outgoing connection (seen: maildev's 46080 while other tests ran).
  # SENDY_PORT_OFFSET shifts every port (several checkouts testing at once on one machine);
  # SENDY_TEST_FILTER runs a subset (dotnet test --filter syntax).
  local off=${SENDY_PORT_OFFSET:-0} filter=()
  [[ $off =~ ^[0-9]{1,4}$ ]] && ((off <= 6000)) || die "SENDY_PORT_OFFSET must be a number from 0 to 6000"
  [[ -z ${SENDY_TEST_FILTER:-} ]] || filter=(--filter "$SENDY_TEST_FILTER")
  setup test $((25433 + off)) $((25672 + off)) $((25000 + off)) $((26025 + off)) $((26080 + off)) \
    "$PG_PACKAGE" chromium fonts-noto-cjk nginx
  [[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium is missing"
  command -v python3 >/dev/null 2>&1 || die "python3 is missing (scripts/test-report.py reads the test results)"
  note "set-up done in $(elapsed "$SETUP_T0")"

  local results="$MODE_DIR/results" test_log="$MODE_DIR/dotnet-test.log"
  rm -rf "$results"
  mkdir -p "$results"

  # The test project generates an API client with Kiota, a local tool (.config/dotnet-tools.json).
  log "Restoring the repository's dotnet tools"
  run_fg dotnet tool restore || die "dotnet tool restore failed (the tools come from NuGet, see .config/dotnet-tools.json)"
  log "Building Sendy.sln (warnings are errors)"
  run_fg dotnet build Sendy.sln -warnaserror -nologo --disable-build-servers || die "build failed"
  log "Checking formatting (.editorconfig)"
  local unformatted
  unformatted=$(dotnet format whitespace Sendy.sln --verify-no-changes --no-restore -v q 2>&1) || {
    printf '%s\n' "$unformatted" | head -40 >&2
    die "files not formatted as .editorconfig says (see above); fix with: dotnet format whitespace Sendy.sln"
  }
  note "formatting as .editorconfig says"
  log "Checking packages for known vulnerabilities"
  local vulnerable
  vulnerable=$(dotnet list Sendy.sln package --vulnerable --include-transitive 2>&1) ||
    die "dotnet list package --vulnerable failed: $vulnerable"
  if grep -q "has the following vulnerable packages" <<<"$vulnerable"; then
    printf '%s\n' "$vulnerable" >&2
    die "vulnerable NuGet packages (see above)"
  fi
  note "no vulnerable packages"
  # The tests use database sendy as their template, so it gets the migrations first.
  migrate Debug

  log "Running tests"
  local test_rc=0
  run_fg_logged "$test_log" env \
    SENDY_TEST_PG="$(pg_connection_string)" \
    SENDY_TEST_KINESIS_ENDPOINT="http://127.0.0.1:$KINESALITE_PORT" \
    SENDY_TEST_SMTP="127.0.0.1:$MAILDEV_SMTP_PORT" \
    SENDY_TEST_MAILDEV_URL="http://127.0.0.1:$MAILDEV_WEB_PORT" \
    SENDY_TEST_SNS_ENDPOINT="http://127.0.0.1:$MOTO_PORT" \
    SENDY_CHROMIUM=/usr/bin/chromium \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    dotnet test Sendy.sln --no-build --disable-build-servers "${filter[@]}" --logger "trx;LogFilePrefix=sendy" \
    --results-directory "$results" || test_rc=$?

  # The report: failed tests, run-level errors (class/collection clean-up failures, a crashed
  # test host) or, when the trx files explain nothing, the telling lines of the log; then the
  # total. Printed after the clean-up so that it ends the output.
  local trx=() f report report_rc=0 assemblies
  while IFS= read -r -d '' f; do trx+=("$f"); done < <(find "$results" -name '*.trx' -print0 | sort -z)
  if ((${#trx[@]} == 0)); then
    report=$(python3 "$ROOT/scripts/test-report.py" --exit-code "$test_rc" --log "${test_log#"$ROOT/"}" 2>/dev/null) || true
    cleanup
    [[ -z $report ]] || printf '%s\n' "$report"
    die "no test results (.trx) in ${results#"$ROOT/"} (dotnet test exited with $test_rc)"
  fi
  # One trx per test assembly; fewer means a result file was lost (e.g. overwritten).
  assemblies=$(grep -c '^Test run for ' "$test_log" || true)
  if ((${#trx[@]} < assemblies)); then
    warn "$assemblies test assemblies ran but only ${#trx[@]} trx file(s) were written"
    ((test_rc != 0)) || test_rc=1
  fi
  report=$(python3 "$ROOT/scripts/test-report.py" --exit-code "$test_rc" --log "${test_log#"$ROOT/"}" "${trx[@]}") ||
    report_rc=$?
  note "test results: ${#trx[@]} trx file(s) in ${results#"$ROOT/"}"
  if ((report_rc != 0 && report_rc != 1)); then
    die "could not read the test results in ${results#"$ROOT/"}"
  fi
  if ((test_rc != 0 && report_rc == 0)); then
    warn "dotnet test exited with $test_rc although the trx files show no failure (see the log lines above the total)"
  fi
  cleanup
  printf '%s\n' "$report"
  if ((test_rc != 0 || report_rc != 0)); then
    exit 1
  fi
}

cmd_bench() {
  # stdout carries only the JSON document: set-up and build output go to stderr (fd 3 = stdout).
  exec 3>&1 1>&2
  #            pg    kinesalite
  setup_bench 25434 25673 "$PG_PACKAGE" chromium
  [[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium is missing"
  # The bench's own cluster only: side-by-side passes start with a CHECKPOINT (PersistBench).
  pg_psql postgres -qc 'GRANT pg_checkpoint TO sendy' || die "could not grant pg_checkpoint to sendy"
  note "set-up done in $(elapsed "$SETUP_T0")"

  log "Building the benchmark and the migrations tool (Release)"
  run_fg dotnet build bench/Sendy.Bench -c Release -nologo -v:q --disable-build-servers || die "build failed"
  run_fg dotnet build migrations -c Release -nologo -v:q --disable-build-servers || die "build failed"
  migrate Release

  # The history scenario (only when SENDY_BENCH_ONLY names it): moto's S3 for the archive, on the
  # test's moto port + 1 as the bench's other ports are; its kept database (sendy_history, filled
  # once by the benchmark) migrated like the template, as production would be. Its figures are the
  # console's own code (batch writer, trails, fleet query, retention, archiver), so it runs with
  # the console's garbage collector: server GC, the web SDK's default in Sendy.Console's
  # runtimeconfig. The bench program's own setting is workstation GC, under which full history
  # runs archived 264-275 k rows/s against 342-347 k with server GC (2026-12-06).
  local history_env=()
  if [[ ",${SENDY_BENCH_ONLY:-}," == *,history,* ]]; then
    moto_start 25001
    history_env=(SENDY_BENCH_S3_ENDPOINT="http://127.0.0.1:$MOTO_PORT" DOTNET_gcServer=1)
    if [[ $(pg_psql postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'sendy_history'") == 1 ]]; then
      migrate Release sendy_history
    fi
  fi

  local out="$ROOT/bench/results" rc=0
  mkdir -p "$out"
  log "Running the benchmark (figures on stdout, progress on stderr)"
  # Only the JSON goes to stdout; the program writes the same document to latest.json.
  fg_start env \
    SENDY_BENCH_PG="$(pg_connection_string)" \
    SENDY_BENCH_KINESIS_ENDPOINT="http://127.0.0.1:$KINESALITE_PORT" \
    SENDY_BENCH_OUTPUT="$out/latest.json" \
    SENDY_BENCH_COMMIT="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '-dirty')" \
    SENDY_CHROMIUM=/usr/bin/chromium \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    "${history_env[@]}" \
    dotnet "$ROOT/bench/Sendy.Bench/bin/Release/net10.0/Sendy.Bench.dll" >&3
  fg_wait || rc=$?
  cleanup
  ((rc == 0)) || die "the benchmark failed (status $rc)"
}

main() {
  cd "$ROOT"
  case "${1:-}" in
    run) cmd_run ;;
    node)
      shift
      cmd_node "$@"
      ;;
    test) cmd_test ;;
    bench) cmd_bench ;;
    -h | --help | help)
      usage
      ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
