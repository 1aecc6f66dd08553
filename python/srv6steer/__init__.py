# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""srv6steer: steer sockets, cgroups, flows, RoCEv2 queue pairs and prefixes
onto SRv6 paths.

A ctypes binding over libsrv6steer's C ABI (srv6steer.h)::

    import srv6steer
    with srv6steer.Steering.attach("eth0") as s:
        s.add_path(1, "1004,1001,1006,fe06")            # uSIDs in fcbb:0::/32
        s.pin_flow("tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", path=1)
        print(s.stats()["steered"])
    # closing the handle leaves the steering in place; srv6steer.detach("eth0") ends it

The receive side (XDP decapsulation to this host's own SIDs) is
srv6steer.Receive (srv6steer/receive.py)::

    with srv6steer.Receive.attach("eth0") as rx:
        rx.add_sid("fcbb:0:e002:fe06::/64", "udt6")

Without privileges, through `srv6steer agent` (remote mode)::

    with srv6steer.Steering.connect() as s:             # /run/srv6steer/agent.sock
        s.add_path(1, "1004,1001,1006,fe06")
        s.pin_socket(sock, path=1)                      # until sock is closed

The library is found, in this order, at $SRV6STEER_LIB (a path or a soname),
next to this package (libsrv6steer.so.1 or libsrv6steer.so copied here), by
ctypes.util.find_library("srv6steer"), and as libsrv6steer.so.1 on the
dynamic loader's path (LD_LIBRARY_PATH, ld.so.cache).

Every failure raises SteeringError, with the library's message and errno.
Arguments are checked before the library sees them: an integer out of its
range, or a string holding a NUL, raises ArgumentError (a SteeringError with
errno EINVAL, and a ValueError) naming the argument; a value of the wrong
type raises TypeError.
"""

from __future__ import annotations

import ctypes
import errno as _errno
import os
from typing import Any, Iterable

from . import _args, _capi
from ._args import ArgumentError
from ._capi import SteeringError, library_path
from .planning import plan_job, plan_job_jalapeno
from .receive import Receive
from ._values import (DEFAULT_BLOCK, OWNER_NONE, OWNER_SELF, Flow, OwnedRoute, Problem, Status, Target,
                      _cgroup_id, _pin_dict, _pin_opts, _socket_dict, _target, _usid_text)

__all__ = [
    "ArgumentError",
    "DEFAULT_BLOCK",
    "Flow",
    "OWNER_NONE",
    "OWNER_SELF",
    "OwnedRoute",
    "Problem",
    "Receive",
    "Status",
    "Steering",
    "SteeringError",
    "Target",
    "detach",
    "library_path",
    "plan_job",
    "plan_job_jalapeno",
    "reason_names",
    "remove_dead",
    "version",
]


def version() -> str:
    """libsrv6steer's version, e.g. "0.1.0"."""
    return _capi.load().srv6s_version().decode()


def reason_names() -> list[str]:
    """The reasons the library counts, by number ("steered", "no_match", ...)."""
    lib = _capi.load()
    return [lib.srv6s_reason_name(r).decode() for r in range(lib.srv6s_reason_count())]


# ---- steering -----------------------------------------------------------------------


def detach(ifname: str, bpffs: str | None = None) -> bool:
    """Detaches srv6steer from ifname and removes everything it set up there.
    False if it was not attached."""
    rc = _capi.load().srv6s_detach(_args.cstr(ifname, "ifname"), _args.optional_cstr(bpffs, "bpffs", path=True))
    # ENOENT also means "no such bpffs": that one is an error.
    if rc == -_errno.ENOENT and os.path.isdir(bpffs or "/sys/fs/bpf"):
        return False
    _capi.check(rc)
    return True


def remove_dead(bpffs: str | None = None) -> list[str]:
    """Removes the state of attachments that can no longer steer (network
    namespace or interface gone), in any network namespace. Returns the pin
    directories removed."""
    out: list[str] = []

    def each(text, _ctx):
        out.append(text.decode(errors="replace"))
        return 0

    n = ctypes.c_size_t()
    _capi.check(_capi.load().srv6s_remove_dead(_args.optional_cstr(bpffs, "bpffs", path=True), ctypes.byref(n),
                                               _capi.TEXT_FN(each), None))
    return out


class Steering:
    """An open handle on the steering state of one interface.

    Use as a context manager, or call close(); closing never stops the
    steering (detach() does). A handle is for one thread at a time."""

    def __init__(self, handle: int, ifname: str, bpffs: str | None):
        self._h: int | None = handle
        self._ifname = ifname
        self._bpffs = bpffs
        self._lib = _capi.load()

    # -- lifecycle --

    @classmethod
    def attach(cls, ifname: str, source: str | None = None, bpffs: str | None = None, *,
               hook: str = "auto", hop_limit: int | None = None, mtu: int = 0,
               fixed_gso: bool | None = None, route_mtu: bool | None = None,
               drop_oversize: bool | None = None, max_flows: int = 0, max_qps: int = 0,
               max_prefixes: int = 0, max_cgroups: int = 0) -> "Steering":
        """Loads the data plane and attaches it to TC egress of ifname.

        source: outer IPv6 source (default: the interface's first global IPv6
        address); bpffs: bpf filesystem (default /sys/fs/bpf); hook: "auto",
        "tcx" or "clsact"; hop_limit: outer hop limit 1..255 (default 64);
        mtu: L3 MTU to check (0: the interface's); fixed_gso, route_mtu (both
        on by default), drop_oversize (off): True/False, None for the
        default; max_flows, max_qps, max_prefixes, max_cgroups: pin map
        sizes (0: default)."""
        name = _args.cstr(ifname, "ifname")
        if not isinstance(hook, str) or hook not in _capi.HOOKS:
            raise ArgumentError(f"hook {hook!r} is not one of {', '.join(map(repr, _capi.HOOKS))}")
        source_c = _args.optional_cstr(source, "source")
        bpffs_c = _args.optional_cstr(bpffs, "bpffs", path=True)
        opts = _capi.AttachOpts(
            source=source_c, bpffs=bpffs_c, hook=_capi.HOOKS[hook],
            hop_limit=0 if hop_limit is None else _args.integer(hop_limit, "hop_limit", 1, 255),
            mtu=_args.u32(mtu, "mtu"),
            fixed_gso=_args.toggle(fixed_gso, "fixed_gso"), route_mtu=_args.toggle(route_mtu, "route_mtu"),
            drop_oversize=_args.toggle(drop_oversize, "drop_oversize"),
            max_flows=_args.u32(max_flows, "max_flows"), max_qps=_args.u32(max_qps, "max_qps"),
            max_prefixes=_args.u32(max_prefixes, "max_prefixes"), max_cgroups=_args.u32(max_cgroups, "max_cgroups"))
        h = ctypes.c_void_p()
        _capi.check(_capi.load().srv6s_attach(name, ctypes.byref(opts), ctypes.byref(h)))
        return cls(h.value, ifname, bpffs)

    @classmethod
    def open(cls, ifname: str, bpffs: str | None = None) -> "Steering":
        """Opens the state an earlier attach (any process) pinned for ifname."""
        name, bpffs_c = _args.cstr(ifname, "ifname"), _args.optional_cstr(bpffs, "bpffs", path=True)
        h = ctypes.c_void_p()
        _capi.check(_capi.load().srv6s_open(name, bpffs_c, ctypes.byref(h)))
        return cls(h.value, ifname, bpffs)

    @classmethod
    def connect(cls, socket_path: str | None = None, ifname: str | None = None) -> "Steering":
        """Remote mode: the same calls through `srv6steer agent`'s Unix socket
        (None: /run/srv6steer/agent.sock), on the interface it steers (None:
        its only one), without privileges. Through the agent, path and set
        ids are this client's own names, sockets are pinned by passing their
        fds, flow, queue pair, prefix and cgroup pins are refused, and a
        client changes and removes only its own pins."""
        path_c = _args.optional_cstr(socket_path, "socket_path", path=True)
        name_c = _args.optional_cstr(ifname, "ifname")
        h = ctypes.c_void_p()
        _capi.check(_capi.load().srv6s_connect(path_c, name_c, ctypes.byref(h)))
        s = cls(h.value, ifname or "", None)
        if not ifname:  # the agent's only interface: ask which
            try:
                s._ifname = s.status().ifname
            except SteeringError:
                pass
        return s

    @property
    def remote(self) -> bool:
        """True for a handle from connect() (through the agent)."""
        return bool(_capi.check(self._lib.srv6s_is_remote(self._handle())))

    @property
    def ifname(self) -> str:
        return self._ifname

    @property
    def closed(self) -> bool:
        return self._h is None

    def close(self) -> None:
        """Frees the handle; the steering stays."""
        if self._h is not None:
            self._lib.srv6s_close(self._h)
            self._h = None

    def detach(self) -> bool:
        """Closes this handle and detaches srv6steer from the interface (not
        for a handle from connect(): the agent keeps its attachment)."""
        if self._h is not None and self.remote:
            raise SteeringError(_errno.EPERM, f"this handle is connected to srv6steer agent, which keeps its "
                                f"attachment to {self._ifname}: close() the handle; only the agent detaches")
        self.close()
        return detach(self._ifname, self._bpffs)

    def __enter__(self) -> "Steering":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<srv6steer.Steering {self._ifname}{' (closed)' if self.closed else ''}>"

    def _handle(self) -> int:
        if self._h is None:
            raise SteeringError(_errno.EBADF, f"the handle on {self._ifname} is closed")
        return self._h

    def status(self) -> Status:
        """What the state says, owned route MTUs and problems included."""
        c = _capi.Status()
        _capi.check(self._lib.srv6s_get_status(self._handle(), ctypes.byref(c)))
        problems: list[Problem] = []
        routes: list[OwnedRoute] = []

        def each_problem(kind, detail, _ctx):
            problems.append(Problem(self._lib.srv6s_problem_name(kind).decode(), detail.decode(errors="replace")))
            return 0

        def each_route(route, _ctx):
            r = route.contents
            routes.append(OwnedRoute(_capi.text(r.dst), r.mtu, bool(r.added), r.old_mtu, r.table, r.priority, r.pins))
            return 0

        _capi.check(self._lib.srv6s_list_problems(self._handle(), _capi.PROBLEM_FN(each_problem), None))
        _capi.check(self._lib.srv6s_list_owned_routes(self._handle(), _capi.OWNED_ROUTE_FN(each_route), None))
        return Status(
            ifname=_capi.text(c.ifname), netns=_capi.text(c.netns), netns_cookie=c.netns_cookie,
            pin_dir=_capi.text(c.pin_dir), source=_capi.text(c.source), attached_ns=c.attached_ns,
            ifindex=c.ifindex, attach_mode=_capi.ATTACH_MODES.get(c.attach_mode, str(c.attach_mode)),
            prog_id=c.prog_id, link_id=c.link_id, route_mtu=bool(c.route_mtu), config_flags=c.config_flags,
            mtu=c.mtu, hop_limit=c.hop_limit, n_paths=c.n_paths, n_sets=c.n_sets, n_flows=c.n_flows,
            n_qps=c.n_qps, n_prefixes=c.n_prefixes, max_flows=c.max_flows, max_qps=c.max_qps,
            max_prefixes=c.max_prefixes, n_sockets=c.n_sockets, n_cgroups=c.n_cgroups, max_cgroups=c.max_cgroups,
            owned_routes=routes, problems=problems)

    # -- paths and sets --

    def add_path(self, id: int, usids=None, *, block: str = DEFAULT_BLOCK, segments=None,
                 full_srh: bool = False) -> None:
        """Adds path `id`: uSIDs ("1004,1001,1006,fe06" or [0x1004, ...]) packed
        into containers of `block`, or full SIDs/containers in path order
        (segments=[...]). full_srh: every container in an SRH (H.Encaps)
        rather than the reduced encapsulation."""
        pid = _args.path_id(id, "id")
        full = int(_args.flag(full_srh, "full_srh"))
        if (usids is None) == (segments is None):
            raise ArgumentError("give exactly one of usids or segments=")
        if usids is not None:
            _capi.check(self._lib.srv6s_add_path_usids(self._handle(), pid, _args.cstr(block, "block"),
                                                       _args.cstr(_usid_text(usids), "usids"), full))
            return
        if isinstance(segments, str) or not isinstance(segments, (list, tuple)):
            raise TypeError(f"segments must be a list of SIDs, not {segments!r}")
        segs = [_args.cstr(s, f"segments[{i}]") for i, s in enumerate(segments)]
        arr = (ctypes.c_char_p * max(len(segs), 1))(*segs)
        _capi.check(self._lib.srv6s_add_path_segments(self._handle(), pid, arr, len(segs), full))

    def remove_path(self, id: int) -> None:
        _capi.check(self._lib.srv6s_remove_path(self._handle(), _args.path_id(id, "id")))

    def set_path_down(self, id: int, down: bool = True) -> None:
        _capi.check(self._lib.srv6s_set_path_down(self._handle(), _args.path_id(id, "id"),
                                                  int(_args.flag(down, "down"))))

    def set_flowlet_gap(self, us: int) -> None:
        """Flowlets (docs/design.md §17): a flow of a set of several paths
        changes path only after `us` microseconds without a packet (0: off,
        at most 1,000,000); a path down moves it at once."""
        _capi.check(self._lib.srv6s_set_flowlet_gap(self._handle(), _args.u32(us, "us")))

    def flowlet_gap(self) -> int:
        """The flowlet gap in microseconds (0: off)."""
        v = _capi._u32()
        _capi.check(self._lib.srv6s_get_flowlet_gap(self._handle(), ctypes.byref(v)))
        return v.value

    def set_path_fallback(self, id: int, target=None, *, path: int | None = None,
                          set: int | None = None) -> None:
        """Where path `id`'s flows go when their whole set is down and `id` is
        the path their hash chose first: target=Target.path(2), path=2 or
        set=10; none of them: no fallback (plain routing)."""
        pid = _args.path_id(id, "id")
        if target is None and path is None and set is None:
            kind, tid = _capi.FALLBACK_NONE, 0
        else:
            kind, tid = _target(target, path, set)
        _capi.check(self._lib.srv6s_set_path_fallback(self._handle(), pid, kind, tid))

    def path_fallback(self, id: int) -> Target | None:
        """Path `id`'s fallback, None when it has none."""
        kind, tid = ctypes.c_uint32(), ctypes.c_uint32()
        _capi.check(self._lib.srv6s_get_path_fallback(self._handle(), _args.path_id(id, "id"),
                                                      ctypes.byref(kind), ctypes.byref(tid)))
        if kind.value == _capi.FALLBACK_NONE:
            return None
        return Target("set" if kind.value == _capi.TARGET_SET else "path", tid.value)

    def define_set(self, id: int, paths: Iterable[int]) -> None:
        """Defines (or changes, without tearing) path set `id` over existing paths."""
        sid = _args.set_id(id, "id")
        if isinstance(paths, (str, bytes)):
            raise TypeError(f"paths must be path ids, not {paths!r}")
        ids = [_args.path_id(p, f"paths[{i}]") for i, p in enumerate(paths)]
        arr = (ctypes.c_uint32 * max(len(ids), 1))(*ids)
        _capi.check(self._lib.srv6s_define_set(self._handle(), sid, arr, len(ids)))

    def remove_set(self, id: int) -> None:
        _capi.check(self._lib.srv6s_remove_set(self._handle(), _args.set_id(id, "id")))

    # -- pins --

    def pin_flow(self, flow, target=None, *, path: int | None = None, set: int | None = None,
                 replace: bool = False, owner=OWNER_SELF, owner_cgroup: int = 0) -> None:
        """Pins a flow (Flow, "tcp SRC SPORT DST DPORT", tuple or dict) to a
        target (target=Target.path(1), or path=1, or set=10). owner: "self"
        (OWNER_SELF), None (OWNER_NONE) or a pid (with owner_cgroup)."""
        f = Flow.of(flow)._to_c()
        kind, tid = _target(target, path, set)
        opts = _pin_opts(replace, owner, owner_cgroup)
        _capi.check(self._lib.srv6s_pin_flow(self._handle(), ctypes.byref(f), kind, tid, ctypes.byref(opts)))

    def unpin_flow(self, flow) -> bool:
        """Removes a flow pin; False if it was not pinned."""
        f = Flow.of(flow)._to_c()
        return self._unpinned(self._lib.srv6s_unpin_flow(self._handle(), ctypes.byref(f)))

    def pin_flows(self, pins: Iterable[tuple[Any, Any]], *, replace: bool = False, owner=OWNER_SELF,
                  owner_cgroup: int = 0) -> int:
        """Pins many flows at once, all or nothing: an iterable of (flow,
        target) pairs, target a Target, a path id or ("set", id). Returns how
        many pins were new."""
        items = []
        for i, pair in enumerate(pins):
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise TypeError(f"pins[{i}] must be a (flow, target) pair, not {pair!r}")
            items.append((Flow._of(pair[0], f"pins[{i}] flow")._to_c(f"pins[{i}] flow"),
                          Target._of(pair[1], f"pins[{i}] target")._c(f"pins[{i}] target")))
        opts = _pin_opts(replace, owner, owner_cgroup)
        arr = (_capi.FlowPin * max(len(items), 1))()
        for i, (f, (kind, tid)) in enumerate(items):
            arr[i].flow, arr[i].target_kind, arr[i].target_id = f, kind, tid
        added = ctypes.c_size_t()
        _capi.check(self._lib.srv6s_pin_flows(self._handle(), arr, len(items), ctypes.byref(opts),
                                              ctypes.byref(added)))
        return added.value

    def pin_qp(self, dst: str, qp: int, target=None, *, path: int | None = None, set: int | None = None,
               replace: bool = False, owner=OWNER_SELF, owner_cgroup: int = 0) -> None:
        """Pins RoCEv2 traffic to dst with destination queue pair qp (24 bits)."""
        dst_c, qp_n = _args.cstr(dst, "dst"), _args.qp(qp)
        kind, tid = _target(target, path, set)
        opts = _pin_opts(replace, owner, owner_cgroup)
        _capi.check(self._lib.srv6s_pin_qp(self._handle(), dst_c, qp_n, kind, tid, ctypes.byref(opts)))

    def unpin_qp(self, dst: str, qp: int) -> bool:
        dst_c, qp_n = _args.cstr(dst, "dst"), _args.qp(qp)
        return self._unpinned(self._lib.srv6s_unpin_qp(self._handle(), dst_c, qp_n))

    def pin_prefix(self, prefix: str, target=None, *, path: int | None = None, set: int | None = None,
                   replace: bool = False, owner=OWNER_SELF, owner_cgroup: int = 0) -> None:
        """Pins traffic to a destination prefix ("fcbb:0:800:2::/64",
        "10.0.2.0/24", or an address alone)."""
        prefix_c = _args.cstr(prefix, "prefix")
        kind, tid = _target(target, path, set)
        opts = _pin_opts(replace, owner, owner_cgroup)
        _capi.check(self._lib.srv6s_pin_prefix(self._handle(), prefix_c, kind, tid, ctypes.byref(opts)))

    def unpin_prefix(self, prefix: str) -> bool:
        return self._unpinned(self._lib.srv6s_unpin_prefix(self._handle(), _args.cstr(prefix, "prefix")))

    @staticmethod
    def _unpinned(rc: int) -> bool:
        if rc == -_errno.ENOENT:
            return False
        _capi.check(rc)
        return True

    def flows(self) -> list[dict]:
        """Every flow pin: dicts with flow (Flow), proto, src, sport, dst,
        dport, target (Target), owner_pid, owner_cgroup, created_ns, packets, bytes,
        ignore_down (always False here: only a path probe's socket pin has it)."""
        out: list[dict] = []

        def each(entry, _ctx):
            e = entry.contents
            f = Flow._from_c(e.flow)
            out.append({"flow": f, **f._asdict(), **_pin_dict(e.pin)})
            return 0

        _capi.check(self._lib.srv6s_list_flows(self._handle(), _capi.FLOW_FN(each), None))
        return out

    def qps(self) -> list[dict]:
        """Every queue pair pin: dicts with dst, qp and the pin's fields."""
        out: list[dict] = []

        def each(entry, _ctx):
            e = entry.contents
            out.append({"dst": _capi.text(e.dst), "qp": e.qp, **_pin_dict(e.pin)})
            return 0

        _capi.check(self._lib.srv6s_list_qps(self._handle(), _capi.QP_FN(each), None))
        return out

    def prefixes(self) -> list[dict]:
        """Every prefix pin: dicts with prefix and the pin's fields."""
        out: list[dict] = []

        def each(entry, _ctx):
            e = entry.contents
            out.append({"prefix": _capi.text(e.prefix), **_pin_dict(e.pin)})
            return 0

        _capi.check(self._lib.srv6s_list_prefixes(self._handle(), _capi.PREFIX_FN(each), None))
        return out

    # -- sockets and cgroups --

    def pin_socket(self, sock, target=None, *, path: int | None = None, set: int | None = None,
                   replace: bool = False) -> None:
        """Pins a socket of this process (a socket.socket, anything with
        fileno(), or an int fd; TCP or UDP, IPv4 or IPv6): every packet it
        sends follows the target, before any other pin. The pin ends with
        the socket."""
        fd = _args.fd(sock, "sock")
        kind, tid = _target(target, path, set)
        opts = _pin_opts(replace, OWNER_SELF, 0)
        _capi.check(self._lib.srv6s_pin_socket(self._handle(), fd, kind, tid, ctypes.byref(opts)))

    def pin_sockets(self, pins: Iterable[tuple[Any, Any]], *, replace: bool = False) -> int:
        """Pins many sockets at once, all or nothing: an iterable of (sock,
        target) pairs, target a Target, a path id or ("set", id). Returns how
        many pins were new."""
        items = []
        for i, pair in enumerate(pins):
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise TypeError(f"pins[{i}] must be a (sock, target) pair, not {pair!r}")
            items.append((_args.fd(pair[0], f"pins[{i}] sock"), Target._of(pair[1], f"pins[{i}] target")._c(
                f"pins[{i}] target")))
        opts = _pin_opts(replace, OWNER_SELF, 0)
        arr = (_capi.SocketPin * max(len(items), 1))()
        for i, (fd, (kind, tid)) in enumerate(items):
            arr[i].fd, arr[i].target_kind, arr[i].target_id = fd, kind, tid
        added = ctypes.c_size_t()
        _capi.check(self._lib.srv6s_pin_sockets(self._handle(), arr, len(items), ctypes.byref(opts),
                                                ctypes.byref(added)))
        return added.value

    def unpin_socket(self, sock) -> bool:
        """Removes a socket's pin; False if it had none."""
        return self._unpinned(self._lib.srv6s_unpin_socket(self._handle(), _args.fd(sock, "sock")))

    def socket_pin(self, sock) -> dict | None:
        """The pin of a socket of this process (the keys of sockets()), or None."""
        fd = _args.fd(sock, "sock")
        e = _capi.SocketEntry()
        rc = self._lib.srv6s_get_socket_pin(self._handle(), fd, ctypes.byref(e))
        if rc == -_errno.ENOENT:
            return None
        _capi.check(rc)
        return _socket_dict(e)

    def sockets(self) -> list[dict]:
        """Every pinned socket: dicts with cookie, family (socket.AF_INET or
        AF_INET6), flow (Flow: the socket's addresses now), proto, src,
        sport, dst, dport, target (Target), owner_pid, owner_cgroup,
        created_ns, packets, bytes, ignore_down (True only for the agent's
        path probe sockets: they follow their path while it is down)."""
        out: list[dict] = []

        def each(entry, _ctx):
            out.append(_socket_dict(entry.contents))
            return 0

        _capi.check(self._lib.srv6s_list_sockets(self._handle(), _capi.SOCKET_FN(each), None))
        return out

    def pin_cgroup(self, cgroup, target=None, *, path: int | None = None, set: int | None = None,
                   replace: bool = False, owner=OWNER_SELF, owner_cgroup: int = 0) -> None:
        """Pins every socket of a cgroup (v2) and of its descendants: cgroup
        is its path (absolute, or relative to the cgroup2 mount) or its id
        (int). Socket pins win over it; it wins over flow pins."""
        kind, tid = _target(target, path, set)
        opts = _pin_opts(replace, owner, owner_cgroup)
        cid = _cgroup_id(cgroup)
        _capi.check(self._lib.srv6s_pin_cgroup(self._handle(), cid, kind, tid, ctypes.byref(opts)))

    def unpin_cgroup(self, cgroup) -> bool:
        """Removes a cgroup pin; False if the cgroup was not pinned."""
        return self._unpinned(self._lib.srv6s_unpin_cgroup(self._handle(), _cgroup_id(cgroup)))

    def cgroups(self) -> list[dict]:
        """Every cgroup pin: dicts with id and the pin's fields."""
        out: list[dict] = []

        def each(entry, _ctx):
            e = entry.contents
            out.append({"id": e.id, **_pin_dict(e.pin)})
            return 0

        _capi.check(self._lib.srv6s_list_cgroups(self._handle(), _capi.CGROUP_FN(each), None))
        return out

    # -- statistics and housekeeping --

    def stats(self) -> dict[str, dict[str, int]]:
        """Packets and bytes the TC program saw, by reason, read together:
        {"steered": {"packets": n, "bytes": n}, "no_match": {...}, ...}."""
        names = reason_names()
        out = (_capi.Counter * max(len(names), 1))()
        _capi.check(self._lib.srv6s_stats_reasons(self._handle(), out, len(names), None))
        return {n: {"packets": out[i].packets, "bytes": out[i].bytes} for i, n in enumerate(names)}

    def path_stats(self) -> dict[int, dict[str, int]]:
        """Packets and bytes steered onto each existing path: {id: {...}}."""
        out: dict[int, dict[str, int]] = {}

        def each(path_id, counter, _ctx):
            c = counter.contents
            out[path_id] = {"packets": c.packets, "bytes": c.bytes}
            return 0

        _capi.check(self._lib.srv6s_stats_paths(self._handle(), _capi.PATH_STATS_FN(each), None))
        return out

    def path_health(self, id: int) -> dict[str, int | str]:
        """Path `id`'s health as the prober (the agent) last wrote it:
        {"state": "unknown" (nobody probes it) | "up" | "down", "targets",
        "sent", "replies", "lost", "rtt_last_ns", "rtt_min_ns", "rtt_avg_ns",
        "since_ns", "transitions", "rx_ce_packets", "updated_ns",
        "rx_packets", "ce_ppm", "congestion"} (times: CLOCK_REALTIME ns;
        docs/design.md §16.3; the last three: congestion, §17). SteeringError ENOENT if
        the path does not exist."""
        h = _capi.PathHealth()
        _capi.check(self._lib.srv6s_get_path_health(self._handle(), _args.path_id(id, "id"), ctypes.byref(h),
                                                    ctypes.sizeof(h)))
        out: dict[str, int | str] = {name: getattr(h, name) for name, _ in _capi.PathHealth._fields_}
        out["state"] = _capi.HEALTH_STATES.get(h.state, f"state {h.state}")
        return out

    def gc(self) -> int:
        """Removes pins whose owner process is gone; returns how many."""
        n = ctypes.c_size_t()
        _capi.check(self._lib.srv6s_gc(self._handle(), ctypes.byref(n)))
        return n.value
