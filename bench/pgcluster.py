"""A private PostgreSQL cluster for a benchmark, the way Tests/lib/postgres.sh makes one for the tests: initdb as the
`postgres` system user (initdb refuses root) in a temporary folder, trust authentication, listening on a Unix socket
in that folder only (listen_addresses = '': no TCP port, not one packet on any network), stopped and removed by
stop(), which is safe to call at any point of start() and more than once.

    cluster = PostgresCluster()
    try:
        cluster.start()
        cluster.create_database("rb_1", owner="rackboot")
        cluster.query("rb_1", "SELECT 1", user="rackboot")   # -> [["1"]]
    finally:
        cluster.stop()
"""
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time


def pg_bin():
    """The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin), or None."""
    folders = [f for f in glob.glob("/usr/lib/postgresql/*/bin") if os.path.isfile(os.path.join(f, "initdb"))]
    folders.sort(key=lambda f: [int(n) for n in re.findall(r"\d+", f)])
    return folders[-1] if folders else None


class PostgresCluster:
    def __init__(self, parent="/var/tmp", max_connections=50):
        self.parent = parent
        self.max_connections = max_connections
        self.bin = pg_bin()
        self.dir = None
        self.postmaster_pid = None

    @property
    def socket_dir(self):
        return self.dir

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    def _as_postgres(self, *command, **kwargs):
        return subprocess.run(["runuser", "-u", "postgres", "--"] + list(command), **kwargs)

    def start(self):
        if not self.bin:
            raise RuntimeError("no PostgreSQL server (Debian package postgresql)")
        self.dir = tempfile.mkdtemp(prefix="rackboot-pg.", dir=self.parent)
        os.chmod(self.dir, 0o755)
        shutil.chown(self.dir, "postgres", "postgres")
        with open(os.path.join(self.dir, "initdb.log"), "w") as log:
            done = self._as_postgres(os.path.join(self.bin, "initdb"), "-D", self.data, "-A", "trust", "-U",
                                     "postgres", "--no-sync", stdout=log, stderr=subprocess.STDOUT)
        if done.returncode != 0:
            raise RuntimeError("initdb failed: %s" % open(os.path.join(self.dir, "initdb.log")).read()[-2000:])
        done = self._as_postgres(
            os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w",
            "-t", "30", "-o", "-k %s -c listen_addresses='' -c max_connections=%d" % (self.dir, self.max_connections),
            "start", stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.postmaster_pid = self._read_postmaster_pid()
        if done.returncode != 0:
            raise RuntimeError("PostgreSQL did not start: %s" % self.server_log()[-2000:])
        return self

    def _read_postmaster_pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def server_log(self):
        try:
            with open(os.path.join(self.dir, "server.log")) as f:
                return f.read()
        except OSError:
            return ""

    def version(self):
        return subprocess.run([os.path.join(self.bin, "postgres"), "--version"], capture_output=True,
                              text=True).stdout.strip()

    def psql(self, database, sql, user="postgres", check=True):
        """Runs `sql` (one or more statements) in `database` as `user`; returns psql's unaligned, tuples-only
        output (fields separated by |)."""
        out = subprocess.run(["psql", "-h", self.dir, "-U", user, "-d", database, "-X", "-A", "-t", "-q",
                              "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
        if check and out.returncode != 0:
            raise RuntimeError("psql %s: %s: %s" % (database, sql, out.stderr.strip()))
        return out.stdout

    def query(self, database, sql, user="postgres"):
        return [line.split("|") for line in self.psql(database, sql, user).splitlines() if line]

    def ensure_role(self, role):
        if not self.query("postgres", "SELECT 1 FROM pg_roles WHERE rolname = '%s'" % role):
            self.psql("postgres", 'CREATE ROLE "%s" LOGIN' % role)

    def create_database(self, name, owner):
        """A new, empty database `name` owned by `owner` (a login role, created when missing)."""
        self.ensure_role(owner)
        self.psql("postgres", 'CREATE DATABASE "%s" OWNER "%s"' % (name, owner))

    def drop_database(self, name):
        # WITH (FORCE): a connection its server left behind must not keep the database (PostgreSQL 13+).
        self.psql("postgres", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name, check=False)

    def cpu_seconds(self):
        """User + system CPU so far of the postmaster's child processes (backends, WAL writer, checkpointer...)."""
        if not self.postmaster_pid:
            return float("nan")
        total = 0.0
        try:
            with open("/proc/%d/task/%d/children" % (self.postmaster_pid, self.postmaster_pid)) as f:
                children = [int(p) for p in f.read().split()]
        except OSError:
            return float("nan")
        for pid in children + [self.postmaster_pid]:
            try:
                with open("/proc/%d/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                pass
        return total

    def stop(self):
        """Fast shutdown, then SIGKILL to the postmaster's PID if it is still there, then removes the folder."""
        if not self.dir:
            return
        pid = self._read_postmaster_pid() or self.postmaster_pid
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._as_postgres(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "-t", "30",
                              "stop", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if pid and _alive_postgres(pid):
            children = []
            try:
                with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                    children = [int(p) for p in f.read().split()]
            except OSError:
                pass
            for victim in [pid] + children:
                try:
                    os.kill(victim, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 10
            while _alive_postgres(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
        self.postmaster_pid = None


def _alive_postgres(pid):
    """Whether `pid` is still a postgres process (not a zombie, not a reused PID of something else)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
    except OSError:
        return False
    name = text[text.index("(") + 1:text.rindex(")")]
    state = text.rsplit(")", 1)[1].split()[0]
    return name.startswith("postgres") and state != "Z"
