"""A congested spine under the streams of a path set, measured: what
tests/e2e/congestion_test.py asserts and tools/demo.py shows.

    from congestion import Congestion
    c = Congestion(lab, srv6steer, workdir)
    c.setup()            # h2 decapsulates and answers probes; h1 runs the agent
    r = c.run()          # 16 iperf3 streams h1 -> h2, spine1 congested after 3 s
    c.teardown()

h1's agent (config file: path 1 via spine1, path 2 via spine2, both
host-terminated; set 1 = {1, 2}; h2's /128 pinned to the set; probes every
10 ms) spreads ECN-capable iperf3 streams over the set by the flow hash.
After CONGEST_AT seconds spine1's port towards leaf02 becomes a RATE_MBIT
ECN-marking bottleneck (tools/lab congest); h2's receive side counts CE on
path 1 and its probe replies carry the count back; the agent raises path 1's
congestion level and the streams homed on path 1 move to path 2 after an
idle gap (flowlets, docs/design.md §17). A stream left on spine1 cannot
exceed the bottleneck; a moved one runs at spine2's speed: so each stream's
own rate over the last JUDGE_LAST seconds tells which moved. Each stream's
home path comes from srv6lab.set_home, a reference written from the
definitions, not from the code under test.
"""
import json
import subprocess
import time
from pathlib import Path

from srv6lab import flow_hash, host_addr, host_path, set_home, stop, wait_until

BLOCK = "fcbb:0::/32"
RATE_MBIT = 100
STREAMS = 16
SECONDS = 12
CONGEST_AT = 3.0   # s into the transfer
JUDGE_LAST = 3.0   # the streams' rates over the last JUDGE_LAST s
PROBE_MS = 10
FLOWLET_GAP_US = 500
PORT = "5201"


class Congestion:
    def __init__(self, lab, srv6steer, workdir, flowlet_gap_us=FLOWLET_GAP_US):
        """flowlet_gap_us: the agent's --flowlet-gap (a fixed gap); None: not
        given and the agent's adaptive gap off, so the gap is what
        `srv6steer flowlets` sets (bench/lab_reorder.py)."""
        self.lab, self.bin, self.dir = lab, str(srv6steer), Path(workdir)
        self.flowlet_gap_us = flowlet_gap_us
        self.agent = None
        self.log = None
        self.decap_was_off = False

    def steer(self, node, *args, check=True):
        return self.lab.steer(self.bin, node, *args, check=check)

    def config(self):
        return {
            "interface": "eth0", "block": BLOCK,
            "paths": [{"id": 1, "usids": host_path("h1", "spine1", "h2", 6)},
                      {"id": 2, "usids": host_path("h1", "spine2", "h2", 6)}],
            "sets": [{"id": 1, "paths": [1, 2]}],
            "prefixes": [{"prefix": f"{host_addr('h2')}/128", "set": 1}],
            # Without --flowlet-gap the gap is set by hand: the agent must not adapt it.
            **({"probes": {"flowlets": {"adaptive": False}}} if self.flowlet_gap_us is None else {}),
        }

    def agent_argv(self):
        gap = [] if self.flowlet_gap_us is None else ["--flowlet-gap", str(self.flowlet_gap_us)]
        return ["agent", "-c", str(self.dir / "congestion-agent.json"), "-d", "eth0", "--no-socket",
                "--probe-interval", str(PROBE_MS), *gap, "-v"]

    def setup(self, echo=None):
        """h2 decapsulates its uSID and answers probes; h1 has ECN on and
        runs the agent, whose probes find both paths up. echo(text) is shown
        the commands (the demo prints them)."""
        say = echo or (lambda _text: None)
        self.decap_was_off = not json.loads(self.steer("h2", "receive", "status", "-j").stdout).get("attached")
        if self.decap_was_off:
            self.lab.host_decap("h2")
        say("$ srv6steer receive config --probes on          (on h2)")
        self.steer("h2", "receive", "config", "--probes", "on")
        self.lab.run("h1", "sysctl", "-qw", "net.ipv4.tcp_ecn=1")
        (self.dir / "congestion-agent.json").write_text(json.dumps(self.config(), indent=1))
        say(f"$ srv6steer {' '.join(self.agent_argv())} &")
        self.log = open(self.dir / "congestion-agent.log", "w+")
        self.agent = self.lab.popen("h1", self.bin, *self.agent_argv(), stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(lambda: all(self.health(p)["state"] == "up" for p in (1, 2)), 20,
                   "the agent's probes find paths 1 and 2 up")

    def teardown(self):
        if self.agent:
            stop(self.agent)
            self.agent = None
        if self.log:
            self.log.close()
            self.log = None
        try:
            self.lab.restore("spine1", "leaf02")
        finally:
            try:
                self.steer("h2", "receive", "config", "--probes", "off", check=False)
            finally:
                if self.decap_was_off:
                    self.lab.host_decap("h2", off=True)

    def stats(self):
        r = self.steer("h1", "stats", "-j", check=False)
        return json.loads(r.stdout) if r.returncode == 0 else {"paths": []}

    def health(self, path):
        for p in self.stats()["paths"]:
            if p["id"] == path:
                return p["health"]
        return {"state": "none", "congestion": 0}

    def agent_log(self):
        if not self.log:
            return ""
        self.log.flush()
        return (self.dir / "congestion-agent.log").read_text()[-3000:]

    def run(self, on_step=None):
        """The transfer with spine1 congested after CONGEST_AT s. Returns
        {"streams": [{"port", "home", "rank", "mbit_first", "mbit_last"}],
        "level": path 1's congestion level at the end, "level_at_s": when it
        first rose and "congested_at_s" (s into the transfer), "path2_level_then":
        path 2's level when path 1's rose, "bytes":
        {spine: bytes from leaf00 after the congestion began}, "gbps",
        "retransmits"}."""
        say = on_step or (lambda _text: None)
        server = self.lab.iperf_server("h2", PORT, host_addr("h2"))
        client = None
        try:
            client = self.lab.popen("h1", "iperf3", "-c", host_addr("h2"), "-p", PORT, "-P", str(STREAMS),
                                    "-t", str(SECONDS), "-i", "0.5", "-J", stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            t0 = time.monotonic()
            before = self.lab.port_bytes()
            # The transfer is under way (bytes through both spines), then the port congests.
            wait_until(lambda: sum(self.lab.delta(before, self.lab.port_bytes()).get((sp, "lf00"), 0)
                                   for sp in ("spine1", "spine2")) > 50 << 20, 20, "the iperf3 streams")
            time.sleep(max(0.0, CONGEST_AT - (time.monotonic() - t0)))
            congested_at = time.monotonic() - t0
            self.lab.congest("spine1", "leaf02", f"{RATE_MBIT}mbit", ecn=True)
            say(f"{congested_at:.1f} s: $ tools/lab congest spine1 leaf02 --rate {RATE_MBIT}mbit --ecn")
            at_congestion = self.lab.port_bytes()
            try:
                wait_until(lambda: self.health(1).get("congestion", 0) > 0, 10, "path 1's congestion level rises")
            except TimeoutError as e:
                raise TimeoutError(f"{e}; the agent's log:\n{self.agent_log()}") from None
            level_at = time.monotonic() - t0
            path2_level = self.health(2).get("congestion", 0)
            say(f"{level_at:.1f} s: the agent raises path 1's congestion level "
                f"({self.health(1).get('congestion', 0)}/16) from the CE h2 reported")
            out, err = client.communicate(timeout=SECONDS + 30)
            if client.returncode != 0:
                raise RuntimeError(f"iperf3 failed: {err.strip() or out[-2000:]}")
            after = self.lab.delta(at_congestion, self.lab.port_bytes())
        finally:
            if client and client.poll() is None:
                client.kill()
                client.wait()
            server.kill()
            server.wait()
        result = json.loads(out)
        return {"streams": self.streams(result, congested_at), "level": self.health(1).get("congestion", 0),
                "level_at_s": level_at, "congested_at_s": congested_at, "path2_level_then": path2_level,
                "bytes": {sp: after.get((sp, "lf00"), 0) for sp in ("spine1", "spine2")},
                "gbps": result["end"]["sum_received"]["bits_per_second"] / 1e9,
                "retransmits": result["end"]["sum_sent"].get("retransmits", 0)}

    @staticmethod
    def streams(result, congested_at):
        """Each stream's home path (reference hash), rank, and its rate before
        the congestion and over the last JUDGE_LAST s."""
        streams = {}
        for c in result["start"]["connected"]:
            flow = ("tcp", c["local_host"], c["local_port"], c["remote_host"], c["remote_port"])
            streams[c["socket"]] = {"home": 1 + set_home(*flow, 2), "rank": flow_hash(*flow) >> 28,
                                    "port": c["local_port"], "first": [0, 0.0], "last": [0, 0.0]}
        end = result["end"]["sum_sent"]["seconds"]
        for iv in result["intervals"]:
            for s in iv["streams"]:
                st = streams[s["socket"]]
                for key, take in (("first", s["end"] <= congested_at), ("last", s["end"] > end - JUDGE_LAST)):
                    if take:
                        st[key][0] += s["bytes"]
                        st[key][1] += s["seconds"]
        out = []
        for st in streams.values():
            rate = {k: st[k][0] * 8 / st[k][1] / 1e6 if st[k][1] else 0.0 for k in ("first", "last")}
            out.append({"port": st["port"], "home": st["home"], "rank": st["rank"],
                        "mbit_first": rate["first"], "mbit_last": rate["last"]})
        return sorted(out, key=lambda s: (s["home"], s["rank"]))
