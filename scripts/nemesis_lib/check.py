"""`nemesis check`: the set-up, the Doorkeeper phase, the full restart, the strict phase and the
verdict (see scripts/nemesis for what is asserted)."""
import atexit
import base64
import hashlib
import os
import random
import secrets
import shutil
import subprocess
import tempfile
import time
import traceback

from . import faults, logs, partition
from .api import PROVIDER, Api
from .cluster import NODE_UID_BASE, Cluster
from .double import TOKEN_LIFETIME, Double
from .load import Load
from .postgres import Postgres, bin_dir
from .processes import Children, interrupt_as_exit
from .util import Clock, Unreachable, free_ports, log, wait_until

ACCOUNTS = 6
DOORKEEPER_FAULTS = ["kill", "freeze", "partition", "pg-stop", "pg-freeze", "provider-503", "provider-reset",
                     "lost-answers"]
# the strict phase: only faults whose refresh the provider never processed
STRICT_FAULTS = ["partition", "pg-stop", "pg-freeze", "provider-503", "provider-reset"]
BUDGET = {"doorkeeper": 200, "strict": 110}  # seconds by which a phase's faults should be over: ~8 min in all
CONVERGE_LIMIT = 60
QUIET = 30  # seconds of load after the nodes agree: an account stuck since a fault shows then
MIN_VALID = 0.99
LOST = "authorization_required"


class Verdict:
    """The assertions as they are decided, each printed with its figure."""

    def __init__(self):
        self.failures = []

    def check(self, label, ok, figure):
        log("%s %s: %s" % ("PASS" if ok else "FAIL", label, figure))
        if not ok:
            self.failures.append(label)


class Run:
    """What one check started: the run directory, ports, secrets, PostgreSQL, the double, the nodes."""

    def __init__(self, root, children):
        self.children = children
        self.dir = run_dir(root)
        self.jar = copy_jar(root, self.dir)
        ports = free_ports(11)
        api_key = secrets.token_urlsafe(24)
        self.api = Api(api_key)
        self.postgres = Postgres(self.dir, ports[1], secrets.token_urlsafe(18), children)
        self.double = Double(root, self.dir, ports[0], secrets.token_urlsafe(18), children)
        env = {"TOKEN_BROKER_RIGHTSIGNATURE_CLIENT_SECRET": self.double.client_secret,
               "TOKEN_BROKER_CLUSTER_KEY": base64.b64encode(os.urandom(32)).decode(),
               "TOKEN_BROKER_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
               "TOKEN_BROKER_STORE_PASSWORD": self.postgres.password}
        self.cluster = Cluster(root, self.dir, self.jar, [tuple(ports[2 + 3 * i:5 + 3 * i]) for i in range(3)], env,
                               hashlib.sha256(api_key.encode()).hexdigest(), self.postgres, self.double, children)
        self.nodes = self.cluster.nodes

    def start(self):
        t0 = time.time()
        self.postgres.init()
        self.postgres.start()
        self.postgres.create_database()
        log("PostgreSQL %s on %s (data in %s, runs as uid %d)" % (self.postgres.bin.split("/")[-2], self.postgres.url,
                                                                 self.postgres.data, self.postgres.user[0]))
        self.double.start("doorkeeper")
        log("provider double on %s (expires_in %d s, rotating refresh tokens)" % (self.double.url, TOKEN_LIFETIME))
        self.cluster.start_all()
        log("three nodes ready in %.0f s, one cluster: %s" % (time.time() - t0, ", ".join(
            "node %d %s (uid %d, hazelcast %d, bus %d)" % (n.index, n.url, n.uid, n.hz_port, n.bus_port)
            for n in self.nodes)))

    def any_node(self, call):
        """call(node) on the first node that answers (a 5xx or no answer moves on); its result."""
        last = None
        for node in self.nodes:
            try:
                status, body = call(node)
            except Unreachable as e:
                last = e
                continue
            if status < 500:
                return status, body
            last = "HTTP %s %s" % (status, body)
        raise RuntimeError("no node answered: %s" % last)

    def account_list(self):
        return self.any_node(lambda n: self.api.call(n, "GET", "/v1/tokens?provider=" + PROVIDER))[1]


def run_dir(root):
    """target/nemesis, fresh; a directory in /tmp when the nodes' uids cannot reach target/."""
    path = os.path.join(root, "target", "nemesis")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    os.chmod(path, 0o755)
    probe = subprocess.run(["test", "-x", path], user=NODE_UID_BASE + 1, group=NODE_UID_BASE + 1, extra_groups=[])
    if probe.returncode != 0:
        path = tempfile.mkdtemp(prefix="token-broker-nemesis-")
        os.chmod(path, 0o755)
        log("the nodes' uids cannot reach target/: the run directory is %s" % path)
    return path


def copy_jar(root, directory):
    """A copy of target/token-broker.jar (built when missing): a rebuild meanwhile disturbs no node."""
    jar = os.path.join(root, "target", "token-broker.jar")
    if not os.path.exists(jar):
        log("building the jar")
        subprocess.run(["./mvnw", "-B", "-q", "package", "-DskipTests"], cwd=root, check=True)
    copy = os.path.join(directory, "token-broker.jar")
    shutil.copyfile(jar, copy)
    os.chmod(copy, 0o644)
    return copy


# --- a phase ---------------------------------------------------------------------------------
class Phase:
    def __init__(self, run, semantics, faults_kinds, rng):
        self.run = run
        self.semantics = semantics
        self.accounts = ["%s-%d" % (semantics[:2], i + 1) for i in range(ACCOUNTS)]
        self.faults = faults.plan(faults_kinds, self.accounts, rng, BUDGET[semantics])
        self.grants = {}
        self.label = "[%s]" % semantics

    def execute(self, verdict):
        log("=== %s phase: %s double, accounts %s" % (self.semantics, self.semantics, ", ".join(self.accounts)))
        self.onboard()
        clock = Clock()
        log("schedule:" + "".join("\n[nemesis]   %+6.1f s  %s" % (f.planned, f.describe()) for f in self.faults))
        load = Load(self.run.api, self.run.double, self.run.nodes, self.accounts).start()
        try:
            faults.Nemesis(self.run.cluster, self.run.postgres, self.run.double, self.run.api, self.run.children,
                           clock).run(self.faults)
            last_fault = max((f.ended for f in self.faults), default=time.time())
            clock.log("last fault over; waiting until the nodes agree (at most %d s)" % CONVERGE_LIMIT)
            converged, views = converge(self.run.api, self.run.nodes, self.accounts, last_fault)
            clock.log("nodes agree; %d s more of load without faults" % QUIET if converged is not None else
                      "the nodes do not agree; %d s more of load" % QUIET)
            time.sleep(QUIET)
        finally:
            load.stop()
        clock.log("phase over")
        stats = self.run.double.stats()
        self.judge(verdict, load, stats, converged, views)
        return self

    def onboard(self):
        """Authorizes every account through the broker (nodes in turn); each node then serves each."""
        for i, account in enumerate(self.accounts):
            self.run.api.authorize(self.run.nodes[i % 3], account, self.run.double)

        def all_serve():
            for account in self.accounts:
                for node in self.run.nodes:
                    status, body = self.run.api.token(node, account, 5)
                    verdict = self.run.double.check(body["access_token"]) if status == 200 else {"valid": False}
                    if not verdict["valid"]:
                        return False
                    self.grants[account] = verdict["grant"]
            return True
        if not wait_until(all_serve, 30):
            raise RuntimeError("the nodes do not all serve the onboarded accounts")
        log("onboarded %s through the broker (grants %s); every node serves each"
            % (", ".join(self.accounts), ", ".join(self.grants[a] for a in self.accounts)))

    def judge(self, verdict, load, stats, converged, views):
        self.judge_faults(verdict, load, stats)
        self.judge_lost(verdict, stats)
        s = load.summary()
        verdict.check("(2) no 200 with a token the provider refuses %s" % self.label, not s["refused"],
                      "%d of %d answers%s" % (len(s["refused"]), s["requests"], details(
                          "%s node %d %s: %s (v%s)" % (clock_time(t), node, account, reason, version)
                          for t, account, node, reason, version in s["refused"][:10])))
        share = s["valid"] / s["requests"] if s["requests"] else 0
        verdict.check("(3) >= %d%% of requests answered with a valid token %s" % (MIN_VALID * 100, self.label),
                      share >= MIN_VALID, "%d of %d (%.2f%%; %d of them after failing over), slowest request %.1f s%s" % (
                          s["valid"], s["requests"], share * 100, s["failovers"], s["slowest"], details(
                              "%5d x %s (first %s %s: %s)" % ((n, kind, clock_time(s["examples"][kind][0])) +
                                                              s["examples"][kind][1:])
                              for kind, n in s["failures"].most_common())))
        verdict.check("(4) nodes agree within %d s after the last fault %s" % (CONVERGE_LIMIT, self.label),
                      converged is not None, "after %.1f s" % converged if converged is not None
                      else "not within %d s; last views: %s" % (CONVERGE_LIMIT, describe_views(views, self.accounts)))
        log("provider (%s): %d refreshes, reuse %d, replays accepted %d, refused %d, faults applied %s" % (
            self.semantics, sum(stats["refreshes_per_grant"].values()), stats["reuse"], stats["replays"],
            stats["refused_replays"], stats["faults"]["applied"]))
        if self.semantics == "strict":
            verdict.check("(6) no refresh-token reuse with the strict provider %s" % self.label, not stats["reuse"],
                          "%d reuse(s), revoked grants %s%s" % (stats["reuse"], stats["revoked_grants"] or "none", details(
                              "grant %s: first used by %s, presented again by %s %.1f s later"
                              % (e["grant"], e["first_used_by"], e["client_id"], e["first_used_ago"])
                              for e in stats["reuse_events"])))

    def judge_faults(self, verdict, load, stats):
        """Each fault's trace, and the requests without a valid token from its start to 10 s after it."""
        missing = []
        for f in self.faults:
            seen, text = faults.evidence(f, self.run.cluster, load, stats)
            failed, lost = load.failed_between(f.started, f.ended + 10)
            log("  fault %s%s" % (f.describe(), details(["%s: %s; %d requests without a valid token%s" % (
                "seen" if seen else "NOT SEEN", text, failed - lost, " (and %d for lost accounts)" % lost if lost else "")])))
            if not seen:
                missing.append(f.kind)
        verdict.check("every fault happened and left a trace %s" % self.label, not missing,
                      "%d of %d%s" % (len(self.faults) - len(missing), len(self.faults),
                                      " (no trace: %s)" % ", ".join(missing) if missing else ""))

    def judge_lost(self, verdict, stats):
        """(1) in the Doorkeeper phase, (6) in the strict one: no account needs a new authorization."""
        rows = self.run.account_list()
        states = {r["account"]: r for r in rows if r["account"] in self.accounts}
        lost = [a for a in self.accounts if a not in states or states[a]["state"] == LOST]
        label = "(1) no account lost" if self.semantics == "doorkeeper" else "(6) no account lost"
        verdict.check("%s %s" % (label, self.label), not lost, "%d of %d accounts %s%s" % (
            len(lost), len(self.accounts), LOST, details(
                "%s (grant %s; the provider %s accept a replay): %s" % (
                    a, self.grants[a], "would" if stats["recoverable"].get(self.grants[a]) else "would NOT",
                    (states.get(a) or {}).get("last_error", "not listed")) for a in lost)))
        for a in lost:  # where and when it was lost
            lines = sorted((t, node.index, line) for node in self.run.nodes for t, line in logs.matching(
                node.log_path, r"Token %s:%s needs a new authorization" % (PROVIDER, a)))
            for _, n, line in lines[:1]:
                log("     node %d: %s" % (n, line[:240]))


def details(lines):
    """Lines below a verdict's figure."""
    return "".join("\n[nemesis]     " + line for line in lines)


def clock_time(t):
    return time.strftime("%H:%M:%S", time.localtime(t))


def converge(api, nodes, accounts, since):
    """(seconds after `since` when every node lists the same version of every account, or None; the
    last views)."""
    views = []
    while True:
        views = []
        for node in nodes:
            try:
                views.append(api.accounts(node) if node.alive() else None)
            except Unreachable:
                views.append(None)
        if all(v is not None and all(a in v for a in accounts) for v in views) and all(
                len({v[a]["version"] for v in views}) == 1 for a in accounts):
            return time.time() - since, views
        if time.time() > since + CONVERGE_LIMIT:
            return None, views
        time.sleep(1)


def describe_views(views, accounts):
    return "; ".join("%s: %s" % (a, " ".join("n%d=%s" % (i + 1, "-" if v is None or a not in v else "v%s/%s" % (
        v[a]["version"], v[a]["state"])) for i, v in enumerate(views))) for a in accounts)


# --- the full restart ------------------------------------------------------------------------
def full_restart(run, phase, verdict):
    """(5): all three stopped, started again from PostgreSQL; every account is listed again with
    its version (or a newer one), and each that was not lost before can be force-refreshed to a
    token the provider accepts."""
    before = {r["account"]: r for r in run.account_list() if r["account"] in phase.accounts}
    alive = [a for a in before if before[a]["state"] != LOST]
    t0 = time.time()
    codes = run.cluster.stop_all()
    log("=== full restart: all three nodes stopped (exit codes %s) in %.1f s" % (codes, time.time() - t0))
    run.cluster.start_all()
    log("three nodes ready again %.0f s after the stop" % (time.time() - t0))
    after = {r["account"]: r for r in run.account_list()}
    listed = [a for a in before if a in after and after[a]["version"] >= before[a]["version"]]
    kept = []
    for account in alive:
        status, body = run.any_node(lambda n: run.api.force_refresh(n, account))
        ok = status == 200 and run.double.check(body["access_token"])["valid"]
        log("  %s: v%s before, listed after: %s, forced refresh: %s" % (
            account, before[account]["version"], "v%s" % after[account]["version"] if account in after else "NO",
            "v%s, valid token" % body["version"] if ok else "HTTP %s %s" % (status, body.get("error", ""))))
        kept.append(ok and account in after)
    verdict.check("(5) a full restart keeps every account", bool(alive) and all(kept) and len(listed) == len(phase.accounts),
                  "%d of %d accounts listed again with their version; %d of %d not lost before it force-refreshed"
                  " to a valid token%s" % (len(listed), len(phase.accounts), sum(kept), len(alive),
                                           "" if alive else " (nothing to show: all were lost before the restart)"))


def switch_to_strict(run, phase):
    """The Doorkeeper phase's accounts are deleted and the double starts again with strict semantics."""
    for account in phase.accounts:
        run.any_node(lambda n: run.api.delete(n, account))
    run.double.stop()
    run.double.start("strict")
    log("deleted %s; provider double started again with strict semantics" % ", ".join(phase.accounts))


# --- the check -------------------------------------------------------------------------------
def prerequisites():
    problems = []
    if os.geteuid() != 0:
        problems.append("run as root (iptables; the nodes and PostgreSQL run as other uids)")
    for tool in ("iptables", "java"):
        if shutil.which(tool) is None:
            problems.append("%s is missing (apt-get install %s)" % (tool, "iptables" if tool == "iptables" else "a JDK 17"))
    if bin_dir() is None:
        problems.append("PostgreSQL is missing (apt-get install postgresql)")
    return problems


def selected(kinds):
    """The fault kinds NEMESIS_FAULTS (comma-separated) keeps of kinds; all of them without it."""
    only = os.environ.get("NEMESIS_FAULTS")
    return [k for k in kinds if not only or k in only.split(",")]


def check(root):
    problems = prerequisites()
    unknown = set(os.environ.get("NEMESIS_FAULTS", "").split(",")) - set(faults.KINDS) - {""}
    if unknown:
        problems.append("unknown fault kinds in NEMESIS_FAULTS: %s (known: %s)" % (
            ", ".join(sorted(unknown)), ", ".join(faults.KINDS)))
    if problems:
        for p in problems:
            log(p)
        return 2
    seed = int(os.environ.get("NEMESIS_SEED") or random.SystemRandom().randrange(1, 1000000))
    log("seed %d (NEMESIS_SEED=%d replays this schedule)" % (seed, seed))
    rng = random.Random(seed)
    started = time.time()
    verdict = Verdict()
    children = Children()
    interrupt_as_exit()
    partition.heal()  # an interrupted earlier run may have left its chains
    atexit.register(partition.heal)  # and a fault thread still running when the check ends cannot leave them
    run = None
    try:
        run = Run(root, children)
        run.start()
        doorkeeper = Phase(run, "doorkeeper", selected(DOORKEEPER_FAULTS), rng).execute(verdict)
        full_restart(run, doorkeeper, verdict)
        switch_to_strict(run, doorkeeper)
        Phase(run, "strict", selected(STRICT_FAULTS), rng).execute(verdict)
    except Exception as e:  # the set-up or a fault failed: the check cannot conclude
        traceback.print_exc()
        verdict.check("the check ran to its end", False, str(e))
    except SystemExit:
        log("interrupted: removing the partition rules and stopping every process started")
        raise
    finally:
        partition.heal()
        children.cleanup()
    log("runtime %.0f s; seed %d" % (time.time() - started, seed))
    if verdict.failures:
        if run is not None:
            print_logs(run)
        log("FAIL: " + "; ".join(verdict.failures))
        return 1
    log("PASS")
    return 0


def print_logs(run):
    for node in run.nodes:
        log("----- node %d: tail of %s" % (node.index, node.log_path))
        for line in logs.tail(node.log_path, 30):
            print(line)
    log("----- provider double: tail of %s" % run.double.log_path)
    for line in logs.tail(run.double.log_path, 20):
        print(line)
    log("----- PostgreSQL: tail of %s" % run.postgres.log_path)
    for line in logs.tail(run.postgres.log_path, 10):
        print(line)
