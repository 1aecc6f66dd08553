#!/usr/bin/python3
"""An independent decoder agrees with srv6steer's encapsulation.

Runs `srv6steer-pktdemo --json --pcap FILE`, decodes every output frame with
scapy and checks it against the case's "expect" (what the configuration says
the program must produce); then, if tshark is installed, reads the pcap with
tshark as a second opinion. One line per case; exit status 1 on any mismatch.

usage: /usr/bin/python3 scapy_check.py PATH/TO/srv6steer-pktdemo
"""
import ipaddress
import json
import shutil
import subprocess
import sys
import tempfile

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrSegmentRouting
from scapy.layers.l2 import Ether

NH_SRH, NH_IPV4, NH_IPV6 = 43, 4, 41


def same_addr(a, b):
    return ipaddress.ip_address(a) == ipaddress.ip_address(b)


def check_scapy(case):
    """(mismatches, one-line summary) of scapy's view of one case."""
    exp = case["expect"]
    inp, out = bytes.fromhex(case["in_hex"]), bytes.fromhex(case["out_hex"])
    bad = []

    def want(ok, msg):
        if not ok:
            bad.append(msg)

    if not exp["steered"]:
        if out == inp:
            return bad, f"untouched, {len(out)} B byte for byte"
        return [f"not steered, yet the output ({len(out)} B) differs from the input ({len(inp)} B)"], ""

    eth = Ether(out)
    want(eth.type == 0x86DD, f"ethertype {eth.type:#06x}, expected 0x86dd")
    outer = eth.payload
    if not isinstance(outer, IPv6):
        return bad + [f"outer header is not IPv6 but {outer.summary()}"], ""
    segs = exp["srh_segments"]
    inner_nh = NH_IPV4 if exp["inner"] == "ipv4" else NH_IPV6
    want(outer.version == 6, f"outer version {outer.version}")
    want(same_addr(outer.src, exp["outer_src"]), f"outer src {outer.src}, expected {exp['outer_src']}")
    want(same_addr(outer.dst, exp["outer_dst"]), f"outer dst {outer.dst}, expected {exp['outer_dst']}")
    want(outer.nh == (NH_SRH if segs else inner_nh),
         f"outer nh {outer.nh}, expected {NH_SRH if segs else inner_nh}")
    want(outer.plen == len(bytes(outer.payload)),
         f"outer plen {outer.plen}, but {len(bytes(outer.payload))} B follow the header")
    want(outer.tc == exp["tclass"], f"traffic class {outer.tc:#04x}, expected {exp['tclass']:#04x}")
    want(outer.fl == exp["flow_label"], f"flow label {outer.fl:#07x}, expected {exp['flow_label']:#07x}")
    # include/srv6steer/flowhash.h: the low 12 bits carry the sender's path id.
    want(outer.fl & 0xFFF == exp["path"], f"flow label {outer.fl:#07x} does not carry path {exp['path']}")
    summary = f"{outer.src} > {outer.dst}  nh {outer.nh}  tc {outer.tc:#04x}  fl {outer.fl:#07x}"

    body = outer.payload
    if segs:
        srh = body
        if not isinstance(srh, IPv6ExtHdrSegmentRouting):
            return bad + [f"expected an SRH after the outer header, found {srh.summary()}"], summary
        n = len(segs)
        want(srh.type == 4, f"routing type {srh.type}, expected 4 (SRH)")
        want(srh.len == 2 * n, f"SRH len {srh.len}, expected {2 * n}")
        want(srh.segleft == exp["segments_left"], f"SRH segleft {srh.segleft}, expected {exp['segments_left']}")
        want(srh.lastentry == n - 1, f"SRH lastentry {srh.lastentry}, expected {n - 1}")
        want(srh.nh == inner_nh, f"SRH nh {srh.nh}, expected {inner_nh}")
        got = list(srh.addresses)
        want(len(got) == n and all(same_addr(a, b) for a, b in zip(got, segs)),
             f"SRH segments {got}, expected {segs}")
        summary += f"  SRH sl {srh.segleft} [{', '.join(got)}]"
        body = srh.payload

    inner_cls = IP if exp["inner"] == "ipv4" else IPv6
    want(isinstance(body, inner_cls), f"inner is {body.summary()}, expected {inner_cls.__name__}")
    want(body.haslayer(TCP) or body.haslayer(UDP), "no TCP or UDP inside the inner packet")
    want(bytes(body) == inp[14:], "inner packet differs from the input minus its Ethernet header")
    l4 = body[TCP] if body.haslayer(TCP) else body[UDP] if body.haslayer(UDP) else None
    summary += f"  / {inner_cls.__name__}"
    if l4 is not None:
        summary += f" {l4.name} {l4.sport} > {l4.dport}"
    return bad, summary


TSHARK_FIELDS = ["eth.type", "ipv6.src", "ipv6.dst", "ipv6.tclass", "ipv6.flow",
                 "ipv6.routing.segleft", "ipv6.routing.srh.last_entry", "ipv6.routing.srh.addr"]


def check_tshark(pcap, cases):
    """Mismatches between tshark's reading of the pcap and the expectations."""
    res = subprocess.run(
        ["tshark", "-r", pcap, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
         "-E", "aggregator=,"] + sum((["-e", f] for f in TSHARK_FIELDS), []),
        capture_output=True, text=True)
    if res.returncode != 0:
        return [f"tshark failed ({res.returncode}): {res.stderr.strip()}"]
    rows = [line.split("\t") for line in res.stdout.splitlines()]
    if len(rows) != len(cases):
        return [f"tshark read {len(rows)} frames, expected {len(cases)}"]
    bad = []
    for case, row in zip(cases, rows):
        f = {k: (v.split(",") if v else []) for k, v in zip(TSHARK_FIELDS, row)}
        exp, name = case["expect"], case["case"]

        def want(ok, msg):
            if not ok:
                bad.append(f"{name}: tshark: {msg}")

        if not exp["steered"]:
            want(not f["ipv6.routing.segleft"] and len(f["ipv6.dst"]) <= 1,
                 "an unsteered frame looks encapsulated")
            continue
        want(int(f["eth.type"][0], 0) == 0x86DD, f"eth.type {f['eth.type']}")
        want(f["ipv6.src"] and same_addr(f["ipv6.src"][0], exp["outer_src"]), f"outer src {f['ipv6.src']}")
        want(f["ipv6.dst"] and same_addr(f["ipv6.dst"][0], exp["outer_dst"]), f"outer dst {f['ipv6.dst']}")
        want(f["ipv6.tclass"] and int(f["ipv6.tclass"][0], 0) == exp["tclass"], f"tclass {f['ipv6.tclass']}")
        want(f["ipv6.flow"] and int(f["ipv6.flow"][0], 0) == exp["flow_label"], f"flow label {f['ipv6.flow']}")
        segs = exp["srh_segments"]
        if segs:
            want(f["ipv6.routing.segleft"] == [str(exp["segments_left"])], f"segleft {f['ipv6.routing.segleft']}")
            want(f["ipv6.routing.srh.last_entry"] == [str(len(segs) - 1)],
                 f"last entry {f['ipv6.routing.srh.last_entry']}")
            got = f["ipv6.routing.srh.addr"]
            want(len(got) == len(segs) and all(same_addr(a, b) for a, b in zip(got, segs)),
                 f"SRH segments {got}, expected {segs}")
        else:
            want(not f["ipv6.routing.segleft"], "a routing header where none was expected")
    return bad


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    with tempfile.TemporaryDirectory() as tmp:
        pcap = f"{tmp}/pktdemo.pcap"
        res = subprocess.run([sys.argv[1], "--json", "--pcap", pcap], capture_output=True, text=True)
        if res.returncode not in (0, 1) or not res.stdout.strip():
            sys.exit(f"FAIL: {sys.argv[1]} exited {res.returncode}: {res.stderr.strip()}")
        cases = [json.loads(line) for line in res.stdout.splitlines()]

        failures = []
        if res.returncode != 0:
            failures.append(f"pktdemo itself reports a mismatch: {res.stderr.strip()}")
            print(f"FAIL  {failures[-1]}")
        width = max(len(c["case"]) for c in cases)
        for case in cases:
            bad, summary = check_scapy(case)
            print(f"{'ok  ' if not bad else 'FAIL'}  {case['case']:<{width}}  {summary}")
            for b in bad:
                print(f"      - {b}")
            failures += bad

        if shutil.which("tshark"):
            tbad = check_tshark(pcap, cases)
            print(f"{'ok  ' if not tbad else 'FAIL'}  tshark {'agrees' if not tbad else 'disagrees'} on "
                  f"{len(cases)} frames (outer src/dst, tclass, flow label, segleft, last entry, SRH addresses)")
            for b in tbad:
                print(f"      - {b}")
            failures += tbad
        else:
            print("skip  tshark not installed: no second opinion")

    if failures:
        sys.exit(f"scapy_check: {len(failures)} mismatch(es) between srv6steer's output and the decoders")
    print(f"all {len(cases)} cases agree")


if __name__ == "__main__":
    main()
