#!/usr/bin/python3
"""Host-terminated SRv6 paths and link cuts on the netns fabric (tools/lab).

The lab comes up with `--host-decap`: every host's srv6steer receive side
(XDP on eth0) terminates its own uSID e00N (fe06 udt6, fe04 udt4). h1 steers
with srv6steer (TC egress) onto paths that end at h2 itself
(`1004,<spine>,1006,e002,fe06`: leaf02 shifts to e002 and routes it to h2)
or at leaf02 (`...,1006,fe06`, kernel End.DT6). What arrived is checked by a
SHA-256 of the bytes on both ends (tools/tcp_xfer.py) or per-QP RoCEv2
counts (tools/roce); where it went by the spines' ports from leaf00 (lfNN),
the SID routes' `count` in leaf02, and h2's `srv6steer receive stats` per
sender path (outer source, path id from the outer flow label).

Run as root:  /usr/bin/python3 tests/e2e/hostdecap_test.py -v     (ctest -L e2e)
"""
import os
import signal
import sys
import threading
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "testing"))
from skippolicy import main, skip_or_fail  # noqa: E402
from srv6lab import (SRV6STEER, Lab, down_on_signal, host_addr, host_path,  # noqa: E402
                     leaf_path, stop_on_signals)

BLOCK = "fcbb:0::/32"
NOISE = 2
MIB = 1 << 20
H2_HOST_SPINE1, H2_HOST_SPINE2, H2_HOST_SPINE2_V4, H2_LEAF_SPINE1 = 1, 2, 3, 4
PATHS = {
    H2_HOST_SPINE1: host_path("h1", "spine1", "h2", 6),     # 1004,1001,1006,e002,fe06
    H2_HOST_SPINE2: host_path("h1", "spine2", "h2", 6),     # 1004,1002,1006,e002,fe06
    H2_HOST_SPINE2_V4: host_path("h1", "spine2", "h2", 4),  # ...,e002,fe04: h2's udt4
    H2_LEAF_SPINE1: leaf_path("h1", "spine1", "h2", 6),     # 1004,1001,1006,fe06: leaf02's End.DT6
}


class HostDecapTest(unittest.TestCase):
    lab = None

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            skip_or_fail("needs root")
        if not SRV6STEER.exists():
            skip_or_fail(f"build srv6steer first ({SRV6STEER})")
        cls.lab = down_on_signal(Lab.unique("d"))
        cls.addClassCleanup(cls.lab.down)
        cls.lab.down()
        cls.lab.up(host_decap=True)
        cls.cli("attach", "eth0")
        for pid, usids in PATHS.items():
            cls.cli("path", "add", str(pid), "--block", BLOCK, "--usids", usids)

    # ---- helpers ---------------------------------------------------------------
    @classmethod
    def cli(cls, *args, check=True, node="h1"):
        return cls.lab.steer(SRV6STEER, node, *args, check=check)

    def lf00_bytes(self):
        """Bytes the two spines received from leaf00 (h1's side; h2's ACKs come
        back unsteered through spine1's lf02)."""
        c = self.lab.counters_detail()
        return {sp: c[sp]["ifaces"]["lf00"]["rx_bytes"] for sp in ("spine1", "spine2")}

    def lf00(self):
        p = self.lab.port_rx()
        return {"spine1": p[("spine1", "lf00")], "spine2": p[("spine2", "lf00")]}

    def h2_paths(self):
        """h2's receive counters per sender path: {(source, path id): entry}."""
        return {(p["source"], p["path_id"]): p for p in self.lab.receive_stats("h2")["paths"]}

    def leaf02_sids(self):
        """leaf02's decap SIDs' counts: {"fe06": n, "fe04": m}."""
        return {fn: n for (node, sid), n in self.lab.sid_counts().items()
                for fn in ("fe06", "fe04") if node == "leaf02" and f":{fn}::" in sid}

    def config(self):
        """The lab's configuration (Lab.snapshot) per node, each node's lines
        sorted: the kernel lists routes re-added by restore in another order."""
        return {sec.split("\n", 1)[0]: sorted(sec.splitlines()[1:])
                for sec in self.lab.snapshot().split("## ")[1:]}

    def pin_flow(self, spec, path):
        self.cli("pin", "flow", *spec.split(), "--path", str(path))
        self.addCleanup(self.cli, "unpin", "flow", *spec.split(), check=False)

    def transfer(self, v, sport, port, nbytes, path, seed=1):
        """nbytes over TCP h1:sport -> h2:port, pinned to path; returns
        (what was sent, what arrived)."""
        self.pin_flow(f"tcp {host_addr('h1', v)} {sport} {host_addr('h2', v)} {port}", path)
        recv = self.lab.tcp_recv("h2", port, v=v)
        try:
            sent = self.lab.tcp_send("h1", "h2", sport, port, nbytes, v=v, seed=seed)
        finally:
            got = self.lab.tcp_result(recv)
        return sent, got

    def assert_arrived(self, sent, got, nbytes):
        self.assertEqual(sent["bytes"], nbytes)
        self.assertEqual(got["bytes"], nbytes, got)
        self.assertEqual(got["sha256"], sent["sha256"], "the bytes that arrived are not those sent")

    def assert_path_counted(self, before, after, path, nbytes):
        key = (host_addr("h1"), path)
        self.assertIn(key, after, f"h2 saw no packet of path {path} from h1: {list(after)}")
        d_pkts = after[key]["packets"] - before.get(key, {}).get("packets", 0)
        d_bytes = after[key]["bytes"] - before.get(key, {}).get("bytes", 0)
        self.assertGreater(d_pkts, 0)
        self.assertGreaterEqual(d_bytes, nbytes, f"path {path}: {d_bytes} bytes counted for {nbytes} sent")

    # ---- host-terminated paths -------------------------------------------------------
    def test_01_lab_reports_host_decap_on_every_host(self):
        hd = self.lab.status()["host_decap"]
        for h in ("h1", "h2", "h3", "h4"):
            self.assertTrue(hd[h]["attached"], hd)
            n = h[1:]
            self.assertEqual(sorted(hd[h]["sids"]),
                             [f"fcbb:0:e00{n}:fe04::/64 udt4", f"fcbb:0:e00{n}:fe06::/64 udt6"], hd)
        # Idempotent: again changes nothing and fails nothing.
        self.lab.host_decap()

    def test_02_tcp_over_a_host_terminated_path_arrives_exact(self):
        n = 32 * MIB
        c0, p0, s0 = self.lf00_bytes(), self.h2_paths(), self.leaf02_sids()
        sent, got = self.transfer(6, 40101, 5301, n, H2_HOST_SPINE2)
        c1, p1, s1 = self.lf00_bytes(), self.h2_paths(), self.leaf02_sids()
        d = Lab.delta(c0, c1)
        print(f"\n[32 MiB h1 -> h2 via spine2, decapsulated by h2's XDP: lf00 bytes {d}, "
              f"h2 path 2 {p1.get((host_addr('h1'), 2))}]", file=sys.stderr)
        self.assert_arrived(sent, got, n)
        self.assertGreater(d["spine2"], n, d)
        self.assertLess(d["spine1"], MIB, d)
        self.assert_path_counted(p0, p1, H2_HOST_SPINE2, n)
        self.assertEqual(Lab.delta(s0, s1), {"fe06": 0, "fe04": 0}, "leaf02 decapsulated it, not h2")

    def test_03_ipv4_inner_over_udt4(self):
        n = 8 * MIB
        c0, p0, s0 = self.lf00_bytes(), self.h2_paths(), self.leaf02_sids()
        sent, got = self.transfer(4, 40102, 5302, n, H2_HOST_SPINE2_V4)
        c1, p1, s1 = self.lf00_bytes(), self.h2_paths(), self.leaf02_sids()
        d = Lab.delta(c0, c1)
        self.assert_arrived(sent, got, n)
        self.assertGreater(d["spine2"], n, d)
        self.assertLess(d["spine1"], MIB, d)
        self.assert_path_counted(p0, p1, H2_HOST_SPINE2_V4, n)
        self.assertEqual(Lab.delta(s0, s1), {"fe06": 0, "fe04": 0})

    def test_04_leaf_decap_and_host_decap_side_by_side(self):
        n = 16 * MIB
        c0, p0, s0 = self.lf00_bytes(), self.h2_paths(), self.leaf02_sids()
        out = {}

        def one(name, sport, port, path, seed):
            try:
                out[name] = self.transfer(6, sport, port, n, path, seed=seed)
            except BaseException as e:   # re-raised below, in the test's thread
                out[name] = e
        threads = [threading.Thread(target=one, args=("leaf", 40103, 5303, H2_LEAF_SPINE1, 3)),
                   threading.Thread(target=one, args=("host", 40104, 5304, H2_HOST_SPINE2, 4))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        c1, p1, s1 = self.lf00_bytes(), self.h2_paths(), self.leaf02_sids()
        for name in ("leaf", "host"):
            if isinstance(out.get(name), BaseException):
                raise out[name]
            self.assert_arrived(*out[name], n)
        self.assertNotEqual(out["leaf"][0]["sha256"], out["host"][0]["sha256"])
        d, ds = Lab.delta(c0, c1), Lab.delta(s0, s1)
        print(f"\n[side by side, 16 MiB each: lf00 bytes {d}, leaf02 SID counts {ds}]", file=sys.stderr)
        self.assertGreater(d["spine1"], n, d)        # the leaf-decap flow
        self.assertGreater(d["spine2"], n, d)        # the host-decap flow
        self.assertGreater(ds["fe06"], 0, ds)        # leaf02's End.DT6 took the first ...
        self.assert_path_counted(p0, p1, H2_HOST_SPINE2, n)   # ... h2's XDP the second,
        self.assertNotIn((host_addr("h1"), H2_LEAF_SPINE1), p1,  # never the first
                         "h2 decapsulated a path that leaf02 terminates")

    # ---- link cuts -----------------------------------------------------------------
    def _qps_with_a_cut(self, link_down):
        """QP 0x11 pinned via spine1, 0x22 via spine2 (both host-terminated);
        spine2-leaf00 cut, then restored."""
        self.cli("pin", "qp", host_addr("h2"), "0x11", "--path", str(H2_HOST_SPINE1))
        self.cli("pin", "qp", host_addr("h2"), "0x22", "--path", str(H2_HOST_SPINE2))
        self.addCleanup(self.cli, "unpin", "qp", host_addr("h2"), "0x11", check=False)
        self.addCleanup(self.cli, "unpin", "qp", host_addr("h2"), "0x22", check=False)
        self.addCleanup(self.lab.restore, "spine2", "leaf00")

        def send_both(expect):
            recv = self.lab.roce_recv("h2", duration=8, expect=expect)
            c0, p0 = self.lf00(), self.h2_paths()
            # The cut QP first: were it not cut, it would arrive before the other.
            self.lab.roce_send("h1", "h2", 0x22, count=20, sport=50022)
            self.lab.roce_send("h1", "h2", 0x11, count=20, sport=50011)
            got = self.lab.roce_result(recv)
            c1, p1 = self.lf00(), self.h2_paths()
            per_qp = {int(k, 0): v["packets"] for k, v in got["qps"].items()}
            return per_qp, Lab.delta(c0, c1), p0, p1

        before = self.config()
        h1_routes = self.lab.run("h1", "ip", "-6", "route").stdout
        self.lab.cut("spine2", "leaf00", link_down=link_down)
        self.assertEqual(self.lab.links()[("spine2", "leaf00")], "down" if link_down else "cut")
        self.assertEqual(self.lab.run("h1", "ip", "-6", "route").stdout, h1_routes,
                         "a cut changes no route at the hosts")
        if not link_down:
            self.assertEqual(self.config(), before, "a cut changes no route in the fabric")
        per_qp, d, p0, p1 = send_both(20)
        self.assertEqual(per_qp.get(0x11), 20, per_qp)     # over spine1: keeps arriving
        self.assertEqual(per_qp.get(0x22, 0), 0, per_qp)   # over the cut link: vanished
        self.assertLessEqual(d["spine2"], NOISE, d)
        self.assertGreaterEqual(d["spine1"], 20, d)
        key = (host_addr("h1"), H2_HOST_SPINE2)
        self.assertEqual(p1.get(key, {}).get("packets"), p0.get(key, {}).get("packets"))

        self.lab.restore("spine2", "leaf00")
        self.assertEqual(self.lab.links()[("spine2", "leaf00")], "up")
        self.assertEqual(self.config(), before, "restore puts every route back")
        per_qp, d, _, _ = send_both(40)
        self.assertEqual(per_qp, {0x11: 20, 0x22: 20})
        self.assertGreaterEqual(d["spine2"], 20, d)

    def test_05_cut_loses_the_pinned_flow_on_that_spine_only(self):
        self._qps_with_a_cut(link_down=False)

    def test_06_cut_by_link_down_black_holes_too(self):
        self._qps_with_a_cut(link_down=True)


if __name__ == "__main__":
    stop_on_signals(signal.SIGTERM, signal.SIGINT)
    main()
