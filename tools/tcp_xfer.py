#!/usr/bin/python3
"""One TCP transfer of known bytes, checked end to end by a SHA-256 on each side.

    tcp_xfer.py recv --bind ADDR --port P [--timeout S]
        listens (prints "listening ADDR P" on stderr once bound), takes one
        connection, reads to EOF, prints {"bytes": N, "sha256": HEX, "peer": [addr, port]}
    tcp_xfer.py send --src ADDR --sport S --dst ADDR --port P --bytes N [--seed K]
        connects from SRC:SPORT (a fixed 5-tuple, for a flow pin), sends N
        pseudo-random bytes (from seed K), closes, prints {"bytes": N, "sha256": HEX}

IPv6 or IPv4 by the addresses' form. For tools/srv6lab.py (Lab.tcp_recv /
Lab.tcp_send) and the e2e tests; run inside a lab host's network namespace.
"""
import argparse
import hashlib
import json
import random
import socket
import sys

CHUNK = 1 << 16


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def recv(a):
    s = socket.socket(family(a.bind), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.bind, a.port))
    s.listen(1)
    s.settimeout(a.timeout)
    print(f"listening {a.bind} {a.port}", file=sys.stderr, flush=True)
    c, peer = s.accept()
    c.settimeout(a.timeout)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(CHUNK)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.close()
    print(json.dumps({"bytes": n, "sha256": h.hexdigest(), "peer": list(peer[:2])}))


def send(a):
    s = socket.socket(family(a.dst), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.src, a.sport))
    s.settimeout(a.timeout)
    s.connect((a.dst, a.port))
    rng, h, left = random.Random(a.seed), hashlib.sha256(), a.bytes
    while left:
        b = rng.randbytes(min(CHUNK, left))
        s.sendall(b)
        h.update(b)
        left -= len(b)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)          # the receiver's close: every byte was read
    s.close()
    print(json.dumps({"bytes": a.bytes, "sha256": h.hexdigest()}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("recv")
    r.add_argument("--bind", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--timeout", type=float, default=60)
    s = sub.add_parser("send")
    s.add_argument("--src", required=True)
    s.add_argument("--sport", type=int, required=True)
    s.add_argument("--dst", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--bytes", type=int, required=True)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    (recv if a.cmd == "recv" else send)(a)


if __name__ == "__main__":
    main()
