# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A fake Jalapeno on 127.0.0.1 (an ephemeral port) for the Python tests:
answers GET {root}/graphs/{collection}/shortest_path/load in Jalapeno's
shape (copied from tests/planner/jalapeno_answers.hpp's kLoadH1H2) for the
lab fabric, and records every request.

The lab (tools/README.md, written here by hand, not read from the
repository's topology): h1 behind leaf00, h4 behind leaf01, h2 and h3
behind leaf02; spine1 1001, spine2 1002, leaf00 1004, leaf01 1005, leaf02
1006; block fcbb:0::/32. The n-th /load call (from 0) answers the path via
spine1 for even n, spine2 for odd n — like Jalapeno's load spreading, and so
that the test knows which path each pair was given."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LEAF_OF = {"h1": "leaf00", "h2": "leaf02", "h3": "leaf02", "h4": "leaf01"}
USID = {"spine1": "1001", "spine2": "1002", "leaf00": "1004", "leaf01": "1005", "leaf02": "1006"}
HOST_ADDR = {"h1": ("10.0.1.10", "fcbb:0:800:1::10"), "h2": ("10.0.2.10", "fcbb:0:800:2::10"),
             "h3": ("10.0.3.10", "fcbb:0:800:3::10"), "h4": ("10.0.4.10", "fcbb:0:800:4::10")}


def _host_vertex(h):
    v4, v6 = HOST_ADDR[h]
    n = h[1:]
    return {"_id": f"hosts/{h}", "_key": h, "router_id": None, "ipv4_address": v4, "ipv6_address": v6,
            "prefix": f"fcbb:0:800:{n}::", "prefix_len": 64, "name": h, "sids": None}


def _node_vertex(node):
    return {"_id": f"igp_node/{node}", "_key": node, "router_id": f"10.0.0.{int(USID[node][-1])}",
            "ipv4_address": None, "ipv6_address": None, "prefix": None, "prefix_len": None, "name": node,
            "sids": [{"srv6_sid": f"fcbb:0:{USID[node]}::",
                      "srv6_endpoint_behavior": {"endpoint_behavior": 48, "flag": 0, "algo": 0}}]}


def nodes_between(src, dst, spine):
    """The fabric nodes of src -> dst via spine (just the leaf when they share it)."""
    a, b = LEAF_OF[src], LEAF_OF[dst]
    return [a] if a == b else [a, spine, b]


def load_answer(src, dst, spine):
    """A /shortest_path/load answer, found, from host src to host dst via spine."""
    nodes = nodes_between(src, dst, spine)
    names = [src] + nodes + [dst]
    path, prev = [], None
    for i, name in enumerate(names):
        vertex = _host_vertex(name) if name in LEAF_OF else _node_vertex(name)
        edge = None if prev is None else {
            "_id": f"fabric_graph/{prev}_{name}", "_key": f"{prev}_{name}", "_from": prev, "_to": name,
            "latency": 10, "percent_util_out": 1.5, "load": 10 * (i % 2)}
        path.append({"vertex": vertex, "edge": edge})
        prev = vertex["_id"]
    sids = [f"fcbb:0:{USID[n]}::" for n in nodes]
    keys = [p["edge"]["_key"] for p in path[1:]]
    return {
        "found": True, "path": path, "hopcount": len(path) - 1, "vertex_count": len(path),
        "source_info": _host_vertex(src), "destination_info": _host_vertex(dst), "direction": "outbound",
        "average_load": 5.0, "algo": 0,
        "srv6_data": {"srv6_sid_list": sids, "srv6_usid": "fcbb:0:" + ":".join(USID[n] for n in nodes) + "::",
                      "usid_block": "fcbb:0:", "algo": 0},
        "load_data": {"updated_edges": keys, "edge_loads": [{"edge_key": k, "load": 10} for k in keys],
                      "average_load": 10.0, "total_load": 10 * len(keys), "edge_count": len(keys),
                      "highest_load": {"edge_key": keys[0], "load_value": 10}},
    }


class FakeJalapeno:
    """with FakeJalapeno() as j: j.endpoint ("http://127.0.0.1:PORT/api/v1"),
    j.loads (the (src, dst) host pairs /load was called for, in order),
    j.answered ({(src, dst): [node uSIDs]}), j.fail ({(src, dst): (status,
    body)}: answered instead of a path)."""

    def __init__(self, collection="fabric_graph"):
        self.collection = collection
        self.loads, self.answered, self.requests, self.fail = [], {}, [], {}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                status, body = fake._answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _answer(self, target):
        url = urllib.parse.urlsplit(target)
        q = dict(urllib.parse.parse_qsl(url.query))
        with self.lock:
            self.requests.append(target)
            if url.path != f"/api/v1/graphs/{self.collection}/shortest_path/load":
                return 404, {"detail": "Not Found"}
            src, dst = (q.get(k, "").removeprefix("hosts/") for k in ("source", "destination"))
            if src not in LEAF_OF or dst not in LEAF_OF or q.get("direction") != "outbound":
                return 500, {"detail": f"unexpected query {url.query}"}
            n = len(self.loads)
            self.loads.append((src, dst))
            if (src, dst) in self.fail:
                return self.fail[(src, dst)]
            spine = "spine1" if n % 2 == 0 else "spine2"
            self.answered[(src, dst)] = [int(USID[x], 16) for x in nodes_between(src, dst, spine)]
            return 200, load_answer(src, dst, spine)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
