"""A spine link cut under a pinned TCP flow, measured: what
tests/e2e/linkcut_test.py asserts and tools/demo.py shows.

    from linkcut import LinkCut
    lc = LinkCut(lab, srv6steer, workdir)
    lc.setup()                       # h2 answers probes; h1 runs the agent
    r = lc.run(lc.CASES["fallback"])  # iperf3 h1 -> h2 over spine1, cut, restore
    lc.teardown()

The fabric (tools/lab, hosts terminating their own uSIDs: host decap):
  - h2's receive side answers probes and may return a reply encapsulated
    into fcbb:0::/32 (from its own address); h2 steers everything it sends
    to h1 (the flow's ACKs) via spine2 (a prefix pin). So neither the ACKs
    nor the probe replies ever cross spine1: a cut of spine1 hits the data
    direction only, as the cut of one uplink would.
  - h1: `srv6steer agent` with a config file (write_config): path 11 via
    spine1 with fallback path 12, path 12 via spine2, set 20 = {11, 12};
    flow pins for the two cases below; a prefix pin h2/128 -> path 12 (for
    iperf3's control connection, whose port is ephemeral); probes every
    10 ms, replies returned via spine2 (probes.return).

A run: iperf3 TCP h1 -> h2 on the case's pinned 5-tuple (-i 0.1, the
server's intervals too); once spine1 carried START_BYTES of it, `tools/lab
cut spine1 leaf00`; the prober marks path 11 down, the flow moves to spine2
(the fallback, or the set's other path); once spine2 carried MOVED_BYTES,
`tools/lab restore`; path 11 comes back up after the hold-down and the flow
returns to spine1. Every step is a bounded wait on an event (TimeoutError
names it); a thread samples both spines' port counters from leaf00 every
few ms (srv6lab.NetDev), so the times are measured, not slept.
"""
import json
import re
import subprocess
import threading
import time
from pathlib import Path

from srv6lab import container, drain, host_addr, host_path, read_until, set_home, stop, wait_until

BLOCK = "fcbb:0::/32"
VIA_SPINE1, VIA_SPINE2, BOTH = 11, 12, 20     # path ids, set id (the demo's paths 1, 2 stay apart)
H1, H2 = host_addr("h1"), host_addr("h2")
# h2 -> h1 via spine2, ending at h1 (its receive side decapsulates).
H2_TO_H1 = "1006,1002,1004,e001,fe06"
RETURN = container(0x1006, 0x1002, 0x1004, 0xe001, 0xfe06)
PROBE_MS = 10
HOLD_DOWN_MS = 500
START_BYTES = 150_000_000     # spine1 carried this much of the flow: cut
MOVED_BYTES = 150_000_000     # spine2 carried this much after the cut: restore
RESUMED_BYTES = 1_000_000     # a spine "carries the flow" once it moved this much
SAMPLE_S = 0.003
# One more flow pinned to path 11, for checks of other things over spine1
# (tests/e2e/linkcut_test.py's congestion check).
SPINE1_FLOW = (40041, 5341)


def _flow(sport, dport):
    return f"tcp {H1} {sport} {H2} {dport}"


def _home_port(first, dport, index, n):
    """The first source port from `first` whose flow to h2:dport has the
    path at index in a set of n as its home path."""
    return next(p for p in range(first, first + 1000) if set_home("tcp", H1, p, H2, dport, n) == index)


class Case:
    def __init__(self, name, sport, dport, target, what):
        self.name, self.sport, self.dport, self.target, self.what = name, sport, dport, target, what


class Sampler(threading.Thread):
    """Bytes from leaf00 on both spines' lf00 ports, every SAMPLE_S:
    samples = [(monotonic s, spine1 bytes, spine2 bytes)]."""

    def __init__(self, lab):
        super().__init__(daemon=True)
        self.devs = {sp: lab.netdev(sp) for sp in ("spine1", "spine2")}
        self.samples, self.stop, self.lock = [], threading.Event(), threading.Lock()

    def read(self):
        return [self.devs[sp].read()["lf00"]["rx_bytes"] for sp in ("spine1", "spine2")]

    def run(self):
        while not self.stop.is_set():
            b = self.read()
            with self.lock:
                self.samples.append((time.monotonic(), *b))
            time.sleep(SAMPLE_S)

    def last(self):
        with self.lock:
            return self.samples[-1] if self.samples else (time.monotonic(), *self.read())

    def first_after(self, t, spine, base, nbytes):
        """Time of the first sample after t at which spine has moved nbytes
        beyond base, or None."""
        i = 1 if spine == "spine1" else 2
        with self.lock:
            return next((s[0] for s in self.samples if s[0] >= t and s[i] - base >= nbytes), None)

    def stopped(self, t0, t1, spine):
        """When spine's counter last moved between t0 and t1 (the first
        sample showing its final value there): when a cut took effect, to
        within a sample. None if it never moved."""
        i = 1 if spine == "spine1" else 2
        with self.lock:
            w = [s for s in self.samples if t0 <= s[0] <= t1]
        moved = [b for a, b in zip(w, w[1:]) if b[i] != a[i]]
        return moved[-1][0] if moved else None

    def at(self, t):
        """The last sample at or before t."""
        with self.lock:
            return max((s for s in self.samples if s[0] <= t), default=self.samples[0], key=lambda s: s[0])

    def close(self):
        self.stop.set()
        if self.is_alive():
            self.join(timeout=5)
        for d in self.devs.values():
            d.close()


_INTERVAL = re.compile(r"\]\s+([\d.]+)-([\d.]+)\s+sec\s+\S+ \S?Bytes\s+([\d.]+) ([KMG]?)bits/sec")


def server_intervals(text):
    """The intervals of an iperf3 server's text output (what the client's
    --get-server-output returns of a server without -J; the server cannot
    use -J here: then it never says that it listens) as [{"start", "end",
    "bytes"}], bytes from its bit rate (3 significant digits)."""
    out = []
    for line in text.splitlines():
        if line.startswith("- - -"):   # the summary follows
            break
        m = _INTERVAL.search(line)
        if m:
            a, b = float(m.group(1)), float(m.group(2))
            rate = float(m.group(3)) * {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m.group(4)]
            out.append({"start": a, "end": b, "bytes": rate * (b - a) / 8})
    return out


def stall(intervals, low=0.05):
    """From iperf3 intervals [{"start", "end", "bytes"}]: the longest run of
    intervals carrying less than low x the median interval, as (seconds,
    start of the run); the last interval is left out when shorter."""
    full = [i for i in intervals if i["end"] - i["start"] > 0.09]
    if not full:
        return 0.0, None
    rates = sorted(i["bytes"] / (i["end"] - i["start"]) for i in full)
    median = rates[len(rates) // 2]
    best, run, start, best_start = 0.0, 0.0, None, None
    for i in full:
        if i["bytes"] / (i["end"] - i["start"]) < low * median:
            start = i["start"] if run == 0 else start
            run += i["end"] - i["start"]
            if run > best:
                best, best_start = run, start
        else:
            run = 0.0
    return best, best_start


class LinkCut:
    def __init__(self, lab, srv6steer, workdir, spine="spine1", leaf="leaf00"):
        self.lab, self.bin, self.dir = lab, str(srv6steer), Path(workdir)
        self.spine, self.leaf = spine, leaf
        self.agent = self.echo = None
        self.decap_was_off = []
        self.CASES = {
            "fallback": Case("fallback", 40011, 5311, {"path": VIA_SPINE1},
                             f"pinned to path {VIA_SPINE1} (spine1), fallback path {VIA_SPINE2} (spine2)"),
            "set": Case("set", _home_port(40021, 5312, 0, 2), 5312, {"set": BOTH},
                        f"pinned to set {BOTH} = {{{VIA_SPINE1}, {VIA_SPINE2}}}, home path {VIA_SPINE1}"),
        }

    # ---- srv6steer on the hosts ------------------------------------------------------
    def steer(self, node, *args, check=True, show=False):
        if show and self.echo:
            self.echo(f"$ srv6steer {' '.join(args)}" + (f"    (on {node})" if node != "h1" else ""))
        r = self.lab.run(node, self.bin, *args, check=False)
        if check and r.returncode != 0:
            raise RuntimeError(f"[{node}] srv6steer {' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
        return r.stdout

    def stats(self):
        return json.loads(self.steer("h1", "stats", "-d", "eth0", "-j"))

    def health(self, path_id, st=None):
        p = next(p for p in (st or self.stats())["paths"] if p["id"] == path_id)
        return p["health"]

    def config(self):
        """The agent's file (loader/README.md, "apply -f FILE")."""
        return {
            "interface": "eth0", "block": BLOCK,
            "paths": [{"id": VIA_SPINE1, "usids": host_path("h1", "spine1", "h2", 6),
                       "fallback": f"path:{VIA_SPINE2}"},
                      {"id": VIA_SPINE2, "usids": host_path("h1", "spine2", "h2", 6)}],
            "sets": [{"id": BOTH, "paths": [VIA_SPINE1, VIA_SPINE2]}],
            "flows": [{"flow": _flow(c.sport, c.dport), **c.target} for c in self.CASES.values()]
            + [{"flow": _flow(*SPINE1_FLOW), "path": VIA_SPINE1}],
            "prefixes": [{"prefix": f"{H2}/128", "path": VIA_SPINE2}],
            "probes": {"interval_ms": PROBE_MS, "hold_down_ms": HOLD_DOWN_MS,
                       "return": {str(VIA_SPINE1): RETURN, str(VIA_SPINE2): RETURN}},
        }

    def setup(self, echo=None):
        """h1 and h2 terminate their uSIDs; h2 answers probes and steers to
        h1 via spine2; the agent on h1 probes both paths, which are up.
        echo(text) is shown the commands (the demo prints them)."""
        self.echo = echo
        for h in ("h1", "h2"):
            if not json.loads(self.steer(h, "receive", "status", "-j")).get("attached"):
                self.decap_was_off.append(h)
        self.lab.host_decap("h1", "h2")
        self.steer("h2", "receive", "config", "--probes", "on", "--return-block", BLOCK, "--reply-source", H2,
                   show=True)
        self.steer("h2", "attach", "eth0", show=True)
        self.steer("h2", "path", "add", "1", "--block", BLOCK, "--usids", H2_TO_H1, show=True)
        self.steer("h2", "pin", "prefix", f"{H1}/128", "--path", "1", show=True)
        self.cfg = self.dir / "linkcut-agent.json"
        self.cfg.write_text(json.dumps(self.config(), indent=1))
        argv = ["agent", "-c", str(self.cfg), "-d", "eth0", "--no-socket", "--probe-interval", str(PROBE_MS), "-v"]
        if echo:
            echo(f"$ srv6steer {' '.join(argv)} &")
        self.agent = self.lab.popen("h1", self.bin, *argv, stderr=subprocess.STDOUT)
        self.agent_log = read_until(self.agent, r"probing \d+ target", 15, "the agent's prober")
        drain(self.agent)
        self.wait_up((VIA_SPINE1, VIA_SPINE2), 15)

    def wait_up(self, ids, timeout):
        def up():
            st = self.stats()
            return st if all(self.health(i, st)["state"] == "up" for i in ids) else None
        return wait_until(up, timeout, f"paths {ids} up (probes answered)")

    def teardown(self):
        if self.agent:
            stop(self.agent)
            self.agent = None
        self.steer("h2", "detach", "eth0", check=False)
        self.steer("h2", "receive", "config", "--probes", "off", "--return-block", "none",
                   "--reply-source", "none", check=False)
        if self.decap_was_off:
            self.lab.host_decap(*self.decap_was_off, off=True)

    # ---- one run -----------------------------------------------------------------------
    def run(self, case, seconds=8, on_step=None):
        """iperf3 on the case's flow with a cut and a restore; returns the
        measurements (see the keys below). on_step(text) is called at each
        step (the demo prints them)."""
        say = on_step or (lambda _text: None)
        self.wait_up((VIA_SPINE1, VIA_SPINE2), 10)
        r0 = self.stats()["reasons"]
        server = self.lab.iperf_server("h2", case.dport, H2, extra=("-i", "0.1"))
        sampler = Sampler(self.lab)
        client = None
        cut = False
        try:
            sampler.start()
            t0, s1_0, s2_0 = sampler.last()
            t_start = time.monotonic()
            client = self.lab.popen("h1", "iperf3", "-c", H2, "-p", case.dport, "--cport", case.sport, "-t", seconds,
                                    "-i", "0.1", "-J", "--get-server-output")
            wait_until(lambda: sampler.last()[1] - s1_0 >= START_BYTES, 15,
                       f"{START_BYTES / 1e6:.0f} MB of the flow over {self.spine}")
            _, b1_cut, b2_cut = sampler.last()
            wall_cut, t_cut = time.time_ns(), time.monotonic()
            self.lab.cut(self.spine, self.leaf)
            cut = True
            t_cut_done = time.monotonic()
            say(f"cut {self.spine}-{self.leaf} after {(b1_cut - s1_0) / 1e6:.0f} MB over {self.spine}")
            down = wait_until(lambda: (lambda h: h if h["state"] == "down" else None)(self.health(VIA_SPINE1)),
                              5, f"path {VIA_SPINE1} marked down after the cut")
            stats_down = self.stats()
            say(f"path {VIA_SPINE1} marked down {(down['since_ns'] - wall_cut) / 1e6:.0f} ms after the cut began")
            t_resumed = wait_until(lambda: sampler.first_after(t_cut, "spine2", b2_cut, RESUMED_BYTES), 5,
                                   "the flow over spine2 after the cut")
            wait_until(lambda: sampler.last()[2] - b2_cut >= MOVED_BYTES, 15,
                       f"{MOVED_BYTES / 1e6:.0f} MB of the flow over spine2")
            _, b1_restore, b2_restore = sampler.last()
            wall_restore, t_restore = time.time_ns(), time.monotonic()
            self.lab.restore(self.spine, self.leaf)
            cut = False
            say(f"restored {self.spine}-{self.leaf} after {(b2_restore - b2_cut) / 1e6:.0f} MB over spine2")
            up = wait_until(lambda: (lambda h: h if h["state"] == "up" else None)(self.health(VIA_SPINE1)),
                            5, f"path {VIA_SPINE1} up again after the restore")
            say(f"path {VIA_SPINE1} up again {(up['since_ns'] - wall_restore) / 1e6:.0f} ms after the restore, "
                f"{(up['since_ns'] - down['since_ns']) / 1e6:.0f} ms after it went down")
            t_back = wait_until(lambda: sampler.first_after(t_restore, "spine1", b1_restore, RESUMED_BYTES), 5,
                                "the flow over spine1 after the restore")
            out, err = client.communicate(timeout=seconds + 30)
            if client.returncode != 0:
                raise RuntimeError(f"iperf3 failed ({client.returncode}): {err or out[-800:]}")
            res = json.loads(out)
            t_end, s1_end, s2_end = sampler.last()
        finally:
            sampler.close()
            for p in (client, server):
                if p and p.poll() is None:
                    p.kill()
                    p.wait()
            if cut:
                self.lab.restore(self.spine, self.leaf)
        server.wait(timeout=10)
        r1 = self.stats()["reasons"]
        t_down = t_cut + (down["since_ns"] - wall_cut) / 1e9   # when the prober marked it down (monotonic)
        s_down = sampler.at(t_down)
        # When the cut took effect: the flow's last bytes over spine1 (else the command's start).
        t_effect = sampler.stopped(t_cut, t_down, "spine1") or t_cut
        s_effect = sampler.at(t_effect)
        srv = server_intervals(res.get("server_output_text", ""))
        iv = srv or [i["sum"] for i in res["intervals"]]
        stall_s, stall_at = stall(iv)
        return {
            "case": case.name, "what": case.what, "flow": _flow(case.sport, case.dport),
            "sent": res["end"]["sum_sent"]["bytes"], "received": res["end"]["sum_received"]["bytes"],
            "retransmits": res["end"]["sum_sent"].get("retransmits"),
            "gbps": res["end"]["sum_received"]["bits_per_second"] / 1e9,
            "intervals": [{"start": i["start"], "end": i["end"], "bytes": i["bytes"]} for i in iv],
            "intervals_from": "server" if srv else "client",
            "cut_command_ms": (t_cut_done - t_cut) * 1e3,       # tools/lab cut's run time
            "cut_effect_ms": (t_effect - t_cut) * 1e3,          # ... until spine1 carried nothing more
            "detect_ms": (t_down - t_effect) * 1e3,              # the cut's effect -> path marked down
            "detect_from_command_ms": (t_down - t_cut) * 1e3,    # the command's start -> marked down
            "resume_ms": (t_resumed - t_effect) * 1e3,           # the cut's effect -> the flow over spine2
            "resume_from_command_ms": (t_resumed - t_cut) * 1e3,
            "stall_s": stall_s, "stall_at": stall_at,
            # In iperf3's time (from the client's start, to within its connection set-up):
            "cut_at_s": t_effect - t_start, "restore_at_s": t_restore - t_start,
            "up_after_restore_ms": (up["since_ns"] - wall_restore) / 1e6,
            "down_for_ms": (up["since_ns"] - down["since_ns"]) / 1e6,
            "back_ms": (t_back - t_restore) * 1e3,
            "health_down": down, "health_up": up,
            "down_in_stats": self.health(VIA_SPINE1, stats_down),
            "fell_back": r1["fell_back"]["packets"] - r0["fell_back"]["packets"],
            "bytes": {  # from leaf00, per phase and spine
                "before": {"spine1": b1_cut - s1_0, "spine2": b2_cut - s2_0},
                "cut_to_down": {"spine1": s_down[1] - b1_cut, "spine2": s_down[2] - b2_cut},
                "cut": {"spine1": b1_restore - b1_cut, "spine2": b2_restore - b2_cut},
                "after_effect": {"spine1": b1_restore - s_effect[1], "spine2": b2_restore - s_effect[2]},
                "restored": {"spine1": s1_end - b1_restore, "spine2": s2_end - b2_restore},
            },
            "seconds": t_end - t0,
        }
