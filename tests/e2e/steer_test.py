#!/usr/bin/python3
"""srv6steer end to end on the netns SRv6 fabric (tools/lab).

srv6steer is attached to h1's eth0 with the CLI (which exits after every
command: steering must go on without it). Which spine carried h1's traffic
is read from the spines' ports towards leaf00 (lfNN = from leafNN): the
data goes h1 -> leaf00 -> spine -> leaf02, while replies and ACKs come back
unsteered through spine1's lf02, so they never touch an lf00 counter.

Run as root:  /usr/bin/python3 tests/e2e/steer_test.py -v     (ctest -L e2e)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "testing"))
from skippolicy import main, skip_or_fail  # noqa: E402
from srv6lab import Lab, container, down_on_signal, host_addr, stop_on_signals, wait_until  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SRV6STEER = Path(os.environ.get("SRV6STEER_BIN", ROOT / "build" / "loader" / "srv6steer"))
BLOCK = "fcbb:0::/32"
NOISE = 2

VIA_SPINE1 = "1004,1001,1006,fe06"
VIA_SPINE2 = "1004,1002,1006,fe06"
V4_VIA_SPINE2 = "1004,1002,1006,fe04"            # End.DX4 at leaf02
# leaf00 -> spine1 -> leaf01 -> spine2 -> leaf00 -> spine2 -> leaf02, decap:
# 8 uSIDs, two containers, so an SRH.
LONG = "1004,1001,1005,1002,1004,1002,1006,fe06"

class SteerTest(unittest.TestCase):
    lab = None

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            skip_or_fail("needs root")
        if not SRV6STEER.exists():
            skip_or_fail(f"build srv6steer first ({SRV6STEER})")
        if not shutil.which("iperf3"):
            skip_or_fail("needs iperf3")
        cls.lab = down_on_signal(Lab.unique("s"))
        cls.addClassCleanup(cls.lab.down)
        cls.lab.down()
        cls.lab.up()
        cls.cli("attach", "eth0")
        for pid, usids in ((1, VIA_SPINE1), (2, VIA_SPINE2), (3, LONG), (4, V4_VIA_SPINE2)):
            cls.cli("path", "add", str(pid), "--block", BLOCK, "--usids", usids)

    @classmethod
    def tearDownClass(cls):
        if cls.lab:
            cls.cli("detach", "eth0", check=False)
            cls.lab.down()

    # ---- helpers ---------------------------------------------------------------
    @classmethod
    def cli(cls, *args, check=True, node="h1"):
        return cls.lab.steer(SRV6STEER, node, *args, check=check)

    @classmethod
    def cli_json(cls, *args):
        return json.loads(cls.cli(*args, "-j").stdout)

    def lf00(self):
        """Packets the two spines received from leaf00 (h1's side)."""
        p = self.lab.port_rx()
        return {"spine1": p[("spine1", "lf00")], "spine2": p[("spine2", "lf00")]}

    def lf00_bytes(self):
        """Bytes the two spines received from leaf00: veths pass GSO packets
        whole, so for bulk TCP bytes tell more than packets."""
        c = self.lab.counters_detail()
        return {sp: c[sp]["ifaces"]["lf00"]["rx_bytes"] for sp in ("spine1", "spine2")}

    def path_packets(self):
        return {p["id"]: p["packets"] for p in self.cli_json("stats")["paths"]}

    def iperf_server(self, port):
        p = self.lab.iperf_server("h2", port, host_addr("h2"))
        self.addCleanup(lambda: (p.poll() is None and p.kill(), p.wait(timeout=10)))
        return p

    def iperf_client(self, port, cport, *extra):
        return self.lab.popen("h1", "iperf3", "-c", host_addr("h2"), "-p", str(port),
                              "--cport", str(cport), "-J", *extra,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def iperf_result(self, proc, timeout=120):
        out, err = proc.communicate(timeout=timeout)
        self.assertEqual(proc.returncode, 0, f"iperf3 failed: {out[-2000:]}{err}")
        return json.loads(out)

    def pin(self, *args):
        self.cli("pin", *args)

    def unpin_flow(self, spec):
        self.cli("unpin", "flow", *spec.split(), check=False)

    # ---- the demo's claims -------------------------------------------------------
    def test_01_two_tcp_flows_between_two_hosts_on_two_spines(self):
        a = f"tcp {host_addr('h1')} 40001 {host_addr('h2')} 5201"
        b = f"tcp {host_addr('h1')} 40002 {host_addr('h2')} 5202"
        self.iperf_server(5201)
        self.iperf_server(5202)
        self.pin("flow", *a.split(), "--path", "1")
        self.pin("flow", *b.split(), "--path", "2")
        self.addCleanup(self.unpin_flow, a)
        self.addCleanup(self.unpin_flow, b)
        c0, s0 = self.lf00(), self.path_packets()
        pa = self.iperf_client(5201, 40001, "-t", "3")
        pb = self.iperf_client(5202, 40002, "-t", "3")
        ra, rb = self.iperf_result(pa), self.iperf_result(pb)
        c1, s1 = self.lf00(), self.path_packets()
        d, ds = Lab.delta(c0, c1), Lab.delta(s0, s1)
        ga = ra["end"]["sum_received"]["bits_per_second"] / 1e9
        gb = rb["end"]["sum_received"]["bits_per_second"] / 1e9
        print(f"\n[two flows at once: {ga:.2f} Gbit/s via spine1, {gb:.2f} Gbit/s via spine2; "
              f"lf00 packets {d}]", file=sys.stderr)
        # Both ran at the same time (their runs overlap), each on its own spine.
        def span(r):
            t0 = r["start"]["timestamp"]["timesecs"]
            return t0, t0 + r["end"]["sum_received"]["seconds"]
        (a0, a1), (b0, b1) = span(ra), span(rb)
        self.assertTrue(a0 < b1 and b0 < a1, f"runs {a0}..{a1} and {b0}..{b1} do not overlap")
        self.assertGreater(d["spine1"], 1000, d)
        self.assertGreater(d["spine2"], 1000, d)
        self.assertGreater(ds[1], 0, ds)
        self.assertGreater(ds[2], 0, ds)

    def test_02_live_flow_moves_to_the_other_spine_without_a_stall(self):
        spec = f"tcp {host_addr('h1')} 40003 {host_addr('h2')} 5203"
        self.iperf_server(5203)
        self.pin("flow", *spec.split(), "--path", "1")
        self.addCleanup(self.unpin_flow, spec)
        c0 = self.lf00()
        p = self.iperf_client(5203, 40003, "-t", "4", "-i", "0.5")
        # Move it once it is well under way on spine 1.
        def under_way():
            c = self.lf00()
            return c if c["spine1"] - c0["spine1"] > 2000 else None
        mid = wait_until(under_way, timeout=10, what="2000 packets of the flow via spine 1")
        self.pin("flow", *spec.split(), "--path", "2", "--replace")
        r = self.iperf_result(p)
        c1 = self.lf00()
        before, after = Lab.delta(c0, mid), Lab.delta(mid, c1)
        rates = [i["sum"]["bits_per_second"] / 1e9 for i in r["intervals"]]
        print(f"\n[moved live: 0.5 s intervals (Gbit/s) {[round(x, 2) for x in rates]}; "
              f"lf00 before {before}, after {after}]", file=sys.stderr)
        self.assertGreater(before["spine1"], 1000, before)
        self.assertLessEqual(before["spine2"], NOISE, before)
        self.assertGreater(after["spine2"], 1000, after)
        self.assertGreaterEqual(len(rates), 7)
        for i, rate in enumerate(rates[:-1]):   # the last interval can be a sliver
            self.assertGreater(rate, 0.05, f"interval {i} stalled: {rates}")

    def test_03_two_rocev2_qps_to_one_host_on_two_spines(self):
        self.pin("qp", host_addr("h2"), "0x11", "--path", "1")
        self.pin("qp", host_addr("h2"), "0x22", "--path", "2")
        self.addCleanup(self.cli, "unpin", "qp", host_addr("h2"), "0x11", check=False)
        self.addCleanup(self.cli, "unpin", "qp", host_addr("h2"), "0x22", check=False)
        recv = self.lab.roce_recv("h2", duration=8, expect=100)
        c0 = self.lf00()
        self.lab.roce_send("h1", "h2", 0x11, count=50, sport=50011)
        c1 = self.lf00()
        self.lab.roce_send("h1", "h2", 0x22, count=50, sport=50022)
        c2 = self.lf00()
        got = self.lab.roce_result(recv)
        d1, d2 = Lab.delta(c0, c1), Lab.delta(c1, c2)
        print(f"\n[QP 0x11: lf00 {d1}; QP 0x22: lf00 {d2}; received {got}]", file=sys.stderr)
        self.assertGreaterEqual(d1["spine1"], 50, d1)
        self.assertLessEqual(d1["spine2"], NOISE, d1)
        self.assertGreaterEqual(d2["spine2"], 50, d2)
        self.assertLessEqual(d2["spine1"], NOISE, d2)
        per_qp = {int(k, 0): v for k, v in got["qps"].items()}
        self.assertEqual(per_qp.get(0x11, {}).get("packets"), 50, got)
        self.assertEqual(per_qp.get(0x22, {}).get("packets"), 50, got)

    def test_04_status_and_stats_describe_it(self):
        self.pin("qp", host_addr("h2"), "0x33", "--path", "2")
        self.addCleanup(self.cli, "unpin", "qp", host_addr("h2"), "0x33", check=False)
        st = self.cli_json("status")
        self.assertEqual(len(st), 1)
        self.assertEqual(st[0]["interface"], "eth0")
        self.assertEqual(st[0]["mode"], "tcx")
        self.assertEqual(st[0]["paths"], 4)
        text = self.cli("status", "-v").stdout
        self.assertIn("eth0", text)
        stats = self.cli_json("stats")
        self.assertGreater(stats["reasons"]["steered"]["packets"], 0)
        qps = self.cli_json("list", "qps")
        self.assertIn("0x000033", json.dumps(qps))

    # ---- more end-to-end claims ----------------------------------------------------
    def test_05_ipv4_inner_flow(self):
        self.pin("qp", host_addr("h2", 4), "0x44", "--path", "4")
        self.addCleanup(self.cli, "unpin", "qp", host_addr("h2", 4), "0x44", check=False)
        recv = self.lab.roce_recv("h2", v=4, duration=8, expect=30)
        c0 = self.lf00()
        self.lab.roce_send("h1", "h2", 0x44, v=4, count=30, sport=50044)
        c1 = self.lf00()
        got = self.lab.roce_result(recv)
        d = Lab.delta(c0, c1)
        self.assertGreaterEqual(d["spine2"], 30, d)
        self.assertLessEqual(d["spine1"], NOISE, d)
        self.assertEqual({int(k, 0): v["packets"] for k, v in got["qps"].items()}.get(0x44), 30, got)
        sids = self.lab.sid_counts()
        self.assertTrue(any(node.endswith("leaf02") and "fe04" in sid and n >= 30
                            for (node, sid), n in sids.items()), sids)

    def test_06_path_with_an_srh(self):
        self.pin("qp", host_addr("h2"), "0x55", "--path", "3")
        self.addCleanup(self.cli, "unpin", "qp", host_addr("h2"), "0x55", check=False)
        recv = self.lab.roce_recv("h2", duration=8, expect=20)
        p0 = self.lab.port_rx()
        self.lab.roce_send("h1", "h2", 0x55, count=20, sport=50055)
        p1 = self.lab.port_rx()
        got = self.lab.roce_result(recv)
        d = Lab.delta(p0, p1)
        # spine1 from leaf00, spine2 from leaf01, spine2 again from leaf00.
        self.assertGreaterEqual(d[("spine1", "lf00")], 20, d)
        self.assertGreaterEqual(d[("spine2", "lf01")], 20, d)
        self.assertGreaterEqual(d[("spine2", "lf00")], 20, d)
        self.assertEqual({int(k, 0): v["packets"] for k, v in got["qps"].items()}.get(0x55), 20, got)
        paths = {p["id"]: p for p in self.cli_json("path", "list")}
        self.assertEqual(len(paths[3]["segments"]), 2, "two containers")

    def _gib_over_spine2(self, cport, port):
        spec = f"tcp {host_addr('h1')} {cport} {host_addr('h2')} {port}"
        self.iperf_server(port)
        self.pin("flow", *spec.split(), "--path", "2")
        self.addCleanup(self.unpin_flow, spec)
        c0 = self.lf00_bytes()
        t0 = time.monotonic()
        r = self.iperf_result(self.iperf_client(port, cport, "-n", "1G"), timeout=300)
        secs = time.monotonic() - t0
        d = Lab.delta(c0, self.lf00_bytes())
        got = r["end"]["sum_sent"]["bytes"]      # -n 1G: done when all of it is sent
        return got, secs, d, r["end"]["sum_sent"].get("retransmits")

    def test_07_one_gib_with_tso_on_and_off(self):
        got, secs, d, rtx = self._gib_over_spine2(40007, 5207)
        print(f"\n[1 GiB, TSO on: {secs:.1f} s, lf00 bytes {d}, {rtx} retransmits]", file=sys.stderr)
        self.assertGreaterEqual(got, 1 << 30)
        self.assertGreater(d["spine2"], 0.98 * (1 << 30), d)
        self.assertLess(d["spine1"], 1 << 20, d)
        self.lab.run("h1", "ethtool", "-K", "eth0", "tso", "off", "gso", "off")
        self.addCleanup(self.lab.run, "h1", "ethtool", "-K", "eth0", "tso", "on", "gso", "on",
                        check=False)
        got, secs, d, rtx = self._gib_over_spine2(40008, 5208)
        print(f"[1 GiB, TSO/GSO off: {secs:.1f} s, lf00 bytes {d}, {rtx} retransmits]", file=sys.stderr)
        self.assertGreaterEqual(got, 1 << 30)
        self.assertGreater(d["spine2"], 0.98 * (1 << 30), d)
        self.assertLess(d["spine1"], 1 << 20, d)

    def test_08_prefix_pin_does_what_the_seed_route_did(self):
        h3 = host_addr("h3")
        spine2 = container(0x1004, 0x1002, 0x1006, 0xfe06)

        def pings():
            c0 = self.lf00()
            sent, received = self.lab.ping("h1", "h3", count=10)
            return received, Lab.delta(c0, self.lf00())

        # The seed's way: a kernel seg6 route for the whole prefix.
        self.lab.run("h1", "ip", "-6", "route", "add", "fcbb:0:800:3::/64", "encap", "seg6", "mode",
                     "encap.red", "segs", spine2, "dev", "eth0", "mtu", "1460")
        try:
            seed = pings()
        finally:
            self.lab.run("h1", "ip", "-6", "route", "del", "fcbb:0:800:3::/64", "encap", "seg6",
                         "mode", "encap.red", "segs", spine2, "dev", "eth0", check=False)
        # srv6steer's way: a prefix pin.
        self.pin("prefix", "fcbb:0:800:3::/64", "--path", "2")
        try:
            ours = pings()
        finally:
            self.cli("unpin", "prefix", "fcbb:0:800:3::/64", check=False)
        print(f"\n[h1 -> h3, 10 pings: seed route {seed}, srv6steer prefix pin {ours}]", file=sys.stderr)
        self.assertEqual(seed, ours)
        self.assertEqual(ours[0], 10)
        self.assertGreaterEqual(ours[1]["spine2"], 10)
        self.assertLessEqual(ours[1]["spine1"], NOISE)
        self.assertNotIn(h3, self.lab.run("h1", "ip", "-6", "route", "show", "proto", "94").stdout,
                         "the route MTU left with the last pin")

    def test_09_unpin_returns_a_flow_to_the_default_path(self):
        self.pin("qp", host_addr("h2"), "0x66", "--path", "2")
        c0 = self.lf00()
        self.lab.roce_send("h1", "h2", 0x66, count=20, sport=50066)
        c1 = self.lf00()
        self.cli("unpin", "qp", host_addr("h2"), "0x66")
        self.lab.roce_send("h1", "h2", 0x66, count=20, sport=50066)
        c2 = self.lf00()
        pinned, unpinned = Lab.delta(c0, c1), Lab.delta(c1, c2)
        self.assertGreaterEqual(pinned["spine2"], 20, pinned)
        self.assertGreaterEqual(unpinned["spine1"], 20, unpinned)
        self.assertLessEqual(unpinned["spine2"], NOISE, unpinned)

    def test_10_path_down_moves_flows_and_the_cli_is_not_needed(self):
        self.cli("set", "add", "7", "1", "2")
        self.addCleanup(self.cli, "set", "del", "7", check=False)
        self.pin("prefix", "fcbb:0:800:4::/64", "--set", "7")
        self.addCleanup(self.cli, "unpin", "prefix", "fcbb:0:800:4::/64", check=False)
        self.cli("path", "down", "2")
        self.addCleanup(self.cli, "path", "up", "2", check=False)
        p0 = self.lab.port_rx()
        sent, received = self.lab.ping("h1", "h4", count=10)
        d = Lab.delta(p0, self.lab.port_rx())
        self.assertEqual(received, 10)
        self.assertGreaterEqual(d[("spine1", "lf00")], 10, d)
        self.assertLessEqual(d[("spine2", "lf00")], NOISE, d)
        # No srv6steer process is left in h1's network namespace: every CLI
        # call above has exited (others on this machine are not ours to count).
        pids = subprocess.run(["ip", "netns", "pids", self.lab.ns("h1")], capture_output=True,
                              text=True, check=True).stdout.split()
        def comm(pid):
            try:
                return Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:        # gone meanwhile
                return None
        self.assertNotIn("srv6steer", [comm(p) for p in pids])


if __name__ == "__main__":
    stop_on_signals(signal.SIGTERM, signal.SIGINT)
    main()
