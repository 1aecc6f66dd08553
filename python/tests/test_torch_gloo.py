# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""srv6steer.torch on a real gloo job (Debian's python3-torch), in private
network namespaces:

    A (this process: ranks 0 and 2) --a0/r0-- R --r1/b0-- B (rank 1)

srv6steer is attached to a0 and b0 (the IPv4 job pins flows, the IPv6 one
sockets; tests/e2e/gloo_test.py goes through the agent); R decapsulates (SIDs fcbb:0:100:fe04 /
fe06 and fcbb:0:200:fe04 / fe06: End.DX4 and End.DT6, counted), so a pinned
connection's bytes show on the SID of its path. Each rank is
tools/gloo_job.py; what it sent (the kernel's TCP counters) is compared with
R's SID counters (another count, by the kernel's seg6local routes).

Root, in private network and mount namespaces (ctest runs it under
`unshare --net --mount`); finds the library through $SRV6STEER_LIB."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "tools"
JOB = TOOLS / "gloo_job.py"
PYTHON = "/usr/bin/python3"
PATH_A, PATH_B = "100", "200"
SIDS = {(p, fam): f"fcbb:0:{p}:fe0{fam}::/64" for p in (PATH_A, PATH_B) for fam in (4, 6)}


def sh(*argv, ns=None, check=True):
    cmd = (["nsenter", f"--net=/proc/{ns}/ns/net", "--"] if ns else []) + [str(a) for a in argv]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} -> {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


def private_namespaces() -> bool:
    try:
        return all(os.stat(f"/proc/self/ns/{ns}").st_ino != os.stat(f"/proc/{os.getppid()}/ns/{ns}").st_ino
                   for ns in ("net", "mnt"))
    except OSError:
        return False


def setUpModule():
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root")
    if not private_namespaces():
        raise unittest.SkipTest("run in private namespaces: unshare --net --mount python3 -m unittest ...")
    try:
        import torch.distributed  # noqa: F401
    except ImportError:
        raise unittest.SkipTest("needs Debian's python3-torch") from None
    sh("mount", "--make-rprivate", "/")
    sh("mount", "-t", "bpf", "bpf", "/sys/fs/bpf")     # this mount namespace's own
    sh("ip", "link", "set", "lo", "up")


class Net:
    """The three namespaces: A is ours; R and B are held by `sleep`s."""

    def __init__(self, v4=True):
        self.holders = [subprocess.Popen(["unshare", "--net", "sleep", "600"]) for _ in range(2)]
        try:
            self._build(v4)
        except BaseException:
            self.close()
            raise

    def _build(self, v4):
        self.r, self.b = (p.pid for p in self.holders)
        for pid in (self.r, self.b):
            # unshare execs sleep once the namespace is made: wait for that.
            end = time.monotonic() + 10
            while os.readlink(f"/proc/{pid}/ns/net") == os.readlink("/proc/self/ns/net"):
                if time.monotonic() > end:
                    raise TimeoutError("unshare --net did not make a namespace within 10 s")
                time.sleep(0.01)
        r, b = self.r, self.b
        sh("ip", "link", "add", "a0", "type", "veth", "peer", "name", "r0", "netns", r)
        sh("ip", "link", "add", "r1", "type", "veth", "peer", "name", "b0", "netns", b, ns=r)
        for ns in (r, b):
            sh("ip", "link", "set", "lo", "up", ns=ns)
        sh("sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
           "net.ipv6.conf.all.seg6_enabled=1", "net.ipv6.conf.default.seg6_enabled=1", ns=r)
        for ns, dev, n, peer in ((None, "a0", 1, 10), (r, "r0", 1, 1), (r, "r1", 2, 1), (b, "b0", 2, 10)):
            if v4:
                sh("ip", "addr", "add", f"10.0.{n}.{peer}/24", "dev", dev, ns=ns)
            sh("ip", "-6", "addr", "add", f"fcbb:0:800:{n}::{peer}/64", "dev", dev, "nodad", ns=ns)
            sh("ip", "link", "set", dev, "up", ns=ns)
        sh("sysctl", "-q", "-w", "net.ipv6.conf.r0.seg6_enabled=1", "net.ipv6.conf.r1.seg6_enabled=1", ns=r)
        for ns, n in ((None, 1), (b, 2)):
            if v4:
                sh("ip", "route", "add", "default", "via", f"10.0.{n}.1", ns=ns)
            sh("ip", "-6", "route", "add", "default", "via", f"fcbb:0:800:{n}::1", ns=ns)
        for (p, fam), sid in SIDS.items():
            act = ["End.DX4", "nh4", "0.0.0.0"] if fam == 4 else ["End.DT6", "table", "254"]
            sh("ip", "-6", "route", "add", sid, "encap", "seg6local", "action", *act, "count", "dev", "r1", ns=r)
        self.attach(None, "a0")
        self.attach(b, "b0")
        # d0 (a veth to d1): attached too, but no traffic to the ranks leaves by it.
        sh("ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1")
        sh("ip", "-6", "addr", "add", "fcbb:0:900::1/64", "dev", "d0", "nodad")
        sh("ip", "link", "set", "d0", "up")
        sh("ip", "link", "set", "d1", "up")
        self.attach(None, "d0", "route_mtu=False")   # else pinning there is refused (wrong route)

    def steering(self, ns, code):
        """Runs code with `s`, the interface's Steering, in ns; its stdout."""
        prog = ("import json, sys, srv6steer\n"
                f"s = srv6steer.Steering.open(sys.argv[1])\n{code}\n")
        return sh(PYTHON, "-c", prog, "b0" if ns else "a0", ns=ns)

    def attach(self, ns, dev, options=""):
        sh(PYTHON, "-c", f"import srv6steer; srv6steer.Steering.attach({dev!r}, {options}).close()", ns=ns)

    def left_over(self):
        """What pins and paths are left on a0 and b0."""
        code = ("pins = s.flows() + (s.sockets() if hasattr(s, 'sockets') else [])\n"
                "print(json.dumps({'pins': len(pins), 'paths': sorted(s.path_stats())}))")
        return {dev: json.loads(self.steering(ns, code)) for ns, dev in ((None, "a0"), (self.b, "b0"))}

    def sid_bytes(self):
        routes = json.loads(sh("ip", "-s", "-j", "-6", "route", "show", ns=self.r))
        by_dst = {r["dst"]: r.get("stats64", {}).get("bytes", 0) for r in routes}
        return {k: by_dst.get(sid, 0) for k, sid in SIDS.items()}

    def close(self):
        for ns, dev in ((None, "a0"), (self.b, "b0"), (None, "d0")):
            sh(PYTHON, "-c", f"import srv6steer; srv6steer.detach({dev!r})", ns=ns, check=False)
        sh("ip", "link", "del", "a0", check=False)
        sh("ip", "link", "del", "d0", check=False)
        for p in self.holders:
            p.kill()
            p.wait()


class _GlooJob(unittest.TestCase):
    """Runs jobs on a Net of the class's (no tests of its own)."""
    net = None
    v4 = True
    mode = "flow"

    @classmethod
    def setUpClass(cls):
        cls.net = Net(v4=cls.v4)

    @classmethod
    def tearDownClass(cls):
        if cls.net:
            cls.net.close()

    def job(self, ranks, plan, master, mib=4, seconds=1.0, backend=None, failing=()):
        """Runs tools/gloo_job.py for {rank: namespace pid or None}; returns
        {rank: {"pinned": ..., "done": ...}}. backend: {rank: the interface
        it pins on} (default: its own); ranks in `failing` must exit 1, and
        their stderr is returned as "stderr"."""
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(plan, f)
        self.addCleanup(os.unlink, f.name)
        env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1]), **os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        procs = {}
        try:
            for rank, ns in ranks.items():
                dev = "b0" if ns else "a0"
                argv = [PYTHON, JOB, "--rank", rank, "--world-size", len(ranks), "--master", master,
                        "--plan", f.name, "--iface", dev, "--mib", mib, "--seconds", seconds]
                cmd = (["nsenter", f"--net=/proc/{ns}/ns/net", "--"] if ns else []) + [str(a) for a in argv]
                procs[rank] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                               env={**env, "BACKEND_INTERFACE": (backend or {}).get(rank, dev),
                                                    "SRV6STEER_MODE": self.mode})
            ended = {rank: p.communicate(timeout=120) for rank, p in procs.items()}
            codes = {rank: p.returncode for rank, p in procs.items()}
            said = "".join(f"\n--- rank {r} ({codes[r]}):\n{so}{se[-3000:]}" for r, (so, se) in ended.items())
            self.assertEqual(codes, {r: 1 if r in failing else 0 for r in procs}, said)
            return {rank: {"stderr": se, **{e["event"]: e for e in map(json.loads, so.splitlines())}}
                    for rank, (so, se) in ended.items()}
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGKILL)
                    p.wait()

    def assert_on_plan(self, before, after, out, fam, path_of):
        """Each SID carried what the connections planned on it sent (within
        5%), and nothing else went by its path."""
        planned = {p: 0 for p in (PATH_A, PATH_B)}
        for rank, events in out.items():
            self.assertTrue(events["done"]["exact"], f"rank {rank}: a result was not exact")
            for c in events["done"]["connections"]:
                # Idle: too little sent to tell (gloo's ring sends one way; ACKs the other).
                self.assertIn(c["state"], ("steered", "idle"), f"rank {rank}: {c}")
                self.assertGreaterEqual(c["steered"], c["sent"], f"rank {rank}: {c}")
                planned[path_of(rank, c["peer"])] += c["sent"]
        got = {p: after[(p, fam)] - before[(p, fam)] for p in (PATH_A, PATH_B)}
        print(f"\n[IPv{fam}: bytes sent by the connections planned on each path {planned}, "
              f"counted by R's SIDs {got}]", file=sys.stderr)
        for p in (PATH_A, PATH_B):
            if planned[p]:
                self.assertGreater(planned[p], 1 << 20, f"path {p}: too little traffic to tell")
                self.assertLessEqual(abs(got[p] - planned[p]), 0.05 * planned[p], f"path {p}: {got} vs {planned}")
            else:
                self.assertLess(got[p], 64 << 10, f"path {p} carried what no plan put there: {got}")


class GlooJob(_GlooJob):
    def test_ipv4_two_ranks_on_one_host_then_another_plan(self):
        b = self.net.b
        ranks = {0: None, 1: b, 2: None}               # ranks 0 and 2 share host A
        for first, second in ((PATH_A, PATH_B), (PATH_B, PATH_A)):
            # Rank 0 <-> 1 on one path, rank 2 <-> 1 on the other.
            plan = {"pairs": [{"src": 0, "dst": 1, "path": first}, {"src": 1, "dst": 0, "path": first},
                              {"src": 2, "dst": 1, "path": second}, {"src": 1, "dst": 2, "path": second}]}
            before = self.net.sid_bytes()
            out = self.job(ranks, plan, "[fcbb:0:800:1::10]:29610")   # the store on IPv6, gloo on IPv4
            after = self.net.sid_bytes()
            self.assertEqual(out[0]["pinned"]["same_host"], [2])
            self.assertEqual(sorted(c["peer"] for c in out[1]["pinned"]["connections"]), [0, 2])
            for rank in ranks:
                for c in out[rank]["pinned"]["connections"]:
                    self.assertEqual((c["family"], c["path"].split(",")[-1], c["mode"]), (4, "fe04", "flow"), c)
                    self.assertEqual(c["state"], "steered", f"the probe: {c}")
            self.assert_on_plan(before, after, out, 4, lambda s, d: first if 0 in (s, d) else second)
            print(f"[pin: {[round(out[r]['pinned']['seconds'] * 1000, 1) for r in ranks]} ms per rank, "
                  f"{out[0]['pinned']['mode']} pins]", file=sys.stderr)
            self.assertEqual(self.net.left_over(), {"a0": {"pins": 0, "paths": []}, "b0": {"pins": 0, "paths": []}})


class GlooJobIpv6(_GlooJob):
    """No IPv4 address: gloo takes IPv6, and the decap function follows (fe06)."""
    v4 = False
    mode = "socket"

    def test_ipv6(self):
        plan = {"pairs": [{"src": 0, "dst": 1, "path": PATH_B}, {"src": 1, "dst": 0, "path": PATH_A}]}
        before = self.net.sid_bytes()
        out = self.job({0: None, 1: self.net.b}, plan, "[fcbb:0:800:1::10]:29611")
        after = self.net.sid_bytes()
        for rank in (0, 1):
            (c,) = out[rank]["pinned"]["connections"]
            self.assertEqual((c["family"], c["path"].split(",")[-1], c["mode"]), (6, "fe06", "socket"), c)
        self.assert_on_plan(before, after, out, 6, lambda s, d: PATH_B if s == 0 else PATH_A)
        self.assertEqual(self.net.left_over(), {"a0": {"pins": 0, "paths": []}, "b0": {"pins": 0, "paths": []}})

    def test_a_pin_that_does_not_steer_is_reported(self):
        # Rank 0 pins on d0's state while its traffic leaves by a0.
        plan = {"pairs": [{"src": 0, "dst": 1, "path": PATH_A}, {"src": 1, "dst": 0, "path": PATH_A}]}
        out = self.job({0: None, 1: self.net.b}, plan, "[fcbb:0:800:1::10]:29612", seconds=0.3,
                       backend={0: "d0"}, failing={0})
        (w,) = out[0]["pinned"]["warnings"]
        self.assertIn("rank 0 -> rank 1 is NOT steered", w)
        self.assertIn("steered 0 B on d0", w)
        self.assertEqual(out[0]["pinned"]["connections"][0]["state"], "not steered")
        self.assertEqual(out[1]["pinned"]["warnings"], [])
        self.assertEqual(out[1]["pinned"]["connections"][0]["state"], "steered")


if __name__ == "__main__":
    unittest.main()
