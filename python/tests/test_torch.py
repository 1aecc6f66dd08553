# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""srv6steer.torch without a kernel: planning, and applying to a fake Steering."""

import errno
import unittest

from srv6steer import SteeringError
from srv6steer.torch import PathSpec, apply, hosts_from_group, plan, steer_job, unsteer

# The lab's three PyTorch pods, one per host prefix (seed 000).
HOSTS = {0: "fcbb:0:800:0::10", 1: "fcbb:0:800:1::10", 2: "fcbb:0:800:2::10"}


def seg6(*segs, mode="encap.red"):
    """A path as the plugin received it from the controller."""
    return {"type": "seg6", "mode": mode, "segs": list(segs)}


# What the plugin's log showed for rank 0: disjoint paths via spine01 and spine02.
CONTROLLER = {
    (0, 1): seg6("fcbb:0:1004:1001:1005:fe06::"),
    (0, 2): seg6("fcbb:0:1004:1002:1006:fe06::"),
    (1, 0): seg6("fcbb:0:1005:1001:1004:fe06::"),
}


class FakeSteering:
    """Records what the helper asks of a Steering."""

    def __init__(self):
        self.calls = []
        self.paths = {}

    def add_path(self, id, usids=None, *, block="fcbb:0::/32", segments=None, full_srh=False):
        self.calls.append(("add_path", id, usids, block, tuple(segments or ()), full_srh))
        self.paths[id] = True

    def pin_prefix(self, prefix, target=None, *, path=None, set=None, replace=False, owner="self"):
        self.calls.append(("pin_prefix", prefix, path, replace, owner))

    def unpin_prefix(self, prefix):
        self.calls.append(("unpin_prefix", prefix))
        return True

    def remove_path(self, id):
        self.calls.append(("remove_path", id))
        if id == 2:
            raise SteeringError(errno.EBUSY, "path 2 is used by set 10")


class FakeDist:
    """torch.distributed as far as hosts_from_group needs it."""

    def __init__(self, addresses):
        self.addresses = addresses

    def get_world_size(self):
        return len(self.addresses)

    def all_gather_object(self, out, obj):
        assert obj in self.addresses
        out[:] = list(self.addresses)


class PlanTest(unittest.TestCase):
    def test_one_pin_per_peer_like_the_plugins_routes(self):
        pins = plan(0, HOSTS, CONTROLLER)
        self.assertEqual([(p.dst_rank, p.prefix, p.path_id) for p in pins],
                         [(1, "fcbb:0:800:1::10/128", 1), (2, "fcbb:0:800:2::10/128", 2)])
        self.assertEqual(pins[0].path.segments, ("fcbb:0:1004:1001:1005:fe06::",))
        self.assertFalse(pins[0].path.full_srh)
        # The plugin's routes were per /64.
        self.assertEqual([p.prefix for p in plan(0, HOSTS, CONTROLLER, prefix_len=64)],
                         ["fcbb:0:800:1::/64", "fcbb:0:800:2::/64"])

    def test_path_forms(self):
        self.assertEqual(PathSpec.of("1004,1001,1006,FE06"), PathSpec(usids="1004,1001,1006,fe06"))
        self.assertEqual(PathSpec.of([0x1004, 0x1001, 0xFE06]), PathSpec(usids="1004,1001,fe06"))
        self.assertEqual(PathSpec.of("fcbb:0:1004:1001:1006:fe06::"),
                         PathSpec(segments=("fcbb:0:1004:1001:1006:fe06::",)))
        self.assertEqual(PathSpec.of(seg6("fcbb:0:1004::", "fcbb:0:1006::", mode="encap")),
                         PathSpec(segments=("fcbb:0:1004::", "fcbb:0:1006::"), full_srh=True))
        self.assertEqual(PathSpec.of({"usids": "1004 0x1002", "block": "fc00:0::/32", "full_srh": True}),
                         PathSpec(usids="1004,1002", block="fc00:0::/32", full_srh=True))
        with self.assertRaises(ValueError):
            PathSpec.of(seg6("fcbb::", mode="inline"))
        with self.assertRaises(ValueError):
            PathSpec.of([])

    def test_callable_controller_shared_paths_and_skips(self):
        hosts = ["10.0.0.1", "10.0.0.1", "10.0.1.1", "10.0.2.1", "10.0.3.1"]  # ranks 0, 1 share a host
        asked = []

        def controller(src, dst, src_addr, dst_addr):
            asked.append((src, dst, src_addr, dst_addr))
            return None if dst == 4 else "1004,1001,1006,fe06"

        pins = plan(0, hosts, controller, first_path_id=100)
        self.assertEqual([p.prefix for p in pins], ["10.0.1.1/32", "10.0.2.1/32"])
        self.assertEqual({p.path_id for p in pins}, {100}, "identical paths share one id")
        self.assertEqual([a[1] for a in asked], [2, 3, 4], "own host and own rank not asked")
        self.assertEqual(asked[0][2:], ("10.0.0.1", "10.0.1.1"))

    def test_peers_sharing_a_prefix_must_agree(self):
        hosts = {0: "fcbb:0:800:0::10", 1: "fcbb:0:800:1::10", 2: "fcbb:0:800:1::11"}
        same = plan(0, hosts, lambda *a: "1004,1001", prefix_len=64)
        self.assertEqual(len(same), 1)
        with self.assertRaises(ValueError):
            plan(0, hosts, {(0, 1): "1004,1001", (0, 2): "1004,1002"}, prefix_len=64)
        with self.assertRaises(ValueError):
            plan(7, hosts, {})

    def test_apply_and_unsteer_on_a_fake(self):
        s = FakeSteering()
        pins = steer_job(s, 0, HOSTS, CONTROLLER)
        self.assertEqual(s.calls, [
            ("add_path", 1, None, "fcbb:0::/32", ("fcbb:0:1004:1001:1005:fe06::",), False),
            ("add_path", 2, None, "fcbb:0::/32", ("fcbb:0:1004:1002:1006:fe06::",), False),
            ("pin_prefix", "fcbb:0:800:1::10/128", 1, True, "self"),
            ("pin_prefix", "fcbb:0:800:2::10/128", 2, True, "self"),
        ])
        s.calls.clear()
        unsteer(s, pins)  # path 2 busy elsewhere: kept, no error
        self.assertEqual(s.calls, [("unpin_prefix", "fcbb:0:800:1::10/128"),
                                   ("unpin_prefix", "fcbb:0:800:2::10/128"),
                                   ("remove_path", 1), ("remove_path", 2)])
        s.calls.clear()
        apply(s, plan(1, HOSTS, CONTROLLER), replace=False, owner=None)
        self.assertEqual(s.calls[-1], ("pin_prefix", "fcbb:0:800::10/128", 1, False, None))

    def test_hosts_from_a_process_group(self):
        dist = FakeDist(["fcbb:0:800:0::10", "fcbb:0:800:1::10"])
        self.assertEqual(hosts_from_group(dist, "fcbb:0:800:1::10"),
                         {0: "fcbb:0:800:0::10", 1: "fcbb:0:800:1::10"})


if __name__ == "__main__":
    unittest.main()
