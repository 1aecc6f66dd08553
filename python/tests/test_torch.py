# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""srv6steer.torch without torch or a kernel: matching sockets to peer ranks
from endpoint lists, and pin_process_group on this process's real loopback
sockets with a fake torch.distributed and a fake Steering."""

import os
import socket
import unittest
from types import SimpleNamespace
from unittest import mock

from srv6steer import Target
from srv6steer.plan import PlanError
from srv6steer.torch import (JalapenoSource, PlannerSource, default_store_port, match_all, match_peers,
                             pin_process_group, plan_from_env)

from test_discovery import FakeSteering


def mesh(hosts, store_port=29500, store_rank=0):
    """{rank: [(laddr, lport, raddr, rport), ...]} as gloo and the TCPStore
    leave them: one connection per rank pair (the lower rank listens), and
    every rank a client of the store on store_rank's host (which also holds
    the accepted sides)."""
    out = {r: [] for r in hosts}
    port = 40000
    for a in sorted(hosts):
        for b in sorted(hosts):
            if a < b:
                port += 2
                out[a].append((hosts[a], port, hosts[b], port + 1))
                out[b].append((hosts[b], port + 1, hosts[a], port))
    for r in sorted(hosts):
        port += 1
        out[r].append((hosts[r], port, hosts[store_rank], store_port))
        out[store_rank].append((hosts[store_rank], store_port, hosts[r], port))
    return out


def without_port(ends, port):
    return [e for e in ends if port not in (e[1], e[3])]


class Matching(unittest.TestCase):
    def test_two_ranks_per_host_ipv4(self):
        hosts = {0: "10.0.1.10", 1: "10.0.2.10", 2: "10.0.4.10", 3: "10.0.2.10"}
        m = {r: without_port(e, 29500) for r, e in mesh(hosts).items()}
        for me in hosts:
            got = match_peers(me, m[me], m)
            self.assertEqual(sorted(got.values()), sorted(set(hosts) - {me}), f"rank {me}: one socket per peer")
            for e, peer in got.items():
                self.assertEqual(e[2], hosts[peer])
        # Ranks 1 and 3 share 10.0.2.10: told apart by their ports.
        (e13,) = [e for e, p in match_peers(1, m[1], m).items() if p == 3]
        self.assertEqual((e13[0], e13[2]), ("10.0.2.10", "10.0.2.10"))

    def test_ipv6(self):
        hosts = {0: "fcbb:0:800:1::10", 1: "fcbb:0:800:2::10", 2: "fcbb:0:800:2::10"}
        m = {r: without_port(e, 29500) for r, e in mesh(hosts).items()}
        self.assertEqual(sorted(match_peers(0, m[0], m).values()), [1, 2])

    def test_the_store_matches_unless_left_out(self):
        # The store's connections pair up like any others (rank k's client,
        # rank 0's accepted side): the caller leaves them out by port.
        hosts = {0: "10.0.1.10", 1: "10.0.2.10"}
        m = mesh(hosts)
        self.assertEqual(sorted(match_peers(1, m[1], m).values()), [0, 0])
        clean = {r: without_port(e, 29500) for r, e in m.items()}
        self.assertEqual(list(match_peers(1, clean[1], clean).values()), [0])
        # Rank 0's own store client and its accepted side are both its own: never a peer.
        self.assertEqual(sorted(match_peers(0, m[0], m).values()), [1, 1])

    def test_strangers_and_several_groups(self):
        hosts = {0: "10.0.1.10", 1: "10.0.2.10", 2: "10.0.4.10"}
        m = {r: without_port(e, 29500) for r, e in mesh(hosts).items()}
        mine = m[0] + [("10.0.1.10", 5555, "192.0.2.7", 80)]      # not a rank's
        self.assertNotIn(("10.0.1.10", 5555, "192.0.2.7", 80), match_peers(0, mine, m))
        # A second group over ranks 0 and 2: its own connections, matched among its members.
        g = {0: [("10.0.1.10", 50001, "10.0.4.10", 50002)], 2: [("10.0.4.10", 50002, "10.0.1.10", 50001)]}
        self.assertEqual(match_peers(0, g[0], g), {("10.0.1.10", 50001, "10.0.4.10", 50002): 2})


class FakeDist:
    """torch.distributed as far as pin_process_group needs it: this process
    is rank `me`; the other ranks' endpoint lists are given, and what they
    say of their plan source and host (srv6steer.group_plan.rank_info;
    default: the same as this rank). A broadcast from another rank hands out
    `broadcast` (what that rank would send)."""

    def __init__(self, me, world, others, infos=None, broadcast=None):
        self.me, self.world, self.others, self.gathers = me, world, others, 0
        self.infos, self.broadcast, self.broadcasts = infos or {}, broadcast, []

    def get_rank(self):
        return self.me

    def get_world_size(self, group=None):
        return self.world if group is None else len(group)

    def all_gather_object(self, out, obj, group=None):
        self.gathers += 1
        ranks = range(self.world) if group is None else group
        assert obj[0] == self.me and len(out) == len(ranks)
        out[:] = [obj if r == self.me else (r, self.others.get(r, []), self.infos.get(r, obj[2])) for r in ranks]

    def broadcast_object_list(self, objs, src, group=None):
        self.broadcasts.append((src, list(objs) if src == self.me else None))
        if src != self.me:
            objs[:] = [self.broadcast]


class Peers:
    """Loopback connections from this process (rank 0, on 127.0.0.1) to
    'other hosts' 127.0.0.2 and .3, whose ends live in a child process (so
    that this process holds one end only, as a rank does)."""

    def __init__(self, remote_addrs):
        self.listeners = []
        for a in remote_addrs:
            s = socket.socket()
            s.bind((a, 0))
            s.listen()
            self.listeners.append(s)
        self.mine, self.theirs, self.children = [], [], []

    def connect(self, i, bind="127.0.0.1"):
        c = socket.socket()
        c.bind((bind, 0))
        c.connect(self.listeners[i].getsockname())
        s, _ = self.listeners[i].accept()
        self.mine.append(c)
        self.theirs.append(s)
        return c

    def hand_over(self):
        """Moves their ends made so far to a child process (listeners stay:
        they are not connected, so nobody's peer)."""
        if not self.theirs:
            return
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            for fd in [w] + [w_ for _, w_ in self.children]:
                os.close(fd)
            os.read(r, 1)
            os._exit(0)
        os.close(r)
        for s in self.theirs:
            s.close()
        self.theirs = []
        self.children.append((pid, w))

    def close(self):
        for pid, w in self.children:
            os.close(w)
            os.waitpid(pid, 0)
        for s in self.mine + self.theirs + self.listeners:
            s.close()

    @staticmethod
    def ends(theirs_of_mine):
        l, r = theirs_of_mine.getsockname(), theirs_of_mine.getpeername()
        return (r[0], r[1], l[0], l[1])      # the far side's view


def not_local(addr):
    return addr == "127.0.0.1"


@mock.patch("srv6steer.discovery.bind_test_local", not_local)   # .2 and .3 play other hosts
class PinProcessGroup(unittest.TestCase):
    def setUp(self):
        self.p = Peers(["127.0.0.2", "127.0.0.3", "127.0.0.1"])
        # rank 1 and rank 3 on 127.0.0.2 (one host), rank 2 on .3, rank 4 on this host.
        self.to1, self.to3 = self.p.connect(0), self.p.connect(0)
        self.to2, self.to4 = self.p.connect(1), self.p.connect(2)
        store = socket.socket()
        store.bind(("127.0.0.1", 0))
        store.listen()
        self.store_port = store.getsockname()[1]
        # Our own store client, and rank 1's (its end in the child).
        own = socket.create_connection(("127.0.0.1", self.store_port))
        own_srv, _ = store.accept()
        r1 = socket.create_connection(("127.0.0.1", self.store_port))
        r1_srv, _ = store.accept()
        self.p.theirs.append(r1)
        self.p.mine += [own, own_srv, r1_srv, store]
        self.others = {1: [self.ends(self.to1), Peers.ends(r1_srv)], 3: [self.ends(self.to3)],
                       2: [self.ends(self.to2)], 4: [self.ends(self.to4)]}
        self.addCleanup(self.p.close)

    @staticmethod
    def ends(mine):
        l, r = mine.getsockname(), mine.getpeername()
        return (r[0], r[1], l[0], l[1])

    def flow(self, s):
        l, r = s.getsockname(), s.getpeername()
        return ("tcp", l[0], l[1], r[0], r[1])

    def pin(self, plan, **kw):
        self.p.hand_over()
        s = kw.pop("steering", None) or FakeSteering()
        dist = kw.pop("dist", None) or FakeDist(0, 5, self.others)
        gp = pin_process_group(plan, dist=dist, steering=s, mode="flow", verify=False,
                               store_port=self.store_port, **kw)
        self.addCleanup(gp.unpin)
        return gp, s

    def test_each_peer_rank_on_its_planned_path(self):
        plan = {"pairs": [{"src": 0, "dst": 1, "path": "1004,1001,1006"},
                          {"src": 0, "dst": 3, "path": "1004,1002,1006"},
                          {"src": 0, "dst": 4, "path": "1004"}]}
        gp, s = self.pin(plan)
        pinned = {f: v[0] for f, v in s.flow_pins.items()}
        id1 = next(i for i, k in s.paths.items() if "1004,1001,1006,fe04" in k)
        id3 = next(i for i, k in s.paths.items() if "1004,1002,1006,fe04" in k)
        self.assertNotEqual(id1, id3)
        # Two connections between the same two hosts, on two paths.
        self.assertEqual(pinned, {self.flow(self.to1): Target.path(id1), self.flow(self.to3): Target.path(id3)})
        self.assertEqual(sorted(p.label for p in gp.pins.pinned), ["rank 0 -> rank 1", "rank 0 -> rank 3"])
        # Rank 2 is not in the plan; rank 4 is on this host; the store is nobody's peer.
        self.assertEqual([r for _, r in gp.unplanned], [2])
        self.assertEqual([r for _, r in gp.local], [4])
        self.assertEqual(sorted(gp.peers.values()), [1, 2, 3, 4])
        self.assertTrue(any("same host, not pinned" in line for line in gp.describe()))
        gp.unpin()
        self.assertEqual((s.flow_pins, s.paths), ({}, {}))

    def test_per_connection_paths_and_a_function(self):
        def choose(src, dst, conn):
            self.assertEqual((src, conn.family), (0, socket.AF_INET))
            return {"paths": ["1001", "1002"]} if dst == 1 else None

        self.to1b = self.p.connect(0)                       # a second connection to rank 1
        self.others[1].append(self.ends(self.to1b))
        gp, s = self.pin(choose)
        by_port = sorted(gp.pins.pinned, key=lambda p: p.connection.local.port)
        self.assertEqual([p.path.usids[0] for p in by_port], [0x1001, 0x1002], "in the order of local ports")

    def test_a_second_group_pins_only_its_new_connections(self):
        gp, s = self.pin({(0, 1): "1001", (0, 3): "1001"})
        self.assertEqual(len(gp.pins.pinned), 2)
        new = self.p.connect(0)                             # the new group's connection to rank 1
        dist = FakeDist(0, 5, {1: [self.ends(new)]})
        gp2, _ = self.pin({(0, 1): "1002"}, steering=s, dist=dist, group=[0, 1])
        self.assertEqual([p.connection.local.port for p in gp2.pins.pinned], [new.getsockname()[1]])
        self.assertEqual(gp2.pins.pinned[0].path.usids, (0x1002, 0xFE04))
        self.assertEqual(len(s.flow_pins), 3)

    def test_plan_errors(self):
        with self.assertRaises(PlanError) as e:
            self.pin({"world_size": 4, "pairs": []})
        self.assertIn("for 4 ranks, the group has 5", str(e.exception))
        with self.assertRaises(PlanError) as e:
            self.pin({(0, 1): "1004,fe06"})                 # gloo picked IPv4
        self.assertIn("rank pair 0 -> 1", str(e.exception))


class Environment(unittest.TestCase):
    def test_plan_from_env(self):
        with self.assertRaises(PlanError) as e:
            plan_from_env({})
        self.assertIn("SRV6STEER_PLAN", str(e.exception))
        self.assertEqual(plan_from_env({"JALAPENO_API_ENDPOINT": "http://x:30800/api/v1"}), JalapenoSource())
        self.assertEqual(plan_from_env({"SRV6STEER_TOPOLOGY": "t.json", "JALAPENO_API_ENDPOINT": "http://x"}),
                         PlannerSource("t.json"))
        with self.assertRaises(PlanError) as e:
            plan_from_env({"SRV6STEER_PLAN": "/nonexistent.json"})
        self.assertIn("/nonexistent.json", str(e.exception))

    def test_store_port(self):
        tcp = SimpleNamespace(port=29511)
        prefix = SimpleNamespace(underlying_store=SimpleNamespace(underlying_store=tcp))
        dist = SimpleNamespace(distributed_c10d=SimpleNamespace(_get_default_store=lambda: prefix))
        self.assertEqual(default_store_port(dist), 29511)
        with mock.patch.dict(os.environ, {"MASTER_PORT": "29600"}):
            self.assertEqual(default_store_port(SimpleNamespace()), 29600)


if __name__ == "__main__":
    unittest.main()
