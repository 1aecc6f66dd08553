# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The Python binding over libsrv6steer, attached for real.

Runs as root inside a private network and mount namespace (ctest starts it
as `unshare --net --mount /usr/bin/python3 -m unittest ...`); each test sets
up its own veth pair and bpffs mount and removes them afterwards. Finds the
library through $SRV6STEER_LIB."""

import errno
import os
import socket
import subprocess
import tempfile
import unittest

import srv6steer
from srv6steer import Flow, Receive, Steering, SteeringError, Target

import argument_table
from test_arguments import ArgumentChecks

HOST = "fcbb:0:800:1::10"
GATEWAY = "fcbb:0:800:1::1"
DEST = "fcbb:0:800:2::20"
FLOW = f"udp {HOST} 40000 {DEST} 9000"


def private_namespaces() -> bool:
    """Network and mount namespaces other than our parent's (unshare execs us,
    so the parent is whoever ran `unshare`). /proc/1/ns may not be readable."""
    try:
        return all(os.stat(f"/proc/self/ns/{ns}").st_ino != os.stat(f"/proc/{os.getppid()}/ns/{ns}").st_ino
                   for ns in ("net", "mnt"))
    except OSError:
        return False


def sh(cmd: str) -> str:
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"command failed ({r.returncode}): {cmd}\n{r.stdout}{r.stderr}")
    return r.stdout


def send_udp(sport: int, dport: int, dst: str = DEST) -> None:
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
        s.bind((HOST, sport))
        s.sendto(b"srv6steer", (dst, dport))


def setUpModule():
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root")
    if not private_namespaces():
        raise unittest.SkipTest("run in private namespaces: unshare --net --mount python3 -m unittest ...")
    sh("mount --make-rprivate /")
    sh("ip link set lo up")


class Veth(unittest.TestCase):
    """veth0 (with a route to DEST) -> veth1, and a private bpffs."""

    def setUp(self):
        self.bpffs = tempfile.mkdtemp(prefix="srv6steer-py-")
        sh(f"mount -t bpf bpf {self.bpffs}")
        sh("ip link add veth0 type veth peer name veth1")
        sh("ip link set veth0 up && ip link set veth1 up")
        sh(f"ip -6 addr add {HOST}/64 dev veth0 nodad")
        mac = sh("ip -br link show dev veth1").split()[2]
        sh(f"ip -6 neigh add {GATEWAY} lladdr {mac} dev veth0 nud permanent")
        sh(f"ip -6 route add fcbb:0:800:2::/64 via {GATEWAY} dev veth0")

    def tearDown(self):
        srv6steer.detach("veth0", self.bpffs)
        if subprocess.run(["ip", "link", "show", "veth0"], capture_output=True).returncode == 0:
            sh("ip link del veth0")
        sh(f"umount {self.bpffs}")
        os.rmdir(self.bpffs)

    def attach(self, **kw) -> Steering:
        return Steering.attach("veth0", bpffs=self.bpffs, max_flows=kw.pop("max_flows", 1024), **kw)


class Attached(Veth):
    def test_attach_pin_list_stats_detach(self):
        self.assertTrue(srv6steer.library_path())
        with self.attach() as s:
            self.assertEqual(s.ifname, "veth0")
            s.add_path(1, "1004,1001,1006,fe06")
            s.pin_flow(FLOW, path=1)
            s.pin_flow(FLOW, path=1)  # the same pin again: a no-op
            (pin,) = s.flows()
            self.assertEqual(pin["flow"], Flow(17, HOST, 40000, DEST, 9000))
            self.assertEqual((pin["src"], pin["sport"], pin["dst"], pin["dport"]), (HOST, 40000, DEST, 9000))
            self.assertEqual(pin["target"], Target.path(1))
            self.assertEqual(pin["owner_pid"], os.getpid())
            self.assertGreater(pin["created_ns"], 0)

            send_udp(40000, 9000)  # steered
            send_udp(40001, 9000)  # no pin
            stats = s.stats()
            self.assertEqual(stats["steered"]["packets"], 1)
            self.assertGreater(stats["steered"]["bytes"], 0)
            self.assertGreaterEqual(stats["no_match"]["packets"], 1)
            self.assertIn("mtu_passed", stats)
            self.assertEqual(s.path_stats(), {1: {"packets": 1, "bytes": stats["steered"]["bytes"]}})
            self.assertEqual(s.flows()[0]["packets"], 1)

            with Steering.open("veth0", self.bpffs) as other:  # as another process would
                self.assertEqual(len(other.flows()), 1)
                self.assertTrue(other.unpin_flow(("udp", HOST, 40000, DEST, 9000)))
            self.assertEqual(s.flows(), [])
            self.assertFalse(s.unpin_flow(FLOW))
        self.assertTrue(s.closed)
        with self.assertRaises(SteeringError) as e:
            s.flows()
        self.assertEqual(e.exception.errno, errno.EBADF)

        with Steering.open("veth0", self.bpffs) as again:  # closing left the steering in place
            self.assertTrue(again.detach())
        self.assertFalse(srv6steer.detach("veth0", self.bpffs))
        with self.assertRaises(SteeringError) as e:
            Steering.open("veth0", self.bpffs)
        self.assertEqual(e.exception.errno, errno.ENOENT)
        self.assertIn("not attached to veth0", str(e.exception))

    def test_errors_carry_errno_and_message(self):
        with self.attach() as s:
            with self.assertRaises(SteeringError) as e:
                s.add_path(1, "1004,zzzz")
            self.assertEqual(e.exception.errno, errno.EINVAL)
            self.assertIn("zzzz", e.exception.message)
            with self.assertRaises(SteeringError) as e:
                s.add_path(1, segments=["fcbb:0:1004::", "not-a-sid"])
            self.assertIn("not-a-sid", str(e.exception))
            with self.assertRaises(SteeringError) as e:
                s.pin_flow(FLOW, path=7)
            self.assertIn("path 7 does not exist", str(e.exception))
            s.add_path(1, [0x1004, 0x1001, 0x1006, 0xFE06])
            s.add_path(2, "1004,1002,1006,fe06")
            with self.assertRaises(SteeringError) as e:
                s.add_path(1, "1004,1002,1006,fe06")
            self.assertEqual(e.exception.errno, errno.EEXIST)
            s.pin_flow(FLOW, path=1)
            with self.assertRaises(SteeringError) as e:
                s.pin_flow(FLOW, path=2)
            self.assertEqual(e.exception.errno, errno.EEXIST)
            self.assertIn("already pinned to path 1", str(e.exception))
            s.pin_flow(FLOW, Target.path(2), replace=True)
            self.assertEqual(s.flows()[0]["target"], Target.path(2))
            with self.assertRaises(SteeringError) as e:
                s.remove_path(2)
            self.assertEqual(e.exception.errno, errno.EBUSY)
            with self.assertRaises(SteeringError) as e:
                s.pin_flow(FLOW, path=1, set=2)
            self.assertEqual(e.exception.errno, errno.EINVAL)
            with self.assertRaises(SteeringError) as e:
                s.pin_flow("tcp nowhere 1 2 3", path=1)
            self.assertEqual(e.exception.errno, errno.EINVAL)
            with self.assertRaises(SteeringError) as e:
                s.pin_prefix("10.9.0.0/16", path=1)
            self.assertEqual(e.exception.errno, errno.ENETUNREACH)
            self.assertIn("no route", str(e.exception))
        with self.assertRaises(SteeringError) as e:
            self.attach()  # still attached: closing a handle does not detach
        self.assertEqual(e.exception.errno, errno.EEXIST)
        with self.assertRaises(SteeringError) as e:
            Steering.attach("nosuch0", bpffs=self.bpffs)
        self.assertIn("nosuch0", str(e.exception))

    def test_sets_qps_prefixes_batches_and_gc(self):
        sh("ip addr add 10.0.1.10/24 dev veth0 && ip route add 10.0.3.0/24 via 10.0.1.1 dev veth0")
        with self.attach() as s:
            s.add_path(1, "1004,1001,1006,fe06")
            s.add_path(2, segments=["fcbb:0:1004:1002:1006:fe06::", "fcbb:0:1007:fe06::"], full_srh=True)
            s.define_set(10, [1, 2])
            s.pin_prefix("fcbb:0:800:2::/64", set=10, owner=None)
            s.pin_prefix("10.0.3.0/24", path=1, owner=None)
            s.pin_qp(DEST, 0x123, path=2)
            self.assertEqual(sorted((p["prefix"], str(p["target"]), p["owner_pid"]) for p in s.prefixes()),
                             [("10.0.3.0/24", "path 1", 0), ("fcbb:0:800:2::/64", "set 10", 0)])
            (qp,) = s.qps()
            self.assertEqual((qp["dst"], qp["qp"], qp["target"]), (DEST, 0x123, Target.path(2)))

            s.define_set(10, [2])
            with self.assertRaises(SteeringError) as e:
                s.remove_set(10)
            self.assertEqual(e.exception.errno, errno.EBUSY)
            s.set_path_down(2)
            s.set_path_down(2, False)

            s.add_path(3, "1004,1003,1006,fe06")
            s.set_path_fallback(1, set=10)
            self.assertEqual(s.path_fallback(1), Target.set(10))
            s.set_path_fallback(2, Target.path(3))
            self.assertEqual(s.path_fallback(2), Target.path(3))
            with self.assertRaises(SteeringError) as e:
                s.set_path_fallback(1, path=1)
            self.assertEqual(e.exception.errno, errno.EINVAL)
            self.assertIn("cannot fall back to itself", str(e.exception))
            with self.assertRaises(SteeringError) as e:
                s.remove_path(3)
            self.assertIn("path 3 is the fallback of path 2", str(e.exception))
            s.set_path_fallback(2)
            s.set_path_fallback(1)
            self.assertIsNone(s.path_fallback(1))
            self.assertIsNone(s.path_fallback(2))
            s.remove_path(3)

            batch = [(f"tcp {HOST} {port} {DEST} 80", 1) for port in (1000, 1001)]
            batch.append((("udp", "10.0.1.10", 5000, "10.0.3.7", 4791), ("set", 10)))
            self.assertEqual(s.pin_flows(batch), 3)
            self.assertEqual(s.pin_flows(batch), 0)
            self.assertIn(("10.0.1.10", "10.0.3.7", Target.set(10)),
                          [(f["src"], f["dst"], f["target"]) for f in s.flows()])
            with self.assertRaises(SteeringError):
                s.pin_flows([(f"tcp {HOST} 7 {DEST} 80", 1), ("tcp bad 1 bad 2", 1)])
            self.assertEqual(len(s.flows()), 3, "all or nothing")

            # A prefix pin steers what no flow pin matches, by the set's hash.
            send_udp(41000, 9000)
            self.assertEqual(s.stats()["steered"]["packets"], 1)

            pid = os.fork()
            if pid == 0:
                os._exit(0)
            s.pin_flow(f"tcp {HOST} 2000 {DEST} 80", path=1, owner=pid)
            os.waitpid(pid, 0)
            self.assertEqual(s.gc(), 1)
            self.assertEqual(len(s.flows()), 3)
            self.assertTrue(s.unpin_qp(DEST, 0x123))
            self.assertFalse(s.unpin_qp(DEST, 0x123))
            self.assertTrue(s.unpin_prefix("10.0.3.0/24"))
            self.assertFalse(s.unpin_prefix("10.0.3.0/24"))

    def test_attach_options_and_status(self):
        with self.attach(hook="clsact", hop_limit=9, mtu=1400, route_mtu=False, drop_oversize=True,
                         fixed_gso=False, max_flows=16, max_qps=8, max_prefixes=4, max_cgroups=2,
                         source="fcbb:0:800:1::99") as s:
            st = s.status()
            self.assertEqual(st.ifname, "veth0")
            self.assertEqual(st.ifindex, socket.if_nametoindex("veth0"))
            self.assertEqual(st.attach_mode, "clsact")
            self.assertIn("bpf", sh("tc filter show dev veth0 egress"))
            self.assertEqual((st.hop_limit, st.mtu, st.source), (9, 1400, "fcbb:0:800:1::99"))
            self.assertEqual((st.max_flows, st.max_qps, st.max_prefixes, st.max_cgroups), (16, 8, 4, 2))
            self.assertEqual((st.n_sockets, st.n_cgroups), (0, 0))
            self.assertFalse(s.remote)
            self.assertFalse(st.route_mtu)
            self.assertTrue(st.healthy)
            self.assertEqual(st.problems, [])
            self.assertTrue(os.path.isdir(st.pin_dir))
            self.assertNotEqual(st.prog_id, 0)

    def test_owned_routes_problems_and_remove_dead(self):
        with self.attach() as s:
            s.add_path(1, "1004,1001,1006,fe06")
            s.pin_flow(FLOW, path=1)
            st = s.status()
            self.assertTrue(st.healthy)
            # One container, reduced: 40 bytes of outer IPv6 off the link's 1500, as ip shows it.
            (route,) = st.owned_routes
            self.assertEqual((route.dst, route.mtu, route.added, route.pins), (f"{DEST}/128", 1460, True, 1))
            self.assertIn(" mtu 1460", sh(f"ip -6 route show table all exact {DEST}/128"))

            sh("ip link del veth0")
            st = s.status()
            self.assertFalse(st.healthy)
            self.assertEqual(st.problems[0].kind, "interface_gone")
            self.assertIn("veth0", st.problems[0].detail)
        self.assertEqual(srv6steer.remove_dead(self.bpffs), [st.pin_dir])
        self.assertFalse(os.path.exists(st.pin_dir))
        self.assertEqual(srv6steer.remove_dead(self.bpffs), [])

    def test_path_health_is_what_the_map_holds(self):
        """The health map written with bpftool (as the prober would, field by
        field in abi.h's order), read back through the binding."""
        import json
        import struct
        with self.attach() as s:
            s.add_path(1, "1004,1001,1006,fe06")
            s.add_path(2, "1004,1002,1006,fe06")
            written = {"state": 1, "targets": 2, "sent": 500, "replies": 498, "lost": 2, "rtt_last_ns": 70001,
                       "rtt_min_ns": 30003, "rtt_avg_ns": 65005, "since_ns": 1796000000000000007,
                       "transitions": 1, "rx_ce_packets": 42, "updated_ns": 1796000000500000009,
                       "rx_packets": 9000, "ce_ppm": 4666, "congestion": 8}
            value = struct.pack("<IIQQQQQQQQQQQII", *written.values())
            m = f"{s.status().pin_dir}/path_health"
            size = json.loads(sh(f"bpftool -j map show pinned {m}"))["bytes_value"]
            value += bytes(size - len(value))   # fields added since, if any: zero
            sh(f"bpftool map update pinned {m} key hex 02 00 00 00 value hex {value.hex(' ')}")
            self.assertEqual(s.path_health(2), {**written, "state": "up"})
            self.assertEqual(s.path_health(1), {**{k: 0 for k in written}, "state": "unknown"})
            with self.assertRaises(SteeringError) as e:
                s.path_health(9)
            self.assertEqual(e.exception.errno, errno.ENOENT)
            self.assertIn("path 9 does not exist", str(e.exception))

    def test_flowlet_gap_is_set_and_read_back(self):
        with self.attach() as s:
            self.assertEqual(s.flowlet_gap(), 500, "the default gap (AttachOptions)")
            s.set_flowlet_gap(0)
            self.assertEqual(s.flowlet_gap(), 0)
            s.set_flowlet_gap(1_000_000)
            self.assertEqual(s.flowlet_gap(), 1_000_000)
            with self.assertRaises(SteeringError) as e:
                s.set_flowlet_gap(1_000_001)
            self.assertEqual(e.exception.errno, errno.EINVAL)
            self.assertIn("flowlet gap must be 0 (off) .. 1 s", str(e.exception))
            self.assertEqual(s.flowlet_gap(), 1_000_000, "a refused gap changes nothing")

    def test_stats_by_reason_cover_every_reason(self):
        with self.attach() as s:
            self.assertEqual(list(s.stats()), srv6steer.reason_names())
            self.assertEqual(len(srv6steer.reason_names()), 18, "the reasons of abi.h's enum srv6s_reason")


class Received(Veth):
    """The receive side on veth1, fed by the egress side on veth0: a datagram
    steered onto a path whose container is a SID of veth1's comes off the
    wire decapsulated and counted under (veth0's address, the path id)."""

    SID = "fcbb:0:e002:fe06::/64"

    def test_attach_sids_settings_counters_detach(self):
        rx = Receive.attach("veth1", self.bpffs, mode="generic")
        try:
            self.assertEqual(Receive.interfaces(self.bpffs), ["veth1"])
            self.assertTrue(rx.add_sid(self.SID, "udt6"))
            self.assertFalse(rx.add_sid(self.SID, "End.DT6"), "the same SID again is a no-op")
            self.assertTrue(rx.add_sid("fcbb:0:e002:fe04::/64", "udt4", path_stats=False))
            self.assertEqual(rx.sids(), [
                {"prefix": "fcbb:0:e002:fe04::/64", "behavior": "udt4", "path_stats": False},
                {"prefix": self.SID, "behavior": "udt6", "path_stats": True}])
            with self.assertRaises(SteeringError) as e:
                rx.add_sid(self.SID, "udt46")
            self.assertEqual(e.exception.errno, errno.EEXIST)
            self.assertTrue(rx.remove_sid("fcbb:0:e002:fe04::/64"))
            self.assertFalse(rx.remove_sid("fcbb:0:e002:fe04::/64"))
            self.assertEqual(rx.config(), {"decap": True, "ecn_drop": True, "path_stats": True})

            with self.attach() as s:
                s.add_path(5, segments=["fcbb:0:e002:fe06::"])
                s.pin_flow(FLOW, path=5)
                send_udp(40000, 9000)
            st = rx.stats()
            self.assertEqual(len(st["reasons"]), srv6steer._capi.load().srv6s_rx_reason_count())
            self.assertEqual(st["reasons"]["decapsulated"]["packets"], 1)
            frame = 14 + 40 + 40 + 8 + len(b"srv6steer")  # Ethernet, outer IPv6, inner IPv6, UDP, payload
            self.assertEqual(st["reasons"]["decapsulated"]["bytes"], frame)
            self.assertEqual(st["paths"], [{"source": HOST, "path_id": 5, "packets": 1, "bytes": frame,
                                            "ce_packets": 0}])

            rx.set_config(decap=False)
            self.assertEqual(rx.config(), {"decap": False, "ecn_drop": True, "path_stats": True})
            with Receive.open(self.bpffs) as other:  # as another process would
                self.assertFalse(other.config()["decap"])
                other.set_config()
            self.assertTrue(rx.config()["decap"], "None: the defaults")
        finally:
            rx.close()
            self.assertTrue(Receive.detach("veth1", self.bpffs))
        self.assertFalse(Receive.detach("veth1", self.bpffs))
        with self.assertRaises(SteeringError) as e:
            Receive.open(self.bpffs)
        self.assertEqual(e.exception.errno, errno.ENOENT)


class AttachedArguments(ArgumentChecks, Veth):
    """The argument table on a real attachment where paths 1 and 2 and set 1
    exist: a value wrapped to 1 or 2 by ctypes would be taken, and show."""

    def setUp(self):
        super().setUp()
        self.s = self.attach()
        self.s.add_path(1, "1004,1001,1006,fe06")
        self.s.add_path(2, "1004,1002,1006,fe06")
        self.s.define_set(1, [1, 2])
        self.env = argument_table.Env(self.s, "veth0", self.bpffs)

    def tearDown(self):
        try:
            st = self.s.status()
            self.assertEqual((st.n_paths, st.n_sets, st.n_flows, st.n_qps, st.n_prefixes, st.n_sockets, st.n_cgroups),
                             (2, 1, 0, 0, 0, 0, 0), "a refused call changed the state")
        finally:
            self.s.close()
            super().tearDown()


class PinInfoDecoding(unittest.TestCase):
    def test_the_ignore_down_flag_is_bit_0_of_flags(self):
        """srv6s_pin_info.flags as srv6steer.h defines it (SRV6S_PIN_INFO_IGNORE_DOWN = 1U << 0):
        only that bit says ignore_down; the other fields are read as they are."""
        from srv6steer import _capi, _values
        for flags, want in ((0, False), (1, True), (2, False), (3, True)):
            info = _capi.PinInfo(target_kind=_capi.TARGET_PATH, target_id=7, owner_pid=42, flags=flags,
                                 owner_cgroup=9, created_ns=5, packets=3, bytes=300)
            d = _values._pin_dict(info)
            self.assertIs(d["ignore_down"], want, f"flags {flags}")
            self.assertEqual((d["target"], d["owner_pid"], d["packets"]), (Target("path", 7), 42, 3))


if __name__ == "__main__":
    unittest.main()
