#!/usr/bin/python3
"""End-to-end tests of the netns SRv6 fabric (tools/lab) and the RoCEv2 tool.

Run as root:  /usr/bin/python3 tests/e2e/lab_test.py -v     (ctest -L e2e)
The lab gets a prefix of its own ('e<pid>-'), so a demo lab ('s6s-') and
these tests can coexist. Every test that changes the lab undoes it in a
finally block; the lab is removed in tearDownClass (and by a class cleanup
and on SIGTERM/SIGINT, should setUpClass or the run itself die).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest
from itertools import permutations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "testing"))
from skippolicy import main, skip_or_fail, skip_unless  # noqa: E402
from srv6lab import (HOSTS, LAB, Lab, container, down_on_signal, host_addr, host_prefix,  # noqa: E402
                     stop_on_signals)

COUNT = 10          # echo requests per traffic check
NOISE = 2           # packets a spine may see that are not ours (there should be none)


def missing_prerequisites():
    if os.geteuid() != 0:
        return "needs root (creates network namespaces)"
    for tool in ("ip", "nsenter", "sysctl"):
        if not shutil.which(tool):
            return f"needs {tool}"
    return None


class LabTest(unittest.TestCase):
    lab = None

    @classmethod
    def setUpClass(cls):
        why = missing_prerequisites()
        if why:
            skip_or_fail(why)
        cls.t0 = time.monotonic()
        cls.lab = down_on_signal(Lab.unique("e"))
        cls.addClassCleanup(cls.lab.down)       # runs even if setUpClass fails
        cls.lab.down()                          # leftovers of a killed run with our pid
        cls.lab.up()
        print(f"\n[lab {cls.lab.prefix} up in {time.monotonic() - cls.t0:.1f} s]", file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        if cls.lab:
            cls.lab.down()
            left = cls.lab.namespaces()
            if left:
                print(f"lab down left namespaces: {left}", file=sys.stderr)
            print(f"[lab {cls.lab.prefix} tests took {time.monotonic() - cls.t0:.1f} s]",
                  file=sys.stderr)

    # ---- helpers ----------------------------------------------------------------
    def assert_ping(self, src, dst, v=6, count=3):
        sent, recv = self.lab.ping(src, dst, v=v, count=count, interval=0.05)
        self.assertEqual((sent, recv), (count, count), f"ping -{v} {src} -> {dst}")

    def traffic(self, fn):
        """Runs fn(); returns (spine rx delta, per-port rx delta, SID packet delta)."""
        c0, p0, s0 = self.lab.counters(), self.lab.port_rx(), self.lab.sid_counts()
        fn()
        c1, p1, s1 = self.lab.counters(), self.lab.port_rx(), self.lab.sid_counts()
        return Lab.delta(c0, c1), Lab.delta(p0, p1), Lab.delta(s0, s1)

    def sp2_state(self):
        """leaf00's global IPv6 addresses on sp2 and its IPv6 routes through sp2."""
        addrs = self.lab.run("leaf00", "ip", "-6", "-o", "addr", "show", "dev", "sp2", "scope", "global").stdout
        routes = self.lab.run("leaf00", "ip", "-6", "route", "show", "dev", "sp2").stdout
        return addrs.strip(), "\n".join(r for r in routes.splitlines() if not r.startswith(("fe80::", "multicast")))

    def steer(self, host, prefix, usids, v=6):
        """The seed's kernel method: a reduced-encap SRv6 route (route MTU 1460)."""
        fam = "-6" if v == 6 else "-4"
        self.lab.run(host, "ip", fam, "route", "add", prefix, "encap", "seg6", "mode",
                     "encap.red", "segs", container(*usids), "dev", "eth0", "mtu", "1460")

    def unsteer(self, host, prefix, v=6):
        self.lab.run(host, "ip", "-6" if v == 6 else "-4", "route", "del", prefix, check=False)

    # ---- tests --------------------------------------------------------------------
    def test_01_nodes_and_ports(self):
        self.assertEqual(len(self.lab.namespaces()), 9, self.lab.namespaces())
        ports = {"spine1": {"lf00", "lf01", "lf02"}, "spine2": {"lf00", "lf01", "lf02"},
                 "leaf00": {"sp1", "sp2", "h1"}, "leaf01": {"sp1", "sp2", "h4"},
                 "leaf02": {"sp1", "sp2", "h2", "h3"}}
        for router in ports:
            ports[router] |= {"sid0", "sid1"}   # the SID routes' own (idle) veth pair
        ports.update({h: {"eth0"} for h in HOSTS})
        for node, want in ports.items():
            out = self.lab.run(node, "ip", "-br", "link").stdout
            have = {line.split()[0].split("@")[0] for line in out.splitlines()} - {"lo"}
            self.assertEqual(have, want, node)
        for h in HOSTS:
            mtu = self.lab.run(h, "cat", "/proc/sys/net/ipv6/conf/eth0/mtu").stdout.strip()
            self.assertEqual(mtu, "1500", h)
            addrs = self.lab.run(h, "ip", "-o", "addr", "show", "dev", "eth0").stdout
            self.assertIn(host_addr(h, 6) + "/64", addrs)
            self.assertIn(host_addr(h, 4) + "/24", addrs)

    def test_02_all_hosts_reach_all_hosts_v6_v4(self):
        for src, dst in permutations(HOSTS, 2):
            for v in (6, 4):
                with self.subTest(src=src, dst=dst, v=v):
                    self.assert_ping(src, dst, v=v, count=2)

    def test_03_default_path_crosses_spine1(self):
        for dst, v in (("h2", 6), ("h4", 4), ("h3", 6)):
            with self.subTest(dst=dst, v=v):
                d, _, _ = self.traffic(lambda: self.assert_ping("h1", dst, v=v, count=COUNT))
                self.assertGreaterEqual(d["spine1"], 2 * COUNT, d)   # requests + replies
                self.assertLessEqual(d["spine2"], NOISE, d)

    def test_04_seed_route_moves_h1_to_h2_onto_spine2(self):
        via2 = (0x1004, 0x1002, 0x1006, 0xfe06)
        try:
            self.steer("h1", host_prefix("h2"), via2)
            d, ports, sids = self.traffic(lambda: self.assert_ping("h1", "h2", count=COUNT))
            # requests leaf00 -> spine2, replies (not steered) leaf02 -> spine1
            self.assertGreaterEqual(ports[("spine2", "lf00")], COUNT, ports)
            self.assertLessEqual(ports[("spine1", "lf00")], NOISE, ports)
            self.assertGreaterEqual(ports[("spine1", "lf02")], COUNT, ports)
            self.assertEqual(sids[("spine2", "fcbb:0:1002::/48")], COUNT, sids)
            self.assertEqual(sids[("leaf00", "fcbb:0:1004::/48")], COUNT, sids)
            self.assertEqual(sids[("leaf02", "fcbb:0:1006:fe06::/64")], COUNT, sids)
            self.assertEqual(sids[("spine1", "fcbb:0:1001::/48")], 0, sids)

            # steer the replies too: spine1 carries nothing any more
            self.steer("h2", host_prefix("h1"), (0x1006, 0x1002, 0x1004, 0xfe06))
            d, _, sids = self.traffic(lambda: self.assert_ping("h1", "h2", count=COUNT))
            self.assertGreaterEqual(d["spine2"], 2 * COUNT, d)
            self.assertLessEqual(d["spine1"], NOISE, d)
            self.assertEqual(sids[("spine2", "fcbb:0:1002::/48")], 2 * COUNT, sids)
            self.assertEqual(sids[("leaf00", "fcbb:0:1004:fe06::/64")], COUNT, sids)
        finally:
            self.unsteer("h1", host_prefix("h2"))
            self.unsteer("h2", host_prefix("h1"))
        # back on the default path
        d, _, _ = self.traffic(lambda: self.assert_ping("h1", "h2", count=COUNT))
        self.assertGreaterEqual(d["spine1"], 2 * COUNT, d)
        self.assertLessEqual(d["spine2"], NOISE, d)

    def test_05_seed_route_ipv4_via_fe04(self):
        try:
            self.steer("h1", host_prefix("h4", 4), (0x1004, 0x1002, 0x1005, 0xfe04), v=4)
            _, ports, sids = self.traffic(lambda: self.assert_ping("h1", "h4", v=4, count=COUNT))
            self.assertGreaterEqual(ports[("spine2", "lf00")], COUNT, ports)
            self.assertLessEqual(ports[("spine1", "lf00")], NOISE, ports)
            self.assertEqual(sids[("leaf01", "fcbb:0:1005:fe04::/64")], COUNT, sids)
        finally:
            self.unsteer("h1", host_prefix("h4", 4), v=4)

    def test_06_roce_counts_per_qp_v6(self):
        qps = (0x11, 0x12, 0xabcdef)
        recv = self.lab.roce_recv("h2", v=6, duration=5, expect=3 * COUNT)
        try:
            d, _, _ = self.traffic(lambda: self.lab.roce_send("h1", "h2", qps, count=3 * COUNT))
        finally:
            res = Lab.roce_result(recv)
        self.assertEqual(res["packets"], 3 * COUNT, res)
        self.assertEqual(res["invalid"], 0, res)
        for q in qps:
            e = res["qps"][hex(q)]
            self.assertEqual(e["packets"], COUNT, res)
            self.assertEqual((e["first_psn"], e["last_psn"]), (0, COUNT - 1), res)
            self.assertEqual(e["opcodes"], {"0x04": COUNT}, res)
        self.assertGreaterEqual(d["spine1"], 3 * COUNT, d)       # default path, one way
        self.assertLessEqual(d["spine2"], NOISE, d)

    def test_07_roce_v4_and_steered(self):
        try:
            self.steer("h1", host_prefix("h4", 4), (0x1004, 0x1002, 0x1005, 0xfe04), v=4)
            recv = self.lab.roce_recv("h4", v=4, duration=5, expect=COUNT)
            try:
                d, _, _ = self.traffic(
                    lambda: self.lab.roce_send("h1", "h4", 0x77, v=4, count=COUNT, size=1000))
            finally:
                res = Lab.roce_result(recv)
        finally:
            self.unsteer("h1", host_prefix("h4", 4), v=4)
        self.assertEqual(res["qps"]["0x77"]["packets"], COUNT, res)
        self.assertEqual(res["sources"], {host_addr("h1", 4): COUNT}, res)
        # one-way UDP, steered: spine2 carries it all, spine1 nothing
        self.assertGreaterEqual(d["spine2"], COUNT, d)
        self.assertLessEqual(d["spine1"], NOISE, d)

    def test_08_up_twice_is_idempotent(self):
        self.assert_ping("h1", "h2")
        snap0, c0, s0 = self.lab.snapshot(), self.lab.counters(), self.lab.sid_counts()
        # What would make the nodes send (MLD reports and the like) is a link
        # coming up or an address added: neither may happen. The monitors have
        # seen everything `up` did once its end marker arrives (no fixed wait).
        changes = self.lab.netlink_changes(lambda: self.lab.up(settle=False))
        self.assertEqual(changes, {}, "re-running up changed links or removed addresses")
        snap1, c1, s1 = self.lab.snapshot(), self.lab.counters(), self.lab.sid_counts()
        self.assertEqual(snap0, snap1)
        self.assertEqual(c0, c1, "re-running up sent packets through the spines")
        self.assertEqual(s0, s1, "re-running up reset the SID counters")
        self.assert_ping("h1", "h4", v=4)

    @skip_unless(shutil.which("iperf3"), "needs iperf3")
    def test_10_tcp_over_seed_route(self):
        # TCP through the reduced encap: needs the route MTU (1500 - 40), then works
        server = self.lab.iperf_server("h2", 5201, host_addr("h2"))
        try:
            self.steer("h1", host_prefix("h2"), (0x1004, 0x1002, 0x1006, 0xfe06))
            p0 = self.lab.port_rx()
            r = self.lab.run("h1", "iperf3", "-c", host_addr("h2"), "-t", "2", "-J",
                             timeout=30)
            p1 = self.lab.port_rx()
        finally:
            self.unsteer("h1", host_prefix("h2"))
            if server.poll() is None:
                server.kill()
            server.wait(timeout=10)
        end = json.loads(r.stdout)["end"]
        gbps = end["sum_received"]["bits_per_second"] / 1e9
        print(f"\n[iperf3 over encap.red via spine2: {gbps:.2f} Gbit/s, "
              f"{end['sum_sent']['retransmits']} retransmits]", file=sys.stderr)
        self.assertGreater(end["sum_received"]["bytes"], 10_000_000)
        d = Lab.delta(p0, p1)
        self.assertGreater(d[("spine2", "lf00")], 1000, d)      # data segments
        self.assertLessEqual(d[("spine1", "lf00")], NOISE, d)
        self.assertGreater(d[("spine1", "lf02")], 100, d)       # ACKs come back plain

    def test_11_up_repairs_a_failed_link(self):
        # A port set down loses its IPv6 addresses, routes and static neighbours for
        # good (the SIDs survive: they sit on sid0); re-running up puts them back.
        try:
            self.steer("h1", host_prefix("h4"), (0x1004, 0x1002, 0x1005, 0xfe06))
            self.assert_ping("h1", "h4")
            self.lab.run("leaf00", "ip", "link", "set", "dev", "sp2", "down")
            self.assertEqual(self.sp2_state(), ("", ""), "down: addresses and routes gone")
            self.lab.run("leaf00", "ip", "link", "set", "dev", "sp2", "up")
            self.assertEqual(self.sp2_state(), ("", ""),
                             "the kernel restored the addresses or routes by itself: update the docs")
            self.lab.up()
            self.assertNotEqual(self.sp2_state()[0], "", "up put the address back")
            self.assert_ping("h1", "h4")
            self.assert_ping("h1", "h4", v=4)
        finally:
            self.lab.run("leaf00", "ip", "link", "set", "dev", "sp2", "up", check=False)
            self.unsteer("h1", host_prefix("h4"))
            self.lab.up()

    def test_09_exec_keeps_host_bpffs(self):
        # tools/lab exec switches the network namespace only: bpffs stays usable
        r = subprocess.run([str(LAB), "exec", "--prefix", self.lab.prefix, "h1",
                            "stat", "-f", "-c", "%T", "/sys/fs/bpf"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "bpf_fs")
        r = subprocess.run([str(LAB), "exec", "--prefix", self.lab.prefix, "h1",
                            "ip", "-br", "link", "show", "dev", "eth0"],
                           capture_output=True, text=True, timeout=10)
        self.assertTrue(r.stdout.startswith("eth0"), r.stdout)


class LabDownTest(unittest.TestCase):
    """down removes every namespace of its prefix, also after a partial up."""

    def setUp(self):
        why = missing_prerequisites()
        if why:
            skip_or_fail(why)
        self.lab = down_on_signal(Lab.unique("d"))
        self.addCleanup(self.lab.down)

    def test_down_after_full_up(self):
        self.lab.up(settle=False)
        self.assertEqual(len(self.lab.namespaces()), 9)
        r = self.lab.down()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.lab.namespaces(), [])
        self.assertEqual(self.lab.down().returncode, 0)    # nothing left: still fine

    def test_down_after_partial_up(self):
        sleeper = None
        try:
            for n in ("spine1", "h1"):
                subprocess.run(["ip", "netns", "add", self.lab.ns(n)], check=True)
            subprocess.run(["ip", "-n", self.lab.ns("h1"), "link", "add", "name", "eth0",
                            "type", "veth", "peer", "name", "h1", "netns",
                            self.lab.ns("spine1")], check=True)
            # a process left inside a namespace must not keep it alive
            sleeper = self.lab.popen("h1", "sleep", "60", stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
            r = self.lab.down()
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(self.lab.namespaces(), [])
            self.assertIsNotNone(sleeper.wait(timeout=5))
        finally:
            if sleeper and sleeper.poll() is None:
                sleeper.kill()
                sleeper.wait()


if __name__ == "__main__":
    # SIGALRM: a watchdog below ctest's TIMEOUT (600 s): a hung step still removes the lab.
    stop_on_signals(signal.SIGTERM, signal.SIGINT, signal.SIGALRM)
    signal.alarm(int(os.environ.get("SRV6S_E2E_WATCHDOG", "540")))
    main()
