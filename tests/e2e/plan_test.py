#!/usr/bin/python3
"""A 4-host ring job planned on the lab's fabric and applied: its flows on
the spine links the plan gave them, and on no other.

`srv6steer plan` plans the ring h1 -> h4 -> h3 -> h2 -> h1 (ranks r -> r-1,
gloo's direction) on topologies/lab.json and writes one apply file per host;
`srv6steer apply` installs each on its host's eth0, and one UDP flow per
ring pair is pinned (`srv6steer pin flow`) to the path the plan gives the
pair. Each flow then runs alone: a UDP sender on the source host, a receiver
on the destination that counts what arrives. What the spine ports counted
(the kernel's counters: rx on lfNN = from leafNN, tx = to it) must show the
flow on exactly the planned spine and leaves, and nothing of it anywhere
else; and the planned spine links of the pairs are disjoint, as the lower
bound of 1 promises.

Run as root:  /usr/bin/python3 tests/e2e/plan_test.py -v     (ctest -L e2e)
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "testing"))
from skippolicy import main, skip_or_fail  # noqa: E402
from srv6lab import HOST_LEAF, HOSTS, SPINES, USID, Lab, down_on_signal, host_addr, read_until, stop_on_signals  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SRV6STEER = Path(os.environ.get("SRV6STEER_BIN", ROOT / "build" / "loader" / "srv6steer"))
RANKS = ["h1", "h2", "h3", "h4"]
PACKETS = 300
SIZE = 1000
NOISE = 2          # packets a port may count besides the flow (MLD and the like)
NODE_OF = {f"{u:x}": n for n, u in USID.items()}

SINK = r"""
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(5)
print("ready", flush=True)
n = 0
try:
    while n < int(sys.argv[3]):
        s.recv(65536)
        n += 1
except socket.timeout:
    pass
print(n, flush=True)
"""

SEND = r"""
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
for _ in range(int(sys.argv[5])):
    s.sendto(b"x" * int(sys.argv[6]), (sys.argv[3], int(sys.argv[4])))
"""


class PlanTest(unittest.TestCase):
    lab = None

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            skip_or_fail("needs root")
        if not SRV6STEER.exists():
            skip_or_fail(f"build srv6steer first ({SRV6STEER})")
        cls.dir = Path(tempfile.mkdtemp(prefix="srv6s-plan-e2e-"))
        cls.lab = down_on_signal(Lab.unique("p"))
        cls.addClassCleanup(cls.lab.down)
        cls.lab.down()
        cls.lab.up()
        for h in HOSTS:
            cls.cli(h, "attach", "eth0")

    @classmethod
    def tearDownClass(cls):
        if cls.lab:
            for h in HOSTS:
                cls.cli(h, "detach", "eth0", check=False)
            cls.lab.down()
        for f in sorted(cls.dir.rglob("*"), reverse=True):
            f.unlink() if f.is_file() else f.rmdir()
        cls.dir.rmdir()

    @classmethod
    def cli(cls, node, *args, check=True):
        return cls.lab.steer(SRV6STEER, node, *args, check=check)

    def spine_of(self, path):
        """The plan's path "1004,1001,1005" as (source leaf, spine or None, destination leaf)."""
        nodes = [NODE_OF[u] for u in path.split(",")]
        if len(nodes) == 1:
            return nodes[0], None, nodes[0]
        self.assertEqual(len(nodes), 3, path)
        self.assertIn(nodes[1], SPINES, path)
        return nodes[0], nodes[1], nodes[2]

    def path_packets(self, node):
        """{path id: packets steered onto it} on node (srv6steer stats)."""
        stats = json.loads(self.cli(node, "stats", "-j").stdout)
        return {p["id"]: p["packets"] for p in stats["paths"]}

    def ports(self):
        """{(spine, lfNN, "rx" | "tx"): packets}."""
        out = {}
        for sp, v in self.lab.counters_detail().items():
            for port, x in v["ifaces"].items():
                out[(sp, port, "rx")] = x["rx_packets"]
                out[(sp, port, "tx")] = x["tx_packets"]
        return out

    def run_flow(self, src, dst, sport, dport):
        sink = self.lab.popen(dst, "/usr/bin/python3", "-c", SINK, host_addr(dst), dport, PACKETS)
        try:
            read_until(sink, r"^ready", 10, f"the receiver on {dst}")
            before = self.ports()
            self.lab.run(src, "/usr/bin/python3", "-c", SEND, host_addr(src), sport, host_addr(dst), dport,
                         PACKETS, SIZE)
            out, _ = sink.communicate(timeout=20)
        finally:
            if sink.poll() is None:
                sink.kill()
                sink.wait()
        after = self.ports()
        return int(out.split()[-1]), Lab.delta(before, after)

    def test_ring_flows_take_the_planned_disjoint_spine_links(self):
        job = self.dir / "ring.json"
        job.write_text(json.dumps({"ranks": RANKS, "pattern": "ring"}))
        plan_file, apply_dir = self.dir / "plan.json", self.dir / "apply"
        r = subprocess.run([SRV6STEER, "plan", "--topology", ROOT / "topologies" / "lab.json", "--job", job,
                            "-o", plan_file, "--apply-dir", apply_dir], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("max link load 1, lower bound 1", r.stderr)
        plan = json.loads(plan_file.read_text())
        pairs = {(p["src"], p["dst"]): p["path"] for p in plan["pairs"]}
        self.assertEqual(set(pairs), {(0, 3), (1, 0), (2, 1), (3, 2)})

        # The plan's links, from the lab's own tables (tools/srv6lab.py): each
        # path starts and ends at the hosts' leaves, no spine link twice.
        links = []
        for (s, d), path in pairs.items():
            a, spine, b = self.spine_of(path)
            self.assertEqual((a, b), (HOST_LEAF[RANKS[s]], HOST_LEAF[RANKS[d]]), path)
            if spine:
                links += [(spine, f"lf{a[4:]}", "rx"), (spine, f"lf{b[4:]}", "tx")]
        self.assertEqual(len(links), len(set(links)), f"the plan shares a spine link: {links}")
        self.assertEqual(len(links), 6)

        # Apply each host's file, then pin one UDP flow per ring pair to its path.
        flows = []
        for (s, d), path in sorted(pairs.items()):
            src, dst = RANKS[s], RANKS[d]
            out = self.cli(src, "apply", "-f", apply_dir / f"{src}.json").stdout
            self.assertIn("applied", out)
            ids = {p["usids"]: p["id"] for p in json.loads((apply_dir / f"{src}.json").read_text())["paths"]}
            pid = ids[f"{path},fe06"]
            sport, dport = 41000 + s, 42000 + s
            self.cli(src, "pin", "flow", "udp", host_addr(src), sport, host_addr(dst), dport, "--path", pid)
            flows.append((s, d, src, dst, sport, dport, path, pid))

        report = []
        for s, d, src, dst, sport, dport, path, pid in flows:
            steered0 = self.path_packets(src)
            got, delta = self.run_flow(src, dst, sport, dport)
            steered = self.path_packets(src).get(pid, 0) - steered0.get(pid, 0)
            a, spine, b = self.spine_of(path)
            want = set() if spine is None else {(spine, f"lf{a[4:]}", "rx"), (spine, f"lf{b[4:]}", "tx")}
            busy = {k: v for k, v in delta.items() if v > NOISE}
            report.append(f"  rank {s} -> {d} ({src} -> {dst}) path {path}: steered {steered}, received {got}/{PACKETS}, "
                          f"spine ports {busy}")
            self.assertEqual(got, PACKETS, f"{src} -> {dst}: the receiver got {got} of {PACKETS}")
            # Encapsulated by srv6steer onto the plan's path, not left to ECMP.
            self.assertEqual(steered, PACKETS, f"{src} -> {dst}: path {pid} steered {steered}")
            for k in want:
                self.assertGreaterEqual(delta[k], PACKETS, f"{src} -> {dst}: {k} counted {delta[k]}")
            self.assertEqual(set(busy), want, f"{src} -> {dst} went elsewhere than planned: {delta}")
        print("\n[ring on the lab, planned:\n" + "\n".join(report) + "]", file=sys.stderr)


if __name__ == "__main__":
    stop_on_signals(signal.SIGTERM, signal.SIGINT)
    main()
