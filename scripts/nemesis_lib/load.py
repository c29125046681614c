"""The steady client of a phase: GET /v1/tokens/{p}?account= round-robin over the accounts, each
request first to the next node in turn; a refused connection, a timeout (a frozen node hangs) or a
5xx moves it on to the next node, each node at most once. Every 200's access token is checked at
the provider double, which with Doorkeeper semantics is also its use."""
import threading
import time
from collections import Counter

from .util import Unreachable

WORKERS = 2
PAUSE = 0.1             # between two requests of a worker
ATTEMPT_TIMEOUT = 2.5   # per node
LOST_ACCOUNT = "HTTP 401 authorization_required"  # what a lost account answers on every node


class Load:
    def __init__(self, api, double, nodes, accounts):
        self.api, self.double, self.nodes, self.accounts = api, double, nodes, accounts
        self.lock = threading.Lock()
        self.next = 0
        self.requests = 0
        self.valid = 0
        self.refused = []        # [(t, account, node, reason, version)]: 200s with a token the double refuses
        self.failures = Counter()  # how the requests that got no valid token ended
        self.examples = {}       # failure kind -> (t, account, detail) of its first occurrence
        self.attempt_failures = []  # [(t, node index, kind)] every attempt that moved on, for the faults' evidence
        self.failed_at = []      # [(start time, kind)] of the requests that got no valid token
        self.failovers = 0       # valid answers that came from a node after the first
        self.slowest = 0.0
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.work, daemon=True) for _ in range(WORKERS)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join()

    def work(self):
        while not self.stopping.is_set():
            with self.lock:
                n = self.next
                self.next += 1
            self.one(self.accounts[n % len(self.accounts)], (n // len(self.accounts)) % len(self.nodes))
            self.stopping.wait(PAUSE)

    def one(self, account, first):
        started = time.time()
        tried = []
        for k in range(len(self.nodes)):
            node = self.nodes[(first + k) % len(self.nodes)]
            kind, detail = self.attempt(node, account)
            if kind in ("valid", "refused") or not moves_on(kind):
                break
            tried.append(kind)
            with self.lock:
                self.attempt_failures.append((time.time(), node.index, kind))
        with self.lock:
            self.requests += 1
            self.slowest = max(self.slowest, time.time() - started)
            if kind == "valid":
                self.valid += 1
                self.failovers += bool(tried)
                return
            self.failed_at.append((started, kind))
            if kind == "refused":
                self.refused.append((started, account, node.index) + detail)
            else:
                key = " / ".join(sorted(set(tried + [kind])))
                self.failures[key] += 1
                self.examples.setdefault(key, (started, account, detail))

    def attempt(self, node, account):
        """('valid'|'refused'|'timeout'|'refused connection'|'reset'|'HTTP <status> <error>', detail)."""
        try:
            status, body = self.api.token(node, account, ATTEMPT_TIMEOUT)
        except Unreachable as e:
            return ("refused connection" if e.kind == "refused" else e.kind), str(e)[:120]
        if status != 200 or "access_token" not in body:
            return "HTTP %s %s" % (status, body.get("error", "?")), str(body.get("error_description", ""))[:160]
        try:
            verdict = self.double.check(body["access_token"])
        except Unreachable as e:
            return "no answer from the double's /check", str(e)[:120]
        if verdict["valid"]:
            return "valid", None
        return "refused", (verdict["reason"], body.get("version"))

    def summary(self):
        with self.lock:
            return {"requests": self.requests, "valid": self.valid, "refused": list(self.refused),
                    "failures": Counter(self.failures), "examples": dict(self.examples),
                    "failovers": self.failovers, "slowest": self.slowest}

    def failed_between(self, t0, t1):
        """How many requests started from t0 to t1 got no valid token: (all, those of lost accounts)."""
        with self.lock:
            kinds = [kind for t, kind in self.failed_at if t0 <= t <= t1]
        return len(kinds), kinds.count(LOST_ACCOUNT)

    def failed_attempts(self, node_index, t0, t1):
        with self.lock:
            return [kind for t, n, kind in self.attempt_failures if n == node_index and t0 <= t <= t1]


def moves_on(kind):
    """A refused connection, a timeout, a reset or a 5xx: the next node is asked."""
    return kind in ("timeout", "refused connection", "reset") or kind.startswith("HTTP 5")
