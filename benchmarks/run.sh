#!/usr/bin/env bash
# keepalive benchmarks (design section 8, issue 7).
#
# Installs nginx and wrk from Debian packages when missing, starts nginx on 127.0.0.1 on a free port (one
# worker, keep-alive for ever, no access log, stub_status on), builds and runs the Java harness, which
# drives every client and wrk -t1 in alternating rounds, and stops nginx by its own pid on exit.
#
#   bash benchmarks/run.sh              full run: 3 rounds, 2 s warm-up + 7 s windows, then the virtual-thread set
#                                       (about 35 minutes)
#   bash benchmarks/run.sh --quick      CI run: 1 round, 0.5 s + 1 s windows (under a minute)
#   bash benchmarks/run.sh --virtual    only the virtual-thread set (needs a JDK 21+, see below)
#
# After a full run, when a JDK 21 or later is found (JAVA_VT, else /usr/lib/jvm/temurin-25-jdk-amd64), the
# harness runs again on it with the virtual-thread set: the small file at c64 on platform threads (c64-100B-pt),
# then at c64 and c256 on virtual threads (-vt), with a JFR recording of jdk.VirtualThreadPinned only; results
# in results/virtual/, with pinning.txt counting the pinning events (by reason) whose stack runs through
# keepalive's code. The full run then merges them into its own summary.csv, rounds.csv, summary.txt and charts.
# --virtual alone writes results/virtual/ and leaves the full run's files as they are.
#
# Options of this script: --quick, --skip-build (use the jar and target/lib already built). Any other
# argument goes to the harness (--rounds N, --window S, --warm-up S, --clients a,b, --scenarios a,b, --out DIR).
# BENCH_JVM_ARGS="..." adds JVM options to the main run, e.g. to profile one scenario:
#   BENCH_JVM_ARGS="-XX:StartFlightRecording:filename=/tmp/gz.jfr,settings=profile" \
#     bash benchmarks/run.sh --quick --clients keepalive,apache-tuned --scenarios c16-64KiB-gzip
# Results: benchmarks/results/ (full) or benchmarks/results/quick/ (quick): summary.txt, headline.md (the
# README's table; a full run also puts it into README.md between its markers), summary.csv,
# rounds.csv, throughput.svg, cpu-per-request.svg, throughput-ratio.svg, cpu-per-request-ratio.svg (both as
# ratios to apache-tuned), leak-tracking.svg and, with the virtual-thread set, virtual-threads.svg.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"

quick=false
virtual_only=false
partial=false
build=true
harness_args=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true; harness_args+=("$arg") ;;
    --virtual) virtual_only=true ;;
    --skip-build) build=false ;;
    --clients|--scenarios) partial=true; harness_args+=("$arg") ;;
    *) harness_args+=("$arg") ;;
  esac
done

log() { printf '[run.sh] %s\n' "$*" >&2; }

find_nginx() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }

# --- tools ---------------------------------------------------------------------------------------------
if [ -z "$(find_nginx)" ] || ! command -v wrk >/dev/null 2>&1; then
  log "installing nginx and wrk from Debian packages"
  sudo_cmd=()
  if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nginx-light wrk \
    || DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nginx wrk
fi
NGINX="$(find_nginx)"
WRK="$(command -v wrk)"
[ -n "$NGINX" ] || { log "nginx not found after install"; exit 1; }

# --- harness -------------------------------------------------------------------------------------------
if $build; then
  log "building the harness (mvn -pl benchmarks -am package)"
  mvn -B -q -f "$ROOT/pom.xml" -pl benchmarks -am package -DskipTests
fi
JAR="$(ls "$BENCH_DIR"/target/keepalive-benchmarks-*.jar 2>/dev/null | head -n 1 || true)"
[ -n "$JAR" ] && [ -d "$BENCH_DIR/target/lib" ] || { log "harness not built: run without --skip-build"; exit 1; }

# --- server --------------------------------------------------------------------------------------------
WORK="$(mktemp -d /tmp/keepalive-bench.XXXXXX)"
chmod 755 "$WORK"   # nginx's worker runs as an unprivileged user and must read the files
NGINX_PID=""
HARNESS_PID=""

stop_pid() { # pid, name: TERM, wait up to 5 s, then KILL
  local pid="$1" name="$2"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$HARNESS_PID" "harness"
  stop_pid "$NGINX_PID" "nginx"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$WORK/www" "$WORK/temp" "$WORK/logs"
head -c 99 /dev/zero | tr '\0' 'k' > "$WORK/www/small.txt"; echo >> "$WORK/www/small.txt"   # 100 bytes
head -c 65536 /dev/urandom > "$WORK/www/large.bin"
head -c 1048576 /dev/urandom > "$WORK/www/huge.bin"
# 64 KiB of JSON (an array of small records, padded with spaces to exactly 65536 bytes), served gzip-compressed.
mkdir -p "$WORK/www/gz"
awk 'BEGIN { s = "["; for (i = 1; length(s) < 65400; i++) s = s (i > 1 ? "," : "") \
  "{\"id\":" i ",\"name\":\"item-" i "\",\"active\":" (i % 2 ? "true" : "false") ",\"tags\":[\"a\",\"b\"]}";
  while (length(s) < 65535) s = s " "; printf "%s]", s }' > "$WORK/www/gz/data.json"
[ "$(stat -c %s "$WORK/www/gz/data.json")" = 65536 ] || { log "gz/data.json is not 65536 bytes"; exit 1; }
chmod -R a+rX "$WORK/www"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=""
for _ in $(seq 1 20); do
  candidate=$(( 20000 + RANDOM % 30000 ))
  if ! port_in_use "$candidate"; then PORT="$candidate"; break; fi
done
[ -n "$PORT" ] || { log "no free port found"; exit 1; }

user_line=""
if [ "$(id -u)" = 0 ]; then user_line="user nobody nogroup;"; getent group nogroup >/dev/null || user_line="user nobody;"; fi
cat > "$WORK/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon off;
master_process on;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000000;
  keepalive_timeout 300s;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  open_file_cache max=16;
  server_tokens off;
  types { text/plain txt; application/octet-stream bin; application/json json; }
  default_type application/octet-stream;
  client_body_temp_path $WORK/temp/client;
  proxy_temp_path $WORK/temp/proxy;
  fastcgi_temp_path $WORK/temp/fastcgi;
  uwsgi_temp_path $WORK/temp/uwsgi;
  scgi_temp_path $WORK/temp/scgi;
  server {
    listen 127.0.0.1:$PORT;
    root $WORK/www;
    location = /nginx_status { stub_status; }
    location /gz/ { gzip on; gzip_types application/json; gzip_min_length 256; gzip_comp_level 1; gzip_vary off; }
  }
}
EOF

log "starting nginx on 127.0.0.1:$PORT ($WORK)"
"$NGINX" -p "$WORK" -e "$WORK/logs/error.log" -c "$WORK/nginx.conf" &
NGINX_PID=$!
ready=false
for _ in $(seq 1 50); do
  kill -0 "$NGINX_PID" 2>/dev/null || break
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then ready=true; break; fi
  sleep 0.1
done
$ready || { log "nginx did not start:"; cat "$WORK/logs/error.log" >&2 || true; exit 1; }

# --- run -----------------------------------------------------------------------------------------------
if $quick; then out="$BENCH_DIR/results/quick"; limit=300; else out="$BENCH_DIR/results"; limit=2400; fi

harness() { # java, time limit, extra JVM and harness arguments after "--"
  local java="$1" seconds="$2"; shift 2
  local jvm=()
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do jvm+=("$1"); shift; done
  shift
  set +e
  timeout --signal=TERM --kill-after=10 "$seconds" "$java" -Xms1g -Xmx1g -XX:+UseG1GC ${jvm[@]+"${jvm[@]}"} \
    -cp "$JAR:$BENCH_DIR/target/lib/*" dev.keepalive.benchmarks.BenchmarkMain \
    --base-url "http://127.0.0.1:$PORT" --status-path /nginx_status --wrk "$WRK" "$@" &
  HARNESS_PID=$!
  wait "$HARNESS_PID"
  local rc=$?
  HARNESS_PID=""
  set -e
  return "$rc"
}

find_vt_java() {
  local candidate
  for candidate in "${JAVA_VT:-}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    local major
    major=$("$candidate" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }')
    [ "${major%%.*}" -ge 21 ] 2>/dev/null && { echo "$candidate"; return 0; }
  done
  return 0
}

virtual_ran=false
virtual_run() {
  local vt_java; vt_java="$(find_vt_java)"
  if [ -z "$vt_java" ]; then
    log "no JDK 21+ found (set JAVA_VT): the virtual-thread set is left out"
    $virtual_only && return 1 || return 0
  fi
  local vout="$BENCH_DIR/results/virtual"
  mkdir -p "$vout"
  log "running the virtual-thread set on $vt_java"
  # Only the pinning event (settings=none): the default profile's thread-park and socket events, each with a
  # stack, would cost the slowest clients the most and so tilt the comparison.
  harness "$vt_java" 1800 \
    "-XX:StartFlightRecording:settings=none,filename=$vout/pinning.jfr,+jdk.VirtualThreadPinned#enabled=true,+jdk.VirtualThreadPinned#threshold=0ms,+jdk.VirtualThreadPinned#stackTrace=true" \
    -- --out "$vout" --virtual-threads ${harness_args[@]+"${harness_args[@]}"} || return 1
  virtual_ran=true
  local jfr_tool; jfr_tool="$(dirname "$vt_java")/jfr"
  if [ -x "$jfr_tool" ]; then
    # Whole stacks (jfr print shows 5 frames by default, which hides the caller under a socket read).
    "$jfr_tool" print --stack-depth 512 --events jdk.VirtualThreadPinned "$vout/pinning.jfr" > "$vout/pinning-events.txt"
    # Loading, linking or initializing a class pins for a moment on first use (the JDK's own Poller included,
    # whichever client reads first): the reason names the initialization or <clinit>, or "Freeze or preempt
    # failed (2)", the VM's critical section (a class loader's lock taken inside the VM). That is the JVM's, not
    # the code on the stack. The rest (a native frame, and on JDK 21 to 23 a monitor held) is counted against
    # keepalive when its code is on the stack, and the first three such stacks are printed.
    awk '
      function done() {
        if (open && hit) { onstack++; if (!init) { ours++; if (shown < 3) { shown++; text = text block } } }
        open = 0; hit = 0; init = 0; block = ""
      }
      /^jdk.VirtualThreadPinned/ { done(); open = 1; all++ }
      open { block = block $0 "\n" }
      /pinnedReason = / { r = $0; sub(/.*pinnedReason = /, "", r); reasons[r]++; if (r ~ /initialization|<clinit>|failed \(2\)/) init = 1 }
      /dev\.keepalive\.transport\./ { hit = 1 }
      END {
        done()
        printf "jdk.VirtualThreadPinned events: %d in all, %d with keepalive transport code on the stack, %d of them" \
          " pinned by keepalive (not by class loading or initialization)\n", all, onstack + 0, ours + 0
        for (r in reasons) printf "  %5d  %s\n", reasons[r], r
        if (ours > 0) printf "The first of those pinned by keepalive:\n%s", text
      }' "$vout/pinning-events.txt" | tee "$vout/pinning.txt"
    rm -f "$vout/pinning-events.txt"
  fi
}

if $virtual_only; then
  virtual_run
  exit $?
fi
log "running the harness (at most ${limit}s)"
status=0
# BENCH_JVM_ARGS (space-separated) adds JVM options to this run, e.g. a JFR recording for a profile.
read -r -a bench_jvm <<< "${BENCH_JVM_ARGS:-}"
harness java "$limit" ${bench_jvm[@]+"${bench_jvm[@]}"} -- --out "$out" ${harness_args[@]+"${harness_args[@]}"} || status=$?
# A run of some clients only (--clients) measures what it was asked for: no virtual-thread set, no README update.
if ! $quick && ! $partial && [ "$status" = 0 ]; then
  virtual_run || status=$?
  if $virtual_ran; then
    # One CSV, one table and one set of charts for the whole run, the virtual-thread set included.
    java -cp "$JAR:$BENCH_DIR/target/lib/*" dev.keepalive.benchmarks.BenchmarkMain \
      --merge-virtual "$out" "$BENCH_DIR/results/virtual" || status=$?
  fi
  # The README's headline table is this run's results/headline.md, between its markers.
  if [ "$status" = 0 ] && [ "$out" = "$BENCH_DIR/results" ] && grep -q 'benchmark-headline:start' "$ROOT/README.md"; then
    java -cp "$JAR:$BENCH_DIR/target/lib/*" dev.keepalive.benchmarks.BenchmarkMain --readme "$out" "$ROOT/README.md" \
      && log "README.md: headline table updated from $out/headline.md"
  fi
fi
exit "$status"
