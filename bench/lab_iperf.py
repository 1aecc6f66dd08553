#!/usr/bin/python3
"""bench/lab_iperf.py: TCP throughput over the netns fabric, side by side.

h1 -> h2 with iperf3, six ways, in one run, interleaved round by round:
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
  hostdecap_tc  the same with the receive side on TC ingress (--mode tc),
             what auto takes on a veth
  hostdecap_native  the same in native XDP (--mode native): on a veth
             this takes TSO off leaf02's port (the veth driver does)
each with 1 and 4 parallel streams, with TSO/GSO on and off on h1's eth0.
Prints a table (stderr) and one JSON line per figure (stdout), including
the ratios srv6steer/plain (goal >= 0.97), srv6steer/kernel (goal >=
1.05) and hostdecap/srv6steer, host decap against leaf decap (goal >= 1.0;
case tc_*: hostdecap_tc/srv6steer, native_*: hostdecap_native/srv6steer).
A ratio is the median over the rounds of that round's own ratio (its two
figures from one round, seconds apart, so the machine's drift mostly
cancels), with the distribution-free ~95 % interval of that median (order
statistics; from 6 rounds on) as "low" and "high".

--cpu N runs both iperf3 ends on CPU N. A veth hands each packet on in
the sender's softirq, so the whole h1 -> h2 chain then runs on that CPU:
nothing is reordered across CPUs, and the throughput is bound by the work
per frame (with --gro on, TSO on and 4 streams leaf02 segments in software
and iperf3 still counts retransmits). Unpinned, on 2 shared cores, iperf3
counts thousands of retransmits even for plain routing (reordering between
the CPUs' backlogs), which varies more than the methods do.
--gro on makes h2 aggregate (GRO) what it receives, as a NIC does: a veth
aggregates TCP only when its sender has no TSO (veth_skb_is_eligible_for_gro
in drivers/net/veth.c), so leaf02's port to h2 gets TSO off too and sends
MTU frames, as a switch port does; h2's receive side then decapsulates
each aggregate once. --prog-stats reports the receive program's own ns per
run and bytes per run (kernel.bpf_stats_enabled, on for the whole run).

Run as root after building:  bench/lab_iperf.py [--seconds 3] [--rounds 2] [--cpu 0] [--gro on]
                             [--methods srv6steer,hostdecap_tc] [--prog-stats]
"""
import argparse
import json
import math
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
METHODS = ("plain", "kernel", "srv6steer", "hostdecap", "hostdecap_tc", "hostdecap_native")
LEAF_PATH = (2, leaf_path("h1", "spine2", "h2", 6))    # 1004,1002,1006,fe06
HOST_PATH = (5, host_path("h1", "spine2", "h2", 6))    # 1004,1002,1006,e002,fe06
PATHS = {"srv6steer": LEAF_PATH, "hostdecap": HOST_PATH, "hostdecap_tc": HOST_PATH, "hostdecap_native": HOST_PATH}
RX_MODE = {"hostdecap": "generic", "hostdecap_tc": "tc", "hostdecap_native": "native"}   # h2's receive side


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def emit(bench, case, value, unit, goal=None, low=None, high=None):
    d = {"bench": bench, "case": case, "value": round(value, 4), "unit": unit}
    if goal is not None:
        d["goal"] = goal
    if low is not None:
        d["low"], d["high"] = round(low, 4), round(high, 4)
    print(json.dumps(d), flush=True)


def median_interval(values):
    """The median of values and a distribution-free interval for it of at
    least ~95 % (order statistics x(k), x(n+1-k) with P(Bin(n, 1/2) < k) <=
    2.5 %); for fewer than 6 values there is none: (median, None, None)."""
    xs = sorted(values)
    n = len(xs)
    k, below = 0, 0.0
    while True:   # the largest k whose tail P(B <= k-1) stays within 2.5 %
        below_next = below + math.comb(n, k) / 2 ** n
        if below_next > 0.025:
            break
        below, k = below_next, k + 1
    if k == 0:
        return statistics.median(xs), None, None
    return statistics.median(xs), xs[k - 1], xs[n - k]


class Bench:
    def __init__(self, lab, seconds, cpu=None):
        self.lab, self.seconds, self.cpu = lab, seconds, cpu
        self.rx_mode = None      # h2's receive side: None (detached), "generic", "tc", "native"

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

    def rx_prog(self):
        """(run_time_ns, run_cnt) of h2's receive program (zeros when none)."""
        st = json.loads(self.lab.run("h2", SRV6STEER, "receive", "status", "-j", check=False).stdout or "{}")
        ids = {a.get("prog_id") for a in st.get("interfaces", [])} - {None, 0}
        total = [0, 0]
        for pid in ids:
            p = json.loads(self.lab.run("h2", "bpftool", "-j", "prog", "show", "id", str(pid)).stdout)
            total[0] += p.get("run_time_ns", 0)
            total[1] += p.get("run_cnt", 0)
        return total

    def iperf(self, streams):
        pin = ["-A", str(self.cpu)] if self.cpu is not None else []
        server = self.lab.popen("h2", "iperf3", "-s", "-1", "-B", host_addr("h2"), *pin,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                if self.lab.run("h2", "ss", "-Hlnt", "sport = :5201", check=False).stdout.strip():
                    break
                time.sleep(0.05)
            r = self.lab.run("h1", "iperf3", "-c", host_addr("h2"), "-t", self.seconds, "-P", streams,
                             *pin, "-J", timeout=60 + int(self.seconds))
        finally:
            if server.poll() is None:
                server.kill()
            server.wait(timeout=10)
        end = json.loads(r.stdout)["end"]
        return end["sum_received"]["bits_per_second"] / 1e9, end["sum_sent"].get("retransmits", 0)


def judge(r, goal):
    """A ratio (median, low, high) against its goal: ok when the whole
    interval meets it, missed when none of it does, else unsure (also
    without an interval); - when the ratio was not measured."""
    med, lo, hi = r
    if med != med:
        return "-"
    if lo is None:
        return "unsure"
    return "ok" if lo >= goal else "missed" if hi < goal else "unsure"


def cells():
    for tso in (True, False):
        for streams in (1, 4):
            yield tso, streams


def case_of(streams, tso):
    return f"{streams}s_{'tso' if tso else 'notso'}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=3, help="iperf3 -t per measurement (default 3)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds; medians reported (default 2)")
    ap.add_argument("--cpu", type=int, default=None,
                    help="run both iperf3 ends on this CPU (iperf3 -A): the chain on one CPU, nothing reordered")
    ap.add_argument("--gro", choices=("on", "off"), default=None,
                    help="on: h2 aggregates what it receives (GRO on its eth0, TSO off on leaf02's port to it: MTU "
                         "frames, as from a switch port); off: GRO off on h2's eth0; default: as the lab leaves it")
    ap.add_argument("--prog-stats", action="store_true",
                    help="report h2's receive program's ns per run and bytes per run (kernel.bpf_stats_enabled)")
    ap.add_argument("--methods", default=",".join(METHODS),
                    help="comma-separated methods to run (default: all); a ratio needs both of its methods")
    args, unknown = ap.parse_known_args()
    if unknown:
        log(f"# lab_iperf: ignoring options for other benchmarks: {' '.join(unknown)}")
    asked = {m.strip() for m in args.methods.split(",") if m.strip()}
    methods = tuple(m for m in METHODS if m in asked)
    if unknown_methods := asked - set(METHODS):
        sys.exit(f"lab_iperf: no method {', '.join(sorted(unknown_methods))} (there are {', '.join(METHODS)})")
    if args.rounds < 1 or args.seconds < 1:
        sys.exit("lab_iperf: --rounds and --seconds need at least 1")
    if args.cpu is not None and not 0 <= args.cpu < os.cpu_count():
        sys.exit(f"lab_iperf: no CPU {args.cpu} (this machine has 0..{os.cpu_count() - 1})")
    if os.geteuid() != 0:
        sys.exit("lab_iperf: run as root")
    if not SRV6STEER.exists():
        sys.exit(f"lab_iperf: build first ({SRV6STEER} is missing)")

    stats_sysctl = Path("/proc/sys/kernel/bpf_stats_enabled")
    stats_before = stats_sysctl.read_text().strip() if args.prog_stats else None
    lab = Lab.unique("b", srv6steer=SRV6STEER)
    lab.down()
    lab.up()
    b = Bench(lab, args.seconds, args.cpu)
    results = {}  # (method, streams, tso) -> [Gbit/s], one a round
    retrans = {}
    prog = {}     # (method, streams, tso) -> [(ns per run, bytes per run)]
    try:
        if args.prog_stats:
            stats_sysctl.write_text("1")
        if args.gro:
            lab.run("h2", "ethtool", "-K", "eth0", "gro", args.gro)
            if args.gro == "on":
                lab.run("leaf02", "ethtool", "-K", "h2", "tso", "off")
        b.steer("attach", "eth0")
        for pid, usids in (LEAF_PATH, HOST_PATH):
            b.steer("path", "add", str(pid), "--block", "fcbb:0::/32", "--usids", usids)
        for rnd in range(args.rounds):
            for tso, streams in cells():
                b.offload(tso)
                order = methods if rnd % 2 == 0 else tuple(reversed(methods))
                for m in order:
                    b.use(m)
                    p0 = b.rx_prog() if args.prog_stats and m in RX_MODE else None
                    g, rt = b.iperf(streams)
                    key = (m, streams, tso)
                    results.setdefault(key, []).append(g)
                    retrans.setdefault(key, []).append(rt)
                    extra = ""
                    if p0 is not None:
                        p1 = b.rx_prog()
                        runs = p1[1] - p0[1]
                        if runs > 0:
                            ns, per = (p1[0] - p0[0]) / runs, g * 1e9 * args.seconds / 8 / runs
                            prog.setdefault(key, []).append((ns, per))
                            extra = f"  receive program {ns:.0f} ns a run, {per / 1e3:.1f} KB a run"
                    log(f"# round {rnd + 1} {'tso' if tso else 'no-tso'} {streams} stream(s) {m:<16} {g:6.2f} Gbit/s"
                        f"  {rt} retransmits{extra}")
    finally:
        try:
            if stats_before is not None:
                stats_sysctl.write_text(stats_before)
        finally:
            b.use("plain")
            b.steer("detach", "eth0", check=False)
            lab.down()

    def ratio(a, bm, streams, tso):
        """Median and interval of the rounds' own ratios a/bm (NaN when one did not run)."""
        if a not in methods or bm not in methods:
            return (float("nan"),) * 3
        return median_interval([x / y for x, y in zip(results[(a, streams, tso)], results[(bm, streams, tso)])])

    log()
    log(f"iperf3 h1 -> h2 over the netns fabric, Gbit/s (median of {args.rounds} interleaved rounds of "
        f"{args.seconds} s{'' if args.cpu is None else f', both ends on CPU {args.cpu}'}"
        f"{'' if not args.gro else f', GRO {args.gro} at h2'}); ratios: median of the rounds' own ratios")
    log(f"{'offload':<8} {'streams':>7} {'plain':>8} {'kernel':>8} {'srv6steer':>10} {'host-xdp':>9} {'host-tc':>8} "
        f"{'host-nat':>9} {'ours/plain':>11} {'ours/kernel':>12} {'xdp/leaf':>9} {'tc/leaf':>8} {'nat/leaf':>9}  "
        "goals >= 0.97, >= 1.05, >= 1.0 (ok: all of the interval meets it, missed: none of it)")
    intervals = []
    for tso, streams in cells():
        med = {m: statistics.median(results[(m, streams, tso)]) if m in methods else float("nan") for m in METHODS}
        case = case_of(streams, tso)
        figures = (("lab_iperf_ratio_to_plain", case, ratio("srv6steer", "plain", streams, tso), 0.97),
                   ("lab_iperf_ratio_to_kernel", case, ratio("srv6steer", "kernel", streams, tso), 1.05),
                   ("lab_iperf_ratio_host_to_leaf_decap", case, ratio("hostdecap", "srv6steer", streams, tso), 1.0),
                   ("lab_iperf_ratio_host_to_leaf_decap", f"tc_{case}",
                    ratio("hostdecap_tc", "srv6steer", streams, tso), 1.0),
                   ("lab_iperf_ratio_host_to_leaf_decap", f"native_{case}",
                    ratio("hostdecap_native", "srv6steer", streams, tso), 1.0))
        verdict = "/".join(judge(r, g) for _, _, r, g in figures)
        rs = " ".join(f"{r[0]:>{w}.3f}" for (_, _, r, _), w in zip(figures, (11, 12, 9, 8, 9)))
        log(f"{'TSO on' if tso else 'TSO off':<8} {streams:>7} {med['plain']:>8.2f} {med['kernel']:>8.2f} "
            f"{med['srv6steer']:>10.2f} {med['hostdecap']:>9.2f} {med['hostdecap_tc']:>8.2f} "
            f"{med['hostdecap_native']:>9.2f} {rs}  {verdict}")
        for m in methods:
            emit("lab_iperf_gbps", f"{m}_{case}", med[m], "Gbit/s")
            emit("lab_iperf_retransmits", f"{m}_{case}", statistics.median(retrans[(m, streams, tso)]), "segments")
            if (m, streams, tso) in prog:
                runs = prog[(m, streams, tso)]
                emit("lab_iperf_rx_prog_ns", f"{m}_{case}", statistics.median(r[0] for r in runs), "ns/run")
                emit("lab_iperf_rx_bytes_per_run", f"{m}_{case}", statistics.median(r[1] for r in runs), "bytes")
        for bench, c, (r, lo, hi), goal in figures:
            if r == r:  # both of its methods ran (not NaN)
                emit(bench, c, r, "x", goal, low=lo, high=hi)
                shown = f"[{lo:.3f}, {hi:.3f}]" if lo is not None else "(no interval: fewer than 6 rounds)"
                intervals.append(f"{c} {bench.removeprefix('lab_iperf_ratio_')}: {r:.3f} {shown}")
    if intervals:
        log("ratios with the ~95 % interval of their median:")
        for line in intervals:
            log(f"  {line}")


if __name__ == "__main__":
    main()
