#!/usr/bin/python3
"""bench/lab_iperf.py: TCP throughput over the netns fabric, side by side.

h1 -> h2 with iperf3, five ways, in one run, interleaved round by round:
  plain      ordinary IPv6 routing (leaf00 -> spine1 -> leaf02)
  kernel     the seed's method: `ip -6 route ... encap seg6 mode encap.red`
             (leaf00 -> spine2 -> leaf02, route MTU 1460)
  srv6steer  a srv6steer prefix pin onto the same spine2 path (route MTU set
             by the library), decapsulated by leaf02's kernel End.DT6
  hostdecap  the same pin onto the host-terminated twin of that path
             (...:1006:e002:fe06::): leaf02 routes e002 to h2, whose srv6steer
             receive side decapsulates in generic XDP (--mode generic).
             Attached for these runs only (tools/lab host-decap h2), so the
             others see h2 without it.
  hostdecap_tc  the same with the receive side on TC ingress (--mode tc)
each with 1 and 4 parallel streams, with TSO/GSO on and off on h1's eth0.
Prints a table (stderr) and one JSON line per figure (stdout), including
the ratios srv6steer/plain (goal >= 0.97), srv6steer/kernel (goal >=
1.05) and hostdecap/srv6steer, host decap against leaf decap (goal >= 1.0;
case tc_*: hostdecap_tc/srv6steer). On 2 shared cores, veth reordering makes iperf3 count retransmits
even for plain routing: compare within the run, never against zero.

Run as root after building:  bench/lab_iperf.py [--seconds 3] [--rounds 2] [--methods srv6steer,hostdecap_tc]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from srv6lab import Lab, container, host_addr, host_path, leaf_path  # noqa: E402

SRV6STEER = Path(os.environ.get("SRV6STEER_BIN", ROOT / "build" / "loader" / "srv6steer"))
PREFIX = "fcbb:0:800:2::/64"
SEGS = container(0x1004, 0x1002, 0x1006, 0xfe06)
METHODS = ("plain", "kernel", "srv6steer", "hostdecap", "hostdecap_tc")
LEAF_PATH = (2, leaf_path("h1", "spine2", "h2", 6))    # 1004,1002,1006,fe06
HOST_PATH = (5, host_path("h1", "spine2", "h2", 6))    # 1004,1002,1006,e002,fe06
PATHS = {"srv6steer": LEAF_PATH, "hostdecap": HOST_PATH, "hostdecap_tc": HOST_PATH}
RX_MODE = {"hostdecap": "generic", "hostdecap_tc": "tc"}   # h2's receive side, by method


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def emit(bench, case, value, unit, goal=None):
    d = {"bench": bench, "case": case, "value": round(value, 4), "unit": unit}
    if goal is not None:
        d["goal"] = goal
    print(json.dumps(d), flush=True)


class Bench:
    def __init__(self, lab, seconds):
        self.lab, self.seconds = lab, seconds
        self.rx_mode = None      # h2's receive side: None (detached), "generic", "tc"

    def steer(self, *args, check=True):
        return self.lab.run("h1", SRV6STEER, *args, check=check, timeout=60)

    def use(self, method):
        """Switch h1 to a method (and away from the others)."""
        self.lab.run("h1", "ip", "-6", "route", "del", PREFIX, "encap", "seg6", "mode", "encap.red",
                     "segs", SEGS, "dev", "eth0", check=False)
        self.steer("unpin", "prefix", PREFIX, check=False)
        want = RX_MODE.get(method)
        if self.rx_mode != want:
            if self.rx_mode:
                self.lab.host_decap("h2", off=True)
            if want:
                self.lab.host_decap("h2", mode=want)
            self.rx_mode = want
        if method == "kernel":
            self.lab.run("h1", "ip", "-6", "route", "add", PREFIX, "encap", "seg6", "mode",
                         "encap.red", "segs", SEGS, "dev", "eth0", "mtu", "1460")
        elif method in PATHS:
            self.steer("pin", "prefix", PREFIX, "--path", str(PATHS[method][0]))

    def offload(self, on):
        v = "on" if on else "off"
        self.lab.run("h1", "ethtool", "-K", "eth0", "tso", v, "gso", v)

    def iperf(self, streams):
        server = self.lab.popen("h2", "iperf3", "-s", "-1", "-B", host_addr("h2"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                if self.lab.run("h2", "ss", "-Hlnt", "sport = :5201", check=False).stdout.strip():
                    break
                time.sleep(0.05)
            r = self.lab.run("h1", "iperf3", "-c", host_addr("h2"), "-t", self.seconds, "-P", streams,
                             "-J", timeout=60 + int(self.seconds))
        finally:
            if server.poll() is None:
                server.kill()
            server.wait(timeout=10)
        end = json.loads(r.stdout)["end"]
        return end["sum_received"]["bits_per_second"] / 1e9, end["sum_sent"].get("retransmits", 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=3, help="iperf3 -t per measurement (default 3)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds; medians reported (default 2)")
    ap.add_argument("--gro", choices=("on", "off"), default=None,
                    help="GRO on h2's eth0 (a veth has it off unless asked; real NICs have it on); default: as the lab leaves it")
    ap.add_argument("--methods", default=",".join(METHODS),
                    help="comma-separated methods to run (default: all); a ratio needs both of its methods")
    args, unknown = ap.parse_known_args()
    if unknown:
        log(f"# lab_iperf: ignoring options for other benchmarks: {' '.join(unknown)}")
    asked = {m.strip() for m in args.methods.split(",") if m.strip()}
    methods = tuple(m for m in METHODS if m in asked)
    if unknown_methods := asked - set(METHODS):
        sys.exit(f"lab_iperf: no method {', '.join(sorted(unknown_methods))} (there are {', '.join(METHODS)})")
    if os.geteuid() != 0:
        sys.exit("lab_iperf: run as root")
    if not SRV6STEER.exists():
        sys.exit(f"lab_iperf: build first ({SRV6STEER} is missing)")

    lab = Lab.unique("b", srv6steer=SRV6STEER)
    lab.down()
    lab.up()
    b = Bench(lab, args.seconds)
    results = {}  # (method, streams, tso) -> [Gbit/s]
    retrans = {}
    try:
        if args.gro:
            lab.run("h2", "ethtool", "-K", "eth0", "gro", args.gro)
        b.steer("attach", "eth0")
        for pid, usids in (LEAF_PATH, HOST_PATH):
            b.steer("path", "add", str(pid), "--block", "fcbb:0::/32", "--usids", usids)
        for rnd in range(args.rounds):
            for tso in (True, False):
                b.offload(tso)
                for streams in (1, 4):
                    order = methods if rnd % 2 == 0 else tuple(reversed(methods))
                    for m in order:
                        b.use(m)
                        g, rt = b.iperf(streams)
                        results.setdefault((m, streams, tso), []).append(g)
                        retrans.setdefault((m, streams, tso), []).append(rt)
                        log(f"# round {rnd + 1} {'tso' if tso else 'no-tso'} {streams} stream(s) {m:<9} {g:6.2f} Gbit/s")
    finally:
        b.use("plain")
        b.steer("detach", "eth0", check=False)
        lab.down()

    log()
    log(f"iperf3 h1 -> h2 over the netns fabric, Gbit/s (median of {args.rounds} interleaved rounds of "
        f"{args.seconds} s); ratios measured side by side")
    log(f"{'offload':<8} {'streams':>7} {'plain':>8} {'kernel':>8} {'srv6steer':>10} {'host-xdp':>9} {'host-tc':>8} "
        f"{'ours/plain':>11} {'ours/kernel':>12} {'xdp/leaf':>9} {'tc/leaf':>8}  goals >= 0.97, >= 1.05, >= 1.0")
    for tso in (True, False):
        for streams in (1, 4):
            med = {m: statistics.median(results[(m, streams, tso)]) if m in methods else float("nan")
                   for m in METHODS}
            case = f"{streams}s_{'tso' if tso else 'notso'}"
            rp = med["srv6steer"] / med["plain"]
            rk = med["srv6steer"] / med["kernel"]
            rh = med["hostdecap"] / med["srv6steer"]
            rt = med["hostdecap_tc"] / med["srv6steer"]
            verdict = "/".join("-" if r != r else "ok" if r >= g else "missed"
                               for r, g in ((rp, 0.97), (rk, 1.05), (rh, 1.0), (rt, 1.0)))
            log(f"{'TSO on' if tso else 'TSO off':<8} {streams:>7} {med['plain']:>8.2f} {med['kernel']:>8.2f} "
                f"{med['srv6steer']:>10.2f} {med['hostdecap']:>9.2f} {med['hostdecap_tc']:>8.2f} {rp:>11.3f} "
                f"{rk:>12.3f} {rh:>9.3f} {rt:>8.3f}  {verdict}")
            for m in methods:
                emit("lab_iperf_gbps", f"{m}_{case}", med[m], "Gbit/s")
                emit("lab_iperf_retransmits", f"{m}_{case}",
                     statistics.median(retrans[(m, streams, tso)]), "segments")
            for bench, c, r, goal in (("lab_iperf_ratio_to_plain", case, rp, 0.97),
                                      ("lab_iperf_ratio_to_kernel", case, rk, 1.05),
                                      ("lab_iperf_ratio_host_to_leaf_decap", case, rh, 1.0),
                                      ("lab_iperf_ratio_host_to_leaf_decap", f"tc_{case}", rt, 1.0)):
                if r == r:  # both of its methods ran (not NaN)
                    emit(bench, c, r, "x", goal)


if __name__ == "__main__":
    main()
