#!/usr/bin/python3
"""bench/lab_skew.py: what the flowlet gap saves, on paths of different delay and no loss.

bench/lab_reorder.py moves flows off a congested path, and its bottleneck's
losses drown any reordering the moves could cause. Here nothing is lost: the
one thing that differs between the two paths of a set is their delay.
spine1's port towards leaf02 holds every frame DELAY µs (tools/lab_delay.py:
this kernel has no netem), so path 1 (h1 -> spine1 -> h2, host-terminated)
is DELAY slower than path 2 (via spine2). h1's agent steers a set of both to
h2 and probes them every 10 ms; h2's receive side decapsulates and answers.

Eight UDP flows h1 -> h2, all homed on path 2 (picked by the reference flow
hash, tools/srv6lab.py), each send a datagram every millisecond, numbered,
and pause for 30 ms every 100 ms (staggered): short pauses shorter than the
skew, long ones longer. Path 2 is taken down by hand for 200 ms and brought
up for 400 ms, over and over: down moves the flows to path 1 at once (no
reordering: the later packets take the slower path); up moves them back to
the faster path once they have been idle for the flowlet gap — with a gap
below the skew their first packets on path 2 overtake their last ones still
on path 1. h2 counts, per flow, datagrams that arrive after a later one
(reordered) and those that never arrive (lost).

Cases, in interleaved rounds: gap 0 (off), 500 µs (the old fixed default),
and the agent's adaptive gap (docs/design.md §17.5, expected about twice the
skew); and a control round with no toggling. Printed as a table (stderr) and
one JSON line per figure (stdout).

Run as root after building:  bench/lab_skew.py [--delay-us 5000] [--rounds 2] [--seconds 10]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from srv6lab import Lab, host_addr, read_until, set_home, stop, wait_until  # noqa: E402
from congestion import Congestion  # noqa: E402

SRV6STEER = Path(os.environ.get("SRV6STEER_BIN", ROOT / "build" / "loader" / "srv6steer"))
PY = "/usr/bin/python3"
SELF = str(Path(__file__).resolve())
PORT = 9300
FLOWS = 8
TICK_S = 0.001         # a datagram per flow every tick ...
PERIOD_S = 0.100       # ... but for a pause of LONG_S every PERIOD_S
LONG_S = 0.030
DOWN_S, UP_S = 0.2, 0.4
HEADER = struct.Struct("!IQ")  # flow, sequence number
PAYLOAD = 200


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def emit(bench, case, value, unit):
    print(json.dumps({"bench": bench, "case": case, "value": round(value, 4), "unit": unit}), flush=True)


# ---- the two ends, run in the lab's namespaces (this file with a role) ------

def role_send(dst, sports, seconds):
    """Numbered datagrams from each source port, one per tick, with the long pauses."""
    socks = []
    for sp in sports:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::", sp))
        s.connect((dst, PORT))
        socks.append(s)
    seq = [0] * len(socks)
    pad = bytes(PAYLOAD - HEADER.size)
    t0 = time.monotonic()
    tick = 0
    while True:
        now = time.monotonic() - t0
        if now >= seconds:
            break
        for i, s in enumerate(socks):
            phase = (now + i * PERIOD_S / len(socks)) % PERIOD_S
            if phase < LONG_S:
                continue
            s.send(HEADER.pack(i, seq[i]) + pad)
            seq[i] += 1
        tick += 1
        delay = t0 + tick * TICK_S - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    print(json.dumps({"sent": seq}), flush=True)


def role_recv(bind):
    """Counts per flow until SIGTERM: received, reordered (after a later one), the highest number."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((bind, PORT))
    s.settimeout(0.2)
    done = []
    signal.signal(signal.SIGTERM, lambda *_: done.append(1))
    got, reordered, top = {}, {}, {}
    print("listening", flush=True)
    while not done:
        try:
            data = s.recv(2048)
        except (socket.timeout, InterruptedError):
            continue
        if len(data) < HEADER.size:
            continue
        f, q = HEADER.unpack_from(data)
        got[f] = got.get(f, 0) + 1
        if q < top.get(f, -1):
            reordered[f] = reordered.get(f, 0) + 1
        else:
            top[f] = q
    print(json.dumps({"got": got, "reordered": reordered, "top": top}), flush=True)


# ---- the bench ---------------------------------------------------------------

class Skew(Congestion):
    """tools/congestion.py's set of two host-terminated paths and its agent,
    with the agent's flowlet gap adaptive or left to hand."""

    def __init__(self, lab, workdir):
        super().__init__(lab, SRV6STEER, workdir, flowlet_gap_us=None)
        self.adaptive = False

    def config(self):
        c = super().config()
        c["probes"] = {"flowlets": {"adaptive": self.adaptive}}
        return c

    def set_adaptive(self, on):
        """The agent's config with the adaptive gap on or off, applied now (SIGHUP)."""
        if on == self.adaptive:
            return
        self.adaptive = on
        (self.dir / "congestion-agent.json").write_text(json.dumps(self.config(), indent=1))
        log_file = self.dir / "congestion-agent.log"
        self.log.flush()
        mark = len(log_file.read_text())
        self.agent.send_signal(signal.SIGHUP)
        wait_until(lambda: self.log.flush() or "probing" in log_file.read_text()[mark:], 20,
                   "the agent's prober made again")

    def gap(self):
        return json.loads(self.steer("h1", "flowlets", "-d", "eth0", "-j").stdout)["flowlet_gap_us"]


class Bench:
    def __init__(self, scenario, delay_us, seconds):
        self.c, self.lab, self.delay_us, self.seconds = scenario, scenario.lab, delay_us, seconds
        src, dst = host_addr("h1"), host_addr("h2")
        self.sports = [p for p in range(43000, 44000) if set_home("udp", src, p, dst, PORT, 2) == 1][:FLOWS]

    def path_packets(self):
        st = self.c.stats()
        return {p["id"]: p.get("packets", 0) for p in st["paths"]}

    def round(self, case, toggle):
        if case == "auto":
            self.c.set_adaptive(True)
            # Twice the skew the probes see, well above the floor.
            wait_until(lambda: self.c.gap() > self.delay_us, 30, "the adaptive gap above the skew")
        else:
            self.c.set_adaptive(False)
            self.c.steer("h1", "flowlets", "-d", "eth0", str(case))
        gap = self.c.gap()
        recv = self.lab.popen("h2", PY, SELF, "_recv", host_addr("h2"))
        try:
            read_until(recv, r"listening", 10, "the receiver on h2")
            before = self.path_packets()
            send = self.lab.popen("h1", PY, SELF, "_send", host_addr("h2"), ",".join(map(str, self.sports)),
                                  str(self.seconds))
            toggles = 0
            t_end = time.monotonic() + self.seconds
            try:
                while toggle and time.monotonic() < t_end - DOWN_S - UP_S:
                    self.c.steer("h1", "path", "down", "2", "-d", "eth0")
                    time.sleep(DOWN_S)
                    self.c.steer("h1", "path", "up", "2", "-d", "eth0")
                    toggles += 1
                    time.sleep(UP_S)
                out, err = send.communicate(timeout=self.seconds + 30)
            finally:
                if send.poll() is None:
                    send.kill()
                    send.wait()
                self.c.steer("h1", "path", "up", "2", "-d", "eth0", check=False)
            if send.returncode != 0:
                raise RuntimeError(f"sender failed: {err.strip()}")
            sent = json.loads(out.strip().splitlines()[-1])["sent"]
            time.sleep(0.2 + self.delay_us / 1e6)  # the last datagrams arrive (a bounded wait for a quiet wire)
            after = self.path_packets()
        finally:
            recv.send_signal(signal.SIGTERM)
            try:
                rout, rerr = recv.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                recv.kill()
                recv.wait()
                raise
        r = json.loads(rout.strip().splitlines()[-1])
        got = sum(r["got"].values())
        return {
            "gap_us": gap,
            "toggles": toggles,
            "sent": sum(sent),
            "lost": sum(sent) - got,
            "reordered": sum(r["reordered"].values()),
            "path2_share": (after.get(2, 0) - before.get(2, 0)) /
                           max(1, sum(after.get(p, 0) - before.get(p, 0) for p in (1, 2))),
        }


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "_send":
        return role_send(sys.argv[2], [int(p) for p in sys.argv[3].split(",")], float(sys.argv[4]))
    if len(sys.argv) > 1 and sys.argv[1] == "_recv":
        return role_recv(sys.argv[2])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--delay-us", type=int, default=5000, help="path 1's extra delay (default 5000)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds; medians reported (default 2)")
    ap.add_argument("--seconds", type=float, default=10, help="per transfer (default 10)")
    args, unknown = ap.parse_known_args()
    if unknown:
        log(f"# lab_skew: ignoring options for other benchmarks: {' '.join(unknown)}")
    if os.geteuid() != 0:
        sys.exit("lab_skew: run as root")
    if not SRV6STEER.exists():
        sys.exit(f"lab_skew: build first ({SRV6STEER} is missing)")
    cases = [("control", 500, False), ("gap_0us", 0, True), ("gap_500us", 500, True), ("gap_auto", "auto", True)]

    lab = Lab.unique("k", srv6steer=SRV6STEER)
    lab.down()
    lab.up(host_decap=True)
    d = tempfile.mkdtemp(prefix="lab-skew-")
    scenario = Skew(lab, d)
    delay = None
    results = {}
    try:
        delay = lab.popen("spine1", PY, str(ROOT / "tools" / "lab_delay.py"), "lf02", str(args.delay_us))
        read_until(delay, r"ready", 10, "the delay line on spine1")
        scenario.setup()
        b = Bench(scenario, args.delay_us, args.seconds)
        for rnd in range(args.rounds):
            order = cases if rnd % 2 == 0 else list(reversed(cases))
            for name, gap, toggle in order:
                r = b.round(gap, toggle)
                results.setdefault(name, []).append(r)
                log(f"# round {rnd + 1} {name:<10} gap {r['gap_us']:6d} us  toggles {r['toggles']:3d}  "
                    f"sent {r['sent']:6d}  lost {r['lost']:5d}  reordered {r['reordered']:5d}  "
                    f"on path 2 {100 * r['path2_share']:5.1f} %")
    finally:
        try:
            scenario.teardown()
        finally:
            try:
                if delay:
                    delay.send_signal(signal.SIGTERM)
                    try:
                        out, _ = delay.communicate(timeout=10)
                        log(f"# delay line: {out.strip().splitlines()[-1] if out.strip() else 'no report'}")
                    except subprocess.TimeoutExpired:
                        delay.kill()  # lab.down() takes its filter with the namespace
                        delay.wait()
            finally:
                lab.down()
                shutil.rmtree(d, ignore_errors=True)

    log()
    log(f"{FLOWS} UDP flows h1 -> h2 (a datagram a ms, 30 ms pauses every 100 ms) on a set of two paths, path 1 "
        f"{args.delay_us} us slower; path 2 down {DOWN_S * 1000:.0f} ms / up {UP_S * 1000:.0f} ms "
        f"(median of {args.rounds} interleaved rounds)")
    log(f"{'case':<12} {'gap us':>7} {'reordered':>10} {'lost':>6} {'on path 2':>10}")
    for name, _, _ in cases:
        rs = results[name]
        med = {k: statistics.median(r[k] for r in rs) for k in ("gap_us", "reordered", "lost", "path2_share")}
        log(f"{name:<12} {med['gap_us']:>7.0f} {med['reordered']:>10.0f} {med['lost']:>6.0f} "
            f"{100 * med['path2_share']:>9.1f}%")
        emit("lab_skew_reordered", name, med["reordered"], "datagrams")
        emit("lab_skew_lost", name, med["lost"], "datagrams")
        emit("lab_skew_gap", name, med["gap_us"], "us")
        emit("lab_skew_path2_share", name, med["path2_share"], "ratio")


if __name__ == "__main__":
    main()
