#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Checks the manifests in k8s/ without a cluster (ctest: k8s_manifests_parse).

Every YAML document parses and has the kind it should; the DaemonSet's key
fields are what the agent needs (host network and PIDs, the bpffs mount, the
agent's command line and socket, the ConfigMap mount, probes, resources) and
no more: not privileged, exactly the capabilities k8s/README.md gives reasons
for, the runtime's seccomp profile, no init container copying files to the
node. The example job is unprivileged: no hostPID, no capabilities, a
non-root user, no seccomp Unconfined, only the agent socket's directory from
the host (read-only), the same socket the agent serves; its plan parses with
the Python binding's srv6steer.plan and its script compiles. The ConfigMap's
config is valid JSON and passes the agent's own validation (`srv6steer agent
--check`, the same code as `apply`, on a data plane loaded in this process
only: nothing attached, nothing pinned). With kubectl at hand, `kubectl
kustomize` must build k8s/ (offline).

    /usr/bin/python3 k8s/check_manifests.py [--srv6steer BUILD/loader/srv6steer]

Exit 0: all good; 1: problems (listed); 77: the checks that need root and BPF
(--check) could not run, the rest passed.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = pathlib.Path(__file__).resolve().parent
SKIP = 77

problems: list[str] = []


def check(ok: bool, what: str) -> bool:
    if not ok:
        problems.append(what)
    return ok


def load(name: str) -> list[dict]:
    with open(HERE / name) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    for i, d in enumerate(docs):
        where = f"{name}[{i}]"
        check(isinstance(d, dict), f"{where}: not a mapping")
        for key in ("apiVersion", "kind"):
            check(key in d, f"{where}: no {key}")
        if d.get("kind") != "Kustomization":
            check(bool(d.get("metadata", {}).get("name")), f"{where}: no metadata.name")
    return docs


def kinds(docs: list[dict]) -> list[str]:
    return [d.get("kind") for d in docs]


def one(docs: list[dict], kind: str) -> dict:
    found = [d for d in docs if d.get("kind") == kind]
    check(len(found) == 1, f"expected one {kind}, found {len(found)}")
    return found[0] if found else {}


def by_name(items: list[dict] | None, name: str) -> dict:
    return next((i for i in items or [] if i.get("name") == name), {})


# The agent's capabilities, each for a reason (k8s/README.md, "Capabilities",
# has what fails without each): bpf() maps and programs; the TC hook, route
# MTUs and sched_cls programs; the verifier's pointer arithmetic.
AGENT_CAPS = {"BPF", "NET_ADMIN", "PERFMON"}
AGENT_SOCKET = "/run/srv6steer/agent.sock"


def pod_checks(where: str, spec: dict) -> None:
    """What every pod that pins needs: the node's network namespace (the NIC,
    its state directory; socket pins act on packets sent there), and nothing
    that runs privileged."""
    check(spec.get("hostNetwork") is True, f"{where}: hostNetwork must be true (the node's NIC and its sockets)")
    check(spec.get("dnsPolicy") == "ClusterFirstWithHostNet", f"{where}: dnsPolicy ClusterFirstWithHostNet")
    for c in spec.get("initContainers", []) + spec.get("containers", []):
        sc = c.get("securityContext", {})
        check(sc.get("privileged") is not True, f"{where}: container {c.get('name')} is privileged")
        check(sc.get("allowPrivilegeEscalation") is False,
              f"{where}: container {c.get('name')} must set allowPrivilegeEscalation: false")
        check(sc.get("capabilities", {}).get("drop") == ["ALL"],
              f"{where}: container {c.get('name')} must drop ALL capabilities (and add only what it needs)")
        for level, ctx in (("pod", spec.get("securityContext", {})), ("container", sc)):
            prof = ctx.get("seccompProfile", {}).get("type")
            check(prof in (None, "RuntimeDefault", "Localhost"),
                  f"{where}: {level} seccompProfile {prof} (RuntimeDefault or Localhost, never Unconfined)")
        check("seccompProfile" in sc or "seccompProfile" in spec.get("securityContext", {}),
              f"{where}: container {c.get('name')} has no seccompProfile (RuntimeDefault)")


def host_paths(spec: dict) -> dict[str, dict]:
    """{volume name: hostPath} of the pod's hostPath volumes."""
    return {v.get("name"): v["hostPath"] for v in spec.get("volumes", []) if "hostPath" in v}


def mounts_of(container: dict) -> dict[str, dict]:
    return {m.get("mountPath"): m for m in container.get("volumeMounts", [])}


def check_daemonset(docs: list[dict], sa: dict, cm: dict) -> dict:
    ds = one(docs, "DaemonSet")
    check(ds.get("apiVersion") == "apps/v1", "daemonset: apiVersion apps/v1")
    check(ds.get("metadata", {}).get("namespace") == "srv6steer", "daemonset: namespace srv6steer")
    tmpl = ds.get("spec", {}).get("template", {})
    spec = tmpl.get("spec", {})
    labels = tmpl.get("metadata", {}).get("labels", {})
    selector = ds.get("spec", {}).get("selector", {}).get("matchLabels", {})
    check(bool(selector) and all(labels.get(k) == v for k, v in selector.items()),
          "daemonset: the selector does not match the template's labels")
    pod_checks("daemonset", spec)
    check(spec.get("hostPID") is True, "daemonset: hostPID must be true (clients' SO_PEERCRED pids, gc)")
    check(not spec.get("initContainers"), "daemonset: no init containers (nothing is copied to the node)")
    check(spec.get("nodeSelector") == {"srv6steer.io/enabled": "true"},
          'daemonset: nodeSelector must be srv6steer.io/enabled: "true"')
    check(any(t.get("key") == "nvidia.com/gpu" and t.get("operator") == "Exists" for t in spec.get("tolerations", [])),
          "daemonset: no toleration for GPU nodes (nvidia.com/gpu)")
    check(spec.get("serviceAccountName") == sa.get("metadata", {}).get("name"),
          "daemonset: serviceAccountName is not rbac.yaml's ServiceAccount")
    check(spec.get("automountServiceAccountToken") is False, "daemonset: the agent needs no API token")

    agent = by_name(spec.get("containers"), "agent")
    check(bool(agent), "daemonset: no container named agent")
    argv = agent.get("command", []) + agent.get("args", [])
    want = ["/usr/local/sbin/srv6steer", "agent", "--config", "/etc/srv6steer/config.json", "--dev", "$(SRV6STEER_DEV)"]
    check(argv[:len(want)] == want, f"daemonset: the agent's command line is {argv}, expected {want} first")
    check("--detach-on-exit" not in argv, "daemonset: --detach-on-exit would stop steering on every agent update")
    env = {e.get("name"): e for e in agent.get("env", [])}
    check("value" in env.get("SRV6STEER_DEV", {}), "daemonset: env SRV6STEER_DEV (a plain value)")

    sc = agent.get("securityContext", {})
    caps = sc.get("capabilities", {}).get("add", [])
    check(sorted(caps) == sorted(AGENT_CAPS),
          f"daemonset: the agent adds the capabilities {caps}: exactly {sorted(AGENT_CAPS)} (k8s/README.md says why)")
    check(sc.get("readOnlyRootFilesystem") is True, "daemonset: the agent's root filesystem read-only")
    mounts = mounts_of(agent)
    hp = host_paths(spec)
    bpf = mounts.get("/sys/fs/bpf", {})
    check(hp.get(bpf.get("name"), {}).get("path") == "/sys/fs/bpf", "daemonset: the node's /sys/fs/bpf at /sys/fs/bpf")
    check(bpf.get("mountPropagation") == "HostToContainer",
          "daemonset: the bpffs mount needs mountPropagation HostToContainer (Bidirectional needs privileged)")
    check(not any(h.get("path", "").startswith("/opt") for h in hp.values()),
          "daemonset: nothing of the node's /opt (no library is installed on the node)")

    # The agent socket: served in a hostPath directory that the jobs mount too.
    sock = argv[argv.index("--socket") + 1] if "--socket" in argv[:-1] else None
    check(sock == AGENT_SOCKET, f"daemonset: the agent must serve --socket {AGENT_SOCKET}, has {sock}")
    sock_dir = str(pathlib.PurePosixPath(AGENT_SOCKET).parent)
    sm = mounts.get(sock_dir, {})
    check(hp.get(sm.get("name"), {}).get("path") == sock_dir and not sm.get("readOnly"),
          f"daemonset: the node's {sock_dir} must be mounted (writable) at {sock_dir}")
    group = argv[argv.index("--socket-group") + 1] if "--socket-group" in argv[:-1] else None
    check(group is not None and group.isdigit(), "daemonset: --socket-group GID (a number: the image has no group names)")
    check(group is not None and int(group) in spec.get("securityContext", {}).get("supplementalGroups", []),
          "daemonset: the agent must be in its socket's group (supplementalGroups): it has no CAP_CHOWN")

    # The config file: --config's directory is the ConfigMap's mount, its name a key.
    conf = pathlib.PurePosixPath(want[3])
    cm_mount = mounts.get(str(conf.parent), {})
    check(bool(cm_mount), f"daemonset: nothing is mounted at {conf.parent}")
    check("subPath" not in cm_mount, "daemonset: a subPath mount of the ConfigMap never sees updates")
    vol = by_name(spec.get("volumes"), cm_mount.get("name", ""))
    check(vol.get("configMap", {}).get("name") == cm.get("metadata", {}).get("name"),
          "daemonset: the config volume is not configmap.yaml's ConfigMap")
    check(conf.name in cm.get("data", {}), f"daemonset: the ConfigMap has no key {conf.name}")

    res = agent.get("resources", {})
    check(bool(res.get("requests")) and bool(res.get("limits")), "daemonset: resources requests and limits")
    for probe in ("readinessProbe", "livenessProbe"):
        cmd = " ".join(agent.get(probe, {}).get("exec", {}).get("command", []))
        check("srv6steer status --check" in cmd and "SRV6STEER_DEV" in cmd and "|" not in cmd,
              f"daemonset: {probe} must run srv6steer status --check on $SRV6STEER_DEV (its exit code "
              f"is the verdict: no pipe), runs {cmd!r}")
    return ds


def run_check(binary: str, config_text: str) -> bool | None:
    """srv6steer agent --check on the text; None when it cannot run here."""
    if os.geteuid() != 0:
        print("SKIP: srv6steer agent --check needs root (it loads the BPF programs)")
        return None
    if not binary or not os.access(binary, os.X_OK):
        print(f"SKIP: no srv6steer binary ({binary!r}); pass --srv6steer")
        return None
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "config.json")
        with open(path, "w") as f:
            f.write(config_text)
        r = subprocess.run([binary, "agent", "--check", "-c", path], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"configmap: config.json does not validate:\n{r.stderr}")
    check(r.stdout.endswith("is valid: 4 paths, 2 sets, 3 pins\n"), f"configmap: --check said {r.stdout!r}")
    print(r.stdout, end="")
    return r.returncode == 0


def check_example_job(python_dir: str | None, ds: dict) -> None:
    docs = load("example-job.yaml")
    check(kinds(docs) == ["ConfigMap", "Service", "Job"], f"example-job: kinds {kinds(docs)}")
    cm, job = one(docs, "ConfigMap"), one(docs, "Job")
    spec = job.get("spec", {}).get("template", {}).get("spec", {})
    pod_checks("example-job", spec)
    check(not spec.get("hostPID"), "example-job: no hostPID (the agent knows its clients by SO_PEERCRED)")
    check(spec.get("nodeSelector", {}).get("srv6steer.io/enabled") == "true", "example-job: runs where the agent runs")
    psc = spec.get("securityContext", {})
    train = by_name(spec.get("containers"), "train")
    sc = train.get("securityContext", {})
    check(sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True, "example-job: runAsNonRoot: true")
    check(sc.get("runAsUser", psc.get("runAsUser", 0)) != 0, "example-job: runs as a user other than root")
    check(not sc.get("capabilities", {}).get("add"), "example-job: adds capabilities (it needs none)")
    check(len(spec.get("containers", [])) == 1 and not spec.get("initContainers"),
          "example-job: one container, no init containers")

    # From the node: the agent socket's directory only, read-only, the one the agent serves.
    ds_spec = ds.get("spec", {}).get("template", {}).get("spec", {})
    sock_dir = str(pathlib.PurePosixPath(AGENT_SOCKET).parent)
    ds_sock = next((h for n, h in host_paths(ds_spec).items() if h.get("path") == sock_dir), {})
    hp = host_paths(spec)
    check([h.get("path") for h in hp.values()] == [sock_dir],
          f"example-job: the only hostPath must be the agent socket's directory {sock_dir}, has "
          f"{[h.get('path') for h in hp.values()]}")
    check(bool(ds_sock), f"example-job: the DaemonSet does not share {sock_dir}")
    mounts = mounts_of(train)
    sm = mounts.get(sock_dir, {})
    check(sm.get("name") in hp and sm.get("readOnly") is True,
          f"example-job: {sock_dir} mounted read-only at {sock_dir} (connect needs no writable mount)")
    ds_argv = next((c.get("command", []) + c.get("args", []) for c in ds_spec.get("containers", [])
                    if c.get("name") == "agent"), [])
    group = ds_argv[ds_argv.index("--socket-group") + 1] if "--socket-group" in ds_argv[:-1] else ""
    check(group.isdigit() and int(group) in psc.get("supplementalGroups", []),
          f"example-job: the pod must be in the agent socket's group {group} (supplementalGroups)")
    env = {e["name"]: e.get("value") for e in train.get("env", [])}
    check(env.get("SRV6STEER_AGENT_SOCKET") == AGENT_SOCKET,
          f"example-job: SRV6STEER_AGENT_SOCKET must be the agent's {AGENT_SOCKET}")
    check(env.get("SRV6STEER_MODE") == "agent", "example-job: SRV6STEER_MODE=agent (no privileged fallback)")
    for name in ("SRV6STEER_LIB", "PYTHONPATH", "LD_LIBRARY_PATH"):
        check(name not in env, f"example-job: {name}: the image carries the library and the binding")
    check(env.get("GLOO_SOCKET_IFNAME") is not None, "example-job: GLOO_SOCKET_IFNAME (gloo on the backend NIC)")

    # The plan and the script, from the job's ConfigMap.
    vol = next((v for v in spec.get("volumes", []) if "configMap" in v), {})
    check(vol.get("configMap", {}).get("name") == cm.get("metadata", {}).get("name"),
          "example-job: the job's ConfigMap volume names another ConfigMap")
    cm_dir = next((p for p, m in mounts.items() if m.get("name") == vol.get("name")), "")
    plan_file = pathlib.PurePosixPath(env.get("SRV6STEER_PLAN") or "/")
    data = cm.get("data", {})
    check(str(plan_file.parent) == cm_dir and plan_file.name in data,
          f"example-job: SRV6STEER_PLAN {plan_file} is not a key of the ConfigMap mounted at {cm_dir}")
    check(train.get("command", [])[-1:] == [f"{cm_dir}/train.py"] and "train.py" in data,
          "example-job: the container runs the ConfigMap's train.py")
    script = data.get("train.py", "")
    try:
        compile(script, "train.py", "exec")
    except SyntaxError as e:
        problems.append(f"example-job: train.py: {e}")
    check("pin_process_group(" in script, "example-job: train.py does not call srv6steer.torch.pin_process_group")
    if python_dir:
        sys.path.insert(0, python_dir)
        from srv6steer.plan import Plan, PlanError  # no library, no torch needed

        try:
            plan = Plan.from_json(data.get(plan_file.name, ""), source="plan.json")
            world = int(env.get("WORLD_SIZE") or 0)
            check(plan.world_size == world == job.get("spec", {}).get("completions"),
                  f"example-job: plan world_size {plan.world_size}, WORLD_SIZE {world} and completions differ")
            check(all(0 <= s < world and 0 <= d < world for s, d in plan.pairs),
                  "example-job: the plan names ranks outside the job")
        except (PlanError, ValueError) as e:
            problems.append(f"example-job: {e}")


def check_kustomize() -> None:
    kustomization = load("kustomization.yaml")[0]
    check(kustomization.get("resources") == ["rbac.yaml", "configmap.yaml", "daemonset.yaml"],
          "kustomization: resources must be rbac.yaml, configmap.yaml, daemonset.yaml")
    kubectl = shutil.which("kubectl")
    if not kubectl:
        return
    r = subprocess.run([kubectl, "kustomize", str(HERE)], capture_output=True, text=True, timeout=60)
    if check(r.returncode == 0, f"kubectl kustomize k8s/ failed:\n{r.stderr}"):
        built = [d for d in yaml.safe_load_all(r.stdout) if d]
        check(kinds(built)[0] == "Namespace", f"kubectl kustomize: the Namespace must come first: {kinds(built)}")
        check(sorted(kinds(built)) == ["ConfigMap", "DaemonSet", "Namespace", "ServiceAccount"],
              f"kubectl kustomize: built {kinds(built)}")


def check_containerfile() -> None:
    text = (HERE / "Containerfile").read_text()
    check("FROM debian:bookworm" in text, "Containerfile: FROM debian:bookworm")
    for pkg in ("libbpf1", "libnl-3-200", "libnl-route-3-200"):
        check(pkg in text, f"Containerfile: does not install {pkg}")
    check("COPY rootfs/ /" in text, "Containerfile: does not copy the installed tree (rootfs/)")
    check("python3.11/dist-packages" in text, "Containerfile: the binding where Debian 12's python3 finds it")
    # The job image takes the library and the binding from the agent's image.
    job = (HERE / "Containerfile.job").read_text()
    check("FROM ${SRV6STEER_IMAGE} AS srv6steer" in job, "Containerfile.job: FROM the srv6steer image")
    for what in ("/usr/local/lib/libsrv6steer.so", "/usr/local/lib/python3.11/dist-packages/srv6steer"):
        check(f"COPY --from=srv6steer {what}" in job, f"Containerfile.job: does not copy {what}")
    for pkg in ("libbpf1", "libnl-3-200", "libnl-route-3-200", "python3-torch"):
        check(pkg in job, f"Containerfile.job: does not install {pkg}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--srv6steer", help="the built srv6steer binary, for agent --check")
    ap.add_argument("--python-dir", default=str(HERE.parent / "python"), help="the Python binding's directory")
    args = ap.parse_args()

    names = sorted(p.name for p in HERE.glob("*.yaml"))
    check(names == ["configmap.yaml", "daemonset.yaml", "example-job.yaml", "kustomization.yaml", "rbac.yaml"],
          f"k8s/: unexpected YAML files {names}")

    rbac = load("rbac.yaml")
    check(kinds(rbac) == ["Namespace", "ServiceAccount"], f"rbac: kinds {kinds(rbac)} (no roles: none are needed)")
    ns, sa = one(rbac, "Namespace"), one(rbac, "ServiceAccount")
    check(ns.get("metadata", {}).get("name") == "srv6steer", "rbac: namespace srv6steer")
    check(sa.get("metadata", {}).get("namespace") == "srv6steer", "rbac: the ServiceAccount is in srv6steer")

    cms = load("configmap.yaml")
    check(kinds(cms) == ["ConfigMap"], f"configmap: kinds {kinds(cms)}")
    cm = one(cms, "ConfigMap")
    check(cm.get("metadata", {}).get("namespace") == "srv6steer", "configmap: namespace srv6steer")
    text = cm.get("data", {}).get("config.json", "")
    try:
        config = json.loads(text)
        check("interface" not in config, "configmap: the DaemonSet names the interface (--dev), not the file")
        check(config.get("block") == "fcbb:0::/32", "configmap: the lab's block fcbb:0::/32")
    except json.JSONDecodeError as e:
        problems.append(f"configmap: config.json is not JSON: {e}")

    ds_docs = load("daemonset.yaml")
    check(kinds(ds_docs) == ["DaemonSet"], f"daemonset: kinds {kinds(ds_docs)}")
    ds = check_daemonset(ds_docs, sa, cm)
    check_example_job(args.python_dir, ds)
    check_kustomize()
    check_containerfile()

    ran = run_check(args.srv6steer, text)
    for p in problems:
        print(f"PROBLEM: {p}")
    if problems:
        return 1
    if ran is None:
        return SKIP
    print("k8s/: all manifests check out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
