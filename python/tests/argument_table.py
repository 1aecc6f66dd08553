# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Every parameter of every public callable of the srv6steer binding, by
kind, for the tests that feed each one what the C ABI must never see:

  INTEGERS  an integer parameter (or an integer inside one: a flow's ports,
            a target's id, a list's elements) with its valid range;
  TEXTS     a string parameter (a NUL inside would cut it short in C);
  OTHERS    a parameter of another type (bool, enum name, list, object).

covered() lists (callable, parameter) pairs of the table; test_arguments
checks it against the binding's signatures, so that a new parameter without
an entry fails. Each entry's `call` runs the callable with one value put in
its place and valid values elsewhere, on an Env: a Steering (attached by the
test, or on a NULL handle) and the interface and bpffs to name."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

import srv6steer
from srv6steer import Flow, Receive, Steering, Target

HOST = "fcbb:0:800:1::10"
DEST = "fcbb:0:800:2::20"
U32, U64 = 2**32 - 1, 2**64 - 1
PID_MAX = 2**31 - 1
JOB = {"ranks": ["h1", "h2"], "pattern": "ring"}
JALAPENO = "http://127.0.0.1:9/api/v1"   # never reached: every call here is refused before


@dataclass
class Env:
    steering: Steering
    ifname: str
    bpffs: str | None


@dataclass(frozen=True)
class Arg:
    callable: str  # "Steering.pin_flow", "detach", "Target.of"
    param: str  # the parameter of its signature
    name: str  # how an error names it ("flow.sport", "pins[0] target")
    call: Callable[[Env, Any], Any]


@dataclass(frozen=True)
class IntArg(Arg):
    lo: int = 0
    hi: int = 0

    def bad_values(self) -> list[int]:
        """Just outside the range, and far outside where ctypes would wrap
        to a value inside it (2**32 + lo is lo to a uint32_t)."""
        cands = [self.lo - 1, self.hi + 1, -1, -(2**63), 2**8 + self.lo, 2**16 + self.lo, 2**24 + self.lo,
                 2**31, 2**32 + self.lo, 2**32 + 1, 2**63, 2**64 + self.lo, 2**64 + 1]
        return sorted({v for v in cands if not self.lo <= v <= self.hi})


def _flow(sport=40000, dport=9000, proto="udp"):
    return (proto, HOST, sport, DEST, dport)


def _flow_ints(callable_: str, param: str, prefix: str, use: Callable[[Env, Any], Any]) -> list[IntArg]:
    """The three integers of a flow given as a tuple, and as a Flow."""
    out = []
    for field, lo, hi in (("proto", 0, 255), ("sport", 0, 65535), ("dport", 0, 65535)):
        def tup(env, v, field=field):
            return use(env, _flow(**{field: v}))

        def obj(env, v, field=field):
            return use(env, Flow(**{**Flow(17, HOST, 40000, DEST, 9000)._asdict(), field: v}))

        out.append(IntArg(callable_, param, f"{prefix}.{field}", tup, lo, hi))
        out.append(IntArg(callable_, param, f"{prefix}.{field}", obj, lo, hi))
    return out


def _owner_ints(callable_: str, pin: Callable[..., Any]) -> list[IntArg]:
    """owner= and owner_cgroup= of a pin call; pin(env, **kw) pins to path 1."""
    return [
        IntArg(callable_, "owner", "owner", lambda e, v: pin(e, owner=v), 1, PID_MAX),
        IntArg(callable_, "owner_cgroup", "owner_cgroup", lambda e, v: pin(e, owner=4242, owner_cgroup=v), 0, U64),
    ]


def _target_ints(callable_: str, pin: Callable[..., Any], owner: bool = True) -> list[IntArg]:
    """target=, path=, set= and (owner: True) the owner of a pin call; pin(env, **kw)."""
    out = [
        IntArg(callable_, "target", "target", lambda e, v: pin(e, target=v), 0, 4095),
        IntArg(callable_, "target", "target id", lambda e, v: pin(e, target=("set", v)), 0, 4095),
        IntArg(callable_, "target", "target id", lambda e, v: pin(e, target=("path", v)), 0, 4095),
        IntArg(callable_, "path", "path", lambda e, v: pin(e, path=v), 0, 4095),
        IntArg(callable_, "set", "set", lambda e, v: pin(e, set=v), 0, 4095),
    ]
    return out + (_owner_ints(callable_, lambda e, **kw: pin(e, path=1, **kw)) if owner else [])


def _pin_flow(e, **kw):
    return e.steering.pin_flow(_flow(), **kw)


def _pin_qp(e, **kw):
    return e.steering.pin_qp(DEST, 0x123, **kw)


def _pin_prefix(e, **kw):
    return e.steering.pin_prefix(DEST, **kw)


def _attach(e, **kw):
    return Steering.attach(e.ifname, bpffs=e.bpffs, **kw)


def _rx(e) -> Receive:
    """A receive handle that is NULL: the arguments under test fail first."""
    return Receive(0, e.bpffs)


class Fileno:
    """Anything with fileno(), as a socket.socket is: fileno() says v."""

    def __init__(self, v):
        self.v = v

    def fileno(self):
        return self.v


class PathLike(os.PathLike):
    """An os.PathLike (as a pathlib.Path is) whose path is v, whatever it is."""

    def __init__(self, v):
        self.v = v

    def __fspath__(self):
        return self.v


FD_MAX = 2**31 - 1
ROOT_CGROUP = 1  # a valid cgroup id: the argument under test fails first


def _sock_ints(callable_: str, param: str, name: str, use: Callable[[Env, Any], Any]) -> list[IntArg]:
    """A socket given as an int fd, and as an object whose fileno() says it."""
    return [IntArg(callable_, param, name, use, 0, FD_MAX),
            IntArg(callable_, param, name, lambda e, v: use(e, Fileno(v)), 0, FD_MAX)]


def _pin_socket(e, **kw):
    return e.steering.pin_socket(0, **kw)


def _pin_cgroup(e, **kw):
    return e.steering.pin_cgroup(ROOT_CGROUP, **kw)


INTEGERS: list[IntArg] = [
    IntArg("Steering.attach", "hop_limit", "hop_limit", lambda e, v: _attach(e, hop_limit=v), 1, 255),
    IntArg("Steering.attach", "mtu", "mtu", lambda e, v: _attach(e, mtu=v), 0, U32),
    IntArg("Steering.attach", "max_flows", "max_flows", lambda e, v: _attach(e, max_flows=v), 0, U32),
    IntArg("Steering.attach", "max_qps", "max_qps", lambda e, v: _attach(e, max_qps=v), 0, U32),
    IntArg("Steering.attach", "max_prefixes", "max_prefixes", lambda e, v: _attach(e, max_prefixes=v), 0, U32),
    IntArg("Steering.attach", "max_cgroups", "max_cgroups", lambda e, v: _attach(e, max_cgroups=v), 0, U32),
    IntArg("Steering.add_path", "id", "id", lambda e, v: e.steering.add_path(v, "1004,1001,1006,fe06"), 0, 4095),
    IntArg("Steering.add_path", "usids", "usids[1]", lambda e, v: e.steering.add_path(7, [0x1004, v]), 0, 0xFFFF),
    IntArg("Steering.remove_path", "id", "id", lambda e, v: e.steering.remove_path(v), 0, 4095),
    IntArg("Steering.set_path_down", "id", "id", lambda e, v: e.steering.set_path_down(v), 0, 4095),
    IntArg("Steering.set_path_fallback", "id", "id", lambda e, v: e.steering.set_path_fallback(v), 0, 4095),
    *_target_ints("Steering.set_path_fallback", lambda e, **kw: e.steering.set_path_fallback(1, **kw), owner=False),
    IntArg("Steering.path_fallback", "id", "id", lambda e, v: e.steering.path_fallback(v), 0, 4095),
    IntArg("Steering.path_health", "id", "id", lambda e, v: e.steering.path_health(v), 0, 4095),
    IntArg("Steering.set_flowlet_gap", "us", "us", lambda e, v: e.steering.set_flowlet_gap(v), 0, 2**32 - 1),
    IntArg("Steering.define_set", "id", "id", lambda e, v: e.steering.define_set(v, [1]), 0, 4095),
    IntArg("Steering.define_set", "paths", "paths[1]", lambda e, v: e.steering.define_set(1, [1, v]), 0, 4095),
    IntArg("Steering.remove_set", "id", "id", lambda e, v: e.steering.remove_set(v), 0, 4095),
    *_flow_ints("Steering.pin_flow", "flow", "flow", lambda e, f: e.steering.pin_flow(f, path=1)),
    *_target_ints("Steering.pin_flow", _pin_flow),
    *_flow_ints("Steering.unpin_flow", "flow", "flow", lambda e, f: e.steering.unpin_flow(f)),
    *_flow_ints("Steering.pin_flows", "pins", "pins[0] flow", lambda e, f: e.steering.pin_flows([(f, 1)])),
    IntArg("Steering.pin_flows", "pins", "pins[0] target", lambda e, v: e.steering.pin_flows([(_flow(), v)]),
           0, 4095),
    IntArg("Steering.pin_flows", "pins", "pins[0] target id",
           lambda e, v: e.steering.pin_flows([(_flow(), ("set", v))]), 0, 4095),
    *_owner_ints("Steering.pin_flows", lambda e, **kw: e.steering.pin_flows([(_flow(), 1)], **kw)),
    IntArg("Steering.pin_qp", "qp", "qp", lambda e, v: e.steering.pin_qp(DEST, v, path=1), 0, 0xFFFFFF),
    *_target_ints("Steering.pin_qp", _pin_qp),
    IntArg("Steering.unpin_qp", "qp", "qp", lambda e, v: e.steering.unpin_qp(DEST, v), 0, 0xFFFFFF),
    *_target_ints("Steering.pin_prefix", _pin_prefix),
    *_sock_ints("Steering.pin_socket", "sock", "sock", lambda e, v: e.steering.pin_socket(v, path=1)),
    *_target_ints("Steering.pin_socket", _pin_socket, owner=False),
    *_sock_ints("Steering.pin_sockets", "pins", "pins[0] sock", lambda e, v: e.steering.pin_sockets([(v, 1)])),
    IntArg("Steering.pin_sockets", "pins", "pins[0] target", lambda e, v: e.steering.pin_sockets([(0, v)]), 0, 4095),
    IntArg("Steering.pin_sockets", "pins", "pins[0] target id",
           lambda e, v: e.steering.pin_sockets([(0, ("set", v))]), 0, 4095),
    *_sock_ints("Steering.unpin_socket", "sock", "sock", lambda e, v: e.steering.unpin_socket(v)),
    *_sock_ints("Steering.socket_pin", "sock", "sock", lambda e, v: e.steering.socket_pin(v)),
    IntArg("Steering.pin_cgroup", "cgroup", "cgroup", lambda e, v: e.steering.pin_cgroup(v, path=1), 1, U64),
    *_target_ints("Steering.pin_cgroup", _pin_cgroup),
    IntArg("Steering.unpin_cgroup", "cgroup", "cgroup", lambda e, v: e.steering.unpin_cgroup(v), 1, U64),
    IntArg("Target.path", "id", "id", lambda e, v: Target.path(v), 0, 4095),
    IntArg("Target.set", "id", "id", lambda e, v: Target.set(v), 0, 4095),
    IntArg("Target.of", "target", "target", lambda e, v: Target.of(v), 0, 4095),
    IntArg("Target.of", "target", "target id", lambda e, v: Target.of(("set", v)), 0, 4095),
    *_flow_ints("Flow.of", "flow", "flow", lambda e, f: Flow.of(f)),
]

TEXTS: list[Arg] = [
    Arg("detach", "ifname", "ifname", lambda e, v: srv6steer.detach(v, e.bpffs)),
    Arg("detach", "bpffs", "bpffs", lambda e, v: srv6steer.detach(e.ifname, v)),
    Arg("remove_dead", "bpffs", "bpffs", lambda e, v: srv6steer.remove_dead(v)),
    Arg("Steering.attach", "ifname", "ifname", lambda e, v: Steering.attach(v, bpffs=e.bpffs)),
    Arg("Steering.attach", "source", "source", lambda e, v: _attach(e, source=v)),
    Arg("Steering.attach", "bpffs", "bpffs", lambda e, v: Steering.attach(e.ifname, bpffs=v)),
    Arg("Steering.open", "ifname", "ifname", lambda e, v: Steering.open(v, e.bpffs)),
    Arg("Steering.open", "bpffs", "bpffs", lambda e, v: Steering.open(e.ifname, v)),
    Arg("Steering.add_path", "usids", "usids", lambda e, v: e.steering.add_path(7, v)),
    Arg("Steering.add_path", "block", "block", lambda e, v: e.steering.add_path(7, "1004", block=v)),
    Arg("Steering.add_path", "segments", "segments[0]", lambda e, v: e.steering.add_path(7, segments=[v])),
    Arg("Steering.pin_flow", "flow", "flow", lambda e, v: e.steering.pin_flow(v, path=1)),
    Arg("Steering.pin_flow", "flow", "flow.src", lambda e, v: e.steering.pin_flow(("udp", v, 1, DEST, 2), path=1)),
    Arg("Steering.pin_flow", "flow", "flow.dst", lambda e, v: e.steering.pin_flow(("udp", HOST, 1, v, 2), path=1)),
    Arg("Steering.pin_flow", "flow", "flow.proto", lambda e, v: e.steering.pin_flow((v, HOST, 1, DEST, 2), path=1)),
    Arg("Steering.unpin_flow", "flow", "flow", lambda e, v: e.steering.unpin_flow(v)),
    Arg("Steering.pin_flows", "pins", "pins[0] flow.src",
        lambda e, v: e.steering.pin_flows([(("udp", v, 1, DEST, 2), 1)])),
    Arg("Steering.pin_qp", "dst", "dst", lambda e, v: e.steering.pin_qp(v, 1, path=1)),
    Arg("Steering.unpin_qp", "dst", "dst", lambda e, v: e.steering.unpin_qp(v, 1)),
    Arg("Steering.pin_prefix", "prefix", "prefix", lambda e, v: e.steering.pin_prefix(v, path=1)),
    Arg("Steering.unpin_prefix", "prefix", "prefix", lambda e, v: e.steering.unpin_prefix(v)),
    Arg("Flow.parse", "text", "flow", lambda e, v: Flow.parse(v)),
    Arg("Steering.connect", "socket_path", "socket_path", lambda e, v: Steering.connect(v)),
    Arg("Steering.connect", "ifname", "ifname", lambda e, v: Steering.connect(os.path.join(e.bpffs or "/", "none"), v)),
    # A cgroup is an id or a path: as text, it comes through an os.PathLike
    # here (an int is an id, which TEXTS would not refuse).
    Arg("Steering.pin_cgroup", "cgroup", "cgroup", lambda e, v: e.steering.pin_cgroup(PathLike(v), path=1)),
    Arg("Steering.unpin_cgroup", "cgroup", "cgroup", lambda e, v: e.steering.unpin_cgroup(PathLike(v))),
    Arg("Flow.of", "flow", "flow", lambda e, v: Flow.of(v)),
    # A topology or job as text is JSON or a file name (here: a file name).
    Arg("plan_job", "topology", "topology", lambda e, v: srv6steer.plan_job(v, JOB)),
    Arg("plan_job", "job", "job", lambda e, v: srv6steer.plan_job({}, v)),
    Arg("plan_job_jalapeno", "job", "job", lambda e, v: srv6steer.plan_job_jalapeno(v, endpoint=JALAPENO)),
    Arg("plan_job_jalapeno", "endpoint", "endpoint", lambda e, v: srv6steer.plan_job_jalapeno(JOB, endpoint=v)),
    Arg("plan_job_jalapeno", "collection", "collection",
        lambda e, v: srv6steer.plan_job_jalapeno(JOB, endpoint=JALAPENO, collection=v)),
    Arg("plan_job_jalapeno", "dest_function", "dest_function",
        lambda e, v: srv6steer.plan_job_jalapeno(JOB, endpoint=JALAPENO, dest_function=v)),
    Arg("Receive.attach", "ifname", "ifname", lambda e, v: Receive.attach(v, e.bpffs)),
    Arg("Receive.attach", "bpffs", "bpffs", lambda e, v: Receive.attach(e.ifname, v)),
    Arg("Receive.open", "bpffs", "bpffs", lambda e, v: Receive.open(v)),
    Arg("Receive.detach", "ifname", "ifname", lambda e, v: Receive.detach(v, e.bpffs)),
    Arg("Receive.detach", "bpffs", "bpffs", lambda e, v: Receive.detach(e.ifname, v)),
    Arg("Receive.interfaces", "bpffs", "bpffs", lambda e, v: Receive.interfaces(v)),
    Arg("Receive.add_sid", "prefix", "prefix", lambda e, v: _rx(e).add_sid(v, "udt6")),
    Arg("Receive.add_sid", "behavior", "behavior", lambda e, v: _rx(e).add_sid("fcbb:0:e002:fe06::/64", v)),
    Arg("Receive.remove_sid", "prefix", "prefix", lambda e, v: _rx(e).remove_sid(v)),
]

# Not integers, not strings: fed an integer (2**32 + 1), each must refuse it
# rather than take it for something.
OTHERS: list[Arg] = [
    Arg("Steering.attach", "hook", "hook", lambda e, v: _attach(e, hook=v)),
    Arg("Steering.attach", "fixed_gso", "fixed_gso", lambda e, v: _attach(e, fixed_gso=v)),
    Arg("Steering.attach", "route_mtu", "route_mtu", lambda e, v: _attach(e, route_mtu=v)),
    Arg("Steering.attach", "drop_oversize", "drop_oversize", lambda e, v: _attach(e, drop_oversize=v)),
    Arg("Steering.add_path", "full_srh", "full_srh", lambda e, v: e.steering.add_path(7, "1004", full_srh=v)),
    Arg("Steering.add_path", "segments", "segments", lambda e, v: e.steering.add_path(7, segments=v)),
    Arg("Steering.set_path_down", "down", "down", lambda e, v: e.steering.set_path_down(1, v)),
    Arg("Steering.define_set", "paths", "paths", lambda e, v: e.steering.define_set(1, v)),
    Arg("Steering.pin_flow", "replace", "replace", lambda e, v: e.steering.pin_flow(_flow(), path=1, replace=v)),
    Arg("Steering.pin_flows", "replace", "replace", lambda e, v: e.steering.pin_flows([(_flow(), 1)], replace=v)),
    Arg("Steering.pin_flows", "pins", "pins", lambda e, v: e.steering.pin_flows([v])),
    Arg("Steering.pin_qp", "replace", "replace", lambda e, v: e.steering.pin_qp(DEST, 1, path=1, replace=v)),
    Arg("Steering.pin_prefix", "replace", "replace", lambda e, v: e.steering.pin_prefix(DEST, path=1, replace=v)),
    Arg("Steering.pin_socket", "replace", "replace", lambda e, v: e.steering.pin_socket(0, path=1, replace=v)),
    Arg("Steering.pin_sockets", "replace", "replace", lambda e, v: e.steering.pin_sockets([(0, 1)], replace=v)),
    Arg("Steering.pin_sockets", "pins", "pins", lambda e, v: e.steering.pin_sockets([v])),
    Arg("Steering.pin_cgroup", "replace", "replace", lambda e, v: _pin_cgroup(e, path=1, replace=v)),
    Arg("plan_job_jalapeno", "timeout", "timeout",
        lambda e, v: srv6steer.plan_job_jalapeno(JOB, endpoint=JALAPENO, timeout=v)),
    Arg("Receive.attach", "mode", "mode", lambda e, v: Receive.attach(e.ifname, e.bpffs, mode=v)),
    Arg("Receive.add_sid", "replace", "replace",
        lambda e, v: _rx(e).add_sid("fcbb:0:e002:fe06::/64", "udt6", replace=v)),
    Arg("Receive.add_sid", "path_stats", "path_stats",
        lambda e, v: _rx(e).add_sid("fcbb:0:e002:fe06::/64", "udt6", path_stats=v)),
    Arg("Receive.set_config", "decap", "decap", lambda e, v: _rx(e).set_config(decap=v)),
    Arg("Receive.set_config", "ecn_drop", "ecn_drop", lambda e, v: _rx(e).set_config(ecn_drop=v)),
    Arg("Receive.set_config", "path_stats", "path_stats", lambda e, v: _rx(e).set_config(path_stats=v)),
]

# Callables without parameters (besides self).
NO_PARAMETERS = {
    "version", "reason_names", "library_path", "Steering.close", "Steering.detach", "Steering.status",
    "Steering.flows", "Steering.qps", "Steering.prefixes", "Steering.stats", "Steering.path_stats",
    "Steering.gc", "Steering.sockets", "Steering.cgroups", "Steering.flowlet_gap",
    "Receive.close", "Receive.sids", "Receive.config", "Receive.stats",
}


def covered() -> set[tuple[str, str]]:
    return {(a.callable, a.param) for a in (*INTEGERS, *TEXTS, *OTHERS)}
