"""PostgreSQL from Debian (/usr/lib/postgresql/*/bin) in a data directory of the run, as a non-root
user (initdb refuses root), listening on 127.0.0.1 only: started, stopped, frozen and thawed."""
import glob
import os
import pwd
import signal
import subprocess
import time

from .util import LOOPBACK, wait_until

DATABASE = "tokenbroker"
USER = "nemesis"


def bin_dir():
    """The newest installed PostgreSQL's bin directory, or None."""
    dirs = glob.glob("/usr/lib/postgresql/*/bin")
    return max(dirs, key=lambda d: int(d.split("/")[-2])) if dirs else None


def os_user():
    """The account PostgreSQL runs as: postgres (Debian's package creates it), else nobody."""
    for name in ("postgres", "nobody"):
        try:
            p = pwd.getpwnam(name)
            return p.pw_uid, p.pw_gid
        except KeyError:
            continue
    raise SystemExit("no postgres or nobody account to run PostgreSQL as")


def child_pids(parent):
    """The pids whose parent is `parent` (PostgreSQL's backends and helpers under the postmaster)."""
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            out.append(int(stat.split("/")[2]))
    return out


def process_state(pid):
    """R, S, T (stopped) ... from /proc, or None when gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


class Postgres:
    def __init__(self, run_dir, port, password, children):
        self.dir = os.path.join(run_dir, "postgres")
        self.data = os.path.join(self.dir, "data")
        self.log_path = os.path.join(run_dir, "postgres.log")
        self.port = port
        self.password = password
        self.children = children
        self.bin = bin_dir()
        self.user = os_user()
        self.proc = None
        self.frozen = []

    @property
    def url(self):
        return "postgresql://%s:%d/%s" % (LOOPBACK, self.port, DATABASE)

    def init(self):
        """initdb with a password-protected superuser, as the PostgreSQL account."""
        os.makedirs(self.dir)
        os.chown(self.dir, *self.user)
        pwfile = os.path.join(self.dir, "pwfile")
        with open(pwfile, "w") as f:
            f.write(self.password + "\n")
        os.chown(pwfile, *self.user)
        subprocess.run([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", USER, "--pwfile", pwfile,
                        "--auth", "scram-sha-256", "-E", "UTF8", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL, cwd=self.dir, user=self.user[0], group=self.user[1],
                       extra_groups=[])
        os.remove(pwfile)

    def start(self, timeout=30):
        self.proc = self.children.spawn("postgres", [
            os.path.join(self.bin, "postgres"), "-D", self.data, "-c", "listen_addresses=" + LOOPBACK,
            "-c", "port=%d" % self.port, "-c", "unix_socket_directories=" + self.dir,
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=60"], self.log_path, cwd=self.dir, user=self.user, stop_signal=signal.SIGINT)
        if not wait_until(self.ready, timeout):
            raise RuntimeError("PostgreSQL did not start within %d s (see %s)" % (timeout, self.log_path))

    def ready(self):
        return subprocess.run([os.path.join(self.bin, "pg_isready"), "-q", "-h", LOOPBACK, "-p", str(self.port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

    def create_database(self):
        env = dict(os.environ, PGPASSWORD=self.password)
        subprocess.run([os.path.join(self.bin, "createdb"), "-h", LOOPBACK, "-p", str(self.port), "-U", USER, DATABASE],
                       check=True, env=env)

    def stop(self):
        """Fast shutdown (SIGINT): clients are disconnected, the port closes."""
        if self.proc is not None:
            self.children.stop(self.proc)
            self.proc = None

    def freeze(self):
        """SIGSTOP to the postmaster and every backend: connections stay open, nothing answers."""
        self.frozen = [self.proc.pid] + child_pids(self.proc.pid)
        for pid in self.frozen:
            self.children.signal(pid, signal.SIGSTOP)
        time.sleep(0.2)
        return sum(1 for pid in self.frozen if process_state(pid) == "T"), len(self.frozen)

    def thaw(self):
        for pid in self.frozen:
            self.children.signal(pid, signal.SIGCONT)
        self.frozen = []
