#!/usr/bin/python3
"""One rank of a gloo job whose connections srv6steer.torch pins onto a plan.

    tools/gloo_job.py --rank R --world-size N --master ADDR:PORT --plan plan.json \
        [--iface eth0] [--mib 64] [--seconds 3] [--mode auto|agent|socket|flow]

Joins the job (init_process_group("gloo"), the store at ADDR:PORT, gloo on
--iface: GLOO_SOCKET_IFNAME), pins this rank's connections with
srv6steer.torch.pin_process_group (which checks them on a probe
all_to_all), then all_reduces a --mib MiB float32 tensor again and again for
--seconds (rank 0's clock decides, for everybody), checking every result
against the exact sum. Prints JSON lines on stdout:

  {"event": "pinned", "rank": R, "seconds": ..., "connections": [...]}
  {"event": "done", "rank": R, "iterations": N, "exact": true, "connections": [...]}

where each connection is {"peer", "proto", "family", "local", "remote",
"path", "path_id", "mode", "sent", "steered", "packets", "state"}: bytes
sent by the socket, bytes and packets its pin steered (in "pinned": on the
probe; in "done": during the all_reduce loop), state as
srv6steer.pinning.Check. Exit status 0 if every result was exact and every
pinned connection that carried data was steered, 1 if not.
Runs with Debian's python3-torch (/usr/bin/python3); the srv6steer package
from $PYTHONPATH (python/), the library from $SRV6STEER_LIB.
"""
import argparse
import datetime
import json
import os
import socket
import sys
import time
import warnings
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1] / "python"))  # after $PYTHONPATH


def emit(**kw):
    print(json.dumps(kw), flush=True)


def connections(gp, checks=None):
    by_inode = {c.pinned.connection.inode: c for c in checks or []}
    out = []
    for p in gp.pins.pinned:
        c = p.connection
        row = {"peer": gp.peers[c.inode], "proto": c.proto,
               "family": 6 if c.family == socket.AF_INET6 else 4, "local": str(c.local),
               "remote": str(c.remote), "path": str(p.path), "path_id": p.path_id, "mode": gp.pins.mode}
        chk = by_inode.get(c.inode)
        if chk:
            row.update(sent=chk.sent, steered=chk.steered, packets=chk.packets, state=chk.state)
        out.append(row)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rank", type=int, required=True)
    ap.add_argument("--world-size", type=int, required=True)
    ap.add_argument("--master", required=True, help="ADDR:PORT of the store (rank 0 hosts it)")
    ap.add_argument("--plan", help="plan file (default $SRV6STEER_PLAN)")
    ap.add_argument("--iface", help="gloo's interface (GLOO_SOCKET_IFNAME)")
    ap.add_argument("--mib", type=float, default=64)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--mode", help="how to pin (default $SRV6STEER_MODE, else auto)")
    a = ap.parse_args()
    if a.iface:
        os.environ["GLOO_SOCKET_IFNAME"] = a.iface
    host, _, port = a.master.rpartition(":")
    host = host.strip("[]")

    import torch
    import torch.distributed as dist
    from srv6steer.torch import NotSteeredWarning, pin_process_group

    init = f"tcp://[{host}]:{port}" if ":" in host else f"tcp://{host}:{port}"
    dist.init_process_group("gloo", init_method=init, rank=a.rank, world_size=a.world_size,
                            timeout=datetime.timedelta(seconds=60))
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        gp = pin_process_group(a.plan, mode=a.mode, store_port=int(port))
    said = [w for w in said if issubclass(w.category, NotSteeredWarning)]
    for w in said:
        print(f"rank {a.rank}: {w.message}", file=sys.stderr, flush=True)
    emit(event="pinned", rank=a.rank, seconds=round(gp.seconds, 4), mode=gp.pins.mode,
         timings={k: round(v, 4) for k, v in gp.timings.items()},
         connections=connections(gp, gp.checks), same_host=[r for _, r in gp.local],
         unplanned=[r for _, r in gp.unplanned], warnings=[str(w.message) for w in said])

    n = max(1, int(a.mib * (1 << 20) / 4))
    base = torch.arange(n, dtype=torch.float32).remainder_(1024)  # small integers: sums are exact
    want = base * (a.world_size * (a.world_size + 1) / 2)
    buf = torch.empty(n + 1, dtype=torch.float32)
    gp.check(warn=False)  # the loop's baseline
    exact, iterations, t0 = True, 0, time.monotonic()
    while True:
        buf[:n] = base * (a.rank + 1)
        buf[n] = 1.0 if a.rank == 0 and time.monotonic() - t0 >= a.seconds else 0.0
        dist.all_reduce(buf)
        iterations += 1
        exact = exact and torch.equal(buf[:n], want)
        if buf[n] > 0:
            break
    secs = time.monotonic() - t0
    checks = gp.check(warn=False)
    dist.barrier()
    emit(event="done", rank=a.rank, iterations=iterations, seconds=round(secs, 3), exact=exact,
         bytes_per_iteration=n * 4, connections=connections(gp, checks))
    dist.destroy_process_group()
    bad = [c for c in checks if c.state == "not steered"] + [c for c in (gp.checks or [])
                                                              if c.state == "not steered"]
    for c in bad:
        print(f"rank {a.rank}: not steered: {c}", file=sys.stderr)
    return 0 if exact and not bad and not said else 1


if __name__ == "__main__":
    sys.exit(main())
