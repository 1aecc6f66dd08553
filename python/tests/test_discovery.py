# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""srv6steer.discovery on this process's real sockets (loopback, no
privileges), and srv6steer.pinning against a fake Steering: paths by
content, flow and socket pins, the check, unpinning. No kernel state, no
library."""

import errno
import os
import socket
import unittest
import warnings

from srv6steer import SteeringError, Target
from srv6steer import pinning
from srv6steer.discovery import (Connection, Endpoint, bind_test_local, scan, select, socket_cookie,
                                 tcp_bytes_sent)
from srv6steer.pinning import NotSteeredWarning, pin_process_sockets
from srv6steer.plan import PathSpec, path_ids


def tcp_pair(family=socket.AF_INET, host="127.0.0.1", client_family=None):
    """A connected TCP pair on loopback: (listener, client, server side)."""
    lst = socket.socket(family, socket.SOCK_STREAM)
    lst.bind((host, 0))
    lst.listen()
    cli = socket.socket(client_family or family, socket.SOCK_STREAM)
    cli.connect(lst.getsockname()[:2])
    srv, _ = lst.accept()
    return lst, cli, srv


class Discovery(unittest.TestCase):
    def setUp(self):
        self.socks = []

    def tearDown(self):
        for s in self.socks:
            s.close()

    def keep(self, *socks):
        self.socks += socks
        return socks

    def found(self, sock, f):
        ino = os.fstat(sock.fileno()).st_ino
        got = [c for c in f.all if c.inode == ino]
        self.assertEqual(len(got), 1, f"socket {sock} not found once in {f.all}")
        return got[0]

    def test_tcp_both_ends_and_the_listener(self):
        lst, cli, srv = self.keep(*tcp_pair())
        with scan() as f:
            c, s, l = self.found(cli, f), self.found(srv, f), self.found(lst, f)
        self.assertEqual((c.proto, c.family), ("tcp", socket.AF_INET))
        self.assertEqual(c.local, Endpoint("127.0.0.1", cli.getsockname()[1]))
        self.assertEqual(c.remote, Endpoint("127.0.0.1", lst.getsockname()[1]))
        self.assertEqual((s.local, s.remote), (c.remote, c.local), "the server side is the reverse")
        self.assertEqual(c.fd, cli.fileno())
        self.assertTrue(l.listening and not l.connected)
        self.assertEqual(c.flow(), ("tcp", "127.0.0.1", c.local.port, "127.0.0.1", c.remote.port))
        self.assertNotEqual(c.cookie, s.cookie)
        self.assertGreater(c.cookie, 0)
        with self.assertRaises(ValueError):
            l.flow()

    def test_ipv4_mapped_is_ipv4(self):
        # An IPv6 listener (dual stack) accepting an IPv4 client: its side
        # says ::ffff:127.0.0.1, the packets are IPv4.
        lst = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        lst.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        lst.bind(("::", 0))
        lst.listen()
        cli = socket.create_connection(("127.0.0.1", lst.getsockname()[1]))
        srv, _ = lst.accept()
        self.keep(lst, cli, srv)
        self.assertTrue(srv.getsockname()[0].startswith("::ffff:"))
        with scan() as f:
            s = self.found(srv, f)
        self.assertEqual(s.family, socket.AF_INET)
        self.assertEqual(s.local.addr, "127.0.0.1")
        self.assertEqual(s.remote, Endpoint("127.0.0.1", cli.getsockname()[1]))

    def test_ipv6_and_udp(self):
        _, cli, _ = self.keep(*tcp_pair(socket.AF_INET6, "::1"))
        u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        u.connect(("::1", 9))
        lone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        lone.bind(("127.0.0.1", 0))
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.keep(u, lone, unix)
        with scan() as f:
            c, d, x = self.found(cli, f), self.found(u, f), self.found(lone, f)
            self.assertNotIn(os.fstat(unix.fileno()).st_ino, {c.inode for c in f.all}, "inet sockets only")
        self.assertEqual((c.family, c.local.addr, str(c.remote)), (socket.AF_INET6, "::1", f"[::1]:{c.remote.port}"))
        self.assertEqual((d.proto, d.remote), ("udp", Endpoint("::1", 9)))
        self.assertFalse(x.connected or x.listening)

    def test_fds_inodes_and_holding(self):
        _, cli, srv = self.keep(*tcp_pair())
        ino = os.fstat(cli.fileno()).st_ino
        with scan(fds=[cli.fileno()]) as f:
            self.assertEqual([c.inode for c in f.all], [ino])
        with scan(inodes={ino}) as f:
            self.assertEqual([c.inode for c in f.all], [ino])
            (c,) = f.all
            held = f.socket(c)
            fd = cli.fileno()
            cli.close()        # the scan's duplicate keeps the socket
            self.socks.remove(cli)
            self.assertEqual(Endpoint.of(held.getsockname()), c.local)
            self.assertNotEqual(held.fileno(), fd)
        with scan(inodes={ino}) as f:
            self.assertEqual(f.all, [], "closed once the scan let go")

    def test_bytes_sent(self):
        _, cli, srv = self.keep(*tcp_pair())
        before = tcp_bytes_sent(cli)
        payload = b"x" * 100_000
        cli.sendall(payload)
        got = 0
        while got < len(payload):
            got += len(srv.recv(65536))
        self.assertEqual(tcp_bytes_sent(cli) - before, len(payload))   # loopback: no retransmission
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.keep(u)
        self.assertIsNone(tcp_bytes_sent(u))

    def test_select(self):
        def conn(proto="tcp", local=("10.0.1.10", 40000), remote=("10.0.2.10", 5201), family=socket.AF_INET):
            return Connection(fd=3, inode=1, cookie=1, proto=proto, family=family, local=Endpoint(*local),
                              remote=Endpoint(*remote) if remote else None)

        every = select(local_peers=True)
        self.assertTrue(every(conn()))
        self.assertFalse(every(conn(remote=None)))
        self.assertFalse(every(conn(proto="udp")))
        self.assertTrue(select(protos=("udp",), local_peers=True)(conn(proto="udp")))
        no_store = select(exclude_ports={29500}, local_peers=True)
        self.assertFalse(no_store(conn(remote=("10.0.2.10", 29500))))
        self.assertFalse(no_store(conn(local=("10.0.1.10", 29500))))
        peers = select(peers=["10.0.2.0/24", "fcbb:0:800:3::/64", "::ffff:10.0.4.10"], local_peers=True)
        self.assertTrue(peers(conn()))
        self.assertFalse(peers(conn(remote=("10.0.3.10", 5201))))
        self.assertTrue(peers(conn(remote=("fcbb:0:800:3::10", 1), family=socket.AF_INET6)))
        self.assertTrue(peers(conn(remote=("10.0.4.10", 1))), "IPv4-mapped prefixes are IPv4")
        self.assertTrue(select(ports=[5201], local_peers=True)(conn()))
        self.assertFalse(select(ports=[5202], local_peers=True)(conn()))
        self.assertFalse(select(families=[socket.AF_INET6], local_peers=True)(conn()))
        # Connections to this host's own addresses are left out by default.
        self.assertFalse(select()(conn(remote=("127.0.0.1", 5201))))
        self.assertTrue(select()(conn(remote=("192.0.2.1", 5201))), "TEST-NET-1: not ours")
        self.assertTrue(bind_test_local("127.0.0.1") and bind_test_local("::1"))
        self.assertFalse(bind_test_local("192.0.2.1"))
        with self.assertRaises(ValueError):
            select(peers=["nonsense"])


class FakeSteering:
    """A Steering as far as srv6steer.pinning uses it; counters set by the test."""

    def __init__(self, paths=None, remote=False):
        self.paths = dict(paths or {})   # id -> key
        self.flow_pins, self.socket_pins = {}, {}
        self.calls = []
        self.ifname, self.closed, self.remote = "eth0", False, remote
        self.fail_pin = []               # errnos to raise, once each, from the next pins

    def add_path(self, id, usids=None, *, block="fcbb:0::/32", segments=None, full_srh=False):
        key = PathSpec(usids=tuple(usids), block=block, full_srh=full_srh).key() if usids else \
            PathSpec(segments=tuple(segments), full_srh=full_srh).key()
        self.calls.append(("add_path", id, key))
        if id in self.paths and self.paths[id] != key:
            raise SteeringError(errno.EEXIST, f"path {id} already exists with other segments")
        self.paths[id] = key

    def remove_path(self, id):
        self.calls.append(("remove_path", id))
        if any(v[0].id == id for v in list(self.flow_pins.values()) + list(self.socket_pins.values())):
            raise SteeringError(errno.EBUSY, f"path {id} still has pins")
        if self.paths.pop(id, None) is None:
            raise SteeringError(errno.ENOENT, f"path {id} does not exist")

    def _check(self, targets):
        if self.fail_pin:
            raise SteeringError(self.fail_pin.pop(0), "path 1234 does not exist")
        for t in targets:
            if t.id not in self.paths:
                raise SteeringError(errno.ENOENT, f"path {t.id} does not exist")

    def pin_flows(self, pins, *, replace=False, owner="self"):
        pins = list(pins)
        self.calls.append(("pin_flows", [(f, t) for f, t in pins], replace, owner))
        self._check([t for _, t in pins])
        for f, t in pins:
            self.flow_pins[f] = (t, 0, 0)
        return len(pins)

    def pin_sockets(self, pins, *, replace=False):
        pins = list(pins)
        self.calls.append(("pin_sockets", [(os.fstat(s.fileno()).st_ino, t) for s, t in pins], replace))
        self._check([t for _, t in pins])
        for s, t in pins:
            self.socket_pins[socket_cookie(s)] = (t, 0, 0)
        return len(pins)

    def unpin_flow(self, flow):
        return self.flow_pins.pop(flow, None) is not None

    def unpin_socket(self, sock):
        return self.socket_pins.pop(socket_cookie(sock), None) is not None

    def steer(self, key, nbytes, packets=1):
        pins = self.flow_pins if key in self.flow_pins else self.socket_pins
        t, n, b = pins[key]
        pins[key] = (t, n + packets, b + nbytes)

    def flows(self):
        return [{"proto": 6, "src": f[1], "sport": f[2], "dst": f[3], "dport": f[4], "owner_pid": os.getpid(),
                 "packets": n, "bytes": b, "target": t} for f, (t, n, b) in self.flow_pins.items()]

    def socket_pin(self, sock):
        v = self.socket_pins.get(socket_cookie(sock))
        return None if v is None else {"target": v[0], "packets": v[1], "bytes": v[2]}

    def sockets(self):
        return [{"cookie": c, "packets": n, "bytes": b, "target": t} for c, (t, n, b) in self.socket_pins.items()]

    def close(self):
        self.closed = True


class Pinning(unittest.TestCase):
    def setUp(self):
        self.pair = tcp_pair()
        self.addCleanup(lambda: [s.close() for s in self.pair])
        _, self.cli, self.srv = self.pair
        self.keep = select(ports=[self.pair[0].getsockname()[1]], local_peers=True)  # the client side only

    def pin(self, steering, plan="1004,1001,1006", **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            pins = pin_process_sockets(self.keep, plan, steering=steering, **kw)
        self.addCleanup(pins.unpin, quiet=True)
        return pins

    def send(self, n):
        """n bytes from the client to the server side, all received (so all sent)."""
        self.cli.sendall(b"y" * n)
        got = 0
        while got < n:
            got += len(self.srv.recv(1 << 20))

    def flow(self):
        l, r = self.cli.getsockname(), self.cli.getpeername()
        return ("tcp", l[0], l[1], r[0], r[1])

    def test_flow_pins_on_a_path_chosen_by_content(self):
        s = FakeSteering()
        pins = self.pin(s, mode="flow")
        want = PathSpec.of("1004,1001,1006,fe04")            # IPv4 connection: fe04 appended
        pid = next(path_ids(want))
        self.assertEqual(s.calls, [("add_path", pid, want.key()),
                                   ("pin_flows", [(self.flow(), Target.path(pid))], True, "self")])
        (p,) = pins.pinned
        self.assertEqual((p.path, p.path_id, p.label), (want, pid, str(p.connection)))
        self.assertGreaterEqual(pins.seconds, 0)
        # A second process with the same path shares it; unpinning here keeps it for them.
        other = self.pin(s, mode="flow")
        self.assertEqual(other.pinned[0].path_id, pid)
        s.flow_pins[("tcp", "10.9.9.9", 1, "10.9.9.8", 2)] = (Target.path(pid), 0, 0)   # someone else's pin
        pins.unpin()
        self.assertEqual(list(s.flow_pins), [("tcp", "10.9.9.9", 1, "10.9.9.8", 2)])
        self.assertIn(pid, s.paths, "still used: kept (EBUSY is not an error)")
        del s.flow_pins[("tcp", "10.9.9.9", 1, "10.9.9.8", 2)]
        other.unpin()
        self.assertEqual(s.paths, {}, "the last user removes it")
        self.assertFalse(s.closed, "a Steering given is the caller's to close")

    def test_another_path_on_the_id_moves_this_one_along(self):
        want = PathSpec.of("1004,1001,1006,fe04")
        first, second = list(path_ids(want))[:2]
        s = FakeSteering(paths={first: "someone else's"})
        pins = self.pin(s, mode="flow")
        self.assertEqual(pins.pinned[0].path_id, second)
        pins.unpin()
        self.assertEqual(s.paths, {first: "someone else's"})

    def test_a_path_removed_before_the_pin_is_added_again(self):
        s = FakeSteering()
        s.fail_pin = [errno.ENOENT]
        pins = self.pin(s, mode="flow")
        self.assertEqual([c[0] for c in s.calls], ["add_path", "pin_flows", "add_path", "pin_flows"])
        self.assertEqual(len(pins.pinned), 1)
        s2 = FakeSteering()
        s2.fail_pin = [errno.EPERM]
        with self.assertRaises(SteeringError):
            pin_process_sockets(self.keep, "1004", steering=s2, mode="flow")

    def test_socket_pins_get_the_socket_itself(self):
        s = FakeSteering(remote=True)
        pins = self.pin(s)                                  # a remote handle: agent mode
        self.assertEqual(pins.mode, "agent")
        (call,) = [c for c in s.calls if c[0] == "pin_sockets"]
        self.assertEqual(call[1], [(os.fstat(self.cli.fileno()).st_ino, Target.path(pins.pinned[0].path_id))])
        self.send(300_000)
        s.steer(socket_cookie(self.cli), 300_500, 5)
        (c,) = pins.check()
        self.assertEqual((c.state, c.steered, c.packets), ("steered", 300_500, 5))
        pins.unpin()
        self.assertEqual(s.socket_pins, {})

    def test_a_plan_function_and_none(self):
        s = FakeSteering()
        pins = self.pin(s, plan=lambda c: None, mode="flow")
        self.assertEqual((pins.pinned, s.calls), ([], []))
        with self.assertRaises(ValueError):
            pin_process_sockets(self.keep, None, steering=s)

    def test_check_says_what_is_steered(self):
        s = FakeSteering()
        pins = self.pin(s, mode="flow", label=lambda c: "rank 0 -> rank 1")
        (c,) = pins.check(warn=False)
        self.assertEqual((c.state, c.sent, c.steered), ("idle", 0, 0))
        self.send(300_000)
        s.steer(self.flow(), 310_000, 7)                    # what a pin would count: headers too
        (c,) = pins.check()
        self.assertEqual((c.state, c.sent, c.steered, c.packets), ("steered", 300_000, 310_000, 7))
        self.send(300_000)
        s.steer(self.flow(), 1_000)                         # most of it went by another way
        with self.assertWarns(NotSteeredWarning) as w:
            (c,) = pins.check()
        self.assertEqual(c.state, "not steered")
        self.assertIn("rank 0 -> rank 1 is NOT steered", str(w.warning))
        self.assertIn("steered 1000 B on eth0", str(w.warning))
        self.cli.close()
        (c,) = pins.check()
        self.assertEqual(c.state, "gone")

    def test_the_exit_unpins(self):
        s = FakeSteering()
        pins = self.pin(s, mode="flow")
        self.assertIn(pins, pinning._LIVE)
        pinning._unpin_all()                                # what atexit runs
        self.assertEqual((s.flow_pins, s.paths), ({}, {}))
        self.assertNotIn(pins, pinning._LIVE)


if __name__ == "__main__":
    unittest.main()
