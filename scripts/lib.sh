# shellcheck shell=bash
# Shared set-up for ./sendy.sh: Debian packages, npm tools, a private PostgreSQL/PostGIS
# cluster, kinesalite, maildev (SMTP) and moto (SNS/SQS) per mode (run | test), a lock per
# mode, and a cleanup trap that stops everything this invocation started. Sourced by
# sendy.sh; expects ROOT to be set.

PG_VERSION=15
PG_BIN="/usr/lib/postgresql/${PG_VERSION}/bin"
PG_PACKAGE="postgresql-${PG_VERSION}-postgis-3"
# File descriptor 9 holds the per-mode lock; every child that may outlive a command gets it
# closed (9>&-), so a leftover daemon can never keep the lock.

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# ---------------------------------------------------------------- output

log() { printf '==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
warn() { printf 'sendy: warning: %s\n' "$*" >&2; }
die() {
  printf 'sendy: error: %s\n' "$*" >&2
  exit 1
}

# Milliseconds since the epoch, for step timings.
now_ms() {
  local t=${EPOCHREALTIME/[.,]/}
  printf '%s\n' "${t:0:13}"
}

# elapsed START_MS -> "1.234 s"
elapsed() {
  local ms=$(($(now_ms) - $1))
  printf '%d.%03d s' $((ms / 1000)) $((ms % 1000))
}

# ---------------------------------------------------------------- privileges

is_root() { [[ $(id -u) -eq 0 ]]; }

# as_root CMD...: run as root, through sudo when we are not root.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*' and sudo is not installed"
  fi
}

# as_pg CMD...: run a PostgreSQL server tool. initdb and postgres refuse to run as root, so
# as root they run as the 'postgres' OS user (created by the Debian packages); otherwise as us.
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# ---------------------------------------------------------------- Debian packages

deb_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

APT_UPDATED=0

# ensure_debs PKG...: install the packages that are missing (apt-get update once first).
ensure_debs() {
  local missing=() p
  for p in "$@"; do
    deb_installed "$p" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    note "Debian packages present: $*"
    return 0
  fi
  log "Installing Debian packages: ${missing[*]}"
  if ((APT_UPDATED == 0)); then
    as_root apt-get update 9>&-
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" 9>&-
  for p in "${missing[@]}"; do
    deb_installed "$p" || die "apt-get did not install $p"
  done
}

# ---------------------------------------------------------------- npm tools

# ensure_npm: 'npm ci' in tools/node when node_modules is missing or package.json /
# package-lock.json changed since the last install (stamp inside node_modules).
ensure_npm() {
  local dir="$ROOT/tools/node"
  local stamp="$dir/node_modules/.sendy-npm-stamp"
  [[ -f $dir/package.json ]] || die "tools/node/package.json is missing"
  [[ -f $dir/package-lock.json ]] || die "tools/node/package-lock.json is missing (npm ci needs it)"
  command -v npm >/dev/null 2>&1 || die "npm is not installed"
  mkdir -p "$ROOT/.sendy"
  (
    # run and test may set up at the same time: one npm ci at a time.
    exec {npm_lock}>"$ROOT/.sendy/npm.lock"
    flock -w 600 "$npm_lock" || die "timed out waiting for another npm ci"
    local want
    want="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1) node-$(node --version)"
    if [[ -d $dir/node_modules && -f $stamp && $(<"$stamp") == "$want" ]]; then
      note "npm packages up to date (tools/node)"
      exit 0
    fi
    log "npm ci in tools/node"
    (cd "$dir" && npm ci --no-audit --no-fund 9>&-) || die "npm ci failed in tools/node"
    printf '%s\n' "$want" >"$stamp"
  )
}

# ---------------------------------------------------------------- mode, lock, cleanup

# mode_init MODE: folders, the lock, and the cleanup trap. Sets MODE, MODE_DIR.
mode_init() {
  MODE=$1
  MODE_DIR="$ROOT/.sendy/$MODE"
  mkdir -p "$MODE_DIR"
  local lockfile="$MODE_DIR/lock" holder
  exec 9<>"$lockfile"
  if ! flock -n 9; then
    holder=$(<"$lockfile")
    local pid=${holder%% *} started=${holder#* }
    if [[ $MODE == run ]]; then
      printf 'Sendy is already running (pid %s, started %s); stop it with Ctrl-C in its terminal\n' \
        "$pid" "$started" >&2
    elif [[ $MODE == bench ]]; then
      printf 'A Sendy benchmark is already running (pid %s, started %s); wait for it or stop it with Ctrl-C in its terminal\n' \
        "$pid" "$started" >&2
    else
      printf 'Sendy tests are already running (pid %s, started %s); wait for them or stop them with Ctrl-C in their terminal\n' \
        "$pid" "$started" >&2
    fi
    exit 3
  fi
  printf '%s %s\n' "$$" "$(date '+%Y-%m-%d %H:%M:%S %Z')" >"$lockfile"
  # Leftovers of an earlier invocation that was killed (SIGKILL skips the trap).
  stop_orphan "$MODE_DIR/console.pid" Sendy.Console.dll console
  stop_orphan "$MODE_DIR/kinesalite.pid" kinesalite.js kinesalite
  stop_orphan "$MODE_DIR/maildev.pid" maildev maildev
  stop_orphan "$MODE_DIR/moto.pid" moto_server moto
  trap 'cleanup' EXIT
  trap 'on_signal INT 130' INT
  trap 'on_signal TERM 143' TERM
}

CONSOLE_PID=""
KINESALITE_PID=""
MAILDEV_PID=""
MOTO_PID=""
FG_PID=""
PG_STARTED=0
CLEANED=0

on_signal() {
  trap '' PIPE # output may go to a pipe (| tee) whose reader got the same Ctrl-C
  printf '\n' >&2
  log "Caught SIG$1, stopping"
  cleanup
  exit "$2"
}

# spawn CMD...: start CMD in the background as the leader of its own process group
# (setsid), with the lock closed. Stopping the group stops its children too (dotnet test ->
# vstest.console -> testhost; dotnet run -> the app), and a terminal's Ctrl-C reaches only
# this script, whose trap stops everything in order. Sets SPAWNED_PID.
spawn() {
  setsid "$@" 9>&- &
  SPAWNED_PID=$!
}

group_alive() {
  kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null
}

# signal_group SIGNAL PID: the process group PID leads (setsid), or PID alone.
signal_group() {
  kill "-$1" -- "-$2" 2>/dev/null || kill "-$1" "$2" 2>/dev/null || true
}

# stop_group PID NAME [SECONDS]: SIGTERM the group, wait, then SIGKILL.
stop_group() {
  local pid=$1 name=$2 limit=${3:-20} i
  group_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  signal_group TERM "$pid"
  for ((i = 0; i < limit * 10; i++)); do
    group_alive "$pid" || break
    sleep 0.1
  done
  if group_alive "$pid"; then
    warn "$name (pid $pid) did not stop in ${limit} s; killing it"
    signal_group KILL "$pid"
  fi
  wait "$pid" 2>/dev/null || true
}

# Stops what this invocation started, newest first. Runs once (EXIT after a signal too).
cleanup() {
  ((CLEANED == 0)) || return 0
  CLEANED=1
  trap '' PIPE
  set +e
  if [[ -n $FG_PID ]]; then
    note "stopping $FG_NAME (pid $FG_PID)"
    stop_group "$FG_PID" "$FG_NAME" 20
    FG_PID=""
  fi
  if [[ -n $CONSOLE_PID ]]; then
    note "stopping the console (pid $CONSOLE_PID)"
    stop_group "$CONSOLE_PID" console 30
    rm -f "$MODE_DIR/console.pid"
  fi
  if [[ -n $KINESALITE_PID ]]; then
    note "stopping kinesalite (pid $KINESALITE_PID)"
    stop_group "$KINESALITE_PID" kinesalite 10
    rm -f "$MODE_DIR/kinesalite.pid"
  fi
  if [[ -n $MAILDEV_PID ]]; then
    note "stopping maildev (pid $MAILDEV_PID)"
    stop_group "$MAILDEV_PID" maildev 10
    rm -f "$MODE_DIR/maildev.pid"
  fi
  if [[ -n $MOTO_PID ]]; then
    note "stopping moto (pid $MOTO_PID)"
    stop_group "$MOTO_PID" moto 10
    rm -f "$MODE_DIR/moto.pid"
  fi
  if ((PG_STARTED)); then
    note "stopping PostgreSQL ($PGDATA)"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null 9>&- ||
      warn "pg_ctl stop failed; see $PG_LOG"
  fi
  set -e
}

# ---------------------------------------------------------------- small checks

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# http_status URL: prints the HTTP status code (000 when nothing answers).
http_status() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(3000) })
      .then(r => console.log(r.status), () => console.log("000"));' "$1"
}

# pid_is PID WORD: PID is alive and its command line contains WORD.
pid_is() {
  [[ -n $1 && -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}

# stop_orphan PIDFILE WORD NAME: a process left by an earlier invocation that was killed
# (SIGKILL skips the trap). We hold the mode's lock, so nobody else owns it.
stop_orphan() {
  local pidfile=$1 word=$2 name=$3 pid
  [[ -f $pidfile ]] || return 0
  pid=$(<"$pidfile")
  if pid_is "$pid" "$word"; then
    note "stopping $name left running by an earlier run (pid $pid)"
    stop_group "$pid" "$name" 10
  fi
  rm -f "$pidfile"
}

# ---------------------------------------------------------------- PostgreSQL

# pg_paths: where this mode's cluster lives. Normally .sendy/<mode>/pg (data) and
# .sendy/<mode>/pgrun (socket, log). When we are root and the 'postgres' user cannot reach the
# repository (e.g. a clone under /root), or the socket path would be too long for a unix
# socket, the cluster lives under /var/tmp/sendy-<hash>/<mode> instead, linked from .sendy.
pg_paths() {
  local base="$MODE_DIR"
  local sock_path="$base/pgrun/.s.PGSQL.$PG_PORT"
  if { is_root && ! runuser -u postgres -- test -x "$MODE_DIR"; } || ((${#sock_path} > 100)); then
    base="/var/tmp/sendy-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)/$MODE"
    mkdir -p "$base"
    chmod 755 "$(dirname "$base")" "$base"
    ln -sfn "$base/pg" "$MODE_DIR/pg"
    note "PostgreSQL data kept in $base (the repository path is not usable by the postgres user)"
  fi
  PGDATA="$base/pg"
  PGRUN="$base/pgrun"
  PG_LOG="$PGRUN/postgres.log"
}

# pg_psql DB SQL-ARGS...: psql as the cluster's superuser over the private unix socket.
pg_psql() {
  local db=$1
  shift
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGRUN" -p "$PG_PORT" -U postgres -d "$db" "$@"
}

pg_init() {
  if [[ -f $PGDATA/PG_VERSION ]]; then
    return 0
  fi
  log "Creating PostgreSQL cluster in ${PGDATA#"$ROOT/"}"
  rm -rf "$PGDATA"
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  is_root && chown postgres:postgres "$PGDATA"
  local pwfile
  pwfile="$(mktemp)"
  printf 'postgres\n' >"$pwfile"
  is_root && chown postgres "$pwfile"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync --no-instructions >"$MODE_DIR/initdb.log" 2>&1 ||
    { rm -f "$pwfile"; cat "$MODE_DIR/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"
  printf "\ninclude_if_exists = 'sendy.conf'\n" >>"$PGDATA/postgresql.conf"
}

# pg_configure: (re)write sendy.conf, included from postgresql.conf, on every start.
pg_configure() {
  local conf="$PGDATA/sendy.conf"
  {
    printf '# written by ./sendy.sh on every start; edit scripts/lib.sh instead\n'
    printf "listen_addresses = '127.0.0.1'\n"
    printf 'port = %s\n' "$PG_PORT"
    printf "unix_socket_directories = '%s'\n" "$PGRUN"
    printf 'max_connections = 300\n'
    if [[ $MODE == test ]]; then
      printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n'
    elif [[ $MODE == bench ]]; then
      # Durable like production (fsync, synchronous_commit and full_page_writes stay on); memory
      # and WAL sized so a checkpoint does not land in the middle of a measurement.
      printf 'shared_buffers = 1GB\nmax_wal_size = 8GB\ncheckpoint_timeout = 30min\nwal_buffers = 64MB\n'
    fi
  } >"$conf"
  is_root && chown postgres:postgres "$conf"
  return 0
}

# pg_clear_stale: a postmaster.pid left by a killed run. If that postmaster is still alive
# (its script was SIGKILLed), stop it; if no such process, remove the stale pid file.
pg_clear_stale() {
  local pidfile="$PGDATA/postmaster.pid" pid
  [[ -f $pidfile ]] || return 0
  pid=$(head -n1 "$pidfile")
  if [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]] &&
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    note "stopping PostgreSQL left running by an earlier run (pid $pid)"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null 9>&- ||
      die "could not stop the PostgreSQL left running in $PGDATA (pid $pid)"
  else
    note "removing stale postmaster.pid (pid $pid is not running)"
    rm -f "$pidfile"
  fi
}

# pg_start PORT: init if needed, start, wait until ready, create role/database/extension.
pg_start() {
  PG_PORT=$1
  local t0
  t0=$(now_ms)
  [[ -x $PG_BIN/initdb ]] || die "$PG_BIN/initdb not found ($PG_PACKAGE not installed?)"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "the 'postgres' OS user does not exist"
  fi
  pg_paths
  mkdir -p "$PGRUN"
  is_root && chown postgres:postgres "$PGRUN"
  pg_init
  pg_clear_stale
  pg_configure
  if port_open "$PG_PORT"; then
    die "port $PG_PORT is already in use by another program (see: ss -ltnp 'sport = :$PG_PORT')"
  fi
  log "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
  PG_STARTED=1
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w -t 60 start >/dev/null 9>&- ||
    { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start; log: $PG_LOG"; }
  local i
  for ((i = 0; i < 300; i++)); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 0.2
  done
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL is not accepting connections"
  pg_psql postgres <<'SQL' || die "could not create role/database sendy"
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sendy') THEN
    CREATE ROLE sendy LOGIN CREATEDB PASSWORD 'sendy';
  ELSE
    ALTER ROLE sendy LOGIN CREATEDB PASSWORD 'sendy';
  END IF;
END $$;
SELECT 'CREATE DATABASE sendy OWNER sendy' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sendy') \gexec
SQL
  pg_psql sendy -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS postgis' ||
    die "could not create the PostGIS extension in database sendy"
  pg_psql sendy -tAc "SELECT 1 FROM pg_extension WHERE extname = 'postgis'" | grep -q 1 ||
    die "PostGIS extension missing in database sendy"
  note "PostgreSQL ready in $(elapsed "$t0") (data: ${PGDATA#"$ROOT/"}, log: ${PG_LOG#"$ROOT/"})"
}

# pg_connection_string [DB]: connection string for the mode's database (default sendy) as user sendy.
pg_connection_string() {
  printf 'Host=127.0.0.1;Port=%s;Database=%s;Username=sendy;Password=sendy' "$PG_PORT" "${1:-sendy}"
}

# ---------------------------------------------------------------- kinesalite

# kinesalite_start PORT: in-memory Kinesis API (scripts/kinesalite.js), wait until it answers.
kinesalite_start() {
  KINESALITE_PORT=$1
  local t0 log_file="$MODE_DIR/kinesalite.log" pidfile="$MODE_DIR/kinesalite.pid"
  t0=$(now_ms)
  [[ -f $ROOT/scripts/kinesalite.js ]] || die "scripts/kinesalite.js is missing"
  stop_orphan "$pidfile" kinesalite.js kinesalite
  if port_open "$KINESALITE_PORT"; then
    die "port $KINESALITE_PORT is already in use by another program (see: ss -ltnp 'sport = :$KINESALITE_PORT')"
  fi
  log "Starting kinesalite on 127.0.0.1:$KINESALITE_PORT"
  spawn node "$ROOT/scripts/kinesalite.js" --port "$KINESALITE_PORT" >"$log_file" 2>&1
  KINESALITE_PID=$SPAWNED_PID
  printf '%s\n' "$KINESALITE_PID" >"$pidfile"
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$KINESALITE_PID" 2>/dev/null ||
      { cat "$log_file" >&2; KINESALITE_PID=""; die "kinesalite exited; log: $log_file"; }
    port_open "$KINESALITE_PORT" && break
    sleep 0.1
  done
  port_open "$KINESALITE_PORT" || die "kinesalite did not answer on port $KINESALITE_PORT; log: $log_file"
  note "kinesalite ready in $(elapsed "$t0") (pid $KINESALITE_PID, log: ${log_file#"$ROOT/"})"
}

# ---------------------------------------------------------------- maildev (SMTP)

# maildev_start SMTP_PORT WEB_PORT: maildev (tools/node) with SMTP and its web UI/REST API
# (/api/email) both on 127.0.0.1, mail kept in .sendy/<mode>/maildev. The test mode starts
# with an empty mailbox.
maildev_start() {
  MAILDEV_SMTP_PORT=$1
  MAILDEV_WEB_PORT=$2
  local t0 log_file="$MODE_DIR/maildev.log" pidfile="$MODE_DIR/maildev.pid" mail_dir="$MODE_DIR/maildev"
  local bin="$ROOT/tools/node/node_modules/maildev/dist/bin/maildev.js"
  t0=$(now_ms)
  [[ -f $bin ]] || die "maildev is missing from tools/node (npm ci did not install it?)"
  stop_orphan "$pidfile" maildev maildev
  local p
  for p in "$MAILDEV_SMTP_PORT" "$MAILDEV_WEB_PORT"; do
    if port_open "$p"; then
      die "port $p is already in use by another program (see: ss -ltnp 'sport = :$p')"
    fi
  done
  if [[ $MODE == test ]]; then
    rm -rf "$mail_dir"
  fi
  mkdir -p "$mail_dir"
  log "Starting maildev: SMTP 127.0.0.1:$MAILDEV_SMTP_PORT, web http://127.0.0.1:$MAILDEV_WEB_PORT"
  # --ip binds SMTP, --web-ip the web UI/API (maildev 3 defaults them to :: and 0.0.0.0).
  spawn node "$bin" --ip 127.0.0.1 --web-ip 127.0.0.1 --smtp "$MAILDEV_SMTP_PORT" --web "$MAILDEV_WEB_PORT" \
    --mail-directory "$mail_dir" >"$log_file" 2>&1
  MAILDEV_PID=$SPAWNED_PID
  printf '%s\n' "$MAILDEV_PID" >"$pidfile"
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$MAILDEV_PID" 2>/dev/null ||
      { cat "$log_file" >&2; MAILDEV_PID=""; die "maildev exited; log: $log_file"; }
    port_open "$MAILDEV_SMTP_PORT" && port_open "$MAILDEV_WEB_PORT" && break
    sleep 0.1
  done
  { port_open "$MAILDEV_SMTP_PORT" && port_open "$MAILDEV_WEB_PORT"; } ||
    die "maildev did not answer on ports $MAILDEV_SMTP_PORT/$MAILDEV_WEB_PORT; log: $log_file"
  note "maildev ready in $(elapsed "$t0") (pid $MAILDEV_PID, log: ${log_file#"$ROOT/"})"
}

# ---------------------------------------------------------------- moto (SNS, SQS)

MOTO_VERSION=5.2.1

# ensure_moto: sets MOTO_BIN. Uses moto_server from PATH when there is one; otherwise installs
# moto[server] into a venv under .sendy/tools (python3-venv from Debian when missing).
ensure_moto() {
  if command -v moto_server >/dev/null 2>&1; then
    MOTO_BIN=$(command -v moto_server)
    note "moto_server present ($MOTO_BIN)"
    return 0
  fi
  local venv="$ROOT/.sendy/tools/moto-venv"
  MOTO_BIN="$venv/bin/moto_server"
  if [[ -x $MOTO_BIN ]]; then
    note "moto_server present (${MOTO_BIN#"$ROOT/"})"
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || ensure_debs python3
  ensure_debs python3-venv
  mkdir -p "$ROOT/.sendy/tools"
  (
    # run and test may set up at the same time: one install at a time.
    exec {moto_lock}>"$ROOT/.sendy/tools/moto.lock"
    flock -w 600 "$moto_lock" || die "timed out waiting for another moto install"
    [[ -x $MOTO_BIN ]] && exit 0
    log "Installing moto[server] $MOTO_VERSION into ${venv#"$ROOT/"}"
    rm -rf "$venv"
    python3 -m venv "$venv" 9>&- || die "python3 -m venv failed"
    "$venv/bin/pip" install --disable-pip-version-check -q "moto[server]==$MOTO_VERSION" 9>&- ||
      { rm -rf "$venv"; die "pip install moto[server]==$MOTO_VERSION failed"; }
  )
  [[ -x $MOTO_BIN ]] || die "moto_server was not installed in ${venv#"$ROOT/"}"
}

# moto_start PORT: moto's server (in memory; SNS and SQS here). moto picks the service from
# the SigV4 credential scope, so clients must sign with "sns"/"sqs" (unsigned requests land in S3).
moto_start() {
  MOTO_PORT=$1
  local t0 log_file="$MODE_DIR/moto.log" pidfile="$MODE_DIR/moto.pid"
  t0=$(now_ms)
  ensure_moto
  stop_orphan "$pidfile" moto_server moto
  if port_open "$MOTO_PORT"; then
    die "port $MOTO_PORT is already in use by another program (see: ss -ltnp 'sport = :$MOTO_PORT')"
  fi
  log "Starting moto on 127.0.0.1:$MOTO_PORT"
  spawn "$MOTO_BIN" -H 127.0.0.1 -p "$MOTO_PORT" >"$log_file" 2>&1
  MOTO_PID=$SPAWNED_PID
  printf '%s\n' "$MOTO_PID" >"$pidfile"
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$MOTO_PID" 2>/dev/null ||
      { cat "$log_file" >&2; MOTO_PID=""; die "moto exited; log: $log_file"; }
    [[ $(http_status "http://127.0.0.1:$MOTO_PORT/moto-api/data.json") == 200 ]] && break
    sleep 0.2
  done
  [[ $(http_status "http://127.0.0.1:$MOTO_PORT/moto-api/data.json") == 200 ]] ||
    die "moto did not answer on port $MOTO_PORT; log: $log_file"
  note "moto ready in $(elapsed "$t0") (pid $MOTO_PID, log: ${log_file#"$ROOT/"})"
}

# ---------------------------------------------------------------- long commands

# run_fg CMD...: run a long command (build, migrations, tests) as a spawned child we wait
# for. bash runs a trap only after a foreground child ends; waiting on a background child
# lets INT/TERM stop everything at once (cleanup stops the child's process group).
run_fg() {
  fg_start "$@"
  fg_wait
}

# run_fg_logged LOG CMD...: run_fg, with the output kept in LOG and shown as it comes.
run_fg_logged() {
  local log_file=$1 tail_pid rc=0
  shift
  : >"$log_file"
  fg_start "$@" >"$log_file" 2>&1
  # tail prints what is left and exits once the command has ended.
  tail -n +1 -f --pid="$FG_PID" "$log_file" >&2 &
  tail_pid=$!
  fg_wait || rc=$?
  wait "$tail_pid" 2>/dev/null || true
  return "$rc"
}

fg_start() {
  local a
  FG_NAME=""
  for a in "$@"; do # a readable name: the first two words after 'env VAR=...'
    [[ -z $FG_NAME && ($a == env || $a == *=*) ]] && continue
    FG_NAME+="${FG_NAME:+ }$a"
    [[ $FG_NAME == *" "* ]] && break
  done
  spawn "$@"
  FG_PID=$SPAWNED_PID
}

fg_wait() {
  local rc=0
  wait "$FG_PID" || rc=$?
  FG_PID=""
  return "$rc"
}

# ---------------------------------------------------------------- .NET

# migrate CONFIGURATION [DB]: apply EF Core migrations to the mode's database (default sendy;
# project already built).
migrate() {
  local t0 db=${2:-sendy}
  t0=$(now_ms)
  log "Applying database migrations to $db"
  run_fg dotnet run --no-build --project "$ROOT/migrations" -c "$1" -- migrate "$(pg_connection_string "$db")" ||
    die "migrations failed on $db (dotnet run --project migrations -c $1 -- migrate ...)"
  note "migrations applied to $db in $(elapsed "$t0")"
}

# setup_bench PG_PORT KINESALITE_PORT DEB_PACKAGES...: what the benchmark needs (no mail, no SNS;
# moto's S3 only for the history scenario, started by cmd_bench).
setup_bench() {
  local pg_port=$1 kin_port=$2
  shift 2
  # shellcheck disable=SC2034 # read by sendy.sh
  SETUP_T0=$(now_ms)
  mode_init bench
  ensure_debs "$@"
  ensure_npm
  pg_start "$pg_port"
  kinesalite_start "$kin_port"
}

# setup MODE PG_PORT KINESALITE_PORT MOTO_PORT MAILDEV_SMTP_PORT MAILDEV_WEB_PORT DEB_PACKAGES...:
# everything both commands need.
setup() {
  local mode=$1 pg_port=$2 kin_port=$3 moto_port=$4 smtp_port=$5 web_port=$6
  shift 6
  # shellcheck disable=SC2034 # read by sendy.sh
  SETUP_T0=$(now_ms)
  mode_init "$mode"
  ensure_debs "$@"
  ensure_npm
  pg_start "$pg_port"
  kinesalite_start "$kin_port"
  maildev_start "$smtp_port" "$web_port"
  moto_start "$moto_port"
}
