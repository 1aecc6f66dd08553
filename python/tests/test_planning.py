# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""srv6steer.plan_job / plan_job_jalapeno over libsrv6steer's C ABI
(srv6s_plan, srv6s_plan_jalapeno, srv6s_free_string): the plan of a job on
topologies/lab.json, checked against the lab's facts written here
(tools/README.md), Jalapeno's paths from a fake Jalapeno on 127.0.0.1, and
the errors. No root, no kernel; the library from $SRV6STEER_LIB."""

import errno
import json
import os
import socket
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import srv6steer
from srv6steer.plan import Plan

from jalapeno_fixture import LEAF_OF, FakeJalapeno

LAB = Path(__file__).resolve().parents[2] / "topologies" / "lab.json"
LEAF_USID = {"leaf00": 0x1004, "leaf01": 0x1005, "leaf02": 0x1006}
SPINES = {0x1001, 0x1002}


class Conn:
    def __init__(self, family=socket.AF_INET6):
        self.family = family


def usids(plan_obj, src, dst, index=0, family=socket.AF_INET6):
    p = Plan.from_obj(plan_obj).path_for(src, dst, index, Conn(family))
    return None if p is None else p.usids


class PlanJob(unittest.TestCase):
    def test_ring_on_the_lab_is_walks_of_the_fabric(self):
        hosts = ["h1", "h2", "h4", "h3"]
        job = {"ranks": hosts, "pattern": "ring", "connections": 2}
        for topology in (str(LAB), LAB, json.loads(LAB.read_text()), LAB.read_text()):
            got = srv6steer.plan_job(topology, job)
            self.assertEqual(got["world_size"], 4)
            load = {}
            for r in range(4):
                d = (r - 1) % 4
                for i in range(2):
                    u = usids(got, r, d, i)
                    self.assertEqual((u[0], u[2], u[3]), (LEAF_USID[LEAF_OF[hosts[r]]], LEAF_USID[LEAF_OF[hosts[d]]],
                                                          0xFE06), f"{r} -> {d} #{i}: {u}")
                    self.assertIn(u[1], SPINES)
                    for link in ((u[0], u[1]), (u[1], u[2])):
                        load[link] = load.get(link, 0) + 1
                self.assertIsNone(usids(got, r, (r + 1) % 4), "only r -> r-1")
            # leaf02 (h2, h3) sends 4 connections over its 2 uplinks: no link needs more than 2.
            self.assertEqual(max(load.values()), 2, load)

    def test_same_leaf_and_same_host(self):
        got = srv6steer.plan_job(LAB, {"ranks": ["h2", "h3", "h2"], "pattern": "pairs",
                                       "pairs": [{"src": 0, "dst": 1}, {"src": 0, "dst": 2}]})
        self.assertEqual(usids(got, 0, 1), (0x1006, 0xFE06), "h2 and h3 share leaf02")
        self.assertIsNone(usids(got, 0, 2), "one host: not in the plan")

    def test_errors(self):
        with self.assertRaises(srv6steer.SteeringError) as e:
            srv6steer.plan_job(LAB, {"ranks": ["h1", "h9"], "pattern": "ring"})
        self.assertIn("h9", e.exception.message)
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write('{"block": "fcbb:0::/32", "nodes": [], "links": [], "hosts": [], "oops": 1}')
            f.flush()
            with self.assertRaises(srv6steer.SteeringError) as e:
                srv6steer.plan_job(f.name, {"ranks": ["h1"], "pattern": "ring"})
            self.assertTrue(e.exception.message.startswith(f.name + ": "), e.exception.message)
            self.assertEqual(e.exception.errno, errno.EINVAL)
        with self.assertRaises(srv6steer.SteeringError) as e:
            srv6steer.plan_job("/nonexistent/t.json", {"ranks": ["h1"], "pattern": "ring"})
        self.assertEqual(e.exception.errno, errno.ENOENT)
        self.assertIn("/nonexistent/t.json: cannot read the topology", e.exception.message)
        with self.assertRaises(srv6steer.ArgumentError):
            srv6steer.plan_job(LAB, '{"ranks": ["h1\0"], "pattern": "ring"}')
        with self.assertRaises(TypeError):
            srv6steer.plan_job(LAB, 42)


class PlanJobJalapeno(unittest.TestCase):
    def test_paths_as_answered_once_per_host_pair(self):
        job = {"ranks": ["h1", "h2", "h1", "h4"], "pattern": "ring"}
        with FakeJalapeno() as j:
            got = srv6steer.plan_job_jalapeno(job, endpoint=j.endpoint, collection="fabric_graph",
                                              dest_function="fe06", timeout=5)
        # Ring pairs 1->0 (h2->h1), 2->1 (h1->h2), 3->2 (h4->h1), 0->3 (h1->h4): four host pairs.
        self.assertEqual(sorted(j.loads), [("h1", "h2"), ("h1", "h4"), ("h2", "h1"), ("h4", "h1")])
        for r in range(4):
            d = (r - 1) % 4
            want = tuple(j.answered[(job["ranks"][r], job["ranks"][d])]) + (0xFE06,)
            self.assertEqual(usids(got, r, d), want, f"{r} -> {d}")

    def test_two_rank_pairs_on_one_host_pair_ask_once(self):
        job = {"ranks": ["h1", "h2", "h1", "h2"], "pattern": "ring"}
        with FakeJalapeno() as j:
            got = srv6steer.plan_job_jalapeno(job, endpoint=j.endpoint, collection="fabric_graph")
        self.assertEqual(sorted(j.loads), [("h1", "h2"), ("h2", "h1")])
        self.assertEqual(usids(got, 1, 0), usids(got, 3, 2))

    def test_environment(self):
        with FakeJalapeno("network_topology") as j:
            env = {"JALAPENO_API_ENDPOINT": j.endpoint, "DEST_FUNCTION": "fe06"}
            with mock.patch.dict(os.environ, env):
                os.environ.pop("TOPOLOGY_COLLECTION", None)
                got = srv6steer.plan_job_jalapeno({"ranks": ["h1", "h4"], "pattern": "ring"})
        self.assertEqual(len(j.loads), 2)
        self.assertTrue(all("/graphs/network_topology/" in t for t in j.requests), j.requests)
        self.assertEqual(usids(got, 0, 1)[-1], 0xFE06)
        with mock.patch.dict(os.environ, {"JALAPENO_API_ENDPOINT": ""}):
            with self.assertRaises(srv6steer.SteeringError) as e:
                srv6steer.plan_job_jalapeno({"ranks": ["h1", "h4"], "pattern": "ring"})
        self.assertIn("JALAPENO_API_ENDPOINT", e.exception.message)

    def test_failures_are_whole(self):
        with FakeJalapeno() as j:
            j.fail[("h4", "h1")] = (200, {"found": False, "message": "No path found between specified nodes"})
            with self.assertRaises(srv6steer.SteeringError) as e:
                srv6steer.plan_job_jalapeno({"ranks": ["h1", "h4"], "pattern": "ring"}, endpoint=j.endpoint,
                                            collection="fabric_graph")
        self.assertIn("No path found", e.exception.message)
        with self.assertRaises(srv6steer.ArgumentError):
            srv6steer.plan_job_jalapeno({"ranks": ["h1"], "pattern": "ring"}, endpoint="http://x", timeout=0)


if __name__ == "__main__":
    unittest.main()
