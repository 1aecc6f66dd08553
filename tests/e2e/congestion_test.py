#!/usr/bin/python3
"""Congestion feedback on the netns fabric (tools/lab; docs/design.md §17).

h1 steers a path set of two host-terminated paths to h2 (via spine1 and via
spine2; h2's receive side decapsulates and counts CE per sender path, and
answers the probes of h1's agent with those counts). Sixteen ECN-capable
iperf3 streams h1 -> h2 are pinned to the set by h2's prefix; each stream's
home path follows from its 5-tuple by the flow hash (srv6lab.set_home: a
reference written from the definitions, not from the code under test). Then
spine1's port towards leaf02 becomes a 100 Mbit/s ECN-marking bottleneck
(tools/lab congest): the agent sees the CE share on path 1, raises its
congestion level, and the streams whose home is path 1 move to path 2 after
an idle gap (flowlets). A stream left on spine1 cannot exceed the
bottleneck's 100 Mbit/s; a moved one runs at spine2's speed: so the
streams' own rates in the last seconds tell which moved. Every transfer
completes. The scenario is tools/congestion.py, which the demo shows too.

Run as root:  /usr/bin/python3 tests/e2e/congestion_test.py -v     (ctest -L e2e)
"""
import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "testing"))
from skippolicy import main, skip_or_fail  # noqa: E402
from srv6lab import SRV6STEER, Lab, down_on_signal  # noqa: E402
from congestion import JUDGE_LAST, RATE_MBIT, STREAMS, Congestion  # noqa: E402


class CongestionTest(unittest.TestCase):
    lab = None

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            skip_or_fail("needs root")
        if not SRV6STEER.exists():
            skip_or_fail(f"build srv6steer first ({SRV6STEER})")
        if not shutil.which("iperf3"):
            skip_or_fail("needs iperf3")
        cls.lab = down_on_signal(Lab.unique("g"))
        cls.addClassCleanup(cls.lab.down)
        cls.lab.down()
        cls.lab.up(host_decap=True)
        d = tempfile.mkdtemp(prefix="congestion-")
        cls.addClassCleanup(shutil.rmtree, d, ignore_errors=True)
        cls.c = Congestion(cls.lab, SRV6STEER, d)
        cls.addClassCleanup(cls.c.teardown)
        cls.c.setup()

    def test_streams_homed_on_the_congested_spine_move_off_it(self):
        r = self.c.run()
        self.assertEqual(r["path2_level_then"], 0, "path 2 is not congested")
        streams = r["streams"]
        homed1 = [s for s in streams if s["home"] == 1]
        homed2 = [s for s in streams if s["home"] == 2]
        report = "\n".join(f"  port {s['port']}: home path {s['home']} rank {s['rank']:2d}: "
                           f"{s['mbit_last']:8.1f} Mbit/s in the last {JUDGE_LAST:.0f} s" for s in streams)
        print(f"\n{len(homed1)} of {STREAMS} streams homed on path 1 (spine1, {RATE_MBIT} Mbit/s, ECN); "
              f"path 1 level {r['level']}/16 at the end (risen {r['level_at_s'] - r['congested_at_s']:.1f} s "
              f"after the congestion)\n{report}", file=sys.stderr)
        if not homed1:
            self.skipTest("no stream hashed onto path 1 (1 in 65,536)")
        # A stream on spine1 shares its 100 Mbit/s with the others there: one
        # well above it is not there. Most of path 1's streams moved (the
        # level may come down a step at a time after the hold and bring a
        # stream or two back).
        moved = [s for s in homed1 if s["mbit_last"] > RATE_MBIT]
        self.assertGreaterEqual(len(moved), (len(homed1) + 1) // 2,
                                f"streams homed on the congested path did not move:\n{report}\n{self.c.agent_log()}")
        stuck2 = [s for s in homed2 if s["mbit_last"] <= RATE_MBIT]
        self.assertLessEqual(len(stuck2), 1, f"streams of path 2 were slowed:\n{report}")


if __name__ == "__main__":
    main()
