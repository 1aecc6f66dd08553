#!/usr/bin/python3
"""bench/lab_reorder.py: does moving a flow off a congested path reorder it?

The congestion scenario of tests/e2e/congestion_test.py (tools/congestion.py),
measured for reordering: h1's agent steers a path set of two host-terminated paths to h2
(via spine1, via spine2; h2's receive side counts CE per sender path and
answers the probes). Sixteen ECN-capable iperf3 streams h1 -> h2 are pinned
to the set; after a few seconds spine1's port towards leaf02 becomes a
100 Mbit/s ECN-marking bottleneck (tools/lab congest, marking what would
queue over 1 ms), the agent raises path 1's congestion level, and the
streams homed on path 1 move to path 2 once they have been idle for the
flowlet gap (docs/design.md §17.4). A stream that moves while its last
packets still sit in spine1's queue has its new packets overtake them.

Each round runs one flowlet gap (set with `srv6steer flowlets`, the agent
leaves it alone), interleaved, and a control round with no congestion (no
move: what the veth fabric reorders by itself). Counted from the kernels'
own TCP statistics over the transfer: on h1 (the senders) the reordering
TCP detected (TcpExt TCPSACKReorder + TCPTSReorder + TCPRenoReorder) and
its retransmissions (iperf3); on h2 (the receiver) the segments queued out
of order (TcpExt TCPOFOQueue, which losses raise too). Printed as a table
(stderr) and one JSON line per figure (stdout).

Run as root after building:  bench/lab_reorder.py [--gaps 0,500,5000] [--rounds 2]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from srv6lab import Lab, host_addr, wait_until  # noqa: E402
from congestion import RATE_MBIT, STREAMS, Congestion  # noqa: E402

SRV6STEER = Path(os.environ.get("SRV6STEER_BIN", ROOT / "build" / "loader" / "srv6steer"))
RATE = f"{RATE_MBIT}mbit"
REORDER = ("TCPSACKReorder", "TCPTSReorder", "TCPRenoReorder")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def emit(bench, case, value, unit):
    print(json.dumps({"bench": bench, "case": case, "value": round(value, 4), "unit": unit}), flush=True)


def tcp_ext(lab, node):
    """TcpExt counters of node's network namespace (/proc/net/netstat)."""
    lines = lab.run(node, "cat", "/proc/net/netstat").stdout.splitlines()
    for names, values in zip(lines[0::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            return dict(zip(names.split()[1:], map(int, values.split()[1:])))
    raise RuntimeError(f"no TcpExt line in {node}'s /proc/net/netstat")


class Bench:
    """Rounds on the scenario of tools/congestion.py (its setup: paths, set,
    prefix pin, the agent), with the flowlet gap set per round."""

    def __init__(self, scenario, seconds, congest_at):
        self.c, self.lab, self.seconds, self.congest_at = scenario, scenario.lab, seconds, congest_at

    def steer(self, *args, check=True):
        return self.c.steer("h1", *args, check=check)

    def health(self, path):
        return self.c.health(path)

    def round(self, gap_us, congest):
        """One transfer; returns its counts."""
        self.steer("flowlets", "-d", "eth0", str(gap_us))
        # The last round's congestion has come down (the agent lowers a
        # level step by step once CE stops).
        wait_until(lambda: self.health(1).get("congestion", 0) == 0, 60, "path 1's congestion level back at 0")
        server = self.lab.iperf_server("h2", "5201", host_addr("h2"))
        try:
            s0, r0 = tcp_ext(self.lab, "h1"), tcp_ext(self.lab, "h2")
            client = self.lab.popen("h1", "iperf3", "-c", host_addr("h2"), "-p", "5201", "-P", str(STREAMS),
                                    "-t", str(self.seconds), "-J", stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            level = 0
            try:
                if congest:
                    time.sleep(self.congest_at)
                    self.lab.congest("spine1", "leaf02", RATE, ecn=True)
                    deadline = time.monotonic() + self.seconds
                    while time.monotonic() < deadline and client.poll() is None:
                        level = max(level, self.health(1).get("congestion", 0))
                        time.sleep(0.25)
                out, err = client.communicate(timeout=self.seconds + 60)
            finally:
                if client.poll() is None:
                    client.kill()
                    client.wait()
                if congest:
                    self.lab.restore("spine1", "leaf02")
            if client.returncode != 0:
                raise RuntimeError(f"iperf3 failed: {err.strip() or out[-500:]}")
            s1, r1 = tcp_ext(self.lab, "h1"), tcp_ext(self.lab, "h2")
        finally:
            server.kill()
            server.wait()
        end = json.loads(out)["end"]
        return {
            "reorder": sum(s1.get(k, 0) - s0.get(k, 0) for k in REORDER),
            "ofo": r1.get("TCPOFOQueue", 0) - r0.get("TCPOFOQueue", 0),
            "retransmits": end["sum_sent"].get("retransmits", 0),
            "gbps": end["sum_received"]["bits_per_second"] / 1e9,
            "level": level,
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gaps", default="0,500,5000", help="flowlet gaps in µs, comma-separated (default 0,500,5000)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds; medians reported (default 2)")
    ap.add_argument("--seconds", type=int, default=10, help="iperf3 -t per transfer (default 10)")
    ap.add_argument("--congest-at", type=float, default=3.0, help="s into the transfer (default 3)")
    args, unknown = ap.parse_known_args()
    if unknown:
        log(f"# lab_reorder: ignoring options for other benchmarks: {' '.join(unknown)}")
    if os.geteuid() != 0:
        sys.exit("lab_reorder: run as root")
    if not SRV6STEER.exists():
        sys.exit(f"lab_reorder: build first ({SRV6STEER} is missing)")
    gaps = [int(g) for g in args.gaps.split(",") if g.strip()]
    cases = [("control", 500, False)] + [(f"gap_{g}us", g, True) for g in gaps]

    lab = Lab.unique("r", srv6steer=SRV6STEER)
    lab.down()
    lab.up(host_decap=True)
    results = {}
    d = tempfile.mkdtemp(prefix="lab-reorder-")
    # No --flowlet-gap for the agent: each round sets its own with `srv6steer flowlets`.
    scenario = Congestion(lab, SRV6STEER, d, flowlet_gap_us=None)
    try:
        scenario.setup()
        b = Bench(scenario, args.seconds, args.congest_at)
        for rnd in range(args.rounds):
            order = cases if rnd % 2 == 0 else list(reversed(cases))
            for name, gap, congest in order:
                r = b.round(gap, congest)
                results.setdefault(name, []).append(r)
                log(f"# round {rnd + 1} {name:<12} reordering seen {r['reorder']:6d}  out-of-order queued "
                    f"{r['ofo']:7d}  retransmits {r['retransmits']:6d}  {r['gbps']:5.2f} Gbit/s  "
                    f"path 1 level {r['level']}/16")
    finally:
        try:
            scenario.teardown()
        finally:
            lab.down()
            shutil.rmtree(d, ignore_errors=True)

    log()
    log(f"{STREAMS} iperf3 streams h1 -> h2 on a set of two paths, spine1 congested to {RATE} with ECN after "
        f"{args.congest_at:.0f} s of {args.seconds} s (median of {args.rounds} interleaved rounds)")
    log(f"{'case':<14} {'reordering':>11} {'ofo queued':>11} {'retransmits':>12} {'Gbit/s':>7} {'level':>6}")
    for name, _, _ in cases:
        rs = results[name]
        med = {k: statistics.median(r[k] for r in rs) for k in ("reorder", "ofo", "retransmits", "gbps", "level")}
        log(f"{name:<14} {med['reorder']:>11.0f} {med['ofo']:>11.0f} {med['retransmits']:>12.0f} "
            f"{med['gbps']:>7.2f} {med['level']:>6.0f}")
        emit("lab_reorder_events", name, med["reorder"], "events")
        emit("lab_reorder_ofo_queued", name, med["ofo"], "segments")
        emit("lab_reorder_retransmits", name, med["retransmits"], "segments")


if __name__ == "__main__":
    main()
