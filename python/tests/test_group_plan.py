# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""srv6steer.group_plan without torch or the library: the plan source from
plan= and the environment, the job built from a group's (synthetic)
endpoint lists, and the first rank's plan or error reaching every rank."""

import json
import os
import tempfile
import unittest
from pathlib import Path

from srv6steer import group_plan as gp
from srv6steer.plan import Plan, PlanError
from srv6steer.torch import match_all, match_peers

from test_torch import FakeDist, mesh, without_port

LAB = Path(__file__).resolve().parents[2] / "topologies" / "lab.json"
# The lab's hosts by address, written here from tools/README.md (not from lab.json).
H1, H2, H3, H4 = "10.0.1.10", "10.0.2.10", "10.0.3.10", "10.0.4.10"


def lab():
    return json.loads(LAB.read_text())


def group(hosts, extra=()):
    """{rank: {ends: peer}} of a gloo mesh over {rank: address} (no store),
    with extra connections (a, b) added between ranks a and b."""
    m = {r: without_port(e, 29500) for r, e in mesh(hosts).items()}
    port = 60000
    for a, b in extra:
        port += 2
        m[a].append((hosts[a], port, hosts[b], port + 1))
        m[b].append((hosts[b], port + 1, hosts[a], port))
    return match_all(m)


class MatchAll(unittest.TestCase):
    def test_same_as_match_peers_rank_by_rank(self):
        m = {r: e for r, e in mesh({0: H1, 1: H2, 2: H4, 3: H2}).items()}
        m[0].append((H1, 5555, "192.0.2.7", 80))               # not a rank's
        got = match_all(m)
        for r in m:
            self.assertEqual(got[r], match_peers(r, m[r], m), f"rank {r}")


class Job(unittest.TestCase):
    def test_ring_of_four_ranks_two_on_one_host(self):
        members = [0, 1, 2, 3]
        matched = group({0: H1, 1: H2, 2: H4, 3: H2})
        hosts = gp.hosts_by_address(lab(), gp.gloo_addresses(members, matched), [None] * 4)
        self.assertEqual(hosts, ["h1", "h2", "h4", "h2"])
        job = gp.ring_job(hosts, gp.connection_counts(members, matched))
        # gloo's ring: r sends to r-1; one connection per pair.
        self.assertEqual(job["ranks"], ["h1", "h2", "h4", "h2"])
        self.assertEqual(job["pattern"], "pairs")
        self.assertEqual(job["pairs"], [{"src": 0, "dst": 3, "connections": 1},
                                        {"src": 1, "dst": 0, "connections": 1},
                                        {"src": 2, "dst": 1, "connections": 1},
                                        {"src": 3, "dst": 2, "connections": 1}])

    def test_connections_as_found_and_same_host_pairs_left_out(self):
        members = [0, 1, 2]
        # Ranks 0 and 1 share h2; rank 2 has two connections to rank 1.
        matched = group({0: H2, 1: H2, 2: H1}, extra=[(2, 1)])
        counts = gp.connection_counts(members, matched)
        self.assertEqual(counts, {(0, 1): 1, (1, 0): 1, (0, 2): 1, (2, 0): 1, (1, 2): 2, (2, 1): 2})
        job = gp.ring_job(["h2", "h2", "h1"], counts)
        self.assertEqual(job["pairs"], [{"src": 0, "dst": 2, "connections": 1},
                                        {"src": 2, "dst": 1, "connections": 2}])
        self.assertEqual(gp.ring_job(["h2", "h2"], {(0, 1): 1, (1, 0): 1})["pairs"], [])
        self.assertEqual(gp.ring_job(["h1"], {})["pairs"], [])

    def test_two_ranks(self):
        job = gp.ring_job(["h1", "h4"], {(0, 1): 1, (1, 0): 1})
        self.assertEqual(job["pairs"], [{"src": 0, "dst": 1, "connections": 1}, {"src": 1, "dst": 0, "connections": 1}])

    def test_a_subgroup_in_group_ranks(self):
        # new_group([0, 2, 3]): its ring is 0 <- 2 <- 3 <- 0 in group ranks 0, 1, 2.
        members = [0, 2, 3]
        full = group({0: H1, 1: H2, 2: H4, 3: H3})
        matched = {r: {e: p for e, p in full[r].items() if p in members} for r in members}
        counts = gp.connection_counts(members, matched)
        hosts = gp.hosts_by_address(lab(), gp.gloo_addresses(members, matched), [None] * 3)
        self.assertEqual(hosts, ["h1", "h4", "h3"])
        self.assertEqual(gp.ring_job(hosts, counts)["pairs"], [{"src": 0, "dst": 2, "connections": 1},
                                                               {"src": 1, "dst": 0, "connections": 1},
                                                               {"src": 2, "dst": 1, "connections": 1}])

    def test_ipv6_gloo(self):
        members = [0, 1]
        matched = group({0: "fcbb:0:800:4::10", 1: "fcbb:0:800:3::10"})
        self.assertEqual(gp.hosts_by_address(lab(), gp.gloo_addresses(members, matched), [None, None]), ["h4", "h3"])

    def test_host_names_given_and_unknown_addresses(self):
        members = [0, 1]
        matched = group({0: "127.0.0.1", 1: H2})
        addrs = gp.gloo_addresses(members, matched)
        self.assertEqual(gp.hosts_by_address(lab(), addrs, ["h3", None]), ["h3", "h2"])
        with self.assertRaises(PlanError) as e:
            gp.hosts_by_address(lab(), addrs, [None, None], "lab.json")
        self.assertIn("group rank 0: its gloo addresses (127.0.0.1) are no host's in lab.json", str(e.exception))
        self.assertIn("SRV6STEER_HOST", str(e.exception))
        with self.assertRaises(PlanError) as e:
            gp.hosts_by_address(lab(), [{H1, H2}], [None])
        self.assertIn("those of hosts h1 and h2", str(e.exception))
        with self.assertRaises(PlanError) as e:
            gp.hosts_by_address(lab(), [set()], [None])
        self.assertIn("none: no connection to another rank", str(e.exception))


class Source(unittest.TestCase):
    def setUp(self):
        fd, self.file = tempfile.mkstemp(suffix=".json")
        os.write(fd, b'{"pairs": [{"src": 0, "dst": 1, "path": "1001"}]}')
        os.close(fd)
        self.addCleanup(os.unlink, self.file)

    def test_from_the_environment(self):
        topo, url = {"SRV6STEER_TOPOLOGY": "t.json"}, {"JALAPENO_API_ENDPOINT": "http://j:30800/api/v1"}
        with self.assertRaises(PlanError) as e:
            gp.plan_source(None, {})
        for name in ("SRV6STEER_PLAN", "SRV6STEER_TOPOLOGY", "JALAPENO_API_ENDPOINT", '"planner"'):
            self.assertIn(name, str(e.exception))
        self.assertEqual(gp.plan_source(None, topo), gp.PlannerSource("t.json"))
        self.assertEqual(gp.plan_source(None, url), gp.JalapenoSource())
        # A plan file wins, then the topology, then Jalapeno.
        self.assertIsInstance(gp.plan_source(None, {"SRV6STEER_PLAN": self.file, **topo, **url}), Plan)
        self.assertEqual(gp.plan_source(None, {**topo, **url}), gp.PlannerSource("t.json"))

    def test_named(self):
        self.assertEqual(gp.plan_source("planner", {"SRV6STEER_TOPOLOGY": "lab.json"}), gp.PlannerSource("lab.json"))
        self.assertEqual(gp.plan_source("jalapeno", {"JALAPENO_API_ENDPOINT": "http://j"}), gp.JalapenoSource())
        with self.assertRaises(PlanError) as e:
            gp.plan_source("planner", {"JALAPENO_API_ENDPOINT": "http://j"})
        self.assertIn("SRV6STEER_TOPOLOGY", str(e.exception))
        with self.assertRaises(PlanError) as e:
            gp.plan_source("jalapeno", {"SRV6STEER_TOPOLOGY": "t.json"})
        self.assertIn("JALAPENO_API_ENDPOINT", str(e.exception))
        # plan= wins over the environment.
        self.assertIsInstance(gp.plan_source(self.file, {"SRV6STEER_TOPOLOGY": "t.json"}), Plan)
        src = gp.JalapenoSource(endpoint="http://x/api/v1", timeout=2)
        self.assertIs(gp.plan_source(src, {}), src)

    def test_jalapeno_host_names_as_the_seed_plugin(self):
        self.assertEqual(gp.jalapeno_host(3, {}), "host03")
        self.assertEqual(gp.jalapeno_host(1, {"HOSTNAME_PREFIX": "h"}), "h01")
        self.assertEqual(gp.jalapeno_host(1, {"HOSTNAME": "srv6-pytorch-1", "HOSTNAME_PREFIX": "h"}), "srv6-pytorch-1")
        self.assertEqual(gp.jalapeno_host(1, {"HOSTNAME": "pod", "SRV6STEER_HOST": "h4"}), "h4")
        self.assertEqual(gp.rank_info(gp.JalapenoSource(), 2, env={}),
                         {"kind": "jalapeno", "host": "host02", "error": None})
        self.assertEqual(gp.rank_info(gp.PlannerSource("t"), 2, env={}), {"kind": "planner", "host": None, "error": None})
        self.assertEqual(gp.rank_info(gp.PlannerSource("t"), 2, env={"SRV6STEER_HOST": "h2"})["host"], "h2")


def info(kind="planner", host=None, error=None):
    return {"kind": kind, "host": host, "error": error}


class Broadcast(unittest.TestCase):
    """resolve(): the first rank's plan or error, on every rank, from one broadcast."""

    def test_the_first_ranks_failure_is_every_ranks(self):
        src = gp.PlannerSource("/nonexistent/topology.json")
        members, infos = [0, 1, 2], [info()] * 3
        d0 = FakeDist(0, 3, {})
        with self.assertRaises(PlanError) as e0:
            gp.resolve(src, members, {}, infos, dist=d0)
        ((root, sent),) = d0.broadcasts
        self.assertEqual(root, 0)
        self.assertEqual(list(sent[0]), ["error"])
        msg = sent[0]["error"]
        self.assertEqual(str(e0.exception), msg)
        self.assertIn("rank 0 could not plan the job (the planner on /nonexistent/topology.json)", msg)
        self.assertIn("cannot read the topology", msg)
        self.assertIn("nothing was pinned on any rank", msg)
        # Rank 2 receives it and raises the same.
        d2 = FakeDist(2, 3, {}, broadcast=sent[0])
        with self.assertRaises(PlanError) as e2:
            gp.resolve(src, members, {}, infos, dist=d2)
        self.assertEqual(str(e2.exception), msg)
        self.assertEqual(d2.broadcasts, [(0, None)])

    def test_a_subgroups_first_rank_plans(self):
        plan = {"version": 1, "pairs": [{"src": 5, "dst": 3, "path": "1006,1001,1004"}]}
        d = FakeDist(5, 8, {}, broadcast={"plan": plan})
        got = gp.resolve(gp.JalapenoSource("http://j"), [3, 5], {}, [info("jalapeno", "h1"), info("jalapeno", "h2")],
                         dist=d, group=[3, 5])
        self.assertEqual(d.broadcasts, [(3, None)])
        self.assertEqual(got.pairs[(5, 3)][0].usids, (0x1006, 0x1001, 0x1004))

    def test_a_garbled_broadcast_is_an_error(self):
        d = FakeDist(1, 2, {}, broadcast="?")
        with self.assertRaises(PlanError):
            gp.resolve(gp.PlannerSource("t"), [0, 1], {}, [info()] * 2, dist=d)

    def test_a_ranks_own_failure_or_disagreement_raises_everywhere_without_a_broadcast(self):
        infos = [info(), info(kind="error", error="plan.json: cannot read the plan: No such file"), info()]
        for me in (0, 1, 2):
            d = FakeDist(me, 3, {})
            with self.assertRaises(PlanError) as e:
                gp.resolve(gp.PlannerSource("t"), [0, 1, 2], {}, infos, dist=d)
            self.assertEqual(str(e.exception), "rank 1: plan.json: cannot read the plan: No such file; "
                                               "nothing was pinned on any rank")
            self.assertEqual(d.broadcasts, [])
        infos = [info(), info(kind="given"), info()]
        with self.assertRaises(PlanError) as e:
            gp.resolve(gp.PlannerSource("t"), [0, 1, 2], {}, infos, dist=FakeDist(0, 3, {}))
        self.assertIn("disagree", str(e.exception))
        self.assertIn("rank 0: planner, rank 1: given, rank 2: planner", str(e.exception))

    def test_a_given_plan_needs_no_broadcast(self):
        plan = Plan.of({(0, 1): "1001"})
        d = FakeDist(0, 2, {})
        self.assertIs(gp.resolve(plan, [0, 1], {}, [info("given")] * 2, dist=d), plan)
        self.assertEqual(d.broadcasts, [])


if __name__ == "__main__":
    unittest.main()
