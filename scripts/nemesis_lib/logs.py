"""The nodes' logs: lines within a time window (each record starts with its local time, as the
generated logging.properties says; continuation lines belong to the record above), and tails."""
import re
import time

STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ")


def records(path):
    """[(epoch second, line)], continuation lines with the time of the record they follow."""
    out, t = [], 0.0
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = STAMP.match(line)
                if m:
                    t = time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S"))
                out.append((t, line.rstrip("\n")))
    except OSError:
        pass
    return out


def matching(path, pattern, t0=0.0, t1=float("inf")):
    """[(t, line)] of the lines matching pattern (a regex) logged from t0 to t1 (whole seconds)."""
    rx = re.compile(pattern)
    return [(t, line) for t, line in records(path) if int(t0) <= t <= t1 and rx.search(line)]


def tail(path, n):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()[-n:]
    except OSError:
        return []
