#!/usr/bin/env bash
# Serve scratchnet to a lecture hall: N Streamlit replicas on loopback ports, HAProxy in front on one port.
#
#   bash scripts/serve.sh                                # one replica per core, HAProxy on 127.0.0.1:8501
#   bash scripts/serve.sh --replicas 2 --port 8501 --bind 0.0.0.0   # reachable from the room's network
#
# Stays in the foreground; Ctrl-C or SIGTERM stops every replica and HAProxy. A replica that exits is started
# again on its port (HAProxy takes it back once its health checks pass); its students reload onto another one.
# Several machines (see README "Serving a lecture hall"):
#   app machines:  bash scripts/serve.sh --no-proxy --address 10.0.0.11 --first-port 8502 --replicas 16
#   front machine: bash scripts/serve.sh --bind 0.0.0.0 --port 80 --backends 10.0.0.11:8502,10.0.0.11:8503,...
#
# Options:
#   --replicas N       Streamlit processes (default: the number of cores)
#   --port P           HAProxy's port (default 8501)
#   --bind ADDR        HAProxy's address (default 127.0.0.1; 0.0.0.0 = every interface)
#   --address ADDR     the replicas' address (default 127.0.0.1)
#   --first-port Q     replicas on ports Q, Q+1, ... (default: free ports chosen by the system)
#   --session-ttl S    seconds a disconnected session (its run, its upload) is kept for a reconnect (default 600)
#   --backends LIST    HAProxy only, in front of these host:port replicas (comma-separated)
#   --no-proxy         replicas only, no HAProxy (an app machine behind a HAProxy elsewhere)
#   --no-restart       a replica that exits stays down
#   --state-dir DIR    where logs, pids (replicas.tsv), the HAProxy config and its stats socket go
#                      (default: a new temporary directory)
#   --store URL        where classes live (the Class and Board pages), shared by every replica:
#                      sqlite:////abs/path.sqlite3 (one machine; default: one file in the temp folder) or
#                      redis://HOST:PORT/DB (replicas on several machines: every one gets the same URL)
#   --print-config     print the HAProxy configuration and exit
# Environment: SCRATCHNET_COOKIE_SECRET — the same value on every machine of a deployment (default: random).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

replicas=$(nproc 2>/dev/null || echo 2)
port=8501
bind=127.0.0.1
address=127.0.0.1
first_port=
session_ttl=600
backends=
proxy=1
local_replicas=1
restart=1
state_dir=
print_config=0
store=${SCRATCHNET_STORE:-}

die() { echo "serve.sh: $*" >&2; exit 2; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
while [ "$#" -gt 0 ]; do
  case "$1" in
    --replicas) replicas=${2:?}; shift 2 ;;
    --port) port=${2:?}; shift 2 ;;
    --bind) bind=${2:?}; shift 2 ;;
    --address) address=${2:?}; shift 2 ;;
    --first-port) first_port=${2:?}; shift 2 ;;
    --session-ttl) session_ttl=${2:?}; shift 2 ;;
    --backends) backends=${2:?}; local_replicas=0; shift 2 ;;
    --no-proxy) proxy=0; shift ;;
    --no-restart) restart=0; shift ;;
    --state-dir) state_dir=${2:?}; shift 2 ;;
    --store) store=${2:?}; shift 2 ;;
    --print-config) print_config=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
is_uint "$replicas" && [ "$replicas" -ge 1 ] || die "--replicas needs a number ≥ 1"
is_uint "$port" || die "--port needs a number"
is_uint "$session_ttl" || die "--session-ttl needs a number of seconds"
[ -z "$first_port" ] || is_uint "$first_port" || die "--first-port needs a number"
[ "$proxy" = 1 ] || [ "$local_replicas" = 1 ] || die "--no-proxy and --backends exclude each other"
[ -z "$store" ] || [[ "$store" =~ ^(sqlite:///.+|rediss?://[^[:space:]]+)$ ]] \
  || die "--store wants sqlite:////PATH or redis://HOST:PORT/DB (got '$store')"

if [ "$print_config" = 1 ]; then
  socket=${state_dir:-/run/haproxy}/scratchnet.sock   # Debian's haproxy package owns /run/haproxy
else
  if [ -z "$state_dir" ]; then
    state_dir=$(mktemp -d "${TMPDIR:-/tmp}/scratchnet-serve.XXXXXX")
  fi
  mkdir -p "$state_dir"
  state_dir=$(cd "$state_dir" && pwd)
  socket=$state_dir/haproxy.sock
fi
cfg=$state_dir/haproxy.cfg
table=$state_dir/replicas.tsv   # name, host, port, pid — rewritten whenever a replica (re)starts

# --- which replicas --------------------------------------------------------------------------------
names=() hosts=() ports=() pids=()
if [ "$local_replicas" = 1 ]; then
  if [ -n "$first_port" ]; then
    for ((i = 0; i < replicas; i++)); do ports+=($((first_port + i))); done
  else
    # N distinct free ports, held open together so the system cannot hand out one twice
    read -r -a ports < <(python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[2]))]
for s in socks:
    s.bind((sys.argv[1], 0))
print(*[s.getsockname()[1] for s in socks])' "$address" "$replicas")
  fi
  for ((i = 0; i < replicas; i++)); do names+=("r$((i + 1))"); hosts+=("$address"); pids+=(0); done
else
  IFS=, read -r -a specs <<< "$backends"
  for spec in "${specs[@]}"; do
    [[ "$spec" =~ ^(.+):([0-9]+)$ ]] || die "--backends wants host:port,host:port (got '$spec')"
    names+=("r$((${#names[@]} + 1))"); hosts+=("${BASH_REMATCH[1]}"); ports+=("${BASH_REMATCH[2]}"); pids+=(0)
  done
fi

render_config() {
  local servers="" i
  for i in "${!names[@]}"; do
    servers+="    server ${names[i]} ${hosts[i]}:${ports[i]} check cookie ${names[i]}"$'\n'
  done
  awk -v bind="$bind:$port" -v sock="$socket" -v servers="${servers%$'\n'}" '
    /# @SERVERS@/ { print servers; next }
    { gsub(/@BIND@/, bind); gsub(/@STATS_SOCKET@/, sock); print }' "$ROOT/deploy/haproxy.cfg"
}

if [ "$print_config" = 1 ]; then
  render_config
  exit 0
fi

haproxy_bin=
if [ "$proxy" = 1 ]; then
  haproxy_bin=$(command -v haproxy || true)
  if [ -z "$haproxy_bin" ] && [ -x /usr/sbin/haproxy ]; then haproxy_bin=/usr/sbin/haproxy; fi
  if [ -z "$haproxy_bin" ]; then
    # shellcheck source=scripts/debian_packages.sh
    source scripts/debian_packages.sh
    need_debian_packages /usr/sbin/haproxy haproxy
    haproxy_bin=/usr/sbin/haproxy
  fi
  render_config > "$cfg"
  "$haproxy_bin" -c -q -f "$cfg" || die "HAProxy rejected $cfg"
fi

# --- processes --------------------------------------------------------------------------------------
secret=${SCRATCHNET_COOKIE_SECRET:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}
haproxy_pid=0
stopping=0

write_table() {
  local i tmp=$table.tmp
  : > "$tmp"
  for i in "${!names[@]}"; do
    printf '%s\t%s\t%s\t%s\n' "${names[i]}" "${hosts[i]}" "${ports[i]}" "${pids[i]}" >> "$tmp"
  done
  mv "$tmp" "$table"
}

start_replica() {
  local i=$1
  # one BLAS thread per replica: the replicas already use every core between them
  OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} \
  MKL_NUM_THREADS=${MKL_NUM_THREADS:-1} PYTHONUNBUFFERED=1 STREAMLIT_SERVER_COOKIE_SECRET=$secret \
  SCRATCHNET_STORE=$store \
    python3 -m streamlit run app.py \
      --server.address "${hosts[i]}" --server.port "${ports[i]}" --server.headless true \
      --server.enableXsrfProtection true \
      --server.disconnectedSessionTTL "$session_ttl" --server.fileWatcherType none \
      --browser.gatherUsageStats false \
      >> "$state_dir/${names[i]}.log" 2>&1 < /dev/null &
  pids[i]=$!
  write_table
}

healthy() {  # healthy HOST PORT: does the replica answer /_stcore/health with "ok"?
  python3 -c '
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://{sys.argv[1]}:{sys.argv[2]}/_stcore/health", timeout=2) as r:
        sys.exit(0 if r.read().strip() == b"ok" else 1)
except OSError:
    sys.exit(1)' "$1" "$2"
}

stop_all() {
  stopping=1
  trap - INT TERM
  local pid live=()
  for pid in "${pids[@]}" "$haproxy_pid"; do
    if [ "$pid" != 0 ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; live+=("$pid"); fi
  done
  for ((t = 0; t < 100; t++)); do  # up to 10 s for a clean exit, then SIGKILL
    local still=()
    for pid in "${live[@]}"; do kill -0 "$pid" 2>/dev/null && still+=("$pid"); done
    [ "${#still[@]}" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${live[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
on_signal() { echo "serve.sh: stopping" >&2; stop_all; exit 0; }
trap on_signal INT TERM
trap 'stop_all' EXIT

if [ "$local_replicas" = 1 ]; then
  for i in "${!names[@]}"; do start_replica "$i"; done
  deadline=$((SECONDS + 120))
  for i in "${!names[@]}"; do
    until healthy "${hosts[i]}" "${ports[i]}"; do
      if ! kill -0 "${pids[i]}" 2>/dev/null; then
        tail -n 40 "$state_dir/${names[i]}.log" >&2
        die "replica ${names[i]} exited during start-up (log above: $state_dir/${names[i]}.log)"
      fi
      [ "$SECONDS" -lt "$deadline" ] || die "replica ${names[i]} did not answer within 120 s ($state_dir/${names[i]}.log)"
      sleep 0.2
    done
  done
else
  write_table
fi

if [ "$proxy" = 1 ]; then
  "$haproxy_bin" -db -f "$cfg" < /dev/null &
  haproxy_pid=$!
  echo "$haproxy_pid" > "$state_dir/haproxy.pid"
  until healthy "$bind" "$port" 2>/dev/null || healthy 127.0.0.1 "$port"; do
    kill -0 "$haproxy_pid" 2>/dev/null || die "HAProxy exited during start-up"
    sleep 0.1
  done
fi

where=$( [ "$proxy" = 1 ] && echo "http://$bind:$port" || echo "replicas only" )
echo "scratchnet: serving on $where — ${#names[@]} replica(s): $(for i in "${!names[@]}"; do
  printf '%s=%s:%s ' "${names[i]}" "${hosts[i]}" "${ports[i]}"; done)(state: $state_dir)"

# --- supervise: restart a replica that exits, stop everything if HAProxy does ------------------------
while true; do
  exited=
  { wait -n -p exited || true; } 2>/dev/null   # bash's own "Killed <command>" note is noise: we say it below
  [ "$stopping" = 1 ] && break
  [ -n "$exited" ] || continue
  if [ "$exited" = "$haproxy_pid" ]; then
    echo "serve.sh: HAProxy exited; stopping the replicas" >&2
    exit 1
  fi
  for i in "${!names[@]}"; do
    [ "${pids[i]}" = "$exited" ] || continue
    echo "serve.sh: replica ${names[i]} (pid $exited) exited; log: $state_dir/${names[i]}.log" >&2
    pids[i]=0
    write_table
    if [ "$restart" = 1 ]; then
      sleep 2 & wait $! || true   # interruptible by Ctrl-C
      [ "$stopping" = 1 ] && break 2
      start_replica "$i"
      echo "serve.sh: replica ${names[i]} restarted (pid ${pids[i]})" >&2
    fi
  done
  if [ "$restart" = 0 ] && [ "$proxy" = 0 ]; then
    live=0
    for pid in "${pids[@]}"; do [ "$pid" != 0 ] && live=1; done
    [ "$live" = 1 ] || { echo "serve.sh: every replica has exited" >&2; exit 1; }
  fi
done
