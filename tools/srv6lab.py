"""Python handle on the netns SRv6 fabric of tools/lab, for end-to-end tests.

    from srv6lab import Lab
    with Lab.unique() as lab:           # tools/lab up with a prefix of its own
        lab.ping("h1", "h2")            # -> (sent, received)
        before = lab.counters()         # {"spine1": rx packets, "spine2": ...}
        lab.run("h1", "ip", "-6", "route", "add", ...)
        lab.run("h1", lab.root / "build/loader/srv6steer", "attach", "eth0")
        lab.host_decap("h2")              # h2 terminates fcbb:0:e002::/48 itself (XDP)
        lab.cut("spine2", "leaf00")       # that link loses every packet; lab.restore(...)

Everything runs through tools/lab, so the tests and a human at the shell see
the same fabric. Commands run in a node's *network* namespace only
(nsenter --net), so /sys/fs/bpf stays the host's bpffs.
"""
import json
import os
import pwd
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "tools" / "lab"
ROCE = ROOT / "tools" / "roce"
GLOO_JOB = ROOT / "tools" / "gloo_job.py"
TCP_XFER = ROOT / "tools" / "tcp_xfer.py"

SPINES = ("spine1", "spine2")
LEAVES = ("leaf00", "leaf01", "leaf02")
HOSTS = ("h1", "h2", "h3", "h4")
NODES = SPINES + LEAVES + HOSTS
HOST_LEAF = {"h1": "leaf00", "h2": "leaf02", "h3": "leaf02", "h4": "leaf01"}
USID = {"spine1": 0x1001, "spine2": 0x1002, "leaf00": 0x1004, "leaf01": 0x1005, "leaf02": 0x1006,
        "h1": 0xe001, "h2": 0xe002, "h3": 0xe003, "h4": 0xe004}
DECAP = {6: 0xfe06, 4: 0xfe04}      # uDT6 / uDT4, at the leaves and (host-decap) the hosts
SRV6STEER = Path(os.environ.get("SRV6STEER_BIN", ROOT / "build" / "loader" / "srv6steer"))

_PING = re.compile(r"(\d+) packets transmitted, (\d+) received")


def host_addr(host, v=6):
    """fcbb:0:800:N::10 or 10.0.N.10 for hN."""
    n = int(host[1:])
    return f"fcbb:0:800:{n}::10" if v == 6 else f"10.0.{n}.10"


def host_prefix(host, v=6):
    n = int(host[1:])
    return f"fcbb:0:800:{n}::/64" if v == 6 else f"10.0.{n}.0/24"


_DOOMED = []        # labs to take down if the process is told to stop


def down_on_signal(lab):
    """Takes lab down should the process get one of the signals of
    stop_on_signals() (a test run killed by ctest's timeout, Ctrl-C)."""
    _DOOMED.append(lab)
    return lab


def _stop(signum, _frame):
    print(f"\n{Path(sys.argv[0]).name}: signal {signum}, removing the lab", file=sys.stderr)
    for lab in _DOOMED:
        lab.down()
    os._exit(128 + signum)


def stop_on_signals(*signums):
    for s in signums or (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, _stop)


def stop(proc, timeout=10):
    """Ends a process started with Lab.popen: SIGTERM, then SIGKILL if it has
    not exited within timeout s; reaped either way."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_until(predicate, timeout, what):
    """Bounded wait for an observable event: returns predicate()'s first true
    value, polled every 50 ms; raises TimeoutError naming `what` after timeout s."""
    end = time.monotonic() + timeout
    while True:
        got = predicate()
        if got:
            return got
        if time.monotonic() >= end:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def read_until(proc, pattern, timeout, what):
    """Lines of proc's stdout up to and including the first that matches the
    regular expression pattern; TimeoutError after timeout s, RuntimeError if
    the process ends first. Reads the pipe itself (no buffered lines hide
    from select); what follows the match stays for the next call."""
    fd = proc.stdout.fileno()
    pending = getattr(proc, "_pending", b"")
    lines, end = [], time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    try:
        while True:
            while b"\n" in pending:
                raw, pending = pending.split(b"\n", 1)
                line = raw.decode(errors="replace") + "\n"
                lines.append(line)
                if re.search(pattern, line):
                    proc._pending = pending
                    return lines
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{what}: not within {timeout} s; got {lines}")
            if not sel.select(left):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError(f"{what}: the process ended first; got {lines}")
            pending += chunk
    finally:
        proc._pending = pending
        sel.close()


def drain(proc):
    """Reads the rest of proc's stdout in the background, so that it never
    blocks on a full pipe; the thread ends with the process."""
    def run():
        while os.read(proc.stdout.fileno(), 65536):
            pass
        proc.stdout.close()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _path(nodes, v):
    return ",".join(f"{u:x}" for u in [USID[n] for n in nodes] + ([DECAP[v]] if v else []))


def leaf_path(src, spine, dst, v=None):
    """uSIDs from host src's leaf through spine to host dst's leaf, for a
    plan of srv6steer.plan (the decap function follows the family):
    leaf_path("h1", "spine2", "h2") -> "1004,1002,1006"; with v (6 or 4) the
    leaf's decap function too, for `srv6steer path add --usids`:
    leaf_path("h1", "spine2", "h2", 6) -> "1004,1002,1006,fe06"."""
    return _path((HOST_LEAF[src], spine, HOST_LEAF[dst]), v)


def host_path(src, spine, dst, v=None):
    """The host-terminated twin of leaf_path: dst's leaf shifts to dst's own
    uSID e00N and routes it to dst, whose receive side (Lab.host_decap)
    decapsulates: host_path("h1", "spine2", "h2", 6) -> "1004,1002,1006,e002,fe06"."""
    return _path((HOST_LEAF[src], spine, HOST_LEAF[dst], dst), v)


def host_container(src, spine, dst, v=6):
    """host_path as one reduced container: host_container("h1", "spine2", "h2")
    -> 'fcbb:0:1004:1002:1006:e002:fe06::' (for a kernel seg6 route)."""
    return container(*(int(u, 16) for u in host_path(src, spine, dst, v).split(",")))


def gloo_plan(ranks, spine_of):
    """A plan (srv6steer.plan's file form) for {rank: host}: every directed
    pair of ranks on two hosts through the spine spine_of(src, dst) names."""
    pairs = [{"src": s, "dst": d, "path": leaf_path(ranks[s], spine_of(s, d), ranks[d])}
             for s in sorted(ranks) for d in sorted(ranks) if ranks[s] != ranks[d]]
    return {"version": 1, "world_size": len(ranks), "pairs": pairs}


def _fmix32(h):
    h ^= h >> 16
    h = (h * 0x85ebca6b) & 0xffffffff
    h ^= h >> 13
    h = (h * 0xc2b2ae35) & 0xffffffff
    return h ^ (h >> 16)


def _murmur3_32(data, seed):
    rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & 0xffffffff  # noqa: E731
    scramble = lambda k: (rotl((k * 0xcc9e2d51) & 0xffffffff, 15) * 0x1b873593) & 0xffffffff  # noqa: E731
    h, n = seed, len(data) // 4
    for i in range(n):
        h = (rotl(h ^ scramble(int.from_bytes(data[4 * i:4 * i + 4], "little")), 13) * 5 + 0xe6546b64) & 0xffffffff
    tail = data[4 * n:]
    if tail:
        h ^= scramble(int.from_bytes(tail, "little"))
    return _fmix32(h ^ len(data))


def flow_hash(proto, src, sport, dst, dport):
    """A flow's hash, from the definitions in the comments of
    include/srv6steer/flowhash.h and bpf/lib/classify.h, not from that code
    (testing/flowhash_reference.hpp is the C++ twin): MurmurHash3_x86_32,
    seed 0x5256365f, of struct srv6s_flow_key (16-byte addresses, IPv4 as
    ::ffff:a.b.c.d, ports in host order, the protocol, 3 bytes of padding).
    Its top four bits are the flow's congestion rank (docs/design.md §17)."""
    import ipaddress
    import struct
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if a.version != b.version:
        raise ValueError("addresses of two families")
    pad = (lambda x: x.packed) if a.version == 6 else (lambda x: bytes(10) + b"\xff\xff" + x.packed)  # ::ffff:a.b.c.d
    key = pad(a) + pad(b) + struct.pack("<HHB3x", sport, dport, {"tcp": 6, "udp": 17}[proto])
    return _murmur3_32(key, 0x5256365f)


def set_home(proto, src, sport, dst, dport, n):
    """Index (0 .. n-1) in a set of n paths of the path a flow takes while
    all are up (its home path): draw 0 = fmix32(flow_hash) % n.
    set_home("tcp", "fcbb:0:800:1::10", 40001, "fcbb:0:800:2::10", 5301, 2)."""
    return _fmix32(flow_hash(proto, src, sport, dst, dport)) % n


class NetDev:
    """A node's interface counters, read from /proc/PID/net/dev of a process
    sleeping in its network namespace (no process per read: fast enough to
    sample every few ms). close() (or with) ends the process."""

    def __init__(self, lab, node):
        self.proc = lab.popen(node, "sleep", "infinity", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.path = f"/proc/{self.proc.pid}/net/dev"
        # nsenter execs sleep in the same process once it has switched the
        # namespace: until then the file shows the caller's interfaces.
        wait_until(lambda: os.readlink(f"/proc/{self.proc.pid}/exe").endswith("/sleep"), 5, f"sleep in {node}")

    def read(self):
        """{ifname: {"rx_bytes", "rx_packets", "tx_bytes", "tx_packets"}}."""
        out = {}
        with open(self.path) as f:
            for line in f.readlines()[2:]:
                name, rest = line.split(":", 1)
                v = [int(x) for x in rest.split()]
                out[name.strip()] = {"rx_bytes": v[0], "rx_packets": v[1], "tx_bytes": v[8], "tx_packets": v[9]}
        return out

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def container(*usids):
    """uSID container in the fcbb:0::/32 block: container(0x1004, 0x1002, 0x1006, 0xfe06)
    -> 'fcbb:0:1004:1002:1006:fe06::'."""
    words = ["fcbb", "0"] + [f"{u:x}" for u in usids]
    if len(words) > 8:
        raise ValueError("at most 6 uSIDs fit a container after a 32-bit block")
    return ":".join(words) + ("::" if len(words) < 8 else "")


class Lab:
    def __init__(self, prefix=None, srv6steer=None):
        self.prefix = prefix or os.environ.get("SRV6S_LAB_PREFIX", "s6s-")
        self.root = ROOT
        self.srv6steer = Path(srv6steer or SRV6STEER)   # what host-decap, status and down run

    @classmethod
    def unique(cls, tag="e", srv6steer=None):
        """A lab whose namespaces nobody else uses: '<tag><pid>-' (names stay <= 15 chars)."""
        return cls(f"{tag}{os.getpid()}-", srv6steer)

    # ---- lifecycle ---------------------------------------------------------
    def _lab(self, *args, check=True, timeout=120):
        r = subprocess.run([str(LAB), *args, "--prefix", self.prefix], capture_output=True, text=True,
                           timeout=timeout, env={**os.environ, "SRV6STEER_BIN": str(self.srv6steer)})
        if check and r.returncode != 0:
            raise RuntimeError(f"tools/lab {' '.join(args)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
        return r

    def up(self, settle=True, host_decap=False):
        """tools/lab up; host_decap: every host terminates its uSID too (host_decap())."""
        self._lab("up", *(["--host-decap"] if host_decap else []))
        if settle:
            self.settle()

    def host_decap(self, *hosts, off=False, mode=None):
        """tools/lab host-decap: hosts (default all) terminate their uSID e00N
        with srv6steer's receive side on eth0 (SIDs e00N:fe06 udt6, e00N:fe04
        udt4; mode: receive attach --mode, default auto); off: detach it."""
        self._lab("host-decap", *hosts, *(["--off"] if off else []), *(["--mode", mode] if mode else []))

    def cut(self, spine, leaf, link_down=False):
        """tools/lab cut: the spine-leaf link loses every packet both ways,
        routes untouched (link_down: both ports set down; the kernel drops
        the routes over them). Undo with restore()."""
        self._lab("cut", spine, leaf, *(["--link-down"] if link_down else []))

    def congest(self, spine, leaf, rate, ecn=False, mark_us=None, both=False):
        """tools/lab congest: spine's port towards leaf sends at most rate
        (tc units: "200mbit"), both: leaf's port towards spine too; ecn: ECT
        packets that would queue over mark_us µs (default 1000) are marked
        CE. Undo with restore()."""
        self._lab("congest", spine, leaf, "--rate", rate, *(["--ecn"] if ecn else []),
                  *(["--mark-us", str(mark_us)] if mark_us else []), *(["--both"] if both else []))

    def restore(self, spine, leaf):
        """tools/lab restore: undoes cut() and congest() of the link."""
        self._lab("restore", spine, leaf)

    def status(self):
        """tools/lab status --json (namespaces, interfaces, counters, sids,
        links, host_decap)."""
        return json.loads(self._lab("status", "--json").stdout)

    def links(self):
        """{(spine, leaf): "up" | "congested" | "cut" | "down"} as tools/lab status sees them."""
        return {(x["spine"], x["leaf"]): x["state"] for x in self.status()["links"]}

    def netdev(self, node):
        """A NetDev: node's interface counters, read without a process per read."""
        return NetDev(self, node)

    def down(self):
        return self._lab("down", check=False)

    def __enter__(self):
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(self, *exc):
        self.down()
        return False

    def namespaces(self):
        d = Path("/run/netns")
        return sorted(p.name for p in d.iterdir() if p.name.startswith(self.prefix)) \
            if d.is_dir() else []

    def ns(self, node):
        return self.prefix + node

    # ---- running things in a node -------------------------------------------
    def cmd(self, node, *argv):
        """argv that runs argv in node's network namespace (for Popen & co)."""
        return ["nsenter", f"--net=/run/netns/{self.ns(node)}", "--", *map(str, argv)]

    def run(self, node, *argv, check=True, timeout=60, input=None):
        r = subprocess.run(self.cmd(node, *argv), capture_output=True, text=True,
                           timeout=timeout, input=input)
        if check and r.returncode != 0:
            raise RuntimeError(f"[{node}] {' '.join(map(str, argv))} -> {r.returncode}\n"
                               f"{r.stdout}{r.stderr}")
        return r

    def steer(self, binary, node, *args, check=True, timeout=60):
        """`binary ARGS` (srv6steer) in node; with check, a failure is a test
        failure (AssertionError) that shows the command and its output."""
        r = self.run(node, binary, *args, check=False, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"[{node}] srv6steer {' '.join(map(str, args))} -> {r.returncode}\n"
                                 f"{r.stdout}{r.stderr}")
        return r

    def popen(self, node, *argv, **kw):
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("text", True)
        return subprocess.Popen(self.cmd(node, *argv), **kw)

    def iperf_server(self, node, port, bind, timeout=10, extra=()):
        """iperf3 -s -1 on node, bound to bind:port (plus extra arguments, e.g.
        ("-i", "0.1") for the intervals a client's --get-server-output
        returns), returned once it listens (its "Server listening" line). Its
        output is discarded."""
        p = self.popen(node, "iperf3", "-s", "-1", "-p", port, "-B", bind, "--forceflush", *extra,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            read_until(p, r"Server listening on", timeout, f"iperf3 server on {node}:{port}")
        except BaseException:
            p.kill()
            p.wait()
            raise
        drain(p)
        return p

    _MARK = "fd00:5e75:ffff::"

    def netlink_changes(self, fn, timeout=10):
        """Runs fn() and returns {node: [change, ...]}: every link change and
        every address removal fn made in the lab's namespaces, as `ip -o
        monitor` prints them. Each node's monitor is known to be listening once
        it shows a marker address added on lo before fn, and to have seen all
        that fn did once it shows a second marker added after fn: the kernel
        delivers a namespace's notifications in order. (Re-adding an existing
        address, as `ip addr replace` does, is reported by the kernel too; it
        changes nothing, so it is not a change here.)"""
        mons = {n: self.popen(n, "ip", "-o", "monitor", "link", "address") for n in NODES}

        def mark(n, i):
            addr = f"{self._MARK}{i}"
            self.run(n, "ip", "addr", "add", f"{addr}/128", "dev", "lo", "nodad")
            lines = read_until(mons[n], re.escape(addr) + "/128", timeout, f"[{n}] ip monitor")
            self.run(n, "ip", "addr", "del", f"{addr}/128", "dev", "lo")
            return lines

        try:
            for n in NODES:
                mark(n, 1)
            fn()
            changes = {}
            for n in NODES:
                seen = mark(n, 2)[:-1]   # what came between the two markers
                changes[n] = [line.strip() for line in seen
                              if self._MARK not in line
                              and (line.startswith("Deleted") or " inet" not in line)]
            return {n: c for n, c in changes.items() if c}
        finally:
            for p in mons.values():
                p.kill()
                p.wait()
                p.stdout.close()
                p.stderr.close()

    # ---- traffic --------------------------------------------------------------
    def ping(self, src, dst, v=6, count=3, interval=0.1, wait=1.0):
        """ICMP echo from src to dst (a host name or an address); returns (sent, received)."""
        args = ["ping", src, dst, f"-{v}", "-c", str(count), "-i", str(interval), "-W", str(wait)]
        r = self._lab(*args, check=False, timeout=30 + count * (interval + 1))
        m = _PING.search(r.stdout)
        if not m:
            raise RuntimeError(f"tools/lab ping: unexpected output\n{r.stdout}{r.stderr}")
        return int(m.group(1)), int(m.group(2))

    def tcp_recv(self, host, port, v=6, timeout=60):
        """tools/tcp_xfer.py recv on host (bound to its address), returned once
        it listens; finish with tcp_result(proc)."""
        return self._listener(host, "tcp_xfer recv", "/usr/bin/python3", TCP_XFER, "recv", "--bind",
                              host_addr(host, v), "--port", port, "--timeout", timeout)

    @staticmethod
    def tcp_result(proc, timeout=60):
        return Lab._result(proc, "tcp_xfer recv", timeout)

    def _listener(self, host, what, *argv):
        """argv started on host, returned once its first stderr line says
        "listening ..." (tools/roce, tools/tcp_xfer.py)."""
        p = self.popen(host, *argv)
        line = p.stderr.readline()
        if not line.startswith("listening"):
            p.kill()
            out, err = p.communicate()
            raise RuntimeError(f"{what} did not start: {line}{err}")
        return p

    @staticmethod
    def _result(proc, what, timeout):
        """The JSON proc prints once it ends; RuntimeError if it fails."""
        out, err = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"{what} failed ({proc.returncode}): {err}")
        return json.loads(out)

    def tcp_send(self, src, dst, sport, port, nbytes, v=6, seed=1, timeout=60):
        """nbytes pseudo-random bytes over TCP from src:sport to dst:port (a
        fixed 5-tuple); returns {"bytes", "sha256"} of what was sent."""
        r = self.run(src, "/usr/bin/python3", TCP_XFER, "send", "--src", host_addr(src, v), "--sport", sport,
                     "--dst", host_addr(dst, v), "--port", port, "--bytes", nbytes, "--seed", seed,
                     "--timeout", timeout, timeout=timeout + 10)
        return json.loads(r.stdout)

    def receive_stats(self, host):
        """`srv6steer receive stats -j` on host (its receive side's counters)."""
        return json.loads(self.run(host, self.srv6steer, "receive", "stats", "-j").stdout)

    def roce_recv(self, host, v=6, duration=5.0, expect=0):
        """Starts tools/roce recv on host and returns once it listens; finish with
        roce_result(proc)."""
        argv = [ROCE, "recv", "--bind", host_addr(host, v), "--duration", duration, "--json"]
        if expect:
            argv += ["--expect", expect]
        return self._listener(host, "roce recv", *argv)   # "listening ADDR 4791" once bound

    @staticmethod
    def roce_result(proc, timeout=30):
        return Lab._result(proc, "roce recv", timeout)

    def roce_send(self, src, dst, qps, v=6, count=10, size=64, interval=0.0, sport=0):
        qp = ",".join(hex(q) for q in ([qps] if isinstance(qps, int) else qps))
        r = self.run(src, ROCE, "send", "--src", host_addr(src, v), "--dst", host_addr(dst, v),
                     "--qp", qp, "--count", count, "--size", size, "--interval", interval,
                     "--sport", sport, "--json")
        return json.loads(r.stdout)

    def gloo_job(self, ranks, plan, *, env, host_env=None, user=None, mib=64, seconds=3, timeout=180):
        """Runs tools/gloo_job.py for each {rank: host} at once, the store on
        rank 0's host (IPv6), gloo on eth0, the plan (a dict) in a file;
        env: the ranks' environment (PYTHONPATH, SRV6STEER_LIB, ...), plus
        host_env[host] on that host's; user: run them as this user (setpriv).
        Returns {rank: {event: its JSON line}}; RuntimeError if a rank fails."""
        fd, name = tempfile.mkstemp(suffix=".json", prefix="gloo-plan-")
        with os.fdopen(fd, "w") as f:
            json.dump(plan, f)
        os.chmod(name, 0o644)
        master = f"[{host_addr(ranks[0])}]:29500"
        pw = pwd.getpwnam(user) if user else None
        as_user = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups"] if pw else []
        procs = {}
        try:
            for rank, host in ranks.items():
                procs[rank] = self.popen(host, *as_user, "/usr/bin/python3", GLOO_JOB, "--rank", rank,
                                         "--world-size", len(ranks), "--master", master, "--plan", name,
                                         "--iface", "eth0", "--mib", mib, "--seconds", seconds,
                                         env={**env, **(host_env or {}).get(host, {})})
            out = {}
            for rank, p in procs.items():
                so, se = p.communicate(timeout=timeout)
                if p.returncode != 0:
                    raise RuntimeError(f"gloo rank {rank} on {ranks[rank]} failed ({p.returncode}):\n{so}{se[-3000:]}")
                out[rank] = {e["event"]: e for e in map(json.loads, so.splitlines())}
            return out
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.kill()
                    p.wait()
            os.unlink(name)

    # ---- counters -------------------------------------------------------------
    def counters_detail(self):
        """tools/lab counters --json: per spine rx/tx packets and per port (lfNN)."""
        return json.loads(self._lab("counters", "--json").stdout)

    def counters(self):
        """Packets received by each spine (sum over its ports): {"spine1": n, "spine2": m}."""
        return {sp: v["rx_packets"] for sp, v in self.counters_detail().items()}

    def port_bytes(self):
        """{("spine1", "lf00"): rx bytes, ...}."""
        return {(sp, i): x["rx_bytes"] for sp, v in self.counters_detail().items()
                for i, x in v["ifaces"].items()}

    def port_rx(self):
        """{("spine1", "lf00"): rx packets, ...}: tells directions apart (lfNN = from leafNN)."""
        return {(sp, i): x["rx_packets"] for sp, v in self.counters_detail().items()
                for i, x in v["ifaces"].items()}

    def sid_counts(self):
        """{(node, sid): packets} from the seg6local routes' `count` statistics."""
        return {(s["node"], s["sid"]): s["packets"] for s in self.status()["sids"]}

    def settle(self, quiet=1.0, timeout=8.0):
        """Waits until the spine counters stop moving (MLD reports right after up)."""
        end = time.monotonic() + timeout
        last, since = self.counters(), time.monotonic()
        while time.monotonic() < end:
            time.sleep(0.25)
            cur = self.counters()
            if cur != last:
                last, since = cur, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return cur
        return last

    @staticmethod
    def delta(before, after):
        return {k: after[k] - before.get(k, 0) for k in after}

    def snapshot(self):
        """Text dump of the lab's configuration (links, addresses, routes, neighbours,
        forwarding sysctls) to compare two states."""
        out = []
        for n in NODES:
            out.append(f"## {n}")
            for argv in (["ip", "-br", "link"], ["ip", "-o", "addr"], ["ip", "-6", "route"],
                         ["ip", "-4", "route"], ["ip", "neigh", "show", "nud", "permanent"],
                         ["sysctl", "net.ipv6.conf.all.forwarding", "net.ipv4.ip_forward",
                          "net.ipv6.conf.all.seg6_enabled"]):
                r = self.run(n, *argv, check=False)
                out.append(re.sub(r"^\d+: ", "", r.stdout, flags=re.M))
        return "\n".join(out)
