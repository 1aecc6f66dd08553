# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""srv6steer.plan: path forms, decap by family, the rank-pair plan file and
its errors, content-addressed path ids. No kernel, no library, no torch."""

import json
import os
import socket
import tempfile
import unittest
from types import SimpleNamespace

from srv6steer.plan import DEFAULT_DECAP, JOB_PATH_IDS, PathSpec, Plan, PlanError, parse_decap, path_ids

V4 = SimpleNamespace(family=socket.AF_INET)
V6 = SimpleNamespace(family=socket.AF_INET6)


def seg6(*segs, mode="encap.red"):
    """A path as the seed plugin received it from the controller."""
    return {"type": "seg6", "mode": mode, "segs": list(segs)}


class PathForms(unittest.TestCase):
    def test_forms(self):
        self.assertEqual(PathSpec.of("1004,1001,1006"), PathSpec(usids=(0x1004, 0x1001, 0x1006)))
        self.assertEqual(PathSpec.of("1004 0x1001, FE06"), PathSpec(usids=(0x1004, 0x1001, 0xFE06)))
        self.assertEqual(PathSpec.of([0x1004, "1002"]), PathSpec(usids=(0x1004, 0x1002)))
        self.assertEqual(PathSpec.of("fcbb:0:1004:1001:1006:fe06::"),
                         PathSpec(segments=("fcbb:0:1004:1001:1006:fe06::",)))
        self.assertEqual(PathSpec.of(seg6("fcbb:0:1004::", "FCBB:0:1006:0::", mode="encap")),
                         PathSpec(segments=("fcbb:0:1004::", "fcbb:0:1006::"), full_srh=True))
        self.assertEqual(PathSpec.of({"usids": "1004,1002", "block": "fc00:0::/32", "srh": "full"}),
                         PathSpec(usids=(0x1004, 0x1002), block="fc00::/32", full_srh=True))
        self.assertEqual(PathSpec.of({"segments": ["fcbb:0:1004:fe06::"]}),
                         PathSpec(segments=("fcbb:0:1004:fe06::",)))
        self.assertIsNone(PathSpec.of(None))

    def test_bad_forms_name_where(self):
        cases = [
            ("zz", "invalid uSID 'zz'"),
            ("10045", "invalid uSID '10045'"),
            ("", "no uSIDs"),
            ("0", "out of range"),
            ([], "no uSIDs"),
            (seg6("fcbb::", mode="inline"), "unsupported seg6 mode 'inline'"),
            (seg6("not-an-address"), "is not an IPv6 address"),
            ({"usids": "1004", "srh": "some"}, "expected \"reduced\" or \"full\""),
            ({"usids": "1004", "block": "10.0.0.0/8"}, "invalid block"),
            ({"usids": "1004", "block": "fcbb::/33"}, "multiple of 16"),
            ({"usids": "1004", "via": 1}, "unknown key 'via'"),
            ({"path": "1004"}, "expected \"usids\", \"segments\" or \"segs\""),
            (3.5, "expected uSIDs"),
            ([True], "expected a uSID"),
        ]
        for spec, message in cases:
            with self.subTest(spec=spec), self.assertRaises(PlanError) as e:
                PathSpec.of(spec, where="pairs[2].path")
            self.assertIn(message, str(e.exception))
            self.assertIn("pairs[2].path", str(e.exception))

    def test_decap_is_chosen_by_family(self):
        p = PathSpec.of("1004,1001,1006")
        self.assertEqual(p.for_family(socket.AF_INET6).usids, (0x1004, 0x1001, 0x1006, 0xFE06))
        self.assertEqual(p.for_family(socket.AF_INET).usids, (0x1004, 0x1001, 0x1006, 0xFE04))
        # Given already: kept when it is the family's...
        self.assertEqual(PathSpec.of("1004,1006,fe06").for_family(socket.AF_INET6).usids, (0x1004, 0x1006, 0xFE06))
        # ...an error when it is the other family's (the IPv4 gloo on an fe06 path).
        with self.assertRaises(PlanError) as e:
            PathSpec.of("1004,1006,fe06").for_family(socket.AF_INET)
        self.assertIn("fe06, the ipv6 decap function, but the connection is ipv4 (fe04)", str(e.exception))
        # Segments are used as they are.
        s = PathSpec.of("fcbb:0:1004:1006:fe06::")
        self.assertIs(s.for_family(socket.AF_INET), s)

    def test_dest_function(self):
        self.assertEqual(parse_decap("fe16"), {socket.AF_INET6: 0xFE16, socket.AF_INET: 0xFE04})
        self.assertEqual(parse_decap("ipv4=e004, ipv6=e006"), {socket.AF_INET6: 0xE006, socket.AF_INET: 0xE004})
        for bad in ("", "ipv5=fe06", "ipv4=xyz"):
            with self.subTest(bad=bad), self.assertRaises(PlanError):
                parse_decap(bad)

    def test_ids_are_content_addressed(self):
        a, b = PathSpec.of("1004,1001,1006,fe04"), PathSpec.of([0x1004, 0x1001, 0x1006, 0xFE04])
        self.assertEqual(next(path_ids(a)), next(path_ids(b)), "equal paths, equal first id")
        ids = list(path_ids(a))
        self.assertEqual(sorted(ids), list(JOB_PATH_IDS), "every job id, each once")
        others = {next(path_ids(PathSpec.of(f"1004,{u:x},fe04"))) for u in range(0x1001, 0x1041)}
        self.assertGreater(len(others), 50, "different paths spread over the ids")
        self.assertNotEqual(a.key(), PathSpec.of("1004,1001,1006,fe04", block="fc00::/32").key())
        self.assertNotEqual(a.key(), PathSpec(usids=a.usids, full_srh=True).key())


PLAN = {
    "version": 1,
    "block": "fcbb:0::/32",
    "world_size": 4,
    "pairs": [
        {"src": 1, "dst": 0, "path": "1006,1001,1004"},
        {"src": 0, "dst": 3, "paths": ["1004,1001,1006", "1004,1002,1006"]},
        {"src": 2, "dst": 1, "path": None},
        {"src": 0, "dst": 1, "path": {"segments": ["fcbb:0:1004:1002:1006:fe06::"]}},
    ],
}


class PlanFile(unittest.TestCase):
    def load(self, obj, text=None):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(text if text is not None else json.dumps(obj))
        self.addCleanup(os.unlink, f.name)
        return Plan.load(f.name)

    def test_a_plan_file(self):
        p = self.load(PLAN)
        self.assertEqual(p.world_size, 4)
        self.assertEqual(p.path_for(1, 0, 0, V4).usids, (0x1006, 0x1001, 0x1004, 0xFE04))
        self.assertEqual(p.path_for(1, 0, 0, V6).usids, (0x1006, 0x1001, 0x1004, 0xFE06))
        # Per connection, round robin.
        self.assertEqual([p.path_for(0, 3, i, V4).usids[1] for i in range(4)], [0x1001, 0x1002, 0x1001, 0x1002])
        self.assertIsNone(p.path_for(2, 1, 0, V4), "null: not pinned")
        self.assertIsNone(p.path_for(3, 0, 0, V4), "not listed: not pinned")
        self.assertEqual(p.path_for(0, 1, 0, V6).segments, ("fcbb:0:1004:1002:1006:fe06::",))
        p.check_world_size(4)
        with self.assertRaises(PlanError) as e:
            p.check_world_size(3)
        self.assertIn("for 4 ranks, the group has 3", str(e.exception))
        # Written back, read again: the same plan.
        again = Plan.from_obj(p.to_obj())
        self.assertEqual(again.pairs, p.pairs)
        self.assertEqual(again.decap, p.decap)

    def test_decap_from_the_file_and_the_environment(self):
        p = Plan.from_obj({"decap": {"ipv4": "e004"}, "pairs": [{"src": 0, "dst": 1, "path": "1004"}]})
        self.assertEqual(p.path_for(0, 1, 0, V4).usids, (0x1004, 0xE004))
        self.assertEqual(p.path_for(0, 1, 0, V6).usids, (0x1004, DEFAULT_DECAP[socket.AF_INET6]))
        os.environ["DEST_FUNCTION"] = "fe16"
        try:
            p = Plan.from_obj({"pairs": [{"src": 0, "dst": 1, "path": "1004"}]})
        finally:
            del os.environ["DEST_FUNCTION"]
        self.assertEqual(p.path_for(0, 1, 0, V6).usids, (0x1004, 0xFE16))

    def test_errors_say_where(self):
        def pairs(*entries, **top):
            return {"pairs": list(entries), **top}

        cases = [
            ('{"pairs": [', "invalid JSON at line 1 column 12"),
            ('{"pairs": [], "pairs": []}', "key 'pairs' given twice in one object"),
            ("[]", "expected an object with \"pairs\""),
            (pairs(version=2), "version: 2 is not supported"),
            (pairs(blocks="x"), "plan: unknown key 'blocks'"),
            (pairs(world_size=0), "world_size: expected a positive integer"),
            ({"pairs": {}}, "pairs: expected a list"),
            (pairs({"src": 0, "path": "1004"}), "pairs[0]: no 'dst'"),
            (pairs({"src": 0, "dst": 0, "path": "1004"}), "pairs[0]: src and dst are both rank 0"),
            (pairs({"src": -1, "dst": 0, "path": "1004"}), "pairs[0].src: expected a rank"),
            (pairs({"src": "0", "dst": 1, "path": "1004"}), "pairs[0].src: expected a rank"),
            (pairs({"src": 0, "dst": 4, "path": "1004"}, world_size=4), "pairs[0].dst: rank 4 is not below"),
            (pairs({"src": 0, "dst": 1}), "give exactly one of \"path\" or \"paths\""),
            (pairs({"src": 0, "dst": 1, "path": "1", "paths": ["1"]}), "give exactly one"),
            (pairs({"src": 0, "dst": 1, "paths": []}), "pairs[0].paths: expected a non-empty list"),
            (pairs({"src": 0, "dst": 1, "paths": ["1004", "zz"]}), "pairs[0].paths[1][0]: invalid uSID 'zz'"),
            (pairs({"src": 0, "dst": 1, "path": "1004"}, {"src": 0, "dst": 1, "path": "1005"}),
             "pairs[1]: rank pair 0 -> 1 is listed twice (also at pairs[0])"),
            (pairs({"src": 0, "dst": 1, "path": "1004", "spine": 1}), "pairs[0]: unknown key 'spine'"),
            (pairs(decap={"ipv5": "fe06"}), "decap: unknown key 'ipv5'"),
            (pairs(decap="fe06"), "decap: expected"),
        ]
        for obj, message in cases:
            with self.subTest(obj=obj), self.assertRaises(PlanError) as e:
                self.load(None, text=obj if isinstance(obj, str) else json.dumps(obj))
            self.assertIn(message, str(e.exception))
            self.assertIn(".json: ", str(e.exception), "names the file")
        with self.assertRaises(PlanError) as e:
            Plan.load("/nonexistent/plan.json")
        self.assertIn("/nonexistent/plan.json: cannot read the plan", str(e.exception))

    def test_a_wrong_family_decap_names_the_pair(self):
        p = Plan.from_obj({"pairs": [{"src": 0, "dst": 1, "path": "1004,1006,fe06"}]}, source="job.json")
        with self.assertRaises(PlanError) as e:
            p.path_for(0, 1, 0, V4)
        self.assertIn("job.json: rank pair 0 -> 1: path 1004,1006,fe06 ends in fe06", str(e.exception))


class PythonPlans(unittest.TestCase):
    def test_mapping(self):
        p = Plan.of({(0, 1): "1004,1001,1006", (1, 0): {"paths": ["1006,1001,1004", None]}})
        self.assertEqual(p.path_for(0, 1, 0, V6).usids[-1], 0xFE06)
        self.assertEqual(p.path_for(1, 0, 0, V4).usids[0], 0x1006)
        self.assertIsNone(p.path_for(1, 0, 1, V4))
        with self.assertRaises(PlanError):
            Plan.of({"0->1": "1004"})

    def test_function(self):
        asked = []

        def choose(src, dst, conn):
            asked.append((src, dst, conn.family))
            return None if dst == 2 else ("1004,1002,1006" if src == 0 else {"paths": ["1005", "1006"]})

        p = Plan.of(choose)
        self.assertEqual(p.path_for(0, 1, 0, V4).usids, (0x1004, 0x1002, 0x1006, 0xFE04))
        self.assertIsNone(p.path_for(0, 2, 0, V4))
        self.assertEqual(p.path_for(1, 0, 1, V6).usids, (0x1006, 0xFE06))
        self.assertEqual(asked, [(0, 1, socket.AF_INET), (0, 2, socket.AF_INET), (1, 0, socket.AF_INET6)])
        with self.assertRaises(PlanError) as e:
            Plan.of(lambda s, d, c: "zz").path_for(0, 1, 0, V4)
        self.assertIn("(0, 1)", str(e.exception))
        with self.assertRaises(TypeError):
            Plan.of(42)


if __name__ == "__main__":
    unittest.main()
