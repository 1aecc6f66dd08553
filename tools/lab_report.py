#!/usr/bin/python3
"""tools/lab status / counters: reports built from `ip -j` (no jq needed).

Usage (by tools/lab only): lab_report.py MODE PREFIX JSON SRV6STEER NODE...
"""
import json, os, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab_ecn  # noqa: E402
mode, prefix, want_json, srv6steer, nodes = (sys.argv[1], sys.argv[2], sys.argv[3] == "1",
                                             sys.argv[4], sys.argv[5:])
SPINES = [n for n in nodes if n.startswith("spine")]
LEAVES = [n for n in nodes if n.startswith("leaf")]
HOSTS = [n for n in nodes if n.startswith("h")]

def ipj(node, *args):
    ns = prefix + node
    if not os.path.exists("/run/netns/" + ns):
        return None
    r = subprocess.run(["ip", "-n", ns, "-j"] + list(args), capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.strip():
        return None
    return json.loads(r.stdout)

def links(node):
    return {l["ifname"]: l for l in (ipj(node, "-s", "link", "show") or [])}

def spine_counters():
    out = {}
    for sp in ("spine1", "spine2"):
        ifs = {}
        for name, l in sorted(links(sp).items()):
            if not name.startswith("lf"):
                continue
            st = l.get("stats64", {})
            ifs[name] = {"rx_packets": st.get("rx", {}).get("packets", 0),
                         "tx_packets": st.get("tx", {}).get("packets", 0),
                         "rx_bytes": st.get("rx", {}).get("bytes", 0)}
        out[sp] = {"rx_packets": sum(v["rx_packets"] for v in ifs.values()),
                   "tx_packets": sum(v["tx_packets"] for v in ifs.values()),
                   "ifaces": ifs}
    return out

def sids(node):
    res = []
    for r in (ipj(node, "-s", "-6", "route", "show") or []):
        if r.get("encap") != "seg6local":
            continue
        st = r.get("stats64", {})
        act = r.get("action", "")
        if "flavors" in r:
            act += " " + ",".join(r["flavors"])
        if "nh6" in r: act += " nh6 " + r["nh6"]
        if "nh4" in r: act += " nh4 " + r["nh4"]
        if "table" in r: act += " table " + str(r["table"])
        res.append({"node": node, "sid": r["dst"], "action": act, "dev": r.get("dev"),
                    "packets": st.get("packets"), "bytes": st.get("bytes"),
                    "errors": st.get("errors")})
    return res

def fabric_links():
    """Each spine-leaf link: "up", "congested" (a tbf on a port: tools/lab
    congest), "cut" (a blackhole qdisc on a port: tools/lab cut) or "down" (a
    port set down: cut --link-down), with the ports it saw so; "congestion":
    per congested port its rate (bytes/s) and, with --ecn, the marker's
    counters (tools/lab_ecn.py)."""
    res = []
    for sp in SPINES:
        for lf in LEAVES:
            ports = [(lf, "sp" + sp[len("spine"):]), (sp, "lf" + lf[len("leaf"):])]
            state, why, congestion = "up", [], []
            for node, dev in ports:
                q = ipj(node, "link", "show", "dev", dev)
                if q is None:
                    continue
                if "UP" not in q[0].get("flags", []):
                    state = "down"
                    why.append(f"{node}/{dev} down")
                r = subprocess.run(["tc", "-n", prefix + node, "-j", "qdisc", "show", "dev", dev, "root"],
                                   capture_output=True, text=True)
                roots = json.loads(r.stdout or "[]") if r.returncode == 0 else []
                if any(x.get("kind") == "blackhole" for x in roots):
                    state = "cut" if state in ("up", "congested") else state
                    why.append(f"{node}/{dev} blackhole")
                for x in roots:
                    if x.get("kind") != "tbf":
                        continue
                    state = "congested" if state == "up" else state
                    ecn = lab_ecn.stats(prefix + node, dev)
                    why.append(f"{node}/{dev} tbf {x['options']['rate'] * 8 / 1e6:g} Mbit/s" + (" ecn" if ecn else ""))
                    congestion.append({"port": f"{node}/{dev}", "rate": x["options"]["rate"], "ecn": ecn or None})
            res.append({"spine": sp, "leaf": lf, "state": state, "ports": why, "congestion": congestion})
    return res

def steer_json(node, *args):
    """srv6steer ARGS -j in node's network namespace, or None (not built, failed)."""
    if not os.access(srv6steer, os.X_OK) or not os.path.exists("/run/netns/" + prefix + node):
        return None
    r = subprocess.run(["nsenter", f"--net=/run/netns/{prefix}{node}", "--", srv6steer, *args, "-j"],
                       capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.strip():
        return None
    return json.loads(r.stdout)

def host_decap():
    """Per host: is its receive side (tools/lab host-decap) attached, its SIDs,
    packets decapsulated."""
    res = {}
    if not os.access(srv6steer, os.X_OK):      # unknown: null
        return {h: {"attached": None} for h in HOSTS}
    for h in HOSTS:
        st = steer_json(h, "receive", "status")
        if not st or not st.get("attached"):
            res[h] = {"attached": False}
            continue
        stats = steer_json(h, "receive", "stats") or {}
        res[h] = {"attached": True,
                  "modes": {i["interface"]: i["mode"] for i in st.get("interfaces", [])},
                  "healthy": st.get("healthy"),
                  "sids": [f"{x['prefix']} {x['behavior']}" for x in steer_json(h, "sid", "list") or []],
                  "decapsulated": stats.get("reasons", {}).get("decapsulated", {}).get("packets", 0),
                  "paths": stats.get("paths", [])}
    return res

if mode == "counters":
    missing = [prefix + s for s in ("spine1", "spine2") if not os.path.exists("/run/netns/" + prefix + s)]
    if missing:
        sys.exit(f"tools/lab: no namespace {' '.join(missing)} (is the lab up?)")
    c = spine_counters()
    if want_json:
        print(json.dumps(c))
    else:
        for sp, v in c.items():
            detail = ", ".join(f"{k} {x['rx_packets']}" for k, x in v["ifaces"].items())
            print(f"{sp}  rx_packets {v['rx_packets']}  ({detail})")
    sys.exit(0)

# status
present = [n for n in nodes if os.path.exists("/run/netns/" + prefix + n)]
others = sorted(f for f in os.listdir("/run/netns") if f.startswith(prefix)
                and f[len(prefix):] not in nodes) if os.path.isdir("/run/netns") else []
if want_json:
    st = {"prefix": prefix, "namespaces": [prefix + n for n in present] + others,
          "interfaces": {}, "counters": spine_counters(), "sids": [],
          "links": fabric_links(), "host_decap": host_decap()}
    for n in present:
        addrs = ipj(n, "addr", "show") or []
        lk = links(n)
        st["interfaces"][n] = [{
            "ifname": a["ifname"], "state": a.get("operstate"), "mtu": a.get("mtu"),
            "mac": a.get("address"),
            "addrs": [f"{i['local']}/{i['prefixlen']}" for i in a.get("addr_info", [])
                      if i.get("scope") != "link"],
            "rx_packets": lk.get(a["ifname"], {}).get("stats64", {}).get("rx", {}).get("packets"),
            "tx_packets": lk.get(a["ifname"], {}).get("stats64", {}).get("tx", {}).get("packets"),
        } for a in addrs if a["ifname"] != "lo"]
        st["sids"] += sids(n)
    print(json.dumps(st, indent=1))
    sys.exit(0)

print(f"lab prefix {prefix!r}: {len(present)}/{len(nodes)} namespaces present"
      + (f", plus {' '.join(others)}" if others else ""))
if not present:
    sys.exit(0)
print()
print(f"{'node':8} {'if':6} {'state':6} {'mtu':>5}  {'rx_pkts':>9} {'tx_pkts':>9}  addresses")
for n in present:
    lk = links(n)
    for a in ipj(n, "addr", "show") or []:
        if a["ifname"] == "lo":
            continue
        s = lk.get(a["ifname"], {}).get("stats64", {})
        addrs = " ".join(f"{i['local']}/{i['prefixlen']}" for i in a.get("addr_info", [])
                         if i.get("scope") != "link")
        print(f"{n:8} {a['ifname']:6} {a.get('operstate', '?'):6} {a.get('mtu', 0):>5}  "
              f"{s.get('rx', {}).get('packets', 0):>9} {s.get('tx', {}).get('packets', 0):>9}  {addrs}")
print()
print("per-spine packets received (sum over the spine's lfNN ports):")
for sp, v in spine_counters().items():
    detail = ", ".join(f"{k} {x['rx_packets']}" for k, x in v["ifaces"].items())
    print(f"  {sp}  rx {v['rx_packets']:>9}   ({detail})")
print()
print("SID routes (count statistics, ip -s -6 route):")
for n in present:
    for s in sids(n):
        print(f"  {n:8} {s['sid']:24} {s['action']:34} packets {s['packets']:>8} "
              f"bytes {s['bytes']:>10} errors {s['errors']}")
print()
cut = [x for x in fabric_links() if x["state"] != "up"]
print("spine-leaf links: " + ("all up" if not cut else
      "; ".join(f"{x['spine']}-{x['leaf']} {x['state']} ({', '.join(x['ports'])})" for x in cut)))
for x in cut:
    for c in x["congestion"]:
        if c["ecn"]:
            e = c["ecn"]
            print(f"  ECN marker on {c['port']}: {e['packets']} packets, {e['ect']} ECT, {e['marked']} marked CE "
                  f"(queued over {e['mark_ns'] / 1000:g} µs), {e['ce']} CE already, "
                  f"{e['not_ect_over']} Not-ECT over the threshold")
print()
print("host decap (tools/lab host-decap; srv6steer receive status/stats):")
for h, d in host_decap().items():
    if d["attached"] is None:
        print(f"  {h:8} unknown: no srv6steer at {srv6steer} (build it, or set SRV6STEER_BIN)")
        continue
    if not d["attached"]:
        print(f"  {h:8} off")
        continue
    modes = ", ".join(f"{i} {m}" for i, m in d["modes"].items())
    print(f"  {h:8} {modes}{'' if d['healthy'] else ' NOT DECAPSULATING'}; SIDs {', '.join(d['sids'])}; "
          f"decapsulated {d['decapsulated']} packets from {len(d['paths'])} sender path(s)")
