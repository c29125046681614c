"""The faults, their seeded schedule, and the evidence each one left.

A schedule is a shuffled list of fault kinds, each planned at a time after the phase began: the
next one either joins the previous one a few seconds later ("several at once") or follows after it
ends ("in sequence"). Faults of one group (node, postgres, provider) never overlap: a thread per
group runs them in order, each after its planned time and after the group recovered from the
previous one; faults of different groups overlap, except a PostgreSQL freeze and a provider fault:
a broker waits for its store before it calls the provider (it records the call first), so a
provider fault then would meet no call. A provider fault also forces the rotation of one account
right away, so that at least one token call meets it."""
import signal
import threading
import time
from dataclasses import dataclass, field

from . import logs, partition
from .util import Unreachable, wait_until

# kind -> (group, seconds it lasts; kill: how long the node stays down before it is started again)
KINDS = {
    "kill": ("node", 8),
    "freeze": ("node", 12),
    "partition": ("node", 30),
    "pg-stop": ("postgres", 20),
    "pg-freeze": ("postgres", 15),
    "provider-503": ("provider", 10),
    "provider-reset": ("provider", 10),
    "lost-answers": ("provider", 20),
}
LOST_ANSWERS = 3       # lost-answers: the next 3 refreshes, within its 20 s
RECOVERY = {"node": 15, "postgres": 10, "provider": 8}  # seconds left after a fault before its group's next one
RESTART_ESTIMATE = 25  # seconds a killed node takes to serve again, for planning
WARMUP = 15
APART = {"pg-freeze", "provider-503", "provider-reset", "lost-answers"}  # never two of these at once
PROBE_FAILED = r"Health probe: the durable token store does not answer"


@dataclass
class Fault:
    kind: str
    planned: float           # seconds after the phase began
    node: int = None         # the victim of a node fault
    account: str = None      # the account a provider fault force-rotates
    started: float = None    # epoch seconds
    ended: float = None
    notes: list = field(default_factory=list)

    @property
    def group(self):
        return KINDS[self.kind][0]

    @property
    def seconds(self):
        return KINDS[self.kind][1]

    def describe(self):
        what = {"kill": "kill -9 node %(n)s, restart after %(s)d s", "freeze": "SIGSTOP node %(n)s for %(s)d s",
                "partition": "partition node %(n)s for %(s)d s", "pg-stop": "PostgreSQL stopped for %(s)d s",
                "pg-freeze": "PostgreSQL frozen (SIGSTOP) for %(s)d s", "provider-503": "provider answers 503 for %(s)d s",
                "provider-reset": "provider resets connections before reading for %(s)d s",
                "lost-answers": "provider loses the answers of the next %(k)d refreshes (at most %(s)d s)"}[self.kind]
        return what % {"n": self.node, "s": self.seconds, "k": LOST_ANSWERS}


def plan(kinds, accounts, rng, budget):
    """The schedule of a phase drawn with rng (a seeded random.Random): [Fault] by planned time,
    drawn again until its faults should be over within budget seconds (the check's time limit)."""
    while True:
        faults = draw(kinds, accounts, rng)
        if max((planned_end(f) for f in faults), default=0) <= budget:
            return faults


def planned_end(f):
    return f.planned + f.seconds + (RESTART_ESTIMATE if f.kind == "kill" else 0)


def draw(kinds, accounts, rng):
    """One schedule: the kinds shuffled, each after the previous one or with it, none before its
    group (and for the APART kinds, the other APART kinds) is free."""
    faults, t, free = [], WARMUP, {}
    rotated = rng.sample(accounts, len(accounts))  # a different account for each provider fault
    for kind in rng.sample(kinds, len(kinds)):
        group, seconds = KINDS[kind]
        keys = [group] + (["apart"] if kind in APART else [])
        start = max([t] + [free.get(k, 0) for k in keys])
        faults.append(Fault(kind, round(start, 1), rng.randint(1, 3) if group == "node" else None,
                            rotated.pop() if group == "provider" else None))
        for k in keys:
            free[k] = planned_end(faults[-1]) + RECOVERY[group]
        t = start + (rng.uniform(2, 6) if rng.random() < 0.5 else seconds + rng.uniform(4, 10))
    return sorted(faults, key=lambda f: f.planned)


class Nemesis:
    """Runs a schedule against the cluster, PostgreSQL and the double."""

    def __init__(self, cluster, postgres, double, api, children, clock):
        self.cluster, self.postgres, self.double, self.api = cluster, postgres, double, api
        self.children, self.clock = children, clock
        self.apart = threading.Lock()  # held by an APART fault while it runs
        self.errors = []

    def run(self, faults):
        groups = {}
        for f in faults:
            groups.setdefault(f.group, []).append(f)
        threads = [threading.Thread(target=self.run_group, args=(g,), daemon=True) for g in groups.values()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self.errors:
            raise RuntimeError("; ".join(self.errors))

    def run_group(self, faults):
        ready_at = 0.0
        for f in faults:
            time.sleep(max(0.0, self.clock.t0 + f.planned - time.time(), ready_at - time.time()))
            if self.children.closed:
                return
            try:
                self.apply(f)
                self.recover(f)
            except Exception as e:  # a fault that cannot be applied or undone ends the check
                self.errors.append("%s: %s" % (f.describe(), e))
                return
            ready_at = time.time() + RECOVERY[f.group]

    def apply(self, f):
        if f.kind in APART:
            with self.apart:
                self.apply_now(f)
        else:
            self.apply_now(f)

    def apply_now(self, f):
        f.started = time.time()
        getattr(self, f.kind.replace("-", "_"))(f)
        f.ended = time.time()

    def note(self, f, text):
        f.notes.append(text)
        self.clock.log(text)

    def recover(self, f):
        if f.group == "node":
            whole = wait_until(lambda: all(n.members() == 3 for n in self.cluster.nodes), 60)
            self.note(f, "cluster of three again after node %d's %s" % (f.node, f.kind) if whole
                      else "the cluster is not whole 60 s after node %d's %s" % (f.node, f.kind))

    def victim(self, f):
        return self.cluster.nodes[f.node - 1]

    # --- the faults --------------------------------------------------------------------------
    def kill(self, f):
        node = self.victim(f)
        pid = node.proc.pid
        self.cluster.kill(node)
        self.note(f, "kill -9 node %d (pid %d)" % (node.index, pid))
        time.sleep(f.seconds)
        started = time.time()
        attempts = self.cluster.restart(node)
        self.note(f, "node %d serves again %.1f s after its restart (%d start%s)"
                  % (node.index, time.time() - started, attempts, "" if attempts == 1 else "s"))

    def freeze(self, f):
        node = self.victim(f)
        self.children.signal(node.proc.pid, signal.SIGSTOP)
        self.note(f, "SIGSTOP node %d (pid %d)" % (node.index, node.proc.pid))
        time.sleep(f.seconds)
        self.children.signal(node.proc.pid, signal.SIGCONT)
        self.note(f, "SIGCONT node %d" % node.index)

    def partition(self, f):
        node = self.victim(f)
        try:
            partition.cut(node, [n for n in self.cluster.nodes if n is not node])
            self.note(f, "node %d cut off (iptables on lo, uid %d)" % (node.index, node.uid))
            time.sleep(f.seconds)
            dropped = partition.dropped()
        finally:
            partition.heal()
        self.note(f, "partition of node %d healed, %d packets dropped" % (node.index, dropped))

    def pg_stop(self, f):
        self.postgres.stop()
        self.note(f, "PostgreSQL stopped (fast shutdown)")
        time.sleep(f.seconds)
        self.postgres.start()
        self.note(f, "PostgreSQL started again")

    def pg_freeze(self, f):
        stopped, total = self.postgres.freeze()
        self.note(f, "PostgreSQL frozen: %d of %d processes stopped" % (stopped, total))
        time.sleep(f.seconds)
        self.postgres.thaw()
        self.note(f, "PostgreSQL thawed")

    def provider_503(self, f):
        self.provider_window(f, "unavailable")

    def provider_reset(self, f):
        self.provider_window(f, "reset")

    def provider_window(self, f, fault):
        self.double.control(fault, seconds=f.seconds)
        self.note(f, "provider fault %s on for %d s" % (fault, f.seconds))
        self.force_rotation(f)
        time.sleep(f.seconds)
        self.double.control("none")
        self.note(f, "provider fault %s off" % fault)

    def lost_answers(self, f):
        self.double.control("lost-answer", seconds=f.seconds, count=LOST_ANSWERS)
        self.note(f, "provider loses the answers of the next %d refreshes" % LOST_ANSWERS)
        self.force_rotation(f)
        wait_until(lambda: self.double.stats()["faults"]["current"] is None, f.seconds, 1)
        self.double.control("none")
        lost = self.double.stats()["faults"]["applied"]["lost-answer"]
        self.note(f, "provider answers again (%d answers lost so far this phase)" % lost)

    def force_rotation(self, f):
        """In the background (a node or the store may be slow to answer): POST /v1/tokens/{p}/refresh
        for the fault's account, node after node like the client (on no answer or a 5xx: a node cut
        off answers 503 without calling the provider), noting what they said."""
        def rotate():
            answers = []
            for node in self.cluster.nodes:
                try:
                    status, body = self.api.force_refresh(node, f.account, timeout=5)
                except Unreachable as e:
                    answers.append("node %d %s" % (node.index, e.kind))
                    continue
                answers.append("node %d %s" % (node.index, "v%s" % body.get("version") if status == 200
                                                else "%s %s" % (status, body.get("error"))))
                if status < 500:
                    break
            self.note(f, "forced rotation of %s: %s" % (f.account, ", ".join(answers)))
        threading.Thread(target=rotate, daemon=True).start()


def evidence(f, cluster, load, stats):
    """(seen, text): the trace the fault left in the nodes' logs, the client's view or the double."""
    t0, t1 = f.started, (f.ended or time.time()) + 5
    if f.group == "node":
        others = [n for n in cluster.nodes if n.index != f.node]
        shrunk = [n.index for n in others if logs.matching(n.log_path, r"Members \{size:2", t0, t1)]
        text = "nodes %s logged a cluster of 2" % shrunk if shrunk else "no other node logged a cluster of 2"
        if f.kind == "kill":
            return bool(shrunk), text + "; " + next((n for n in f.notes if "serves again" in n), "never served again")
        if f.kind == "freeze":
            timeouts = load.failed_attempts(f.node, t0, t1).count("timeout")
            return timeouts > 0, "%d client timeouts on node %d; %s" % (timeouts, f.node, text)
        alone = logs.matching(cluster.nodes[f.node - 1].log_path, r"Members \{size:1", t0, t1)
        return bool(shrunk and alone), "%s; node %d %s; %s" % (
            text, f.node, "logged a cluster of 1" if alone else "never logged a cluster of 1",
            next((n for n in f.notes if "dropped" in n), "not healed"))
    if f.group == "postgres":
        probes = sum(1 for n in cluster.nodes if logs.matching(n.log_path, PROBE_FAILED, t0, t1))
        return probes > 0, "%d nodes logged a failed store health probe" % probes + (
            "; " + f.notes[0] if f.kind == "pg-freeze" else "")
    kind = {"provider-503": "unavailable", "provider-reset": "reset", "lost-answers": "lost-answer"}[f.kind]
    hits = [e for e in stats["faults"]["events"] if e["kind"] == kind and t0 - 1 <= e["t"] <= t1]
    return bool(hits), "%d token calls hit (%s)" % (len(hits), kind)
