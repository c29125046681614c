#!/usr/bin/env bash
# Three token-broker nodes on loopback, each with its own config (conf/cluster/nodeN.yaml) and
# HTTP port (8081-8083), clustered through ./cluster.xml. Node 1 also runs the sandbox provider.
#
#   scripts/cluster.sh start     build the jar if needed, start the nodes, wait until ready
#   scripts/cluster.sh status    which nodes run
#   scripts/cluster.sh stop      stop them (SIGTERM)
#   scripts/cluster.sh check     start, then prove one provider call per rotation, failover after
#                                kill -9 of a node, a safe stop below cluster.min-members (2) when a
#                                second node dies and recovery when it comes back; then stop
#                                (exit code says pass/fail)
#
# Extra JVM options for every node: JAVA_OPTS (e.g. -Drefresh.min-validity-seconds=1); for
# node 1 only: SANDBOX_OPTS (e.g. -Dsandbox.lifetime-seconds=6).
#
# Needs a JDK 17+ (java), curl, and for check also python3 (it reads the brokers' JSON answers).

set -euo pipefail
cd "$(dirname "$0")/.."
RUN=target/cluster
JAR=target/token-broker.jar
KEY=demo-key
mkdir -p "$RUN"

log() { printf '[cluster] %s\n' "$*"; }

# The header comment above, without its '#': from line 2 up to the first line that is no comment.
usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p;}' "$0"; }

need() { # command... : stop with one clear line when one is missing
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || { log "needs $c on the PATH (see scripts/cluster.sh's header; e.g. apt-get install $c)" >&2; exit 2; }
  done
}

ready() { curl -fs -o /dev/null "http://127.0.0.1:$((8080 + $1))/ready"; }

# Every value the nodes share through Hazelcast is encrypted with the cluster key; all nodes need the
# same one. A demo key is made once per checkout (target/cluster/cluster.key) unless you set your own.
cluster_key() {
  if [ -z "${TOKEN_BROKER_CLUSTER_KEY:-}" ]; then
    [ -f "$RUN/cluster.key" ] || { openssl rand -base64 32 >"$RUN/cluster.key" 2>/dev/null \
      || head -c 32 /dev/urandom | base64 >"$RUN/cluster.key"; chmod 600 "$RUN/cluster.key"; }
    TOKEN_BROKER_CLUSTER_KEY=$(cat "$RUN/cluster.key")
    export TOKEN_BROKER_CLUSTER_KEY
  fi
}

start_node() {
  cluster_key
  local i=$1
  # shellcheck disable=SC2086
  local extra=""
  [ "$i" = 1 ] && extra="${SANDBOX_OPTS:-}"
  # shellcheck disable=SC2086
  nohup java ${JAVA_OPTS:-} $extra -jar "$JAR" -conf "conf/cluster/node$i.yaml" -cluster >"$RUN/node$i.log" 2>&1 &
  echo $! >"$RUN/node$i.pid"
  # not a job of this shell: a node that check kills with -9 is no "Killed" line on the terminal
  # (stop and check follow the nodes by their pid files)
  disown "$!"
  for _ in $(seq 1 120); do
    ready "$i" && { log "node $i ready on http://127.0.0.1:$((8080 + i)) (pid $(cat "$RUN/node$i.pid"))"; return 0; }
    kill -0 "$(cat "$RUN/node$i.pid")" 2>/dev/null || { log "node $i died:"; tail -20 "$RUN/node$i.log"; return 1; }
    sleep 0.5
  done
  log "node $i not ready after 60 s"; tail -20 "$RUN/node$i.log"; return 1
}

start() {
  need java curl
  # build when the jar is missing or older than the sources
  if [ ! -f "$JAR" ] || [ -n "$(find pom.xml src/main -newer "$JAR" -print -quit)" ]; then ./mvnw -B -q package -DskipTests; fi
  for i in 1 2 3; do start_node "$i"; done
  log "try: curl -s -H 'Authorization: Bearer $KEY' http://127.0.0.1:8082/v1/tokens/sandbox"
}

stop() {
  local pids=() pid
  for i in 1 2 3; do
    if [ -f "$RUN/node$i.pid" ]; then
      pid=$(cat "$RUN/node$i.pid")
      kill "$pid" 2>/dev/null && pids+=("$pid")
      rm -f "$RUN/node$i.pid"
    fi
  done
  # SIGTERM lets rotations in progress finish: wait until the JVMs are gone (at most 30 s each)
  for pid in ${pids[@]+"${pids[@]}"}; do
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && log "node pid $pid still running after 30 s"
  done
  log "stopped"
}

status() {
  for i in 1 2 3; do
    if [ -f "$RUN/node$i.pid" ] && kill -0 "$(cat "$RUN/node$i.pid")" 2>/dev/null; then
      log "node $i running (pid $(cat "$RUN/node$i.pid"))"
    else
      log "node $i not running"
    fi
  done
}

token() { # node -> "version access_token expires_at"
  curl -fs -H "Authorization: Bearer $KEY" "http://127.0.0.1:$((8080 + $1))/v1/tokens/sandbox" \
    | python3 -c 'import json,sys; t=json.load(sys.stdin); print(t["version"], t["access_token"], t["expires_at"])'
}

token_or_none() { # node -> version, or "none" when it answers no token
  curl -fs -H "Authorization: Bearer $KEY" "http://127.0.0.1:$((8080 + $1))/v1/tokens/sandbox" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])' 2>/dev/null || echo none
}

check() {
  need java curl python3
  export JAVA_OPTS="${JAVA_OPTS:-} -Drefresh.min-validity-seconds=1 -Drefresh.jitter-seconds=0"
  export SANDBOX_OPTS="-Dsandbox.lifetime-seconds=6"
  trap stop EXIT
  start
  log "30 concurrent cold requests over the three nodes"
  rm -f "$RUN"/cold.*
  pids=()
  for n in $(seq 1 30); do token $(( (n % 3) + 1 )) >"$RUN/cold.$n" & pids+=($!); done
  wait "${pids[@]}"
  distinct=$(cat "$RUN"/cold.* | awk '{print $1, $2}' | sort -u | wc -l)
  [ "$distinct" = 1 ] || { log "FAIL: $distinct different tokens for 30 cold requests"; cat "$RUN"/cold.*; exit 1; }
  log "all 30 got the same token, version $(awk '{print $1}' "$RUN/cold.1")"

  log "kill -9 node 3; answers must stay unexpired while tokens keep rotating on the two left (cluster.min-members 2)"
  before=$(token 1 | awk '{print $1}')
  kill -9 "$(cat "$RUN/node3.pid")"; rm -f "$RUN/node3.pid"
  deadline=$((SECONDS + 40))
  while :; do
    for i in 1 2; do
      # compared with the second the request was sent: the broker answers only with a token that
      # has refresh.min-validity-seconds (1 s here) left when it answers, so expires_at is after that
      # second; the clock read after curl and python could already be in the token's last second
      sent=$(date +%s)
      read -r version _ expires < <(token "$i")
      [ "$expires" -gt "$sent" ] || { log "FAIL: node $i answered an expired token"; exit 1; }
    done
    [ "$version" -ge $((before + 3)) ] && break
    [ $SECONDS -lt $deadline ] || { log "FAIL: no rotations after the kill (version $version)"; exit 1; }
    sleep 0.5
  done
  log "rotations continued: version $before -> $version"

  log "kill -9 node 2; node 1 alone is below cluster.min-members: valid tokens or 503, never an expired one, no rotation"
  kill -9 "$(cat "$RUN/node2.pid")"; rm -f "$RUN/node2.pid"
  deadline=$((SECONDS + 40))
  while :; do
    sent=$(date +%s) # see above: compared with the second the request was sent
    code=$(curl -s -o "$RUN/alone.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" http://127.0.0.1:8081/v1/tokens/sandbox)
    if [ "$code" = 200 ]; then
      expires=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["expires_at"])' "$RUN/alone.json")
      [ "$expires" -gt "$sent" ] || { log "FAIL: node 1 alone answered a token that expired at $expires, asked at $sent"; exit 1; }
    elif [ "$code" = 503 ] && grep -q 'cluster.min-members' "$RUN/alone.json"; then
      log "node 1 alone answers 503: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error_description"])' "$RUN/alone.json")"
      break
    else
      log "FAIL: node 1 alone answered $code: $(cat "$RUN/alone.json")"; exit 1
    fi
    [ $SECONDS -lt $deadline ] || { log "FAIL: node 1 alone kept serving past its token's life"; exit 1; }
    sleep 0.5
  done
  last=$version

  log "restart node 2: with two members again, rotations resume"
  start_node 2
  deadline=$((SECONDS + 40))
  while :; do
    v=$(token_or_none 1)
    [ "$v" != none ] && [ "$v" -gt $((last + 1)) ] && { version=$v; break; }
    [ $SECONDS -lt $deadline ] || { log "FAIL: no rotation after node 2 came back (node 1 answers version $v)"; exit 1; }
    sleep 0.5
  done
  log "rotations resumed: version $version"
  issued=$(grep -c 'Sandbox issued token' "$RUN/node1.log")
  log "the provider issued $issued tokens for $version versions"
  [ "$issued" -le $((version + 1)) ] || { log "FAIL: $issued provider calls for $version rotations"; exit 1; }
  log "PASS: one provider call per rotation across processes; rotations continued after kill -9 of one node, stopped safely below cluster.min-members and resumed when a node came back"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  check) check ;;
  *) usage; exit 2 ;;
esac
