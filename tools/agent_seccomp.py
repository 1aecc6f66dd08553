#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A seccomp profile for the srv6steer agent on runtimes whose default
profile allows bpf() only with CAP_SYS_ADMIN (containers-common before it
learnt CAP_BPF: podman and CRI-O of Debian 12): the runtime's own default
profile, plus bpf() allowed with CAP_BPF and perf_event_open() with
CAP_PERFMON, which is what containerd's RuntimeDefault does since 1.6.9.
Nothing else changes (k8s/README.md, "Seccomp").

    tools/agent_seccomp.py [/usr/share/containers/seccomp.json] > srv6steer-agent.json

On each node: /var/lib/kubelet/seccomp/srv6steer-agent.json, and in
daemonset.yaml: seccompProfile: {type: Localhost, localhostProfile: srv6steer-agent.json}.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT = Path("/usr/share/containers/seccomp.json")
GATED = {"bpf": "CAP_BPF", "perf_event_open": "CAP_PERFMON"}


def with_bpf_caps(profile: dict) -> dict:
    """profile (containers' JSON form), with each syscall of GATED also
    allowed under its capability; the rule that refuses it to everyone
    without CAP_SYS_ADMIN gives it up (the default action refuses it still)."""
    out = json.loads(json.dumps(profile))
    for rule in out["syscalls"]:
        if rule["action"] == "SCMP_ACT_ERRNO" and set(GATED) & set(rule["names"]):
            rule["names"] = [n for n in rule["names"] if n not in GATED]
    out["syscalls"] = [r for r in out["syscalls"] if r["names"]]
    for name, cap in GATED.items():
        out["syscalls"].append({"names": [name], "action": "SCMP_ACT_ALLOW", "args": [],
                                "includes": {"caps": [cap]}, "excludes": {}})
    return out


def main() -> int:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    json.dump(with_bpf_caps(json.loads(src.read_text())), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
