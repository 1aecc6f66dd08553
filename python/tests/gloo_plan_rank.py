# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""One rank of a local gloo job (127.0.0.1) for test_torch_plan_gloo.py:

    gloo_plan_rank.py RANK WORLD_SIZE INIT_FILE [PLAN]

Joins the job (a FileStore, gloo on lo), calls pin_process_group(plan=PLAN
or the environment's) on a fake Steering (every connection is on this host:
nothing is pinned) and prints one JSON line: {"rank", "plan": the plan's
file form} or {"rank", "error": the PlanError's message}."""

import datetime
import json
import os
import sys

sys.path.insert(1, os.path.dirname(os.path.abspath(__file__)))


def main():
    rank, world, init = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    plan = sys.argv[4] if len(sys.argv) > 4 else None
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"
    import torch.distributed as dist
    from srv6steer.plan import PlanError
    from srv6steer.torch import pin_process_group
    from test_discovery import FakeSteering

    dist.init_process_group("gloo", init_method=f"file://{init}", rank=rank, world_size=world,
                            timeout=datetime.timedelta(seconds=60))
    try:
        gp = pin_process_group(plan, steering=FakeSteering(), mode="flow", verify=False)
        out = {"rank": rank, "plan": gp.plan.to_obj(), "local": sorted(r for _, r in gp.local),
               "pinned": len(gp.pins.pinned)}
    except PlanError as e:
        out = {"rank": rank, "error": str(e)}
    print(json.dumps(out), flush=True)
    dist.barrier()       # every rank got here: nobody was left waiting in pin_process_group
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
