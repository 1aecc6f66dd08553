#!/usr/bin/python3
"""A real gloo job on the lab whose rank pairs ride the spines a plan chose.

Four ranks (tools/gloo_job.py, Debian's python3-torch) on three hosts:
rank 0 on h1 (leaf00), ranks 1 and 3 on h2 (leaf02), rank 2 on h4 (leaf01);
the store on h1's IPv6 address, gloo on eth0's first address (IPv4).
srv6steer is attached to eth0 of the three hosts; each rank pins its own
connections with srv6steer.torch.pin_process_group. The plan puts every
directed rank pair on a spine, the two connections between h1 and h2
(rank 0 <-> 1, rank 0 <-> 3) on different ones; the ranks all_reduce a
64 MiB tensor for 2 s. The first run pins as root (the interface's state
directly); then the job runs again with every pair on the other spine, its
ranks as user nobody, pinning their own sockets through `srv6steer agent`
(one per host, serving a socket of the run's own).

What a spine port received (the kernel's counter; lfNN = from leafNN) is
compared with what the plan put there: the frames each pinned connection's
pin steered (packets and bytes, counted by srv6steer) plus the 40-byte outer
header each, summed by the spine and the source leaf the plan gives them.
Both runs: every port within 5%, every result exact, no pin and no path
left afterwards.

Run as root:  /usr/bin/python3 tests/e2e/gloo_test.py -v     (ctest -L e2e)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "testing"))
from skippolicy import main, skip_or_fail  # noqa: E402
from srv6lab import HOST_LEAF, Lab, down_on_signal, gloo_plan, stop_on_signals, wait_until  # noqa: E402

SRV6STEER = Path(os.environ.get("SRV6STEER_BIN", ROOT / "build" / "loader" / "srv6steer"))
LIB = os.environ.get("SRV6STEER_LIB", str(ROOT / "build" / "libsrv6steer" / "libsrv6steer.so"))
PYTHON = "/usr/bin/python3"

RANKS = {0: "h1", 1: "h2", 2: "h4", 3: "h2"}
HOSTS = sorted(set(RANKS.values()))
OUTER = 40        # the outer IPv6 header of a one-container path (no SRH)
SLACK = 256 << 10  # what is not pinned: the store, gloo's connection setup, the endpoint exchange


FIRST = {frozenset((0, 1)): "spine1", frozenset((0, 3)): "spine2", frozenset((1, 2)): "spine2",
         frozenset((2, 3)): "spine1", frozenset((0, 2)): "spine2"}
OTHER = {"spine1": "spine2", "spine2": "spine1"}


def first_plan(s, d):
    """Both directions of a pair on one spine; h1 <-> h2 on both spines."""
    return FIRST[frozenset((s, d))]


def second_plan(s, d):
    return OTHER[first_plan(s, d)]


class GlooTest(unittest.TestCase):
    lab = None

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            skip_or_fail("needs root")
        if not SRV6STEER.exists() or not Path(LIB).exists():
            skip_or_fail(f"build srv6steer first ({SRV6STEER}, {LIB})")
        if subprocess.run([PYTHON, "-c", "import torch.distributed"], capture_output=True).returncode != 0:
            skip_or_fail("needs Debian's python3-torch")
        cls.lab = down_on_signal(Lab.unique("g"))
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

    @classmethod
    def cli(cls, node, *args, check=True):
        return cls.lab.steer(SRV6STEER, node, *args, check=check).stdout

    def agents(self):
        """`srv6steer agent` on every host, each serving a socket of its own;
        {host: socket path}. They end with the test."""
        d = tempfile.mkdtemp(prefix="gloo-agents-")
        os.chmod(d, 0o755)
        self.addCleanup(shutil.rmtree, d, ignore_errors=True)
        cfg = Path(d) / "config.json"
        cfg.write_text("{}\n")
        socks = {}
        for h in HOSTS:
            socks[h] = f"{d}/{h}.sock"
            with open(f"{d}/{h}.log", "w") as log:
                p = self.lab.popen(h, SRV6STEER, "agent", "-c", cfg, "-d", "eth0", "--socket", socks[h],
                                   "--socket-mode", "0666", stdout=log, stderr=subprocess.STDOUT)
            self.addCleanup(lambda p=p: (p.terminate(), p.wait(timeout=10)))
        self.agent_logs = {h: Path(f"{d}/{h}.log") for h in HOSTS}
        wait_until(lambda: all(os.path.exists(s) for s in socks.values()), 10, "the agents' sockets")
        return socks

    def job(self, plan, seconds=2, mib=64, agents=None):
        env = {"PYTHONPATH": str(ROOT / "python"), **os.environ, "SRV6STEER_LIB": LIB,
               "BACKEND_INTERFACE": "eth0", "PYTHONDONTWRITEBYTECODE": "1"}
        if agents is None:
            env["SRV6STEER_MODE"] = "socket"
            return self.lab.gloo_job(RANKS, plan, env=env, mib=mib, seconds=seconds)
        env["SRV6STEER_MODE"] = "agent"
        host_env = {h: {"SRV6STEER_AGENT_SOCKET": s} for h, s in agents.items()}
        try:
            return self.lab.gloo_job(RANKS, plan, env=env, host_env=host_env, user="nobody", mib=mib,
                                     seconds=seconds)
        except RuntimeError as e:
            logs = "".join(f"\n--- agent on {h}:\n{p.read_text()[-2000:]}" for h, p in self.agent_logs.items())
            raise AssertionError(f"{e}{logs}") from None

    def expected(self, out, spine_of):
        """Bytes each (spine, port) should receive: the pins' frames plus
        the outer header, where the plan sends them."""
        want = {(sp, f"lf{leaf[4:]}"): 0 for sp in ("spine1", "spine2") for leaf in ("leaf00", "leaf01", "leaf02")}
        for rank, events in out.items():
            for event in ("pinned", "done"):
                for c in events[event]["connections"]:
                    port = f"lf{HOST_LEAF[RANKS[rank]][4:]}"
                    want[(spine_of(rank, c["peer"]), port)] += c["steered"] + OUTER * c["packets"]
        return want

    def run_and_check(self, spine_of, agents=None):
        before = self.lab.port_bytes()
        out = self.job(gloo_plan(RANKS, spine_of), agents=agents)
        got = Lab.delta(before, self.lab.port_bytes())
        want = self.expected(out, spine_of)
        for rank, events in out.items():
            self.assertTrue(events["done"]["exact"], f"rank {rank}: an all_reduce result was not exact")
            self.assertGreater(events["done"]["iterations"], 0)
            peers = sorted(c["peer"] for c in events["pinned"]["connections"])
            self.assertEqual(peers, sorted(r for r in RANKS if RANKS[r] != RANKS[rank]), f"rank {rank}")
            for c in events["pinned"]["connections"] + events["done"]["connections"]:
                self.assertEqual(c["family"], 4, "gloo on eth0's first address")
                self.assertNotEqual(c["state"], "not steered", f"rank {rank}: {c}")
        self.assertEqual(out[1]["pinned"]["same_host"], [3])
        lines = [f"  {sp} {port}: plan {want[(sp, port)] / 1e6:9.1f} MB   counted {got[(sp, port)] / 1e6:9.1f} MB"
                 for sp, port in sorted(want)]
        pin_ms = [round(out[r]["pinned"]["seconds"] * 1000, 1) for r in sorted(out)]
        print(f"\n[{out[0]['pinned']['mode']} pins; {out[0]['done']['iterations']} all_reduces of 64 MiB in "
              f"{out[0]['done']['seconds']} s; discover+pin per rank {pin_ms} ms]\n" + "\n".join(lines),
              file=sys.stderr)
        self.assertEqual({out[r]["pinned"]["mode"] for r in out}, {"agent" if agents else "socket"})
        bulk = 0
        for key, w in want.items():
            self.assertLessEqual(abs(got[key] - w), 0.05 * w + SLACK, f"{key}: counted {got[key]}, plan {w}")
            bulk += w > 50e6
        self.assertGreaterEqual(bulk, 3, f"too little of the job's traffic was pinned to tell: {want}")
        # The two connections between h1 and h2 took the plan's two spines.
        h1_h2 = {spine_of(0, 1), spine_of(0, 3)}
        self.assertEqual(h1_h2, {"spine1", "spine2"})
        # Nothing left: pins and paths went with the job.
        def left():
            lists = [("list", "sockets"), ("list", "flows"), ("path", "list")]
            return {(h, " ".join(a)): n for h in HOSTS for a in lists
                    if (n := len(json.loads(self.cli(h, *a, "-j"))))}
        if agents:   # the agent removes a client's paths once it has disconnected
            wait_until(lambda: not left(), 10, "the agents removing the job's paths")
        self.assertEqual(left(), {})
        return out

    def test_01_rank_pairs_on_the_planned_spines_then_a_restart_with_another_plan(self):
        self.run_and_check(first_plan)
        self.run_and_check(second_plan, agents=self.agents())


if __name__ == "__main__":
    stop_on_signals(signal.SIGTERM, signal.SIGINT)
    main()
