"""Every process the check starts, so that all of them end with it: on success, failure or Ctrl-C."""
import os
import signal
import subprocess
import threading
import time


class Children:
    def __init__(self):
        self.lock = threading.Lock()
        self.procs = []          # [(name, Popen, stop signal)]
        self.frozen = set()      # pids that got SIGSTOP and no SIGCONT yet
        self.closed = False      # after cleanup nothing starts any more (a fault thread may still be running)

    def spawn(self, name, argv, log_path, cwd=None, env=None, user=None, stop_signal=signal.SIGTERM):
        """Starts argv (as uid/gid `user` when given) with its output appended to log_path."""
        if self.closed:
            raise RuntimeError("the check is ending: %s is not started" % name)
        with open(log_path, "ab") as out:
            uid, gid = user if user else (None, None)
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    cwd=cwd, env=env, user=uid, group=gid, extra_groups=[] if user else None,
                                    start_new_session=True)  # Ctrl-C reaches the check only; it ends them in order
        with self.lock:
            self.procs.append((name, proc, stop_signal))
        return proc

    def signal(self, pid, sig):
        """Sends sig, remembering SIGSTOP/SIGCONT so that a frozen process is thawed before it is stopped."""
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        with self.lock:
            if sig == signal.SIGSTOP:
                self.frozen.add(pid)
            elif sig == signal.SIGCONT:
                self.frozen.discard(pid)

    def stop(self, *procs, timeout=30.0):
        """Ends these children with their stop signals, all at once, SIGKILL after timeout seconds;
        returns their exit codes."""
        with self.lock:
            signals = {id(p): sig for _, p, sig in self.procs}
        for proc in procs:
            if proc.poll() is None:
                self.signal(proc.pid, signals.get(id(proc), signal.SIGTERM))
        deadline = time.time() + timeout
        for proc in procs:
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            self.forget(proc)
        return [proc.returncode for proc in procs]

    def forget(self, proc):
        with self.lock:
            self.procs = [e for e in self.procs if e[1] is not proc]

    def cleanup(self):
        """Thaws what is frozen, then stops every child still running (SIGKILL after 15 s)."""
        self.closed = True
        with self.lock:
            frozen, procs = list(self.frozen), [p for _, p, _ in self.procs]
        for pid in frozen:
            self.signal(pid, signal.SIGCONT)
        self.stop(*procs, timeout=15)


def interrupt_as_exit():
    """SIGINT and SIGTERM end the check through its finally blocks (the cleanup runs)."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
