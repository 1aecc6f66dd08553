#!/usr/bin/python3
"""The ECN marker of `tools/lab congest --ecn` (tools/lab_ecn.bpf.c) on one port.

Usage (by tools/lab and tools/lab_report.py):
  lab_ecn.py attach NS DEV OBJ RATE_BYTES_PER_S MARK_NS   TC egress of DEV in network
                                                          namespace NS, then its config
  lab_ecn.py detach NS DEV       our filter off (and clsact, once it holds nothing else)
  lab_ecn.py stats NS DEV        its counters as JSON ({} when it is not attached)

The program is one tc filter (clsact egress, pref 49, handle 1), loaded by
tc itself, so each port has maps of its own; its config map is written by
bpftool once it is attached (until then, rate 0: it passes everything).
"""
import json
import struct
import subprocess
import sys

PREF = "49"
ZERO_KEY = ["key", "hex", "00", "00", "00", "00"]


def run(*argv, check=True):
    r = subprocess.run(list(argv), capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"tools/lab: {' '.join(argv)} failed: {r.stderr.strip() or r.stdout.strip()}")
    return r


def our_prog(ns, dev):
    """The id of our program on DEV's egress, or None."""
    r = run("tc", "-n", ns, "-j", "filter", "show", "dev", dev, "egress", check=False)
    if r.returncode != 0 or not r.stdout.strip():
        return None
    for f in json.loads(r.stdout):
        prog = f.get("options", {}).get("prog", {})
        if str(f.get("pref")) == PREF and f.get("kind") == "bpf" and prog.get("name") == "lab_ecn":
            return prog["id"]
    return None


def maps_of(prog_id):
    """{map name: id} of a program."""
    ids = json.loads(run("bpftool", "-j", "prog", "show", "id", str(prog_id)).stdout).get("map_ids", [])
    return {json.loads(run("bpftool", "-j", "map", "show", "id", str(m)).stdout)["name"]: m for m in ids}


def attach(ns, dev, obj, rate, mark_ns):
    run("tc", "-n", ns, "qdisc", "replace", "dev", dev, "clsact")
    run("tc", "-n", ns, "filter", "replace", "dev", dev, "egress", "pref", PREF, "handle", "1",
        "bpf", "direct-action", "obj", obj, "sec", "tc")
    prog = our_prog(ns, dev)
    if prog is None:
        sys.exit(f"tools/lab: the ECN marker did not show up on {ns}/{dev}")
    value = struct.pack("<QQ", int(rate), int(mark_ns))
    run("bpftool", "map", "update", "id", str(maps_of(prog)["lab_ecn_cfg"]), *ZERO_KEY,
        "value", "hex", *(f"{b:02x}" for b in value))


def detach(ns, dev):
    if our_prog(ns, dev) is not None:
        run("tc", "-n", ns, "filter", "del", "dev", dev, "egress", "pref", PREF)
    r = run("tc", "-n", ns, "-j", "filter", "show", "dev", dev, "egress", check=False)
    others = json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else []
    ingress = run("tc", "-n", ns, "-j", "filter", "show", "dev", dev, "ingress", check=False)
    others += json.loads(ingress.stdout) if ingress.returncode == 0 and ingress.stdout.strip() else []
    if not others:   # a clsact of nobody else's: ours (the lab's ports carry no other)
        run("tc", "-n", ns, "qdisc", "del", "dev", dev, "clsact", check=False)


def stats(ns, dev):
    prog = our_prog(ns, dev)
    if prog is None:
        return {}
    m = maps_of(prog)
    out = {}
    for name in ("lab_ecn_cfg", "lab_ecn_state"):
        v = json.loads(run("bpftool", "-j", "map", "lookup", "id", str(m[name]), *ZERO_KEY).stdout)
        out.update({k: x for k, x in v["formatted"]["value"].items() if k not in ("lock", "pad", "free_ns")})
    return out


def main(argv):
    if len(argv) == 7 and argv[1] == "attach":
        attach(*argv[2:])
    elif len(argv) == 4 and argv[1] == "detach":
        detach(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "stats":
        print(json.dumps(stats(argv[2], argv[3])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
