#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Checks the manifests in k8s/ without a cluster (ctest: k8s_manifests_parse).

Every YAML document parses and has the kind it should; the DaemonSet's key
fields are what the agent needs (host network and PIDs, the bpffs mount, the
agent's command line, the ConfigMap mount, probes, resources); the
ConfigMap's config is valid JSON and passes the agent's own validation
(`srv6steer agent --check`, the same code as `apply`, on a data plane loaded
in this process only: nothing attached, nothing pinned); the example job's
path specs parse with the Python binding's PathSpec and its script compiles.
With kubectl at hand, `kubectl kustomize` must build k8s/ (offline).

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


def pod_checks(where: str, spec: dict) -> None:
    """What every pod that touches srv6steer state needs."""
    check(spec.get("hostNetwork") is True, f"{where}: hostNetwork must be true (the node's NIC and pin directory)")
    check(spec.get("hostPID") is True, f"{where}: hostPID must be true (owner pids, gc)")
    check(spec.get("dnsPolicy") == "ClusterFirstWithHostNet", f"{where}: dnsPolicy ClusterFirstWithHostNet")
    bpffs = [v for v in spec.get("volumes", []) if v.get("hostPath", {}).get("path") == "/sys/fs/bpf"]
    check(len(bpffs) == 1, f"{where}: one hostPath volume for /sys/fs/bpf")
    mounted = [
        m for c in spec.get("containers", []) for m in c.get("volumeMounts", [])
        if bpffs and m.get("name") == bpffs[0]["name"]
    ]
    check(any(m.get("mountPath") == "/sys/fs/bpf" for m in mounted), f"{where}: the bpffs is not mounted at /sys/fs/bpf")


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
    caps = set(sc.get("capabilities", {}).get("add", []))
    check(sc.get("privileged") is True or {"BPF", "NET_ADMIN", "SYS_ADMIN", "PERFMON"} <= caps,
          "daemonset: the agent must be privileged, or have BPF, NET_ADMIN, SYS_ADMIN and PERFMON")
    mounts = {m.get("mountPath"): m for m in agent.get("volumeMounts", [])}
    bpf = mounts.get("/sys/fs/bpf", {})
    check(bpf.get("mountPropagation") in ("Bidirectional", "HostToContainer"),
          "daemonset: the bpffs mount needs mount propagation from the host")
    check(bpf.get("mountPropagation") != "Bidirectional" or sc.get("privileged") is True,
          "daemonset: Bidirectional mount propagation is allowed only in privileged containers")

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
    # The init container puts the library where example-job.yaml looks for it.
    init = by_name(spec.get("initContainers"), "install-library")
    script = " ".join(init.get("command", []))
    check("libsrv6steer.so.1" in script and "dist-packages/srv6steer" in script,
          "daemonset: install-library does not install the library and the binding")
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


def check_example_job(python_dir: str | None) -> None:
    docs = load("example-job.yaml")
    check(kinds(docs) == ["ConfigMap", "Service", "Job"], f"example-job: kinds {kinds(docs)}")
    cm, job = one(docs, "ConfigMap"), one(docs, "Job")
    spec = job.get("spec", {}).get("template", {}).get("spec", {})
    pod_checks("example-job", spec)
    check(spec.get("nodeSelector", {}).get("srv6steer.io/enabled") == "true", "example-job: runs where the agent runs")
    vol = next((v for v in spec.get("volumes", []) if "configMap" in v), {})
    check(vol.get("configMap", {}).get("name") == cm.get("metadata", {}).get("name"),
          "example-job: the job's ConfigMap volume names another ConfigMap")
    train = by_name(spec.get("containers"), "train")
    env = {e["name"]: e.get("value") for e in train.get("env", [])}
    check(str(env.get("SRV6STEER_LIB", "")).startswith("/opt/srv6steer/"), "example-job: SRV6STEER_LIB from /opt/srv6steer")
    data = cm.get("data", {})
    script = data.get("train.py", "")
    try:
        compile(script, "train.py", "exec")
    except SyntaxError as e:
        problems.append(f"example-job: train.py: {e}")
    check("steer_job" in script, "example-job: train.py does not call steer_job")
    try:
        paths = json.loads(data.get("paths.json", ""))
    except json.JSONDecodeError as e:
        problems.append(f"example-job: paths.json: {e}")
        return
    if python_dir:
        sys.path.insert(0, python_dir)
        from srv6steer.torch import PathSpec  # no library needed to plan

        for prefix, spec in paths.items():
            try:
                path = PathSpec.of(spec)
                for usid in (path.usids or "").split(","):
                    if usid and not (len(usid) <= 4 and all(c in "0123456789abcdef" for c in usid)):
                        raise ValueError(f"invalid uSID {usid!r}: expected 1 to 4 hex digits")
            except (ValueError, TypeError) as e:
                problems.append(f"example-job: paths.json[{prefix!r}]: {e}")


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
    check_daemonset(ds_docs, sa, cm)
    check_example_job(args.python_dir)
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
