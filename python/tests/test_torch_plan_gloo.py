# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""pin_process_group(plan="planner" / "jalapeno") on real local gloo jobs
(Debian's python3-torch; 2-4 processes on 127.0.0.1, gloo_plan_rank.py
each): the first rank plans, every rank ends with the same plan or the same
error, and nobody hangs (each rank reaches a barrier after the call). The
ranks' hosts are given by SRV6STEER_HOST (all of them run here); the lab
fabric's facts are written in the test (tools/README.md), not read from the
code under test. No root, no kernel; the planner and the Jalapeno client
through libsrv6steer ($SRV6STEER_LIB)."""

import json
import os
import socket
import subprocess
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAB = HERE.parents[1] / "topologies" / "lab.json"
RANK = HERE / "gloo_plan_rank.py"
PYTHON = "/usr/bin/python3"

from jalapeno_fixture import LEAF_OF, FakeJalapeno  # noqa: E402

SPINES = {0x1001, 0x1002}
LEAF_USID = {"leaf00": 0x1004, "leaf01": 0x1005, "leaf02": 0x1006}


def setUpModule():
    try:
        import torch.distributed  # noqa: F401
    except ImportError:
        raise unittest.SkipTest("needs Debian's python3-torch (/usr/bin/python3)") from None


def run_job(envs, plan=None):
    """Runs len(envs) ranks (envs[r]: rank r's extra environment); returns
    their JSON lines by rank. Every rank must exit 0 (it reached the barrier)."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("SRV6STEER_PLAN", "SRV6STEER_TOPOLOGY", "JALAPENO_API_ENDPOINT", "TOPOLOGY_COLLECTION",
                         "DEST_FUNCTION", "SRV6STEER_HOST", "HOSTNAME", "HOSTNAME_PREFIX")}
    base.update(PYTHONPATH=str(HERE.parent), PYTHONDONTWRITEBYTECODE="1")
    with tempfile.TemporaryDirectory() as tmp:
        init = os.path.join(tmp, "store")
        argv = [PYTHON, str(RANK), None, str(len(envs)), init] + ([plan] if plan else [])
        procs = [subprocess.Popen(argv[:2] + [str(r)] + argv[3:], env={**base, **e}, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for r, e in enumerate(envs)]
        try:
            ended = [p.communicate(timeout=150) for p in procs]
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
    said = "".join(f"\n--- rank {r} ({p.returncode}):\n{o}{e[-2000:]}" for r, (p, (o, e)) in
                   enumerate(zip(procs, ended)))
    if any(p.returncode for p in procs):
        raise AssertionError(f"a rank failed{said}")
    return [json.loads(o.strip().splitlines()[-1]) for o, _ in ended]


class Family:
    """A connection as Plan.path_for sees one."""

    def __init__(self, family):
        self.family = family


def path_usids(plan_obj, src, dst, family=socket.AF_INET6):
    from srv6steer.plan import Plan
    p = Plan.from_obj(plan_obj).path_for(src, dst, 0, Family(family))
    return None if p is None else p.usids


class Failures(unittest.TestCase):
    """The first rank cannot plan, or the ranks cannot agree: every rank raises the same."""

    def assert_same_error(self, out, *parts):
        errors = {o.get("error") for o in out}
        self.assertEqual(len(errors), 1, f"every rank the same error: {out}")
        (msg,) = errors
        self.assertIsNotNone(msg, out)
        for p in parts:
            self.assertIn(p, msg)
        return msg

    def test_missing_topology(self):
        out = run_job([{"SRV6STEER_TOPOLOGY": "/nonexistent/t.json"}] * 3, plan="planner")
        self.assert_same_error(out, "rank 0 could not plan the job", "/nonexistent/t.json",
                               "cannot read the topology", "nothing was pinned on any rank")

    def test_gloo_address_not_in_the_topology(self):
        out = run_job([{"SRV6STEER_TOPOLOGY": str(LAB)}] * 2)
        self.assert_same_error(out, "group rank 0: its gloo addresses (127.0.0.1) are no host's in", "SRV6STEER_HOST")

    def test_ranks_disagree(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump({"pairs": []}, f)
            f.flush()
            topo = {"SRV6STEER_TOPOLOGY": str(LAB)}
            out = run_job([topo, {"SRV6STEER_PLAN": f.name}, topo])
        self.assert_same_error(out, "disagree", "rank 1: given")

    def test_a_rank_without_a_source(self):
        out = run_job([{"SRV6STEER_TOPOLOGY": str(LAB), "SRV6STEER_HOST": "h1"}, {}])
        self.assert_same_error(out, "rank 1: no plan")

    def test_jalapeno_fails_for_one_pair(self):
        with FakeJalapeno() as j:
            j.fail[("h2", "h1")] = (500, {"detail": "database unavailable"})
            env = {"JALAPENO_API_ENDPOINT": j.endpoint, "TOPOLOGY_COLLECTION": "fabric_graph"}
            out = run_job([{**env, "SRV6STEER_HOST": h} for h in ("h1", "h2", "h4")], plan="jalapeno")
        msg = self.assert_same_error(out, "rank 0 could not plan the job", "database unavailable")
        self.assertIn("h2", msg)
        self.assertEqual(len(j.loads), len(set(j.loads)), "never twice for a pair")


class RoundTrips(unittest.TestCase):
    def test_planner_on_the_lab(self):
        hosts = ["h1", "h2", "h4", "h3"]
        out = run_job([{"SRV6STEER_TOPOLOGY": str(LAB), "SRV6STEER_HOST": h} for h in hosts], plan="planner")
        self.assertTrue(all("plan" in o for o in out), out)
        plan = out[0]["plan"]
        self.assertTrue(all(o["plan"] == plan for o in out), f"every rank the same plan: {out}")
        # gloo's ring: rank r sends to r-1. h2 -> h1, h4 -> h2, h3 -> h4, h1 -> h3: all cross the fabric.
        spines = []
        for r in range(4):
            d = (r - 1) % 4
            u = path_usids(plan, r, d)
            self.assertIsNotNone(u, f"rank pair {r} -> {d} not planned: {plan}")
            self.assertEqual(len(u), 4, f"{r} -> {d}: leaf, spine, leaf, decap: {u}")
            self.assertEqual((u[0], u[2], u[3]), (LEAF_USID[LEAF_OF[hosts[r]]], LEAF_USID[LEAF_OF[hosts[d]]], 0xFE06))
            self.assertIn(u[1], SPINES)
            spines.append(u[1])
            self.assertEqual(path_usids(plan, r, d, socket.AF_INET)[3], 0xFE04)
        # Only the ring's pairs (not r -> r+1).
        self.assertIsNone(path_usids(plan, 0, 1))
        # leaf02 (h2, h3) sends twice and receives twice: one per spine each way (no link carries two).
        from_leaf02 = [spines[r] for r in range(4) if LEAF_OF[hosts[r]] == "leaf02"]
        self.assertEqual(sorted(from_leaf02), [0x1001, 0x1002])
        to_leaf02 = [spines[r] for r in range(4) if LEAF_OF[hosts[(r - 1) % 4]] == "leaf02"]
        self.assertEqual(sorted(to_leaf02), [0x1001, 0x1002])

    def test_jalapeno_once_per_host_pair(self):
        # Ranks 0 and 2 on h1, 1 and 3 on h2: four ring pairs, two host pairs.
        hosts = ["h1", "h2", "h1", "h2"]
        with FakeJalapeno() as j:
            env = {"JALAPENO_API_ENDPOINT": j.endpoint, "TOPOLOGY_COLLECTION": "fabric_graph", "DEST_FUNCTION": "fe06"}
            out = run_job([{**env, "SRV6STEER_HOST": h} for h in hosts])
        self.assertTrue(all("plan" in o for o in out), out)
        plan = out[0]["plan"]
        self.assertTrue(all(o["plan"] == plan for o in out), out)
        self.assertEqual(sorted(j.loads), [("h1", "h2"), ("h2", "h1")], "one /load per directed host pair")
        for r in range(4):
            d = (r - 1) % 4
            want = tuple(j.answered[(hosts[r], hosts[d])]) + (0xFE06,)
            self.assertEqual(path_usids(plan, r, d), want, f"rank pair {r} -> {d}")
        # The two host pairs were answered on different spines (the fixture alternates).
        self.assertNotEqual(j.answered[("h1", "h2")][1], j.answered[("h2", "h1")][1])

    def test_all_on_one_host_asks_nobody(self):
        with FakeJalapeno() as j:
            out = run_job([{"JALAPENO_API_ENDPOINT": j.endpoint, "SRV6STEER_HOST": "h1"}] * 2, plan="jalapeno")
        self.assertEqual([o.get("plan", {}).get("pairs") for o in out], [[], []], out)
        self.assertEqual([o["local"] for o in out], [[1], [0]])
        self.assertEqual(j.requests, [])


if __name__ == "__main__":
    unittest.main()
