#!/usr/bin/python3
"""srv6steer demo on the netns SRv6 fabric (tools/lab).

Brings the lab up, attaches srv6steer to h1's backend interface and shows,
with numbers read from the spines' counters:
  1. two TCP flows between the same two hosts on different spines at once;
  2. a live flow moved from one spine to the other without a stall;
  3. two RoCEv2 queue pairs to the same host on different spines;
  4. what `srv6steer status` and `stats` say about it;
  5. a real gloo job (4 ranks on h1, h2, h4; python3-torch) whose ranks pin
     their own connections onto the spines a plan chose (srv6steer.torch);
  6. a spine link cut under a pinned iperf3 flow: the agent's probes mark
     the path down, the flow takes its fallback over the other spine and
     comes back after the restore, with the times measured (tools/linkcut.py);
  7. a congested spine under the streams of a path set: the receiver counts
     ECN CE per path, the probes carry it back, and the streams homed on the
     congested spine move to the other one (tools/congestion.py);
then detaches and takes the lab down (also on Ctrl-C).

Run as root after building:  tools/demo   (or /usr/bin/python3 tools/demo.py)
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "testing"))
from skippolicy import SKIPPED, under_ci  # noqa: E402
from srv6lab import Lab, down_on_signal, gloo_plan, host_addr, stop_on_signals, wait_until  # noqa: E402
from linkcut import HOLD_DOWN_MS, VIA_SPINE1, LinkCut  # noqa: E402
import congestion  # noqa: E402

SRV6STEER = Path(os.environ.get("SRV6STEER_BIN", HERE.parent / "build" / "loader" / "srv6steer"))
LIB = os.environ.get("SRV6STEER_LIB", str(SRV6STEER.parent.parent / "libsrv6steer" / "libsrv6steer.so"))
H1, H2 = host_addr("h1"), host_addr("h2")
# The gloo job: ranks 1 and 3 share h2; h1's two connections to h2 take both spines.
GLOO_RANKS = {0: "h1", 1: "h2", 2: "h4", 3: "h2"}
GLOO_SPINES = {frozenset((0, 1)): "spine1", frozenset((0, 3)): "spine2", frozenset((1, 2)): "spine2",
               frozenset((2, 3)): "spine1", frozenset((0, 2)): "spine1"}


def gloo_spine(src, dst):
    return GLOO_SPINES[frozenset((src, dst))]


def say(text=""):
    print(text, flush=True)


def title(text):
    say()
    say(f"== {text}")


class Demo:
    def __init__(self, lab):
        self.lab = lab

    def steer(self, *args, show=True, node="h1"):
        if show:
            say(f"  $ srv6steer {' '.join(args)}" + (f"    (on {node})" if node != "h1" else ""))
        r = self.lab.run(node, SRV6STEER, *args, check=False, timeout=60)
        if r.returncode != 0:
            raise SystemExit(f"srv6steer {' '.join(args)} failed:\n{r.stdout}{r.stderr}")
        return r.stdout

    def lf00_bytes(self):
        """Bytes each spine received from leaf00, i.e. h1's outgoing traffic
        (replies come back through spine1's port to leaf02)."""
        c = self.lab.counters_detail()
        return {sp: c[sp]["ifaces"]["lf00"]["rx_bytes"] for sp in ("spine1", "spine2")}

    def lf00_packets(self):
        p = self.lab.port_rx()
        return {sp: p[(sp, "lf00")] for sp in ("spine1", "spine2")}

    def iperf_server(self, port):
        return self.lab.iperf_server("h2", port, H2)

    def iperf_client(self, port, cport, *extra):
        return self.lab.popen("h1", "iperf3", "-c", H2, "-p", str(port), "--cport", str(cport),
                              "-J", *extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    @staticmethod
    def iperf_result(p):
        out, err = p.communicate(timeout=120)
        if p.returncode != 0:
            raise SystemExit(f"iperf3 failed: {err or out[-500:]}")
        return json.loads(out)

    # ---- the four acts -------------------------------------------------------------
    def setup(self):
        title("srv6steer attaches to h1's eth0 and learns two paths to leaf02")
        self.steer("attach", "eth0")
        self.steer("path", "add", "1", "--block", "fcbb:0::/32", "--usids", "1004,1001,1006,fe06")
        self.steer("path", "add", "2", "--block", "fcbb:0::/32", "--usids", "1004,1002,1006,fe06")
        say("  path 1 = leaf00 -> spine1 -> leaf02 (decap), path 2 = the same via spine2")

    def two_flows(self):
        title("1. Two TCP flows between h1 and h2, at the same time, on two spines")
        servers = [self.iperf_server(5201), self.iperf_server(5202)]
        self.steer("pin", "flow", "tcp", H1, "40001", H2, "5201", "--path", "1")
        self.steer("pin", "flow", "tcp", H1, "40002", H2, "5202", "--path", "2")
        b0 = self.lf00_bytes()
        a = self.iperf_client(5201, 40001, "-t", "3")
        b = self.iperf_client(5202, 40002, "-t", "3")
        ra, rb = self.iperf_result(a), self.iperf_result(b)
        d = Lab.delta(b0, self.lf00_bytes())
        for s in servers:
            s.wait(timeout=10)
        say()
        say(f"  {'flow':<34} {'pinned to':<10} {'Gbit/s':>7}")
        for name, path, r in (("h1:40001 -> h2:5201", "path 1", ra), ("h1:40002 -> h2:5202", "path 2", rb)):
            say(f"  {'tcp ' + name:<34} {path:<10} {r['end']['sum_received']['bits_per_second'] / 1e9:>7.2f}")
        say(f"  bytes from leaf00 during those 3 s:  spine1 {d['spine1'] / 1e9:.2f} GB   "
            f"spine2 {d['spine2'] / 1e9:.2f} GB")

    def move_live(self):
        title("2. A live flow moves from spine1 to spine2 without a stall")
        server = self.iperf_server(5203)
        self.steer("pin", "flow", "tcp", H1, "40003", H2, "5203", "--path", "1")
        b0 = self.lf00_bytes()
        p = self.iperf_client(5203, 40003, "-t", "4", "-i", "0.5")
        # Move it once spine 1 has carried 300 MB of it.
        def under_way():
            c = self.lf00_bytes()
            return c if c["spine1"] - b0["spine1"] > 300e6 else None
        mid = wait_until(under_way, timeout=10, what="300 MB of the flow via spine 1")
        self.steer("pin", "flow", "tcp", H1, "40003", H2, "5203", "--path", "2", "--replace")
        r = self.iperf_result(p)
        end = self.lf00_bytes()
        server.wait(timeout=10)
        rates = [i["sum"]["bits_per_second"] / 1e9 for i in r["intervals"]]
        before, after = Lab.delta(b0, mid), Lab.delta(mid, end)
        say()
        say("  Gbit/s every 0.5 s: " + "  ".join(f"{x:.1f}" for x in rates) + "   (moved after 300 MB)")
        say(f"  before the move: spine1 {before['spine1'] / 1e9:.2f} GB, spine2 {before['spine2'] / 1e9:.2f} GB")
        say(f"  after the move:  spine1 {after['spine1'] / 1e9:.2f} GB, spine2 {after['spine2'] / 1e9:.2f} GB")
        say(f"  slowest interval: {min(rates[:-1]):.1f} Gbit/s; retransmits: {r['end']['sum_sent'].get('retransmits')}")

    def two_qps(self):
        title("3. Two RoCEv2 queue pairs to h2, on two spines")
        self.steer("pin", "qp", H2, "0x11", "--path", "1")
        self.steer("pin", "qp", H2, "0x22", "--path", "2")
        recv = self.lab.roce_recv("h2", duration=6, expect=200)
        c0 = self.lf00_packets()
        self.lab.roce_send("h1", "h2", 0x11, count=100, sport=50011)
        c1 = self.lf00_packets()
        self.lab.roce_send("h1", "h2", 0x22, count=100, sport=50022)
        c2 = self.lf00_packets()
        got = self.lab.roce_result(recv)
        say()
        say(f"  {'queue pair':<12} {'pinned to':<10} {'spine1 pkts':>12} {'spine2 pkts':>12} {'h2 received':>12}")
        for qp, path, (x, y) in (("0x11", "path 1", (c0, c1)), ("0x22", "path 2", (c1, c2))):
            d = Lab.delta(x, y)
            n = got["qps"].get(qp, {}).get("packets", 0)
            say(f"  {qp:<12} {path:<10} {d['spine1']:>12} {d['spine2']:>12} {n:>12}")

    def describe(self):
        title("4. What srv6steer says about it")
        for args in (("status", "-v"), ("list", "flows"), ("list", "qps"), ("stats",)):
            say(f"  $ srv6steer {' '.join(args)}")
            for line in self.steer(*args, show=False).rstrip().splitlines():
                if " 0        0" not in line or "steered" in line:    # skip zero reasons
                    say("    " + line)


    def gloo_job(self):
        title("5. A gloo job's rank pairs on the spines the plan chose")
        if subprocess.run(["/usr/bin/python3", "-c", "import torch.distributed"], capture_output=True).returncode:
            say("  (not shown: this step needs Debian's python3-torch)")
            return
        for h in ("h2", "h4"):
            self.steer("attach", "eth0", node=h)
        try:
            say("  4 ranks: 0 on h1, 1 and 3 on h2, 2 on h4; each pins its own connections after")
            say("  init_process_group(\"gloo\") (srv6steer.torch.pin_process_group), then they")
            say("  all_reduce 64 MiB for 2 s. The plan (leaf -> spine -> leaf, decap by family):")
            for pair, sp in GLOO_SPINES.items():
                s, d = sorted(pair)
                say(f"    ranks {s} <-> {d} ({GLOO_RANKS[s]} <-> {GLOO_RANKS[d]}): {sp}")
            env = {"PYTHONPATH": str(HERE.parent / "python"), **os.environ, "SRV6STEER_LIB": LIB,
                   "BACKEND_INTERFACE": "eth0", "PYTHONDONTWRITEBYTECODE": "1"}
            b0 = self.lab.port_bytes()
            out = self.lab.gloo_job(GLOO_RANKS, gloo_plan(GLOO_RANKS, gloo_spine), env=env, seconds=2)
            d = Lab.delta(b0, self.lab.port_bytes())
            say()
            for rank, ev in sorted(out.items()):
                done = ev["done"]
                say(f"  rank {rank} ({GLOO_RANKS[rank]}): {len(ev['pinned']['connections'])} connections pinned in "
                    f"{ev['pinned']['seconds'] * 1000:.0f} ms ({ev['pinned']['mode']} pins), {done['iterations']} "
                    f"all_reduces, results {'exact' if done['exact'] else 'WRONG'}")
            say()
            say(f"  {'what rank sent to rank':<26} {'hosts':<10} {'plan':<8} {'steered':>10}")
            for rank, ev in sorted(out.items()):
                for c in ev["done"]["connections"]:
                    if c["steered"] > 10e6:     # the ring's direction; the other one carries ACKs
                        peer = c["peer"]
                        who, hosts = f"rank {rank} -> rank {peer}", f"{GLOO_RANKS[rank]}->{GLOO_RANKS[peer]}"
                        say(f"  {who:<26} {hosts:<10} {gloo_spine(rank, peer):<8} {c['steered'] / 1e6:>7.1f} MB")
            say()
            say("  bytes the spines received from each leaf during the job (tools/lab counters):")
            say(f"  {'':8} {'leaf00 (h1)':>12} {'leaf01 (h4)':>12} {'leaf02 (h2)':>12}")
            for sp in ("spine1", "spine2"):
                say(f"  {sp:8} " + " ".join(f"{d[(sp, p)] / 1e6:>9.1f} MB" for p in ("lf00", "lf01", "lf02")))
        finally:
            for h in ("h2", "h4"):
                self.steer("detach", "eth0", node=h, show=False)


    def link_cut(self):
        title("6. A spine link cut under a pinned flow: the flow keeps going")
        say("  h1 and h2 terminate their own uSIDs (tools/lab host-decap h1 h2). h2's receive side answers")
        say("  probes and steers everything to h1 via spine2, so the ACKs and the probe replies never cross")
        say("  spine1; h1's agent probes its paths every 10 ms (tools/linkcut.py):")
        with tempfile.TemporaryDirectory(prefix="srv6s-demo-") as tmp:
            lc = LinkCut(self.lab, SRV6STEER, tmp)
            try:
                lc.setup(echo=lambda text: say("  " + text))
                cfg = lc.config()
                for p in cfg["paths"]:
                    fb = f", fallback {p['fallback']}" if "fallback" in p else ""
                    say(f"    path {p['id']}: {p['usids']}{fb}")
                for f in cfg["flows"][:1] + cfg["prefixes"]:
                    say(f"    pin {f.get('flow') or 'prefix ' + f['prefix']} -> path {f['path']}")
                say(f"    probes every {cfg['probes']['interval_ms']} ms, replies returned via spine2 "
                    f"({cfg['probes']['return'][str(VIA_SPINE1)]}), hold-down {cfg['probes']['hold_down_ms']} ms")
                say("  both paths are up (probes answered). iperf3 h1:40011 -> h2:5311 for 6 s, and:")
                r = lc.run(lc.CASES["fallback"], seconds=6, on_step=lambda text: say("    " + text))
            finally:
                lc.teardown()
        say()
        ivs = [i for i in r["intervals"] if i["end"] - i["start"] > 0.09]
        say("  Gbit/s every 0.1 s at h2 (iperf3; | = the cut, ^ = the restore):")
        line = "   "
        for k, i in enumerate(ivs):
            if i["start"] <= r["cut_at_s"] < i["end"]:
                line += " |"
            if i["start"] <= r["restore_at_s"] < i["end"]:
                line += " ^"
            line += f" {i['bytes'] * 8 / 1e9 / (i['end'] - i['start']):4.1f}"
            if k % 15 == 14:
                say(line)
                line = "   "
        if line.strip():
            say(line)
        b = r["bytes"]
        say()
        head = "bytes from leaf00 (the spines' port counters)"
        say(f"  {head:<46} {'spine1':>9} {'spine2':>9}")
        for name, key in (("before the cut", "before"), ("cut -> restore", "cut"),
                          ("restore -> the end of the flow", "restored")):
            say(f"  {name:<46} {b[key]['spine1'] / 1e6:>6.0f} MB {b[key]['spine2'] / 1e6:>6.0f} MB")
        say(f"  (over spine1 after the cut command began: {b['cut']['spine1'] / 1e6:.0f} MB before it took effect, "
            f"{r['cut_effect_ms']:.0f} ms in, {b['after_effect']['spine1']} bytes after)")
        say()
        say(f"  path {VIA_SPINE1} marked down {r['detect_ms']:.0f} ms after the cut took effect (the agent's health, "
            f"since_ns); data over spine2 {r['resume_ms']:.0f} ms after it")
        say(f"  iperf3 saw {r['stall_s']:.1f} s without data (0.1 s intervals); {r['fell_back']} packets fell back; "
            f"the transfer completed: {r['received'] / 1e9:.2f} GB, {r['gbps']:.2f} Gbit/s, "
            f"{r['retransmits']} retransmits")
        say(f"  after the restore: path {VIA_SPINE1} up again in {r['up_after_restore_ms']:.0f} ms "
            f"({r['down_for_ms']:.0f} ms after it went down; hold-down {HOLD_DOWN_MS} ms), the flow back on spine1 "
            f"{r['back_ms']:.0f} ms after the restore")


    def congestion(self):
        title("7. A congested spine: the streams of a path set move off it (ECN feedback, flowlets)")
        say("  h2 decapsulates its own uSID and counts ECN CE per sender path; its probe replies carry the")
        say("  counts back to h1's agent, which raises a path's congestion level; a flow of the set whose")
        say("  rank is below the level moves to a less congested path after an idle gap of 500 us:")
        with tempfile.TemporaryDirectory(prefix="srv6s-demo-") as tmp:
            c = congestion.Congestion(self.lab, SRV6STEER, tmp)
            try:
                c.setup(echo=lambda text: say("  " + text))
                cfg = c.config()
                for p in cfg["paths"]:
                    say(f"    path {p['id']}: {p['usids']}")
                say(f"    set 1 = paths 1 and 2; pin prefix {cfg['prefixes'][0]['prefix']} -> set 1")
                say(f"  both paths are up. {congestion.STREAMS} ECN-capable iperf3 streams h1 -> h2 for "
                    f"{congestion.SECONDS} s, and:")
                r = c.run(on_step=lambda text: say("    " + text))
            finally:
                c.teardown()
        say()
        first = r["congested_at_s"]
        say(f"  Mbit/s per stream, before the congestion (first {first:.0f} s) and in the last "
            f"{congestion.JUDGE_LAST:.0f} s; home = the path its flow hash picks when nothing is congested:")
        for home, spine in ((1, "spine1"), (2, "spine2")):
            mine = [s for s in r["streams"] if s["home"] == home]
            moved = [s for s in mine if s["mbit_last"] > congestion.RATE_MBIT]
            say(f"    home path {home} ({spine}), {len(mine)} streams:")
            say("      before " + " ".join(f"{s['mbit_first']:4.0f}" for s in mine))
            say("      last   " + " ".join(f"{s['mbit_last']:4.0f}" for s in mine))
            if home == 1:
                say(f"      {len(moved)} of {len(mine)} run above spine1's {congestion.RATE_MBIT} Mbit/s now: "
                    f"they moved to spine2")
        b = r["bytes"]
        say(f"  bytes from leaf00 into each spine after the congestion began: spine1 {b['spine1'] / 1e6:.0f} MB, "
            f"spine2 {b['spine2'] / 1e6:.0f} MB")
        say(f"  path 1's level rose {r['level_at_s'] - first:.1f} s after the congestion began "
            f"({r['level']}/16 at the end); the transfer completed: {r['gbps']:.2f} Gbit/s, "
            f"{r['retransmits']} retransmits")


def cannot_run(why):
    """Exit 77 (ctest: skipped), or 1 under CI=true (testing/skippolicy.py)."""
    print(f"tools/demo: {why}", file=sys.stderr)
    sys.exit(1 if under_ci() else SKIPPED)


def main():
    if os.geteuid() != 0:
        cannot_run("run as root (it creates network namespaces and loads BPF)")
    if not SRV6STEER.exists():
        cannot_run(f"build first ({SRV6STEER} is missing)")
    lab = down_on_signal(Lab("demo-"))
    stop_on_signals(signal.SIGTERM)
    demo = Demo(lab)
    title("Bringing up the lab: spines 1001/1002, leaves 1004/1005/1006, hosts h1 (leaf00), h2 (leaf02)")
    lab.down()
    lab.up()
    try:
        demo.setup()
        demo.two_flows()
        demo.move_live()
        demo.two_qps()
        demo.describe()
        demo.gloo_job()
        demo.link_cut()
        demo.congestion()
    except KeyboardInterrupt:
        say("\ninterrupted")
    finally:
        title("Detaching and taking the lab down")
        demo.steer("detach", "eth0")
        lab.down()
        say("  done: no namespace, pin or route is left.")


if __name__ == "__main__":
    main()
