# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Pin this process's own connections onto paths, and check that they are steered.

    from srv6steer.pinning import pin_process_sockets
    from srv6steer.discovery import select

    pins = pin_process_sockets(select(peers=["10.0.2.0/24"], exclude_ports={29500}),
                               lambda c: "1004,1002,1006")       # a path for each connection
    ...                                                          # traffic
    pins.check()                                                 # warns about what is not steered

Works for any TCP/UDP user: gloo (srv6steer.torch does the rank matching),
NCCL's socket transport, MPI over TCP. RDMA queue pairs are not sockets:
pin them with Steering.pin_qp. How pins are made (docs/training-jobs.md):

  - "agent": socket pins through `srv6steer agent`'s Unix socket
    (Steering.connect; no privileges: the fds passed are the authorisation);
  - "socket": socket pins on the interface's state directly (privileged);
  - "flow": flow pins of each connection's current 5-tuple, owned by this
    process (privileged; for senders in another network namespace than the
    interface, whose packets reach TC without their socket).

Socket pins end with their sockets; flow pins are removed when this process
exits (atexit), and by `srv6steer gc` if it dies. Paths are added under ids
chosen from their content (srv6steer.plan.path_ids), so processes sharing an
interface share identical paths and never overwrite each other's.
"""

from __future__ import annotations

import atexit
import errno
import ipaddress
import os
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from . import OWNER_SELF, Steering, SteeringError, Target
from .plan import PathSpec, decap_from_env, path_ids
from .discovery import Connection, Scan, scan, select
from ._values import DEFAULT_BLOCK

__all__ = ["Check", "MODES", "NotSteeredWarning", "PinnedConnection", "Pins", "open_steering", "pin_connections",
           "pin_process_sockets"]

MODES = ("auto", "agent", "socket", "flow")
DEFAULT_AGENT_SOCKET = "/run/srv6steer/agent.sock"


class NotSteeredWarning(UserWarning):
    """A pinned connection sent traffic that its pin did not steer."""


def open_steering(mode: str | None = None, *, ifname: str | None = None, agent_socket: str | None = None,
                  env: Mapping[str, str] = os.environ) -> tuple[Steering, str]:
    """A Steering to pin with, and how it pins ("agent", "socket", "flow").

    mode (default $SRV6STEER_MODE, else "auto"): "auto" takes the agent if
    its socket ($SRV6STEER_AGENT_SOCKET, default /run/srv6steer/agent.sock)
    exists, else opens ifname's state ($BACKEND_INTERFACE) for socket pins.
    "flow" pins 5-tuples instead: for senders outside the interface's
    network namespace, whose packets reach TC without their socket."""
    mode = mode or env.get("SRV6STEER_MODE") or "auto"
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}")
    agent_socket = agent_socket or env.get("SRV6STEER_AGENT_SOCKET") or DEFAULT_AGENT_SOCKET
    ifname = ifname or env.get("BACKEND_INTERFACE") or None
    if mode == "agent" or (mode == "auto" and os.path.exists(agent_socket)):
        return Steering.connect(agent_socket, ifname), "agent"
    if not ifname:
        raise ValueError(f"no srv6steer agent at {agent_socket} and no interface to open: set BACKEND_INTERFACE "
                         f"(or pass ifname=) to pin on that interface's state directly (privileged), or "
                         f"SRV6STEER_AGENT_SOCKET to where the agent listens")
    return Steering.open(ifname), "socket" if mode == "auto" else mode


@dataclass
class PinnedConnection:
    """A connection this process pinned, and its counters when pinned."""

    connection: Connection
    path: PathSpec
    path_id: int
    label: str            # what it is to the caller: "rank 0 -> rank 1"
    sent: int | None      # bytes the socket had sent (TCP), at the baseline
    steered: int = 0      # bytes its pin had steered, at the baseline
    packets: int = 0      # packets its pin had steered, at the baseline

    def __str__(self) -> str:
        return f"{self.label}: {self.connection} via path {self.path_id} ({self.path})"


class Check(NamedTuple):
    """What one pinned connection did since the baseline."""

    pinned: PinnedConnection
    state: str            # "steered", "not steered", "idle" (too little sent to tell), "gone"
    sent: int | None      # bytes sent (TCP), None if unknown
    steered: int          # bytes its pin steered (as TC saw them: the frame before encapsulation)
    packets: int          # packets its pin steered (GSO packets count once)

    def __str__(self) -> str:
        sent = "?" if self.sent is None else _size(self.sent)
        return f"{self.pinned.label}: {self.pinned.connection}: sent {sent}, steered {_size(self.steered)}: {self.state}"


def _size(n: int) -> str:
    for unit, k in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= k:
            return f"{n / k:.1f} {unit}"
    return f"{n} B"


def _flow_key(proto, src, sport, dst, dport) -> tuple:
    p = {"tcp": 6, "udp": 17}.get(proto, proto)
    return (p, ipaddress.ip_address(src), sport, ipaddress.ip_address(dst), dport)


_LIVE: list["Pins"] = []


@atexit.register
def _unpin_all() -> None:
    for p in list(_LIVE):
        p.unpin(quiet=True)


class Pins:
    """The pins one call made (or several, with add): unpin() removes them,
    check() tells which are steered."""

    def __init__(self, steering: Steering, mode: str, *, own_steering: bool = False):
        self.steering = steering
        self.mode = mode
        self.pinned: list[PinnedConnection] = []
        self.seconds = 0.0      # time taken to find and pin
        self._own = own_steering
        self._ids: dict[str, int] = {}
        _LIVE.append(self)

    # -- paths --

    def _path_id(self, path: PathSpec) -> int:
        key = path.key()
        if key in self._ids:
            return self._ids[key]
        for pid in path_ids(path):
            try:
                path.add_to(self.steering, pid)
            except SteeringError as e:
                if e.errno == errno.EEXIST:  # another path there: the next id
                    continue
                raise
            self._ids[key] = pid
            return pid
        raise SteeringError(errno.ENOSPC, f"no free path id for {path}: every job path id is taken")

    # -- pins --

    def add(self, found: Scan, items: Iterable[tuple[Connection, PathSpec, str]]) -> list[PinnedConnection]:
        """Pins each (connection, path, label), all at once (all or nothing);
        connections of `found` (still open)."""
        items = list(items)
        if not items:
            return []
        for attempt in range(3):
            ids = [self._path_id(p) for _, p, _ in items]
            try:
                self._pin([(found, c, pid) for (c, _, _), pid in zip(items, ids)])
                break
            except SteeringError as e:
                # A path another process removed between our add and our pin
                # (its last pin went): add it again.
                if e.errno != errno.ENOENT or attempt == 2:
                    raise
                self._ids.clear()
        new = [PinnedConnection(c, p, pid, label, found.bytes_sent(c))
               for (c, p, label), pid in zip(items, ids)]
        if self.mode == "flow":  # a flow pin replaced keeps counting; a socket pin starts from zero
            before = self._steered(found, [pc.connection for pc in new])
            for pc in new:
                pc.packets, pc.steered = before.get(self._key(pc.connection), (0, 0))
        self.pinned += new
        return new

    def _pin(self, todo: list[tuple[Scan, Connection, int]]) -> None:
        if self.mode == "flow":
            self.steering.pin_flows([(c.flow(), Target.path(pid)) for _, c, pid in todo],
                                    replace=True, owner=OWNER_SELF)
        else:
            self.steering.pin_sockets([(f.socket(c), Target.path(pid)) for f, c, pid in todo], replace=True)

    def _key(self, c: Connection):
        return _flow_key(*c.flow()) if self.mode == "flow" else c.cookie

    def _steered(self, found: Scan, conns: list[Connection]) -> dict:
        """What the pins of conns (open in found) steered so far: {key: (packets, bytes)}."""
        if self.mode == "flow":
            me = os.getpid()
            return {_flow_key(f["proto"], f["src"], f["sport"], f["dst"], f["dport"]): (f["packets"], f["bytes"])
                    for f in self.steering.flows() if f["owner_pid"] == me}
        if len(conns) > 64:  # one listing beats many lookups
            return {s["cookie"]: (s["packets"], s["bytes"]) for s in self.steering.sockets()}
        out = {}
        for c in conns:
            pin = self.steering.socket_pin(found.socket(c))
            if pin is not None:
                out[c.cookie] = (pin["packets"], pin["bytes"])
        return out

    # -- checking --

    def check(self, *, min_bytes: int = 256 << 10, share: float = 0.9, warn: bool = True,
              rebase: bool = True) -> list[Check]:
        """For each pinned connection, what it sent and what its pin steered
        since the baseline (the pin, or the last check with rebase): "steered"
        if the pin steered at least `share` of what the socket sent (TCP: the
        kernel's count, retransmissions included; a pin counts whole packets,
        so more), "not steered" if not, "idle" if it sent less than min_bytes
        (UDP: if its pin saw nothing), "gone" if the socket is closed. Warns
        (NotSteeredWarning) about each "not steered", naming its label."""
        out = []
        with scan(inodes={p.connection.inode for p in self.pinned}) as found:
            alive = {c.inode: c for c in found.all}
            sent_now = {c.inode: found.bytes_sent(c) for c in found.all}   # before the pins' counts: those lag
            now = self._steered(found, found.all)
            for p in self.pinned:
                c = alive.get(p.connection.inode)
                if c is None:
                    out.append(Check(p, "gone", None, 0, 0))
                    continue
                sent = sent_now[c.inode]
                packets, total = now.get(self._key(p.connection), (p.packets, p.steered))
                steered = total - p.steered
                ds = None if sent is None or p.sent is None else sent - p.sent
                if ds is None:
                    state = "steered" if steered > 0 else "idle"
                elif ds < min_bytes:
                    state = "idle"
                else:
                    state = "steered" if steered >= share * ds else "not steered"
                out.append(Check(p, state, ds, steered, packets - p.packets))
                if rebase:
                    p.sent, p.steered, p.packets = sent, total, packets
        if warn:
            for c in out:
                if c.state == "not steered":
                    warnings.warn(NotSteeredWarning(
                        f"srv6steer: {c.pinned.label} is NOT steered: {c.pinned.connection} sent "
                        f"{_size(c.sent)} but its {self.mode} pin (path {c.pinned.path_id}: {c.pinned.path}) "
                        f"steered {_size(c.steered)} on {self.steering.ifname}: does this traffic leave "
                        f"by that interface, and is srv6steer attached there?"), stacklevel=2)
        return out

    # -- the end --

    def unpin(self, *, quiet: bool = False) -> None:
        """Removes the pins (socket pins of sockets still open; flow pins),
        then the paths that no other pin uses, and closes the handle. At
        exit this runs by itself."""
        if self in _LIVE:
            _LIVE.remove(self)
        if self.steering.closed:
            return
        try:
            if self.mode == "flow":
                for p in self.pinned:
                    self.steering.unpin_flow(p.connection.flow())
            elif self.pinned:
                with scan(inodes={p.connection.inode for p in self.pinned}) as found:
                    for c in found.all:
                        self.steering.unpin_socket(found.socket(c))
            for pid in sorted(set(self._ids.values())):
                try:
                    self.steering.remove_path(pid)
                except SteeringError as e:
                    if e.errno not in (errno.EBUSY, errno.ENOENT):  # still used by others / gone already
                        raise
        except (SteeringError, OSError):
            if not quiet:
                raise
        finally:
            self.pinned, self._ids = [], {}
            if self._own:
                self.steering.close()

    def __enter__(self) -> "Pins":
        return self

    def __exit__(self, *exc) -> None:
        self.unpin()


PathChoice = Callable[[Connection], Any]
"""A plan for pin_process_sockets: connection -> a path form (srv6steer.plan), or None."""


def pin_process_sockets(filter: Callable[[Connection], bool] | None = None, plan: PathChoice | Any = None, *,
                        steering: Steering | None = None, mode: str | None = None, ifname: str | None = None,
                        agent_socket: str | None = None, block: str = DEFAULT_BLOCK,
                        decap: Mapping[int, int] | None = None,
                        label: Callable[[Connection], str] = str) -> Pins:
    """Pins this process's connections that `filter` accepts (default: every
    connected TCP socket to another host, srv6steer.discovery.select()) onto
    the path `plan` gives each (a function of the Connection, or one path for
    all; None: not pinned). The decap function is appended by each
    connection's family (decap, default $DEST_FUNCTION or the lab's).
    steering: a Steering (by default "agent" mode for a connected one, else
    "socket"), else one is opened as open_steering(mode, ifname, agent_socket)
    says, and closed by unpin()."""
    t0 = time.monotonic()
    if plan is None:
        raise ValueError("give a plan: a path for every connection, or a function of the connection")
    decap = dict(decap) if decap is not None else decap_from_env()
    choose = plan if callable(plan) else (lambda _c: plan)
    with scan() as found:
        items = []
        for c in found.connections(filter or select()):
            path = PathSpec.of(choose(c), block)
            if path is not None:
                items.append((c, path.for_family(c.family, decap), label(c)))
        pins = pin_connections(found, items, steering=steering, mode=mode, ifname=ifname, agent_socket=agent_socket)
    pins.seconds = time.monotonic() - t0
    return pins


def pin_connections(found: Scan, items: list[tuple[Connection, PathSpec, str]], *, steering: Steering | None = None,
                    mode: str | None = None, ifname: str | None = None, agent_socket: str | None = None) -> Pins:
    """Pins.add(found, items) on a Pins made as pin_process_sockets says;
    nothing stays pinned if it fails."""
    if steering is None:
        s, m = open_steering(mode, ifname=ifname, agent_socket=agent_socket)
        pins = Pins(s, m, own_steering=True)
    else:
        if mode in (None, "auto"):
            mode = "agent" if steering.remote else "socket"
        pins = Pins(steering, mode)
    try:
        pins.add(found, items)
    except BaseException:
        pins.unpin(quiet=True)
        raise
    return pins
