#!/usr/bin/env bash
# A network partition between three token-broker processes on loopback: nodes 1 and 2 (root)
# against node 3 (another uid), all sharing authorization-code accounts of a RightSignature-style
# provider double (scripts/provider_double.py) whose refresh tokens rotate and whose reuse
# detection revokes the whole grant (RFC 9700).
#
#   scripts/partition.sh check   build the jar if needed, start the double and three nodes, onboard
#                                4 accounts, cut node 3 off with iptables (loopback only) for
#                                PARTITION_SECONDS while tokens keep expiring, heal, measure the
#                                convergence, print a report; exit code says pass/fail
#   scripts/partition.sh clean   remove leftover iptables chains and stop leftover processes of
#                                an interrupted run (check does this itself on exit and Ctrl-C)
#
# Needs root (iptables, and setpriv to run node 3 as NODE3_USER, default nobody), iptables with
# the owner, multiport and connmark matches, python3, curl, java. Everything else stays inside
# target/partition/ (node 3's files go to a /tmp directory when target/ is not reachable for
# NODE3_USER). Ports: provider double 8190, HTTP 8181-8183, Hazelcast 5711-5713, event bus
# 5721-5723, all on 127.0.0.1.
#
# The cut: own chains TB_PARTITION_OUT / TB_PARTITION_IN (filter) and TB_PARTITION_MARK
# (mangle), hooked on lo only. Node 3's packets (matched by uid) to the Hazelcast and event-bus
# ports of nodes 1 and 2, and from its own such ports, are dropped; packets to node 3's
# ports are dropped; connections node 3 had opened before the cut are marked (CONNMARK) on its
# next packet so the answers from nodes 1 and 2 are dropped as well. Node 3 keeps reaching the
# provider (a real minority would) and answering our HTTP requests.
#
# The Hazelcast configuration of each node is ./cluster.xml (map settings, split-brain protection
# and merge policy carry over as they are) with its own cluster name, one fixed port per node,
# the three members listed, interface 127.0.0.1, heartbeat interval 1 s,
# hazelcast.max.no.heartbeat.seconds 10 and merge delays of 10 s.
#
# Passes when: no refresh token was used twice and no grant was revoked, nodes 1 and 2 handed out
# a token the provider accepts for every request during the partition, node 3 answered only with
# tokens the provider accepts or 503 provider_unavailable (the contract for the smaller side), the
# logs show both sides losing each other, and after healing all three nodes serve the same version
# and access token of every account within 60 s. The cut comes right after the accounts are
# authorized, so that no rotation is due before both sides have dropped each other (10 s without
# heartbeats); a rotation in flight at the very moment of a cut is not what this check measures.
#
# Settings (environment): PARTITION_SECONDS (75), TOKEN_LIFETIME (40, the double's expires_in),
# CONVERGE_GIVE_UP (90), CONVERGE_LIMIT (60), NODE3_USER (nobody), PROVIDER_PORT (8190),
# JAVA_OPTS (extra JVM options for every node), PARTITION_CLUSTER_XML (cluster.xml: the file the
# nodes' Hazelcast configuration is derived from). Logs and measurements stay in target/partition/:
# nodeN/node.log, provider.log, onboard.json, monitor.json, converge.json.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN=$ROOT/target/partition
JAR=$ROOT/target/token-broker.jar
PARTITION_SECONDS=${PARTITION_SECONDS:-75}
TOKEN_LIFETIME=${TOKEN_LIFETIME:-40}
SKEW=10 JITTER=1 MIN_VALIDITY=5   # refresh settings of the nodes
CONVERGE_GIVE_UP=${CONVERGE_GIVE_UP:-90}
CONVERGE_LIMIT=${CONVERGE_LIMIT:-60}
NODE3_USER=${NODE3_USER:-nobody}
PROVIDER_PORT=${PROVIDER_PORT:-8190}
PROVIDER=rightsignature
ACCOUNTS="acct-1 acct-2 acct-3 acct-4"
HZ_PORTS=(5711 5712 5713)
BUS_PORTS=(5721 5722 5723)
HTTP_PORTS=(8181 8182 8183)
CHAIN_IN=TB_PARTITION_IN
CHAIN_OUT=TB_PARTITION_OUT
CHAIN_MARK=TB_PARTITION_MARK
CONNMARK=0x54420000/0xffff0000
NODE_JVM_OPTS="-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true ${JAVA_OPTS:-}"

log() { printf '[partition] %s\n' "$*"; }
die() { printf '[partition] FAIL: %s\n' "$*" >&2; exit 1; }

node_dir() { if [ "$1" = 3 ] && [ -f "$RUN/node3.dir" ]; then cat "$RUN/node3.dir"; else echo "$RUN/node$1"; fi; }

# --- iptables -------------------------------------------------------------------------------
heal() {
  command -v iptables >/dev/null 2>&1 || return 0
  while iptables -w -D INPUT -i lo -j "$CHAIN_IN" 2>/dev/null; do :; done
  while iptables -w -D OUTPUT -o lo -j "$CHAIN_OUT" 2>/dev/null; do :; done
  while iptables -w -t mangle -D OUTPUT -o lo -j "$CHAIN_MARK" 2>/dev/null; do :; done
  for c in "$CHAIN_IN" "$CHAIN_OUT"; do
    iptables -w -F "$c" 2>/dev/null || true
    iptables -w -X "$c" 2>/dev/null || true
  done
  iptables -w -t mangle -F "$CHAIN_MARK" 2>/dev/null || true
  iptables -w -t mangle -X "$CHAIN_MARK" 2>/dev/null || true
}

cut_node3() {
  local uid=$1
  local theirs="${HZ_PORTS[0]},${HZ_PORTS[1]},${BUS_PORTS[0]},${BUS_PORTS[1]}"
  local mine="${HZ_PORTS[2]},${BUS_PORTS[2]}"
  heal
  iptables -w -N "$CHAIN_OUT"
  iptables -w -N "$CHAIN_IN"
  iptables -w -t mangle -N "$CHAIN_MARK"
  # connections node 3 opened to nodes 1 and 2: remember them, so their answers can be dropped
  iptables -w -t mangle -A "$CHAIN_MARK" -p tcp -m owner --uid-owner "$uid" -m multiport --dports "$theirs" \
    -j CONNMARK --set-xmark "$CONNMARK"
  # node 3 -> nodes 1 and 2: on its own connections, and its answers on theirs
  iptables -w -A "$CHAIN_OUT" -p tcp -m owner --uid-owner "$uid" -m multiport --dports "$theirs" -j DROP
  iptables -w -A "$CHAIN_OUT" -p tcp -m owner --uid-owner "$uid" -m multiport --sports "$mine" -j DROP
  # nodes 1 and 2 -> node 3: to its ports, and answers on connections node 3 opened
  iptables -w -A "$CHAIN_IN" -p tcp -m multiport --dports "$mine" -j DROP
  iptables -w -A "$CHAIN_IN" -p tcp -m connmark --mark "$CONNMARK" -j DROP
  iptables -w -t mangle -I OUTPUT -o lo -j "$CHAIN_MARK"
  iptables -w -I OUTPUT -o lo -j "$CHAIN_OUT"
  iptables -w -I INPUT -i lo -j "$CHAIN_IN"
}

# exit 0 when a TCP connection to 127.0.0.1:$2 opens within 1.5 s, run as user $1
can_connect() {
  setpriv --reuid="$(id -u "$1")" --regid="$(id -g "$1")" --clear-groups \
    timeout 1.5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null
}

# the rules block what they should and nothing else (ports of the nodes, as the users they run as)
probes() {
  local bad=0
  can_connect "$NODE3_USER" "${HZ_PORTS[0]}" & local a=$!
  can_connect root "${HZ_PORTS[2]}" & local b=$!
  can_connect root "${BUS_PORTS[2]}" & local c=$!
  wait "$a" && { log "probe: $NODE3_USER reached :${HZ_PORTS[0]} through the cut"; bad=1; }
  wait "$b" && { log "probe: root reached :${HZ_PORTS[2]} through the cut"; bad=1; }
  wait "$c" && { log "probe: root reached :${BUS_PORTS[2]} through the cut"; bad=1; }
  can_connect "$NODE3_USER" "$PROVIDER_PORT" || { log "probe: $NODE3_USER cannot reach the provider double"; bad=1; }
  can_connect root "${HZ_PORTS[1]}" || { log "probe: the rules block traffic between nodes 1 and 2"; bad=1; }
  [ "$bad" = 0 ] || { log "FAIL: the iptables rules do not cut node 3 off as intended"; return 1; }
  echo "probes ok: $NODE3_USER -> :${HZ_PORTS[0]} and root -> :${HZ_PORTS[2]}, :${BUS_PORTS[2]} blocked; $NODE3_USER -> provider and root -> :${HZ_PORTS[1]} open"
}

# --- processes ------------------------------------------------------------------------------
stop_pid() { # pidfile
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  kill "$pid" 2>/dev/null || true
  rm -f "$1"
  echo "$pid"
}

stop_all() {
  local pids=() p
  for i in 1 2 3; do p=$(stop_pid "$RUN/node$i.pid"); [ -n "$p" ] && pids+=("$p"); done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$p" 2>/dev/null || true
  done
  stop_pid "$RUN/provider.pid" >/dev/null
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  heal
  stop_all
  if [ -f "$RUN/node3.dir" ]; then # node 3 ran from /tmp: keep its log, drop the copy of the jar
    local d; d=$(dirname "$(cat "$RUN/node3.dir")")
    mkdir -p "$RUN/node3"; cp -f "$d/node3/node.log" "$RUN/node3/node.log" 2>/dev/null || true
    rm -f "$RUN/node3.dir"; rm -rf "$d"
  fi
  exit "$rc"
}

port_busy() { python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"; }

write_configs() {
  local key_sha=$1 cluster_name=$2
  for i in 1 2 3; do
    local dir; dir=$(node_dir "$i")
    mkdir -p "$dir/cache"
    cat >"$dir/node.yaml" <<EOF
# Node $i of scripts/partition.sh (generated). Client id: TOKEN_BROKER_RIGHTSIGNATURE_CLIENT_ID=node-$i
http:
  host: 127.0.0.1
  port: ${HTTP_PORTS[$((i - 1))]}
  api-keys:
    - name: partition-admin
      sha256: $key_sha
      actions: [read, refresh, proxy, events, admin]
refresh:
  skew-seconds: $SKEW
  jitter-seconds: $JITTER
  min-validity-seconds: $MIN_VALIDITY
  retry-initial-seconds: 1
  retry-max-seconds: 10
cluster:
  min-members: 2
providers:
  $PROVIDER:
    preset: rightsignature
    token-url: http://127.0.0.1:$PROVIDER_PORT/oauth/token
    authorize-url: http://127.0.0.1:$PROVIDER_PORT/oauth/authorize
    redirect-uri: http://127.0.0.1:${HTTP_PORTS[$((i - 1))]}/v1/oauth/$PROVIDER/callback
    scope: read write
    timeout-seconds: 5
EOF
    # the broker's own logging, plus Hazelcast's membership and merge messages (INFO)
    cat >"$dir/logging.properties" <<'EOF'
handlers=java.util.logging.ConsoleHandler
java.util.logging.SimpleFormatter.format=%1$tF %1$tT %4$-7s [%3$s] %5$s%6$s%n
java.util.logging.ConsoleHandler.level=FINE
java.util.logging.ConsoleHandler.formatter=java.util.logging.SimpleFormatter
.level=INFO
com.hazelcast.level=WARNING
com.hazelcast.internal.cluster.level=INFO
com.hazelcast.core.LifecycleService.level=INFO
io.netty.level=WARNING
dev.tokenbroker.level=INFO
EOF
    python3 - "$ROOT/${PARTITION_CLUSTER_XML:-cluster.xml}" "$dir/hazelcast.xml" "$cluster_name" "${HZ_PORTS[$((i - 1))]}" "${HZ_PORTS[@]}" <<'PY'
import sys
import xml.etree.ElementTree as ET
src, dst, name, port, members = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
NS = "http://www.hazelcast.com/schema/config"
ET.register_namespace("", NS)
ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
q = lambda tag: "{%s}%s" % (NS, tag)
tree = ET.parse(src)
root = tree.getroot()
def child(parent, tag, index=None):
    e = parent.find(q(tag))
    if e is None:
        e = ET.SubElement(parent, q(tag)) if index is None else ET.Element(q(tag))
        if index is not None:
            parent.insert(index, e)
    return e
child(root, "cluster-name", 0).text = name
props = child(root, "properties", 1)
for k, v in {"hazelcast.phone.home.enabled": "false", "hazelcast.wait.seconds.before.join": "0",
             "hazelcast.heartbeat.interval.seconds": "1", "hazelcast.max.no.heartbeat.seconds": "10",
             "hazelcast.merge.first.run.delay.seconds": "10", "hazelcast.merge.next.run.delay.seconds": "10"}.items():
    p = next((p for p in props.findall(q("property")) if p.get("name") == k), None)
    if p is None:
        p = ET.SubElement(props, q("property"), {"name": k})
    p.text = v
net = child(root, "network")
p = child(net, "port")
p.text = port
p.attrib = {"auto-increment": "false"}
join = child(net, "join")
for e in list(join):
    if e.tag not in (q("multicast"), q("tcp-ip")):
        join.remove(e)
child(join, "multicast").attrib = {"enabled": "false"}
tcp = child(join, "tcp-ip")
tcp.attrib = {"enabled": "true"}
for e in list(tcp):
    tcp.remove(e)
for m in members:
    ET.SubElement(tcp, q("member")).text = "127.0.0.1:" + m
itf = child(net, "interfaces")
itf.attrib = {"enabled": "true"}
for e in list(itf):
    itf.remove(e)
ET.SubElement(itf, q("interface")).text = "127.0.0.1"
ET.indent(tree)
tree.write(dst, xml_declaration=True, encoding="UTF-8")
PY
  done
}

start_node() { # i
  local i=$1 dir; dir=$(node_dir "$i")
  local jar=$JAR
  [ "$i" = 3 ] && jar=$N3_JAR
  local run_as=()
  [ "$i" = 3 ] && run_as=(setpriv --reuid="$N3_UID" --regid="$N3_GID" --clear-groups)
  # shellcheck disable=SC2086
  ( cd "$dir" && exec env HOME="$dir" TOKEN_BROKER_RIGHTSIGNATURE_CLIENT_ID="node-$i" \
      TOKEN_BROKER_RIGHTSIGNATURE_CLIENT_SECRET="$CLIENT_SECRET" TOKEN_BROKER_CLUSTER_KEY="$CLUSTER_KEY" \
      "${run_as[@]}" java $NODE_JVM_OPTS -Dvertx.cacheDirBase="$dir/cache" -Djava.util.logging.config.file="$dir/logging.properties" \
      -Dvertx.hazelcast.config="$dir/hazelcast.xml" -jar "$jar" -conf "$dir/node.yaml" \
      -cluster -cluster-host 127.0.0.1 -cluster-port "${BUS_PORTS[$((i - 1))]}" ) >"$dir/node.log" 2>&1 &
  echo $! >"$RUN/node$i.pid"
}

wait_ready() { # i
  local i=$1 dir; dir=$(node_dir "$i")
  for _ in $(seq 1 240); do
    curl -fs -o /dev/null "http://127.0.0.1:${HTTP_PORTS[$((i - 1))]}/ready" && return 0
    kill -0 "$(cat "$RUN/node$i.pid")" 2>/dev/null || { log "node $i died:"; tail -30 "$dir/node.log"; return 1; }
    sleep 0.5
  done
  log "node $i not ready after 120 s"; tail -30 "$dir/node.log"; return 1
}

print_logs() {
  for i in 1 2 3; do
    echo "----- node $i: tail of $(node_dir "$i")/node.log -----"
    tail -n "${LOG_TAIL:-40}" "$(node_dir "$i")/node.log" 2>/dev/null || true
  done
  echo "----- provider double: tail of $RUN/provider.log -----"
  tail -n 30 "$RUN/provider.log" 2>/dev/null || true
}

# --- the measuring side, in Python (standard library) ------------------------------------------
harness() {
  RUN="$RUN" API_KEY="$API_KEY" PROVIDER="$PROVIDER" PROVIDER_PORT="$PROVIDER_PORT" ACCOUNTS="$ACCOUNTS" \
  HTTP_PORTS="${HTTP_PORTS[*]}" NODE_LOGS="$(node_dir 1)/node.log $(node_dir 2)/node.log $(node_dir 3)/node.log" \
  HZ_PORTS="${HZ_PORTS[*]}" PARTITION_SECONDS="$PARTITION_SECONDS" CONVERGE_GIVE_UP="$CONVERGE_GIVE_UP" \
  CONVERGE_LIMIT="$CONVERGE_LIMIT" TOKEN_LIFETIME="$TOKEN_LIFETIME" SKEW=$SKEW MIN_VALIDITY=$MIN_VALIDITY python3 - "$@" <<'PY'
import json, os, re, sys, threading, time, urllib.error, urllib.parse, urllib.request

RUN = os.environ["RUN"]
KEY = os.environ["API_KEY"]
PROVIDER = os.environ["PROVIDER"]
DOUBLE = "http://127.0.0.1:%s" % os.environ["PROVIDER_PORT"]
PORTS = [int(p) for p in os.environ["HTTP_PORTS"].split()]
HZ = os.environ["HZ_PORTS"].split()
ACCOUNTS = os.environ["ACCOUNTS"].split()
LOGS = os.environ["NODE_LOGS"].split()
NODES = (1, 2, 3)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(method, url, timeout=10, auth=True):
    headers = {"Authorization": "Bearer " + KEY} if auth else {}
    req = urllib.request.Request(url, method=method, headers=headers, data=b"" if method == "POST" else None)
    try:
        with OPENER.open(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def node_url(n):
    return "http://127.0.0.1:%d" % PORTS[n - 1]


def save(name, obj):
    with open(os.path.join(RUN, name), "w") as f:
        json.dump(obj, f, indent=1)


def load(name):
    path = os.path.join(RUN, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def stats():
    return json.loads(http("GET", DOUBLE + "/stats", auth=False)[2])


def check(token):
    return json.loads(http("GET", DOUBLE + "/check?token=" + urllib.parse.quote(token), auth=False)[2])


def get_token(n, account, timeout):
    """One GET /v1/tokens on node n, classified; access tokens are checked with the provider."""
    started = time.time()
    url = "%s/v1/tokens/%s?account=%s" % (node_url(n), PROVIDER, account)
    out = {"node": n, "account": account, "t": started}
    try:
        status, _, body = http("GET", url, timeout=timeout)
    except Exception as e:  # timeout, refused, reset
        out.update(kind="timeout" if "timed out" in str(e) else "no answer", detail=str(e)[:100],
                   latency=round(time.time() - started, 3))
        return out
    out["latency"] = round(time.time() - started, 3)
    out["status"] = status
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    if status == 200 and data.get("access_token"):
        c = check(data["access_token"])
        out.update(version=data.get("version"), token=data["access_token"], grant=c["grant"],
                   kind="valid token" if c["valid"] else "token the provider refuses (%s)" % c["reason"])
    else:
        out.update(kind="%s %s" % (status, data.get("error", "?")), detail=str(data.get("error_description", ""))[:160])
    return out


class LogWatch:
    """Follows the node logs from now on and keeps the Hazelcast membership changes."""
    MEMBERS = re.compile(r"Members \{size:(\d+)")
    NOTE = re.compile(r"(Suspecting Member|Removing Member|has not sent any heartbeats|[Mm]erg)")

    def __init__(self, t0, offsets=None):
        self.t0 = t0
        self.offsets = offsets or [os.path.getsize(p) if os.path.exists(p) else 0 for p in LOGS]
        self.members = {n: [] for n in NODES}   # node -> [(t, size)]
        self.notes = {n: [] for n in NODES}     # node -> [(t, line)]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            self.poll()
            self.stop.wait(0.5)
        self.poll()

    def poll(self):
        for i, path in enumerate(LOGS):
            try:
                with open(path, "rb") as f:
                    f.seek(self.offsets[i])
                    data = f.read()
            except OSError:
                continue
            end = data.rfind(b"\n") + 1
            self.offsets[i] += end
            now = round(time.time() - self.t0, 1)
            for line in data[:end].decode("utf-8", "replace").splitlines():
                m = self.MEMBERS.search(line)
                if m:
                    self.members[i + 1].append((now, int(m.group(1))))
                elif self.NOTE.search(line) and len(self.notes[i + 1]) < 8:
                    self.notes[i + 1].append((now, line.strip()[:220]))

    def finish(self):
        self.stop.set()
        self.thread.join()
        return {"members": self.members, "notes": self.notes, "offsets": self.offsets}


def onboard():
    """Authorizes every account through the broker's HTTP onboarding (nodes 1 and 2 in turn)."""
    grants = {}
    first_auth = time.time()
    for i, account in enumerate(ACCOUNTS):
        n = 1 + i % 2
        status, _, body = http("POST", "%s/v1/oauth/%s/authorize?account=%s" % (node_url(n), PROVIDER, account))
        if status != 200:
            sys.exit("authorize on node %d for %s: HTTP %s %s" % (n, account, status, body[:300]))
        authorize_url = json.loads(body)["authorize_url"]
        if not authorize_url.startswith(DOUBLE + "/oauth/authorize?"):
            sys.exit("authorize_url does not point at the provider double: " + authorize_url.split("?")[0])
        status, headers, body = http("GET", authorize_url, auth=False)
        if status != 302:
            sys.exit("the double refused the authorization request: HTTP %s %s" % (status, body[:300]))
        callback = headers["Location"]
        status, _, body = http("GET", callback, timeout=20, auth=False)
        if status != 200 or b"Connected" not in body:
            sys.exit("callback on node %d for %s: HTTP %s %s" % (n, account, status, body[:300]))
    # every node must serve every account, the same token
    deadline = time.time() + 30
    while True:
        answers = {a: [get_token(n, a, 10) for n in NODES] for a in ACCOUNTS}
        same = all(len({(x.get("version"), x.get("token")) for x in v}) == 1 and v[0]["kind"] == "valid token"
                   for v in answers.values())
        if same:
            break
        if time.time() > deadline:
            sys.exit("the nodes do not serve the same onboarded tokens: " + json.dumps(
                {a: [(x["node"], x["kind"], x.get("version")) for x in v] for a, v in answers.items()}))
        time.sleep(0.5)
    for a, v in answers.items():
        grants[a] = v[0]["grant"]
    save("onboard.json", {"grants": grants, "first_auth": first_auth, "done_at": time.time()})
    print("[partition] onboarded %s (grants %s); all three nodes serve version 1 of each"
          % (", ".join(ACCOUNTS), ", ".join(grants[a] for a in ACCOUNTS)))


def monitor():
    """During the partition: every 0.5 s, each node is asked for each account's token."""
    t0 = float(sys.argv[2])
    seconds = float(os.environ["PARTITION_SECONDS"])
    before = stats()
    watch = LogWatch(t0)
    results = []
    lock = threading.Lock()
    end = t0 + seconds

    def poller(n, account):
        due = time.time()
        while time.time() < end:
            r = get_token(n, account, timeout=20)
            r["t"] = round(r["t"] - t0, 2)
            with lock:
                results.append(r)
            due = max(due + 0.5, time.time() - 0.25)
            time.sleep(max(0.0, due - time.time()))

    threads = [threading.Thread(target=poller, args=(n, a), daemon=True) for n in NODES for a in ACCOUNTS]
    for t in threads:
        t.start()
    last = 0
    while time.time() < end:
        time.sleep(1)
        el = int(time.time() - t0)
        if el // 15 != last // 15:
            with lock:
                maj = [r for r in results if r["node"] != 3]
                bad = sum(1 for r in maj if r["kind"] != "valid token")
                n3 = [r["kind"] for r in results if r["node"] == 3][-1:] or ["-"]
            print("[partition]   %3d s: majority %d answers, %d not valid; node 3 last said: %s"
                  % (el, len(maj), bad, n3[0]), flush=True)
        last = el
    for t in threads:
        t.join(25)
    logs = watch.finish()
    save("monitor.json", {"t0": t0, "stats_before": before, "stats_after": stats(), "results": results, "logs": logs})


def converge():
    """After healing: every second, ask all nodes for every account until they agree."""
    t0 = float(sys.argv[2])
    give_up = float(os.environ["CONVERGE_GIVE_UP"])
    watch = LogWatch(t0, (load("monitor.json") or {}).get("logs", {}).get("offsets"))  # from just before the heal
    rounds = 0
    converged = None
    while True:
        rounds += 1
        state = {a: [get_token(n, a, timeout=5) for n in NODES] for a in ACCOUNTS}
        agree = all(all(x.get("status") == 200 for x in v) and len({(x.get("version"), x.get("token")) for x in v}) == 1
                    for v in state.values())
        if agree:
            converged = round(time.time() - t0, 1)
            break
        if time.time() - t0 > give_up:
            break
        time.sleep(max(0.0, t0 + rounds - time.time()))
    time.sleep(1)
    logs = watch.finish()
    last = {a: [{k: x.get(k) for k in ("node", "kind", "version", "detail")} for x in v] for a, v in state.items()}
    save("converge.json", {"t0": t0, "converged_after": converged, "last": last, "logs": logs, "stats_end": stats()})


def report():
    onb, mon, conv = load("onboard.json") or {}, load("monitor.json"), load("converge.json")
    failures, notes = [], []
    limit = float(os.environ["CONVERGE_LIMIT"])
    print()
    print("=" * 78)
    print("PARTITION REPORT  (%s s partition, tokens live %s s, 4 accounts, node 3 cut off)"
          % (os.environ["PARTITION_SECONDS"], os.environ["TOKEN_LIFETIME"]))
    print("=" * 78)
    if mon is None:
        print("no partition measurements")
        return 1
    life = int(os.environ["TOKEN_LIFETIME"])
    lead = max(min(int(os.environ["SKEW"]), life // 3), min(int(os.environ["MIN_VALIDITY"]) + 1, life // 2))
    if onb.get("first_auth"):
        since = mon["t0"] - onb["first_auth"]
        print("timing: cut %.1f s after the first authorization; first scheduled rotation due %.0f s after the cut"
              " (lifetime %d s, renewed %d-%d s before expiry); silent members are dropped after 10 s"
              % (since, life - lead - 1 - since, life, lead, lead + 1))
    b, a = mon["stats_before"]["calls"], mon["stats_after"]["calls"]
    diff = {c: a.get(c, 0) - b.get(c, 0) for c in set(a) | set(b)}
    detail_b, detail_a = mon["stats_before"]["calls_detail"], mon["stats_after"]["calls_detail"]

    def refreshes(c):
        ok = lambda d: d.get(c, {}).get("refresh_token", {})
        return {k: v - ok(detail_b).get(k, 0) for k, v in ok(detail_a).items() if v - ok(detail_b).get(k, 0)}
    maj_calls = diff.get("node-1", 0) + diff.get("node-2", 0)
    print("provider calls during the partition:  nodes 1+2: %d (node-1 %d, node-2 %d)   node 3: %d"
          % (maj_calls, diff.get("node-1", 0), diff.get("node-2", 0), diff.get("node-3", 0)))
    for c in ("node-1", "node-2", "node-3"):
        if refreshes(c):
            print("    %s refresh_token outcomes: %s" % (c, refreshes(c)))
    final = (conv or {}).get("stats_end") or mon["stats_after"]
    reuse, revoked = final["reuse"], final["revoked_grants"]
    by_grant = {g: acc for acc, g in onb.get("grants", {}).items()}
    print("refresh-token reuse detected by the provider: %d" % reuse)
    for e in final["reuse_events"]:
        print("    grant %s (%s): refresh token first used by %s, presented again by %s %.1f s later, at %+.1f s from the cut"
              % (e["grant"], by_grant.get(e["grant"], "?"), e["first_used_by"], e["client_id"], e["first_used_ago"],
                 e["t"] - mon["t0"]))
    print("revoked grants: %s" % (", ".join("%s (%s)" % (g, by_grant.get(g, "?")) for g in revoked) or "none"))
    print("refreshes per grant: %s" % ", ".join("%s=%d" % (g, n) for g, n in sorted(final["refreshes_per_grant"].items())))
    if reuse or revoked:
        failures.append("%d refresh-token reuse(s), %d revoked grant(s)" % (reuse, len(revoked)))

    res = mon["results"]
    maj = [r for r in res if r["node"] != 3]
    ok = [r for r in maj if r["kind"] == "valid token"]
    print("majority (nodes 1, 2) requests that got a valid token: %d of %d (slowest answer %.1f s)"
          % (len(ok), len(maj), max([r["latency"] for r in maj] or [0])))
    if len(ok) != len(maj) or not maj:
        kinds = {}
        for r in maj:
            if r["kind"] != "valid token":
                kinds.setdefault(r["kind"], []).append(r)
        for k, rs in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
            print("    %4d x %s  (first at %+.1f s: node %d %s %s)" % (len(rs), k, rs[0]["t"], rs[0]["node"], rs[0]["account"],
                                                                   rs[0].get("detail", "")))
        failures.append("the majority did not get a valid token for %d of %d requests" % (len(maj) - len(ok), len(maj)))
    n3 = [r for r in res if r["node"] == 3]
    kinds = {}
    for r in n3:
        kinds.setdefault(r["kind"], []).append(r)
    print("node 3 answers (%d):" % len(n3))
    for k, rs in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        print("    %4d x %-44s from %+6.1f s to %+6.1f s" % (len(rs), k, rs[0]["t"], rs[-1]["t"]))
    refused = sum(len(rs) for k, rs in kinds.items() if k.startswith("token the provider refuses"))
    if refused:
        failures.append("node 3 handed out %d token(s) the provider refuses" % refused)
    # the contract: the smaller side serves still-valid tokens and otherwise answers 503
    other = sum(len(rs) for k, rs in kinds.items() if k not in ("valid token", "503 provider_unavailable")
                and not k.startswith("token the provider refuses"))
    if other:
        failures.append("node 3 gave %d answer(s) that are neither a valid token nor 503 provider_unavailable" % other)

    # did the cut really separate the nodes?
    mem = mon["logs"]["members"]
    def first(n, size):
        return next((t for t, s in mem.get(str(n), []) if s == size), None)
    seen = {n: first(n, 2 if n != 3 else 1) for n in NODES}
    print("cut seen in the Hazelcast logs: node 1 down to 2 members at %s, node 2 at %s, node 3 alone at %s (s after the cut)"
          % tuple(("%+.1f" % seen[n]) if seen[n] is not None else "never" for n in NODES))
    for n in NODES:
        for t, line in mon["logs"]["notes"].get(str(n), [])[:2]:
            print("    node %d %+.1f s: %s" % (n, t, line[:150]))
    if None in seen.values():
        failures.append("the logs do not show both sides losing each other: the cut did not work")

    if conv is None:
        failures.append("no convergence measurement")
    else:
        cm = conv["logs"]["members"]
        merged = {n: next((t for t, s in cm.get(str(n), []) if s == 3), None) for n in NODES}
        print("after healing, 3 members again at: %s (s after the heal)" % ", ".join(
            "node %d %s" % (n, ("%+.1f" % merged[n]) if merged[n] is not None else "never") for n in NODES))
        c = conv["converged_after"]
        if c is None:
            print("convergence: NOT reached within %s s; last answers:" % os.environ["CONVERGE_GIVE_UP"])
            for acc, v in conv["last"].items():
                print("    %s: %s" % (acc, "; ".join("node %d %s v%s" % (x["node"], x["kind"], x["version"]) for x in v)))
            failures.append("the nodes did not converge within %s s of healing" % os.environ["CONVERGE_GIVE_UP"])
        else:
            print("convergence: all three nodes serve the same version and access token of every account %.1f s after healing" % c)
            if c > limit:
                failures.append("convergence took %.1f s (limit %.0f s)" % (c, limit))
    print("-" * 78)
    if failures:
        for f in failures:
            print("FAIL: " + f)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit({"onboard": onboard, "monitor": monitor, "converge": converge, "report": report}[sys.argv[1]]() or 0)
PY
}

# --- check ----------------------------------------------------------------------------------
check() {
  [ "$(id -u)" = 0 ] || die "run as root (iptables, and node 3 runs as $NODE3_USER)"
  for c in iptables setpriv python3 curl java; do command -v "$c" >/dev/null || die "$c is missing"; done
  id "$NODE3_USER" >/dev/null 2>&1 || die "no user $NODE3_USER for node 3 (set NODE3_USER)"
  N3_UID=$(id -u "$NODE3_USER"); N3_GID=$(id -g "$NODE3_USER")
  [ "$N3_UID" != 0 ] || die "NODE3_USER must not be root"
  for p in "$PROVIDER_PORT" "${HTTP_PORTS[@]}" "${HZ_PORTS[@]}" "${BUS_PORTS[@]}"; do
    port_busy "$p" && die "port $p on 127.0.0.1 is in use (another run? scripts/partition.sh clean)"
  done
  [ -f "$JAR" ] || { log "building the jar"; (cd "$ROOT" && mvn -B -q package -DskipTests); }

  rm -rf "$RUN"; mkdir -p "$RUN"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  # node 3 runs as another uid: it needs to read the jar and its config and write its log
  mkdir -p "$RUN/node3"; chown "$N3_UID:$N3_GID" "$RUN/node3"
  N3_JAR=$JAR
  if ! setpriv --reuid="$N3_UID" --regid="$N3_GID" --clear-groups test -r "$JAR" -a -w "$RUN/node3"; then
    local d; d=$(mktemp -d /tmp/token-broker-partition.XXXXXX)
    chmod 755 "$d"; mkdir -p "$d/node3"; chown "$N3_UID:$N3_GID" "$d/node3"
    cp "$JAR" "$d/token-broker.jar"; chmod 644 "$d/token-broker.jar"
    echo "$d/node3" >"$RUN/node3.dir"
    N3_JAR=$d/token-broker.jar
    log "node 3 cannot reach $RUN; its files are in $d"
  fi

  API_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
  CLIENT_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
  CLUSTER_KEY=$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
  local key_sha; key_sha=$(printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1)
  write_configs "$key_sha" "token-broker-partition-$$"
  chown -R "$N3_UID:$N3_GID" "$(node_dir 3)"

  python3 "$ROOT/scripts/provider_double.py" "$PROVIDER_PORT" --expires-in "$TOKEN_LIFETIME" \
    --client-secret="$CLIENT_SECRET" --log "$RUN/provider.log" &
  echo $! >"$RUN/provider.pid"
  for _ in $(seq 1 40); do curl -fs -o /dev/null "http://127.0.0.1:$PROVIDER_PORT/health" && break; sleep 0.25; done
  curl -fs -o /dev/null "http://127.0.0.1:$PROVIDER_PORT/health" || die "the provider double did not start"
  log "provider double on http://127.0.0.1:$PROVIDER_PORT (expires_in $TOKEN_LIFETIME s, rotating refresh tokens, reuse detection)"

  local t_start=$SECONDS
  start_node 1; wait_ready 1 || die "node 1 did not start"
  start_node 2; start_node 3
  wait_ready 2 || die "node 2 did not start"
  wait_ready 3 || die "node 3 did not start"
  for _ in $(seq 1 60); do
    local n=0
    for i in 1 2 3; do grep -q 'Members {size:3' "$(node_dir "$i")/node.log" && n=$((n + 1)); done
    [ "$n" = 3 ] && break
    sleep 0.5
  done
  [ "$n" = 3 ] || { print_logs; die "the three nodes did not form one cluster"; }
  log "nodes ready in $((SECONDS - t_start)) s: 1 and 2 as root, 3 as $NODE3_USER (uid $N3_UID); one cluster of 3"

  harness onboard || { print_logs; die "onboarding failed"; }

  log "cutting node 3 off (iptables on lo: chains $CHAIN_OUT, $CHAIN_IN, mangle $CHAIN_MARK)"
  local t_cut; t_cut=$(date +%s.%N)
  cut_node3 "$N3_UID"
  probes >"$RUN/probes.txt" 2>&1 &   # while the monitor runs, so that it starts right at the cut
  local probes_pid=$!
  log "partition for $PARTITION_SECONDS s; every 0.5 s each node is asked for each account"
  local rc=0
  harness monitor "$t_cut" || rc=$?
  { iptables -w -L "$CHAIN_OUT" -v -n -x; iptables -w -L "$CHAIN_IN" -v -n -x; iptables -w -t mangle -L "$CHAIN_MARK" -v -n -x; } \
    >"$RUN/iptables-counters.txt" 2>&1 || true
  heal
  local t_heal; t_heal=$(date +%s.%N)
  wait "$probes_pid" || true
  cat "$RUN/probes.txt"
  log "packets the rules dropped (out: node 3 -> 1/2 by port, its answers; in: -> node 3's ports, on connections node 3 opened):"
  awk '/^Chain/ { c = $2 } /DROP|CONNMARK/ { $1 = $1; print "[partition]   " c ": " $0 }' "$RUN/iptables-counters.txt"

  grep -q '^probes ok' "$RUN/probes.txt" || rc=1
  log "healed (rules removed); waiting until all nodes serve the same tokens (give up after $CONVERGE_GIVE_UP s)"
  [ "$rc" = 0 ] && { harness converge "$t_heal" || rc=$?; }
  if harness report && [ "$rc" = 0 ]; then
    log "PASS ($((SECONDS - t_start)) s from the first node's start)"
  else
    print_logs
    log "FAIL ($((SECONDS - t_start)) s from the first node's start)"
    exit 1
  fi
}

clean() {
  heal
  stop_all
  log "cleaned"
}

case "${1:-}" in
  check) check ;;
  clean) clean ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2 ;;
esac
