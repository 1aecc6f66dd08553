#!/usr/bin/python3
"""A delay line on one port, for a lab without netem (this kernel has no
sch_netem, sch_fq or sch_etf: tools/lab's qdiscs can rate-limit, never delay).

Usage (run in the port's network namespace, e.g. with nsenter --net=...):
  lab_delay.py DEV DELAY_US      every frame DEV sends leaves DELAY_US later;
                                 runs until SIGTERM/SIGINT, then takes itself off

How: a TC egress filter on DEV (clsact, pref 47, u32 matching all: this kernel has no matchall) redirects every
frame to a tap device of ours; we read them from the tap, hold each for the
delay and send it on DEV through an AF_PACKET socket with
PACKET_QDISC_BYPASS, which skips DEV's TC egress (no loop) and its qdisc.
Frames keep their order. It prints "ready" once the filter is on, and at
the end (SIGTERM, SIGINT, or a failure) it removes the filter (and clsact,
if it added it; the tap goes with the process) and prints one JSON line: frames delayed, the largest lateness past their due
time in µs (how well it kept the delay), and frames it could not send.
Meant for a few thousand frames a second (bench/lab_skew.py), not line rate.
Killed with SIGKILL it leaves the filter redirecting to a tap that is gone
(the port then sends nothing): `tc filter del dev DEV egress pref 47`, or
tear the lab down.
"""
import fcntl
import heapq
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
SOL_PACKET = 263
PACKET_QDISC_BYPASS = 20
PREF = "47"


def run(*argv, check=True):
    r = subprocess.run(list(argv), capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"lab_delay: {' '.join(argv)} failed: {r.stderr.strip() or r.stdout.strip()}")
    return r


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    dev, delay = sys.argv[1], int(sys.argv[2]) / 1e6
    # First of all: a signal from now on ends the loop and takes everything off.
    stopping = []
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: stopping.append(1))
    tap = f"dly{os.getpid() % 100000}"[:15]
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))
    # The tap only carries what we redirect: no addresses, no IPv6 of its own.
    run("sysctl", "-qw", f"net.ipv6.conf.{tap}.disable_ipv6=1", check=False)
    run("ip", "link", "set", tap, "mtu", "9000", "txqueuelen", "10000", "up")
    out = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    out.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
    out.bind((dev, 0))
    # Ours to remove only if it was not there (srv6steer's own programs use clsact too).
    made_clsact = run("tc", "qdisc", "add", "dev", dev, "clsact", check=False).returncode == 0
    held, n, late, failed = [], 0, 0.0, 0
    try:
        run("tc", "filter", "replace", "dev", dev, "egress", "pref", PREF, "u32", "match", "u32", "0", "0",
            "action", "mirred", "egress", "redirect", "dev", tap)
        print("ready", flush=True)
        while not stopping:
            while held and held[0][0] <= time.monotonic():
                due, _, frame = heapq.heappop(held)
                late = max(late, time.monotonic() - due)
                try:
                    out.send(frame)
                except OSError:
                    failed += 1
            timeout = max(0.0, held[0][0] - time.monotonic()) if held else 0.2
            try:
                ready, _, _ = select.select([fd], [], [], timeout)
            except InterruptedError:
                continue
            if not ready:
                continue
            t = time.monotonic()
            while True:
                try:
                    frame = os.read(fd, 65536)
                except BlockingIOError:
                    break
                heapq.heappush(held, (t + delay, n, frame))  # n: ties keep arrival order
                n += 1
    finally:
        run("tc", "filter", "del", "dev", dev, "egress", "pref", PREF, check=False)
        if made_clsact:
            run("tc", "qdisc", "del", "dev", dev, "clsact", check=False)
        for _, _, frame in sorted(held):
            try:
                out.send(frame)
            except OSError:
                failed += 1
        os.close(fd)
        print(json.dumps({"frames": n, "late_us_max": round(late * 1e6), "failed": failed}), flush=True)


if __name__ == "__main__":
    main()
