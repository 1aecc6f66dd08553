#!/usr/bin/python3
"""k8s/'s pod templates under Debian's podman, on the netns fabric (tools/lab).

`podman kube play` runs the DaemonSet's pod (k8s/daemonset.yaml) in lab host
h1's network namespace: hostNetwork makes h1's eth0 the node's NIC, so the
agent attaches there, with only the capabilities the manifest adds, and its
readiness probe (`srv6steer status --check`) passes inside the container.
Then the example Job's pod (k8s/example-job.yaml) runs unprivileged (uid
1000, no capabilities, only the agent socket's directory mounted,
read-only): its train.py is replaced by a client of a few lines that
connects to a sink on h2 over IPv4 and pins its own socket through the
agent (srv6steer.pinning, as srv6steer.torch does). The pin shows on the
node (`srv6steer list sockets`, owned by the client's pid), h1's traffic to
h2 crosses spine2 as its plan says (unsteered IPv4 takes spine1), and the
pin is gone once the client exits.

Where Debian's podman 4.3.1 differs from a kubelet, the test stands in, and
says so here (the manifests stay as they are):
  - kinds: kube play takes Pods and Deployments, not DaemonSets or Jobs ("YAML
    document does not contain any supported kube kind"): the pod templates
    are played as Pods (restartPolicy Never, so a failure shows at once).
  - $(VAR) in command and args is not expanded: expanded here from the
    container's env, as kubelet does.
  - hostPID is ignored (podman >= 4.5 has it): the agent's pod is played with
    containers.conf `pidns = "host"`.
  - securityContext.seccompProfile is ignored; podman reads the alpha
    annotations, whose runtime/default is containers.conf's seccomp_profile:
    here podman's own profile with bpf()/perf_event_open() allowed under
    CAP_BPF/CAP_PERFMON (tools/agent_seccomp.py), which is what containerd
    >= 1.6.9 does. (Debian's containers-common 0.50 allows bpf() only with
    CAP_SYS_ADMIN: k8s/README.md, "Seccomp".)
  - probes are systemd timers, and there is no systemd here: the test runs
    the readiness probe's command itself (podman exec).
  - images: no registry. The image is made of this machine's files
    (tools/hostimage.py: the built srv6steer, libsrv6steer, the binding,
    python3), not with k8s/Containerfile, in storage of this run's own.
  - the hostPath /run/srv6steer becomes a directory of this run (never the
    machine's real one); env values naming eth1 become eth0 (the lab's NIC);
    env from fieldRef (the Job's completion index) is left out: the client
    needs no rank.
  - crun refuses cgroup v1 hybrid hosts: runc; podman's default ulimits need
    CAP_SYS_RESOURCE: none (default_ulimits = []).

Run as root:  /usr/bin/python3 tests/e2e/podman_test.py -v      (ctest -R e2e_podman)
"""
import copy
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "testing"))
import hostimage  # noqa: E402
from agent_seccomp import with_bpf_caps  # noqa: E402
from skippolicy import main, skip_or_fail  # noqa: E402
from srv6lab import Lab, down_on_signal, host_addr, read_until, stop_on_signals, wait_until  # noqa: E402

K8S = ROOT / "k8s"
SRV6STEER = Path(os.environ.get("SRV6STEER_BIN", ROOT / "build" / "loader" / "srv6steer"))
LIBRARY = Path(os.environ.get("SRV6STEER_LIB", ROOT / "build" / "libsrv6steer" / "libsrv6steer.so.1"))
NODE = "h1"                # the node: its eth0 is the backend NIC
SINK = "h2"                # behind leaf02: h1's traffic crosses a spine
SINK_PORT = 5301
SEND = 8 << 20             # bytes the client sends
NIC = {"eth1": "eth0"}     # env values of the manifests -> the lab's
SOCKET_DIR = "/run/srv6steer"

# The client, in place of the Job's train.py: what pin_process_group does for
# each gloo connection, for one socket, then facts about itself (JSON lines).
CLIENT = r'''
import json, os, socket, sys
from srv6steer.pinning import pin_process_sockets
from srv6steer.plan import Plan

def say(**kw):
    print(json.dumps(kw, default=str), flush=True)

st = dict(l.split(":", 1) for l in open("/proc/self/status"))
say(event="start", uid=os.getuid(), gids=os.getgroups(), capeff=int(st["CapEff"], 16),
    nonewprivs=int(st["NoNewPrivs"]), seccomp=int(st["Seccomp"]), bpffs=sorted(os.listdir("/sys/fs/bpf")))
sink = (os.environ["SINK_ADDR"], int(os.environ["SINK_PORT"]))
s = socket.create_connection(sink)
plan = Plan.load(os.environ["SRV6STEER_PLAN"])
# Its connections to other hosts: the one to the sink.
pins = pin_process_sockets(plan=lambda c: plan.path_for(0, 1, 0, c), decap=plan.decap)
say(event="pinned", mode=pins.mode, pinned=[str(p) for p in pins.pinned],
    local=list(s.getsockname()), pin=pins.steering.socket_pin(s))
s.sendall(bytes(int(os.environ["SEND"])))
say(event="sent", checks=[c.state for c in pins.check(min_bytes=1 << 20)])
s.recv(1)   # the sink closes when the test has seen enough
say(event="done")
'''

# A pod that only tries to reach the agent.
CONNECT_ONLY = r'''
import errno, json, os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    s.connect(os.environ["SRV6STEER_AGENT_SOCKET"])
    e = None
except OSError as x:
    e = errno.errorcode[x.errno]
print(json.dumps({"event": "connect", "gids": os.getgroups(), "errno": e}), flush=True)
'''

# h2's end: counts what arrives, closes when told (a line on stdin).
SINK_SCRIPT = r'''
import socket, sys
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[2])))
l.listen(1)
print("listening", flush=True)
c, peer = l.accept()
n, want = 0, int(sys.argv[3])
while n < want:
    b = c.recv(1 << 20)
    if not b:
        break
    n += len(b)
print("received", n, flush=True)
sys.stdin.readline()
c.close()
'''


def expand(text: str, env: dict) -> str:
    """$(VAR) as kubelet expands it in command and args ($$ is a literal $)."""
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)


def as_pod(template: dict, name: str, image: str, host_dirs: dict, env: dict) -> dict:
    """A controller's pod template as a Pod that podman 4.3 plays (see the top)."""
    spec = copy.deepcopy(template["spec"])
    spec["restartPolicy"] = "Never"
    meta = {"name": name, "labels": dict(template.get("metadata", {}).get("labels", {})), "annotations": {}}
    prof = spec.get("securityContext", {}).get("seccompProfile", {}).get("type")
    for c in spec["containers"]:
        c["image"] = image
        for e in c.get("env", []):
            if e.get("value") in NIC:
                e["value"] = NIC[e["value"]]
        c["env"] = [e for e in c.get("env", []) if "value" in e] + \
            [{"name": k, "value": v} for k, v in env.items()]
        values = {e["name"]: e["value"] for e in c["env"]}
        for key in ("command", "args"):
            if key in c:
                c[key] = [expand(a, values) for a in c[key]]
        cprof = c.get("securityContext", {}).get("seccompProfile", {}).get("type", prof)
        if cprof == "RuntimeDefault":
            meta["annotations"][f"container.seccomp.security.alpha.kubernetes.io/{c['name']}"] = "runtime/default"
    for v in spec.get("volumes", []):
        if "hostPath" in v and v["hostPath"]["path"] in host_dirs:
            v["hostPath"]["path"] = str(host_dirs[v["hostPath"]["path"]])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def one_of(path: Path, kind: str) -> dict:
    return next(d for d in yaml.safe_load_all(path.read_text()) if d and d.get("kind") == kind)


class Podman:
    """podman with storage, configuration and runtime of its own (under
    `tmp`), run in a lab node's network namespace: pods with hostNetwork get
    that namespace, and `podman exec` into them must come from it too."""

    def __init__(self, tmp: Path, lab: Lab, node: str, seccomp: Path, infra: str):
        self.tmp, self.lab, self.node = tmp, lab, node
        tmp.mkdir(exist_ok=True)
        self.storage = ["--root", str(tmp / "root"), "--runroot", str(tmp / "run"), "--tmpdir", str(tmp / "tmp")]
        base = (f'[containers]\ndefault_ulimits = []\nseccomp_profile = "{seccomp}"\n'
                f'[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
                f'infra_image = "{infra}"\ninfra_command = "/pause"\n')
        self.conf = tmp / "containers.conf"
        self.conf.write_text(base)
        self.conf_hostpid = tmp / "containers-hostpid.conf"    # hostPID, which kube play ignores
        self.conf_hostpid.write_text(base.replace("[containers]\n", '[containers]\npidns = "host"\n'))

    def argv(self, *args) -> list[str]:
        return self.lab.cmd(self.node, "podman", *self.storage, *args)

    def run(self, *args, hostpid=False, check=True, timeout=60, input=None):
        env = dict(os.environ, CONTAINERS_CONF=str(self.conf_hostpid if hostpid else self.conf))
        r = subprocess.run(self.argv(*map(str, args)), capture_output=True, text=True, timeout=timeout,
                           input=input, env=env)
        if check and r.returncode != 0:
            raise AssertionError(f"podman {' '.join(map(str, args))} -> {r.returncode}\n{r.stdout}{r.stderr}")
        return r

    def import_rootfs(self, rootfs: Path, tag: str, *changes: str) -> None:
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        env = dict(os.environ, CONTAINERS_CONF=str(self.conf))
        argv = self.argv("import", *[a for c in changes for a in ("--change", c)], "-", tag)
        r = subprocess.run(argv, stdin=tar.stdout, capture_output=True, text=True, timeout=120, env=env)
        tar.stdout.close()
        tar.wait()
        if r.returncode != 0:
            raise AssertionError(f"podman import {tag} -> {r.returncode}\n{r.stderr}")

    def play(self, pod: dict, *configmaps: Path, hostpid=False):
        f = self.tmp / f"{pod['metadata']['name']}.yaml"
        f.write_text(yaml.safe_dump(pod))
        args = ["kube", "play", "--quiet"]
        for cm in configmaps:
            args += ["--configmap", cm]
        return self.run(*args, f, hostpid=hostpid)

    def inspect(self, container: str) -> dict:
        return json.loads(self.run("inspect", container).stdout)[0]

    def logs(self, container: str) -> str:
        r = self.run("logs", container, check=False)
        return r.stdout + r.stderr

    def down(self) -> None:
        """Everything this podman made, and its storage (even after a failure)."""
        if not (self.tmp / "root").exists():
            return
        self.run("pod", "rm", "--all", "--force", "--time", "0", check=False)
        self.run("rm", "--all", "--force", "--time", "0", check=False)
        self.run("rmi", "--all", "--force", check=False)
        self.run("system", "reset", "--force", check=False, timeout=120)
        # Whatever is still mounted under the storage (a container killed halfway).
        with open("/proc/self/mountinfo") as f:
            mounts = [line.split()[4] for line in f]
        for m in sorted((m for m in mounts if m.startswith(str(self.tmp) + "/")), key=len, reverse=True):
            subprocess.run(["umount", "-l", m], capture_output=True)


class Cleanup:
    """What a signal (ctest's timeout, Ctrl-C) must undo too: srv6lab's
    down_on_signal() calls down()."""

    def __init__(self):
        self.steps = []

    def down(self):
        while self.steps:
            step = self.steps.pop()
            try:
                step()
            except Exception as e:  # keep undoing the rest
                print(f"cleanup: {e}", file=sys.stderr)


class PodmanTest(unittest.TestCase):
    lab = None

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            skip_or_fail("needs root")
        missing = [t for t in ("podman", "runc") if not shutil.which(t)]
        if missing:
            skip_or_fail(f"needs {' and '.join(missing)} (Debian packages: tools/install-deps)")
        for f in (SRV6STEER, LIBRARY):
            if not f.exists():
                skip_or_fail(f"build srv6steer and srv6steer_lib first ({f})")
        cls.cleanup = Cleanup()
        cls.addClassCleanup(cls.cleanup.down)
        cls.tmp = Path(tempfile.mkdtemp(prefix="srv6steer-podman-"))
        cls.cleanup.steps.append(lambda: shutil.rmtree(cls.tmp, ignore_errors=True))
        cls.lab = Lab.unique("p")
        cls.cleanup.steps.append(cls.lab.down)
        down_on_signal(cls.cleanup)
        cls.lab.down()
        cls.lab.up()

        seccomp = cls.tmp / "seccomp.json"
        seccomp.write_text(json.dumps(with_bpf_caps(json.loads(Path("/usr/share/containers/seccomp.json").read_text()))))
        tag = f"localhost/srv6steer-test:{os.getpid()}"
        cls.pm = Podman(cls.tmp / "podman", cls.lab, NODE, seccomp, tag + "-infra")
        cls.cleanup.steps.append(cls.pm.down)
        cls.cleanup.steps.append(lambda: cls.cli("detach", "eth0", check=False))
        rootfs = cls.tmp / "rootfs"
        hostimage.build(rootfs, SRV6STEER, LIBRARY, ROOT / "python")
        path = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"   # as debian:bookworm's
        cls.pm.import_rootfs(rootfs, tag, path, 'ENTRYPOINT ["/usr/local/sbin/srv6steer"]', 'CMD ["--help"]')
        cls.pm.import_rootfs(rootfs, tag + "-infra", path, 'ENTRYPOINT ["/pause"]')
        shutil.rmtree(rootfs)
        cls.image = tag
        cls.sockets = cls.tmp / "run-srv6steer"       # the node's /run/srv6steer

        ds = one_of(K8S / "daemonset.yaml", "DaemonSet")
        cls.agent_pod = as_pod(ds["spec"]["template"], "srv6steer-agent", tag, {SOCKET_DIR: cls.sockets}, {})
        cls.pm.play(cls.agent_pod, K8S / "configmap.yaml", hostpid=True)
        cls.agent = "srv6steer-agent-agent"
        probe = cls.agent_pod["spec"]["containers"][0]["readinessProbe"]["exec"]["command"]
        try:
            wait_until(lambda: cls.pm.run("exec", cls.agent, *probe, check=False).returncode == 0
                       or cls.pm.inspect(cls.agent)["State"]["Status"] != "running", 30, "the agent's readiness")
            if cls.pm.inspect(cls.agent)["State"]["Status"] != "running":
                raise AssertionError("the agent stopped")
            wait_until(lambda: (cls.sockets / "agent.sock").exists(), 10, "the agent socket")
        except (AssertionError, TimeoutError) as e:
            raise AssertionError(f"{e}; the agent's log:\n{cls.pm.logs(cls.agent)}") from None

    @classmethod
    def cli(cls, *args, check=True):
        return cls.lab.steer(SRV6STEER, NODE, *args, check=check)

    @staticmethod
    def end(proc):
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)

    def lf00_bytes(self):
        c = self.lab.counters_detail()
        return {sp: c[sp]["ifaces"]["lf00"]["rx_bytes"] for sp in ("spine1", "spine2")}

    # ---- the agent --------------------------------------------------------------
    def test_1_agent_runs_unprivileged_and_steers_the_nodes_nic(self):
        info = self.pm.inspect(self.agent)
        sc = self.agent_pod["spec"]["containers"][0]["securityContext"]
        want = sorted(f"CAP_{c}" for c in sc["capabilities"]["add"])
        self.assertEqual(sorted(info["EffectiveCaps"]), want, "the agent holds exactly the manifest's capabilities")
        self.assertFalse(info["HostConfig"]["Privileged"])
        self.assertTrue(info["HostConfig"]["ReadonlyRootfs"])
        self.assertEqual(info["HostConfig"]["NetworkMode"], "host")
        self.assertEqual(info["HostConfig"]["PidMode"], "host")
        # The readiness probe passed inside (setUpClass); the node sees the same state.
        out = self.cli("status", "--check", "eth0").stdout
        self.assertIn("steering", out)
        self.assertEqual(len(json.loads(self.cli("list", "prefixes", "-j").stdout)), 3,
                         "the ConfigMap's three prefix pins")
        st = os.stat(self.sockets / "agent.sock")
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(oct(stat.S_IMODE(st.st_mode)), "0o660")
        args = self.agent_pod["spec"]["containers"][0]["args"]
        self.assertEqual(st.st_gid, int(args[args.index("--socket-group") + 1]))

    # ---- unprivileged job pods ---------------------------------------------------
    def job_pod(self, name, script, plan, env, groups=True):
        """example-job.yaml's pod, named name, running `script` in place of
        train.py with `plan` as plan.json; played, and removed at the end."""
        docs = list(yaml.safe_load_all((K8S / "example-job.yaml").read_text()))
        cm = copy.deepcopy(next(d for d in docs if d["kind"] == "ConfigMap"))
        job = next(d for d in docs if d["kind"] == "Job")
        cm["metadata"].pop("namespace", None)
        cm["data"] = {"plan.json": json.dumps(plan), "train.py": script}
        cm_file = self.tmp / f"{name}-configmap.yaml"
        cm_file.write_text(yaml.safe_dump(cm))
        pod = as_pod(job["spec"]["template"], name, self.image, {SOCKET_DIR: self.sockets}, env)
        self.assertEqual([v["hostPath"]["path"] for v in pod["spec"]["volumes"] if "hostPath" in v],
                         [str(self.sockets)], "the job pod gets nothing else from the node")
        if not groups:
            del pod["spec"]["securityContext"]["supplementalGroups"]
        self.addCleanup(lambda: self.pm.run("pod", "rm", "--force", "--time", "0", name, check=False))
        self.pm.play(pod, cm_file)
        return f"{name}-{job['spec']['template']['spec']['containers'][0]['name']}"

    def events(self, ctr):
        """The client's JSON lines so far: {event: line}."""
        out = {}
        for line in self.pm.logs(ctr).splitlines():
            if line.startswith("{"):
                e = json.loads(line)
                out[e["event"]] = e
        return out

    def wait_event(self, ctr, what, timeout=60):
        def seen():
            running = self.pm.inspect(ctr)["State"]["Status"] in ("running", "configured", "created")
            got = self.events(ctr)      # read after: all it said if it has ended
            if what in got:
                return got
            if not running:
                raise AssertionError(f"the client ended before {what!r}:\n{self.pm.logs(ctr)}")
            return None
        return wait_until(seen, timeout, f"{ctr}: {what}")

    def test_2_unprivileged_job_pod_pins_its_own_socket(self):
        sink = self.lab.popen(SINK, "/usr/bin/python3", "-c", SINK_SCRIPT, host_addr(SINK, 4), SINK_PORT, SEND,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self.end, sink)
        read_until(sink, r"^listening", 10, "the sink on h2")
        plan = {"version": 1, "block": "fcbb:0::/32", "decap": {"ipv6": "fe06", "ipv4": "fe04"}, "world_size": 2,
                "pairs": [{"src": 0, "dst": 1, "path": "1002,1006"}]}      # via spine2; plain IPv4: spine1
        before = self.lf00_bytes()
        ctr = self.job_pod("train-0", CLIENT, plan,
                           {"SINK_ADDR": host_addr(SINK, 4), "SINK_PORT": str(SINK_PORT), "SEND": str(SEND)})

        got = self.wait_event(ctr, "sent")
        start, pinned = got["start"], got["pinned"]
        # Unprivileged, as the manifest says.
        self.assertEqual(start["uid"], 1000)
        self.assertEqual(start["capeff"], 0, "no capabilities")
        self.assertEqual(start["nonewprivs"], 1)
        self.assertEqual(start["seccomp"], 2, "a seccomp filter")
        self.assertIn(2048, start["gids"], "the agent socket's group")
        self.assertEqual(start["bpffs"], [], "no bpffs in the pod")
        self.assertEqual(pinned["mode"], "agent")
        self.assertEqual(len(pinned["pinned"]), 1, pinned)
        self.assertEqual(got["sent"]["checks"], ["steered"], "the client's own check")
        self.assertEqual(read_until(sink, r"^received", 30, "the sink's count")[-1].split(), ["received", str(SEND)])

        # The node sees the pin, owned by the client's process (its pid on the node).
        pid = self.pm.inspect(ctr)["State"]["Pid"]
        socks = json.loads(self.cli("list", "sockets", "-j").stdout)
        mine = [s for s in socks if s["owner_pid"] == pid]
        self.assertEqual(len(mine), 1, f"one socket pin owned by pid {pid}: {socks}")
        local = pinned["local"]
        self.assertEqual(mine[0]["flow"], f"tcp {local[0]} {local[1]} {host_addr(SINK, 4)} {SINK_PORT}")
        self.assertGreaterEqual(mine[0]["bytes"], SEND, "the pin counted what the socket sent")
        paths = {p["id"]: p["segments"] for p in json.loads(self.cli("path", "list", "-j").stdout)}
        self.assertEqual(paths.get(mine[0].get("path")), ["fcbb:0:1002:1006:fe04::"],
                         "the plan's path, with the IPv4 decap function")
        # h1 -> h2 crossed spine2 (the plan), not spine1 (plain IPv4 routing).
        d = Lab.delta(before, self.lf00_bytes())
        self.assertGreaterEqual(d["spine2"], SEND, f"spine2 carried the pinned socket's bytes: {d}")
        self.assertLess(d["spine1"], SEND // 20, f"spine1 carried (almost) nothing: {d}")

        # The pin ends with the socket: the client exits once the sink closes.
        sink.stdin.write("close\n")
        sink.stdin.flush()
        wait_until(lambda: self.pm.inspect(ctr)["State"]["Status"] == "exited", 30, "the client's end")
        self.assertEqual(self.pm.inspect(ctr)["State"]["ExitCode"], 0, self.pm.logs(ctr))
        self.assertIn("done", self.events(ctr))
        left = [s for s in json.loads(self.cli("list", "sockets", "-j").stdout) if s["cookie"] == mine[0]["cookie"]]
        self.assertEqual(left, [], "no pin is left after the client")

    def test_3_a_pod_outside_the_sockets_group_cannot_connect(self):
        ctr = self.job_pod("train-1", CONNECT_ONLY, {"version": 1, "pairs": []}, {}, groups=False)
        got = self.wait_event(ctr, "connect")
        self.assertNotIn(2048, got["connect"]["gids"])
        self.assertEqual(got["connect"]["errno"], "EACCES", got)

if __name__ == "__main__":
    stop_on_signals()
    main()
