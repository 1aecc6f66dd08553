# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The binding's values: flows, targets, what pins and status say, and the
checked conversion of each into what the C ABI takes (srv6steer.h)."""

from __future__ import annotations

import ctypes
import os
import socket
from dataclasses import dataclass, field
from typing import NamedTuple

from . import _args, _capi
from ._args import ArgumentError

DEFAULT_BLOCK = "fcbb:0::/32"
"""The uSID block of the design's numbering (16-bit uSIDs)."""

OWNER_SELF = "self"
"""Pins owned by this process: srv6steer gc removes them once it is gone."""
OWNER_NONE = None
"""Pins owned by nobody: they never go stale (configuration)."""

_PROTOS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "ipv6-icmp": 58, "sctp": 132}
_PROTO_NAMES = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6", 132: "sctp"}

def _proto_number(proto: int | str, name: str = "proto") -> int:
    if isinstance(proto, str):
        p = _args.text(proto, name).lower()
        if p in _PROTOS:
            return _PROTOS[p]
        if p.isdigit() and p.isascii():
            return _args.integer(int(p), name, 0, _args.PROTO_MAX)
        raise ArgumentError(f'{name} "{proto}" is not a protocol: tcp, udp, icmp, icmpv6, sctp or 0-255')
    return _args.integer(proto, name, 0, _args.PROTO_MAX)


class Flow(NamedTuple):
    """A transport 5-tuple; addresses of either family."""

    proto: int
    src: str
    sport: int
    dst: str
    dport: int

    @classmethod
    def parse(cls, text: str) -> "Flow":
        """"tcp SRC SPORT DST DPORT", validated by the library."""
        out = _capi.Flow()
        _capi.check(_capi.load().srv6s_flow_parse(_args.cstr(text, "flow"), ctypes.byref(out)))
        return cls._from_c(out)

    @classmethod
    def of(cls, flow: "Flow | str | tuple | dict") -> "Flow":
        """A checked Flow from a Flow, its text, a (proto, src, sport, dst,
        dport) tuple or a dict with those keys."""
        return cls._of(flow, "flow")

    @classmethod
    def _of(cls, flow, name: str) -> "Flow":
        if isinstance(flow, str):
            return cls.parse(flow)
        if isinstance(flow, dict):
            try:
                flow = tuple(flow[k] for k in cls._fields)
            except KeyError as e:
                raise ArgumentError(f"{name} has no {e.args[0]!r}: give {', '.join(cls._fields)}") from None
        if not isinstance(flow, tuple) or len(flow) != 5:
            raise TypeError(f"{name} must be a Flow, its text, a 5-tuple or a dict, not {flow!r}")
        proto, src, sport, dst, dport = flow
        return cls(_proto_number(proto, f"{name}.proto"), _args.text(src, f"{name}.src"),
                   _args.port(sport, f"{name}.sport"), _args.text(dst, f"{name}.dst"),
                   _args.port(dport, f"{name}.dport"))

    @classmethod
    def _from_c(cls, f: _capi.Flow) -> "Flow":
        return cls(f.proto, _capi.text(f.src), f.sport, _capi.text(f.dst), f.dport)

    def _to_c(self, name: str = "flow") -> _capi.Flow:
        f = Flow._of(self, name)  # checks every field
        return _capi.Flow(src=_args.field(f.src, f"{name}.src", _capi.ADDRSTRLEN),
                          dst=_args.field(f.dst, f"{name}.dst", _capi.ADDRSTRLEN),
                          sport=f.sport, dport=f.dport, proto=f.proto)

    def __str__(self) -> str:
        return f"{_PROTO_NAMES.get(self.proto, self.proto)} {self.src} {self.sport} {self.dst} {self.dport}"


class Target(NamedTuple):
    """What a pin points at: ``Target.path(1)`` or ``Target.set(10)``."""

    kind: str  # "path" or "set"
    id: int

    @classmethod
    def path(cls, id: int) -> "Target":
        return cls("path", _args.path_id(id, "id"))

    @classmethod
    def set(cls, id: int) -> "Target":
        return cls("set", _args.set_id(id, "id"))

    @classmethod
    def of(cls, target: "Target | int | tuple") -> "Target":
        """A checked Target from a Target, a path id, or ("path"|"set", id)."""
        return cls._of(target, "target")

    @classmethod
    def _of(cls, target, name: str) -> "Target":
        if isinstance(target, tuple) and len(target) == 2:
            kind, id = target
            if kind == "path":
                return cls("path", _args.path_id(id, f"{name} id"))
            if kind == "set":
                return cls("set", _args.set_id(id, f"{name} id"))
            raise ArgumentError(f'{name} kind {kind!r} is not "path" or "set"')
        if isinstance(target, tuple):
            raise TypeError(f'{name} must be a Target, a path id or ("path"|"set", id), not {target!r}')
        return cls("path", _args.path_id(target, name))

    def _c(self, name: str = "target") -> tuple[int, int]:
        t = Target._of(self, name)
        return (_capi.TARGET_PATH if t.kind == "path" else _capi.TARGET_SET), t.id

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


def _target(target, path, set_) -> tuple[int, int]:
    given = [t for t in (target, path, set_) if t is not None]
    if len(given) != 1:
        raise ArgumentError("give exactly one of target=, path= or set=")
    if path is not None:
        return _capi.TARGET_PATH, _args.path_id(path, "path")
    if set_ is not None:
        return _capi.TARGET_SET, _args.set_id(set_, "set")
    return Target.of(target)._c()


def _pin_opts(replace: bool, owner, owner_cgroup: int) -> _capi.PinOpts:
    cgroup = _args.integer(owner_cgroup, "owner_cgroup", 0, _args.U64_MAX)
    o = _capi.PinOpts(replace=int(_args.flag(replace, "replace")))
    if owner is None or owner == OWNER_SELF:
        if cgroup:
            raise ArgumentError("owner_cgroup needs an owner pid (owner=PID)")
        o.owner = _capi.OWNER_NONE if owner is None else _capi.OWNER_SELF
        return o
    o.owner = _capi.OWNER_PID
    o.owner_pid = _args.integer(owner, "owner", 1, _args.PID_MAX)
    o.owner_cgroup = cgroup
    return o


def _pin_dict(p: _capi.PinInfo) -> dict:
    return {
        "target": Target("set" if p.target_kind == _capi.TARGET_SET else "path", p.target_id),
        "owner_pid": p.owner_pid,
        "owner_cgroup": p.owner_cgroup,
        "created_ns": p.created_ns,
        "packets": p.packets,
        "bytes": p.bytes,
        # Follows its paths while they are down, never falls back: a path
        # probe's own socket (the agent's prober pins them so).
        "ignore_down": bool(p.flags & _capi.PIN_INFO_IGNORE_DOWN),
    }


def _socket_dict(e: _capi.SocketEntry) -> dict:
    f = Flow._from_c(e.flow)
    try:
        family: int = socket.AddressFamily(e.family)
    except ValueError:
        family = e.family
    return {"cookie": e.cookie, "family": family, "flow": f, **f._asdict(), **_pin_dict(e.pin)}


def _cgroup_id(cgroup, name: str = "cgroup") -> int:
    """A cgroup's id: an int, or a path (str or os.PathLike: absolute,
    relative to the cgroup2 mount, or "id:NUMBER") the library resolves."""
    if isinstance(cgroup, (str, os.PathLike)):
        path = _args.cstr(cgroup, name, path=True)
        out = ctypes.c_uint64()
        _capi.check(_capi.load().srv6s_cgroup_id(path, ctypes.byref(out)))
        return out.value
    return _args.integer(cgroup, name, 1, _args.U64_MAX)


def _usid_text(usids) -> str:
    if isinstance(usids, str):
        return _args.text(usids, "usids")
    if not isinstance(usids, (list, tuple)):
        raise TypeError(f"usids must be a str or a list of uSIDs, not {usids!r}")
    return ",".join(format(_args.integer(u, f"usids[{i}]", 0, _args.USID_MAX), "x")
                    if not isinstance(u, str) else _args.text(u, f"usids[{i}]")
                    for i, u in enumerate(usids))


class OwnedRoute(NamedTuple):
    """A route MTU srv6steer set towards a pinned destination."""

    dst: str
    mtu: int
    added: bool  # srv6steer added the route (else changed an existing one's MTU)
    old_mtu: int  # restored when the last pin goes (0: none)
    table: int
    priority: int
    pins: int


class Problem(NamedTuple):
    """Why an attachment does not (or no longer) steer."""

    kind: str  # "interface_gone", "ifindex_changed", "link_missing", ...
    detail: str


@dataclass
class Status:
    """What the state of an interface says (Steering.status())."""

    ifname: str
    netns: str  # the network namespace's name, "" for the initial one
    netns_cookie: int
    pin_dir: str
    source: str
    attached_ns: int
    ifindex: int
    attach_mode: str  # "tcx", "clsact" or "none"
    prog_id: int
    link_id: int
    route_mtu: bool
    config_flags: int
    mtu: int
    hop_limit: int
    n_paths: int
    n_sets: int
    n_flows: int
    n_qps: int
    n_prefixes: int
    max_flows: int
    max_qps: int
    max_prefixes: int
    n_sockets: int
    n_cgroups: int
    max_cgroups: int
    owned_routes: list[OwnedRoute] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """Attached and steering: no problem found."""
        return not self.problems
