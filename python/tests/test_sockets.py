# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Socket and cgroup pins through the Python binding, attached for real.

Runs as root in a private network and mount namespace, as test_binding does
(ctest: `unshare --net --mount /usr/bin/python3 -m unittest ...`): a veth
pair, a private bpffs, real sockets (UDP of both families, TCP) whose
datagrams the test counts itself on veth1, before it reads the counters of
sockets() and cgroups(). Cgroup tests make a cgroup of their own under the
cgroup2 mount and remove it."""

import errno
import os
import select
import socket
import time
import unittest

from srv6steer import ArgumentError, Flow, Steering, SteeringError, Target

from test_binding import DEST, HOST, Veth, setUpModule, sh  # noqa: F401 (setUpModule: root, namespaces)

OUTER1 = "fcbb:0:1004:1001:1006:fe06::"  # path 1's one container: the outer destination
OUTER2 = "fcbb:0:1004:1002:1006:fe06::"
HOST4, GATEWAY4, DEST4 = "10.0.1.10", "10.0.1.1", "10.0.2.20"
SO_COOKIE = 57
PAYLOAD = b"srv6steer!"  # 10 bytes
ETH, IP6, IP4, UDP = 14, 40, 20, 8


class Capture:
    """Every frame arriving on an interface from the moment it is made: what
    veth0 sent, as the wire has it (a decoder independent of the library)."""

    def __init__(self, ifname: str):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.s.bind((ifname, 0))

    def close(self):
        self.s.close()

    def ipv6_to(self, dst: str, n: int, timeout: float = 10.0) -> list[bytes]:
        """The first n IPv6 frames whose (outer) destination is dst, or fewer
        once `timeout` has passed (a bound: it returns as soon as n came)."""
        want = socket.inet_pton(socket.AF_INET6, dst)
        out: list[bytes] = []
        until = time.monotonic() + timeout
        while len(out) < n:
            left = until - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                break
            frame = self.s.recv(4096)
            if len(frame) >= ETH + IP6 and frame[12:14] == b"\x86\xdd" and frame[ETH + 24:ETH + 40] == want:
                out.append(frame)
        return out


def cookie_of(sock: socket.socket) -> int:
    return int.from_bytes(sock.getsockopt(socket.SOL_SOCKET, SO_COOKIE, 8), "little")


def udp(family=socket.AF_INET6, sport=0, dst=DEST, dport=9000, connect=True) -> socket.socket:
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((HOST if family == socket.AF_INET6 else HOST4, sport))
    if connect:
        s.connect((dst, dport))
    return s


def cgroup2_mount() -> str | None:
    with open("/proc/self/mountinfo") as f:
        for line in f:
            head, _, tail = line.partition(" - ")
            if tail.startswith("cgroup2 "):
                return head.split()[4]
    return None


class ChildCgroup:
    """A cgroup of this test under the cgroup2 mount. Sockets belong to the
    cgroup their creator was in when it made them: `with cg.joined():` makes
    them there."""

    def __init__(self, mount: str):
        self.path = os.path.join(mount, f"srv6steer-py-{os.getpid()}")
        os.mkdir(self.path)
        with open("/proc/self/cgroup") as f:
            self.home = next(os.path.join(mount, line[3:].strip().lstrip("/"))
                             for line in f if line.startswith("0::"))

    @property
    def id(self) -> int:
        return os.stat(self.path).st_ino

    def _move(self, where: str) -> None:
        with open(os.path.join(where, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def joined(self):
        cg = self

        class Joined:
            def __enter__(self):
                cg._move(cg.path)

            def __exit__(self, *exc):
                cg._move(cg.home)

        return Joined()

    def remove(self) -> None:
        os.rmdir(self.path)


class Sockets(Veth):
    def setUp(self):
        super().setUp()
        self.cap = Capture("veth1")
        self.addCleanup(self.cap.close)

    def attached(self, **kw) -> Steering:
        s = self.attach(**kw)
        self.addCleanup(s.close)
        s.add_path(1, "1004,1001,1006,fe06")
        s.add_path(2, "1004,1002,1006,fe06")
        return s

    def test_a_pinned_socket_is_steered_counted_and_unpinned(self):
        s = self.attached()
        sock = udp(sport=40100)
        other = udp(sport=40101)
        self.addCleanup(sock.close)
        self.addCleanup(other.close)
        s.pin_socket(sock, path=1)
        s.pin_socket(sock, path=1)  # the same pin again: a no-op

        pin = s.socket_pin(sock)
        self.assertEqual(pin["cookie"], cookie_of(sock))
        self.assertEqual(pin["family"], socket.AF_INET6)
        self.assertEqual(pin["flow"], Flow(17, HOST, 40100, DEST, 9000))
        self.assertEqual((pin["src"], pin["sport"], pin["dst"], pin["dport"], pin["proto"]),
                         (HOST, 40100, DEST, 9000, 17))
        self.assertEqual(pin["target"], Target.path(1))
        self.assertEqual(pin["owner_pid"], os.getpid())
        self.assertIsNone(s.socket_pin(other))
        self.assertEqual([p["cookie"] for p in s.sockets()], [cookie_of(sock)])
        self.assertEqual(s.status().n_sockets, 1)

        for _ in range(5):
            sock.send(PAYLOAD)
        other.send(PAYLOAD)
        steered = self.cap.ipv6_to(OUTER1, 5)
        self.assertEqual(len(steered), 5)
        self.assertEqual(len(self.cap.ipv6_to(DEST, 1)), 1, "the other socket's datagram goes as it is")
        for frame in steered:
            self.assertEqual(len(frame), ETH + IP6 + IP6 + UDP + len(PAYLOAD))
            self.assertEqual(frame[ETH + 6], 41, "IPv6 in IPv6")
        (listed,) = s.sockets()
        self.assertEqual(listed["packets"], 5)
        self.assertIs(listed["ignore_down"], False, "only a path probe's own socket follows down paths")
        self.assertEqual(listed["bytes"], sum(len(f) - IP6 for f in steered), "counted before encapsulation")
        self.assertEqual(s.path_stats()[1]["packets"], 5)

        self.assertTrue(s.unpin_socket(sock))
        self.assertFalse(s.unpin_socket(sock))
        self.assertIsNone(s.socket_pin(sock.fileno()))
        self.assertEqual(s.sockets(), [])
        sock.send(PAYLOAD)
        self.assertEqual(len(self.cap.ipv6_to(DEST, 1)), 1, "unpinned: sent as it is")
        self.assertEqual(s.path_stats()[1]["packets"], 5)

    def test_both_families_and_tcp_in_batches(self):
        sh(f"ip addr add {HOST4}/24 dev veth0")
        mac = sh("ip -br link show dev veth1").split()[2]
        sh(f"ip neigh add {GATEWAY4} lladdr {mac} dev veth0 nud permanent")
        sh(f"ip route add 10.0.2.0/24 via {GATEWAY4} dev veth0")
        s = self.attached(max_cgroups=16)
        s.define_set(10, [2])
        v4 = udp(socket.AF_INET, 40200, DEST4)
        v6 = udp(socket.AF_INET6, 40201)
        listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        listener.bind((HOST, 40202))
        listener.listen()
        unconnected = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        unconnected.bind((HOST, 40203))
        for x in (v4, v6, listener, unconnected):
            self.addCleanup(x.close)

        # All or nothing: a TCP socket neither connected nor listening spoils the batch.
        with self.assertRaises(SteeringError) as e:
            s.pin_sockets([(v6, 1), (unconnected, 1)])
        self.assertIn("connect", str(e.exception))
        self.assertEqual(s.sockets(), [], "nothing pinned")

        self.assertEqual(s.pin_sockets([(v4, ("set", 10)), (v6.fileno(), 1), (listener, Target.path(2))]), 3)
        self.assertEqual(s.pin_sockets([(v4, ("set", 10)), (v6.fileno(), 1)]), 0, "pinned already")
        listed = {p["cookie"]: p for p in s.sockets()}
        self.assertEqual(sorted(listed), sorted(cookie_of(x) for x in (v4, v6, listener)))
        pin4 = listed[cookie_of(v4)]
        self.assertEqual(pin4["family"], socket.AF_INET)
        self.assertEqual(pin4["flow"], Flow(17, HOST4, 40200, DEST4, 9000))
        self.assertEqual(pin4["target"], Target.set(10))
        tcp = listed[cookie_of(listener)]
        self.assertEqual((tcp["family"], tcp["proto"], tcp["sport"], tcp["dport"]), (socket.AF_INET6, 6, 40202, 0))
        self.assertEqual(s.socket_pin(listener)["target"], Target.path(2))

        for _ in range(3):
            v4.send(PAYLOAD)
        v6.send(PAYLOAD)
        on2 = self.cap.ipv6_to(OUTER2, 3)
        self.assertEqual(len(on2), 3, "the IPv4 socket's datagrams, by set 10 (path 2)")
        for frame in on2:
            self.assertEqual(frame[ETH + 6], 4, "IPv4 in IPv6")
            self.assertEqual(len(frame), ETH + IP6 + IP4 + UDP + len(PAYLOAD))
        self.assertEqual(len(self.cap.ipv6_to(OUTER1, 1)), 1)
        self.assertEqual(s.socket_pin(v4)["packets"], 3)
        self.assertEqual(s.socket_pin(v4)["bytes"], 3 * (ETH + IP4 + UDP + len(PAYLOAD)))
        self.assertEqual(s.socket_pin(v6)["packets"], 1)

        # Another target needs replace; all or nothing.
        with self.assertRaises(SteeringError) as e:
            s.pin_socket(v4, path=1)
        self.assertEqual(e.exception.errno, errno.EEXIST)
        s.pin_socket(v4, Target.path(1), replace=True)
        self.assertEqual(s.socket_pin(v4)["target"], Target.path(1))
        st = s.status()
        self.assertEqual((st.n_sockets, st.n_cgroups, st.max_cgroups), (3, 0, 16))

    def test_what_cannot_be_pinned_is_refused(self):
        s = self.attached()
        closed = udp(sport=40300)
        closed.close()
        with self.assertRaises(ArgumentError) as e:
            s.pin_socket(closed, path=1)
        self.assertIn("sock is closed", str(e.exception))
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        with self.assertRaises(SteeringError) as e:
            s.pin_socket(r, path=1)
        self.assertEqual(e.exception.errno, errno.ENOTSOCK)
        self.assertIn("not a socket", str(e.exception))
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(unix.close)
        with self.assertRaises(SteeringError) as e:
            s.pin_socket(unix, path=1)
        self.assertEqual(e.exception.errno, errno.EAFNOSUPPORT)
        good = udp(sport=40301)
        self.addCleanup(good.close)
        with self.assertRaises(SteeringError) as e:
            s.pin_socket(good, path=9)
        self.assertEqual(e.exception.errno, errno.ENOENT)
        with self.assertRaises(TypeError):
            s.pin_socket("eth0", path=1)
        with self.assertRaises(SteeringError):
            s.pin_sockets([(good, 1), (r, 1)])
        self.assertEqual(s.sockets(), [], "nothing pinned by a refused call")
        with self.assertRaises(SteeringError) as e:
            s.unpin_socket(r)
        self.assertEqual(e.exception.errno, errno.ENOTSOCK)

    def test_a_cgroup_pin_steers_the_cgroups_sockets(self):
        mount = cgroup2_mount()
        if mount is None:
            self.skipTest("no cgroup2 file system mounted")
        cg = ChildCgroup(mount)
        self.addCleanup(cg.remove)
        with cg.joined():
            inside = udp(sport=40400)
            pinned = udp(sport=40401)
        outside = udp(sport=40402)
        for x in (inside, pinned, outside):
            self.addCleanup(x.close)
        s = self.attached()
        s.pin_cgroup(cg.path, path=2)
        s.pin_cgroup(cg.id, path=2)  # the same cgroup by id: a no-op
        s.pin_socket(pinned, path=1)
        (pin,) = s.cgroups()
        self.assertEqual(pin["id"], cg.id)
        self.assertEqual(pin["target"], Target.path(2))
        self.assertEqual(pin["owner_pid"], os.getpid())
        self.assertEqual(s.status().n_cgroups, 1)

        for _ in range(4):
            inside.send(PAYLOAD)
        pinned.send(PAYLOAD)
        outside.send(PAYLOAD)
        self.assertEqual(len(self.cap.ipv6_to(OUTER2, 4)), 4, "the cgroup's socket follows the cgroup pin")
        self.assertEqual(len(self.cap.ipv6_to(OUTER1, 1)), 1, "a socket pin wins over its cgroup's")
        self.assertEqual(len(self.cap.ipv6_to(DEST, 1)), 1, "a socket of another cgroup is not steered")
        self.assertEqual(s.cgroups()[0]["packets"], 4)
        self.assertEqual(s.cgroups()[0]["bytes"], 4 * (ETH + IP6 + UDP + len(PAYLOAD)))

        with self.assertRaises(SteeringError) as e:
            s.pin_cgroup(os.path.relpath(cg.path, mount), path=1)  # relative to the mount
        self.assertEqual(e.exception.errno, errno.EEXIST)
        with self.assertRaises(SteeringError) as e:
            s.pin_cgroup(os.path.join(mount, "no-such-cgroup"), path=1)
        self.assertEqual(e.exception.errno, errno.ENOENT)
        self.assertTrue(s.unpin_cgroup(cg.path))
        self.assertFalse(s.unpin_cgroup(cg.id))
        self.assertEqual(s.cgroups(), [])
        inside.send(PAYLOAD)
        self.assertEqual(len(self.cap.ipv6_to(DEST, 1)), 1, "unpinned: sent as it is")


if __name__ == "__main__":
    unittest.main()
