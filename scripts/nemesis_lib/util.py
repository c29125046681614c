"""Printing, HTTP on 127.0.0.1, free ports and waiting: what every other module uses."""
import http.client
import random
import socket
import time
import urllib.parse

LOOPBACK = "127.0.0.1"


def log(message):
    print("[nemesis] " + message, flush=True)


class Unreachable(OSError):
    """No HTTP answer: kind is refused, timeout or reset (closed or reset before a complete answer)."""

    def __init__(self, kind, detail):
        super().__init__("%s: %s" % (kind, detail))
        self.kind = kind


def request(url, method="GET", headers=None, body=None, timeout=5.0):
    """One HTTP request to 127.0.0.1 (never anywhere else), no redirects: (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname != LOOPBACK:
        raise ValueError("only http://127.0.0.1 is used here, not " + url.split("?")[0])
    path = parts.path + ("?" + parts.query if parts.query else "")
    conn = http.client.HTTPConnection(LOOPBACK, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except ConnectionRefusedError as e:
        raise Unreachable("refused", e) from None
    except socket.timeout as e:
        raise Unreachable("timeout", e) from None
    except (ConnectionError, http.client.HTTPException, OSError) as e:
        raise Unreachable("reset", e) from None
    finally:
        conn.close()


def free_ports(n):
    """n distinct TCP ports free on 127.0.0.1 right now, below the kernel's ephemeral range: a node,
    PostgreSQL or the double started again finds its port still free (no outgoing connection takes it)."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        ephemeral = int(f.read().split()[0])
    sockets = []
    try:
        for port in random.sample(range(10000, ephemeral), ephemeral - 10000):
            s = socket.socket()
            try:
                s.bind((LOOPBACK, port))
            except OSError:
                s.close()
                continue
            sockets.append(s)
            if len(sockets) == n:
                return [s.getsockname()[1] for s in sockets]
        raise RuntimeError("fewer than %d free ports on %s below %d" % (n, LOOPBACK, ephemeral))
    finally:
        for s in sockets:
            s.close()


def wait_until(predicate, timeout, interval=0.5):
    """Calls predicate until it returns something true (returned) or timeout seconds pass (None)."""
    deadline = time.time() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.time() >= deadline:
            return None
        time.sleep(interval)


class Clock:
    """Seconds since a phase began, for the timeline the check prints."""

    def __init__(self):
        self.t0 = time.time()

    def rel(self, t=None):
        return (time.time() if t is None else t) - self.t0

    def log(self, message):
        log("%+7.1f s  %s" % (self.rel(), message))
