# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""srv6steer: steer flows, RoCEv2 queue pairs and prefixes onto SRv6 paths.

A ctypes binding over libsrv6steer's C ABI (srv6steer.h)::

    import srv6steer
    with srv6steer.Steering.attach("eth0") as s:
        s.add_path(1, "1004,1001,1006,fe06")            # uSIDs in fcbb:0::/32
        s.pin_flow("tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", path=1)
        print(s.stats()["steered"])
    # closing the handle leaves the steering in place; srv6steer.detach("eth0") ends it

The library is found, in this order, at $SRV6STEER_LIB (a path or a soname),
next to this package (libsrv6steer.so.0 or libsrv6steer.so copied here), by
ctypes.util.find_library("srv6steer"), and as libsrv6steer.so.0 on the
dynamic loader's path (LD_LIBRARY_PATH, ld.so.cache).

Every failure raises SteeringError, with the library's message and errno.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno as _errno
import os
import threading
from typing import Any, Iterable, NamedTuple

__all__ = [
    "DEFAULT_BLOCK",
    "Flow",
    "OWNER_NONE",
    "OWNER_SELF",
    "Steering",
    "SteeringError",
    "Target",
    "detach",
    "library_path",
    "version",
]

DEFAULT_BLOCK = "fcbb:0::/32"
"""The uSID block of the design's numbering (16-bit uSIDs)."""

OWNER_SELF = "self"
"""Pins owned by this process: srv6steer gc removes them once it is gone."""
OWNER_NONE = None
"""Pins owned by nobody: they never go stale (configuration)."""

_ADDRSTRLEN = 48
_PREFIXSTRLEN = 56
_TARGET_PATH, _TARGET_SET = 0, 1
_PIN_REPLACE = 1
_C_OWNER_NONE = 0
_C_OWNER_SELF = 0xFFFFFFFF
_PROTOS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "ipv6-icmp": 58, "sctp": 132}
_PROTO_NAMES = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6", 132: "sctp"}


class SteeringError(Exception):
    """A libsrv6steer call failed.

    ``errno`` is the positive errno (EINVAL for invalid input, EEXIST,
    ENOENT, EBUSY, EPERM, ...), ``message`` the library's explanation."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.errno = code
        self.message = message

    def __repr__(self) -> str:
        name = _errno.errorcode.get(self.errno, str(self.errno))
        return f"SteeringError({name}, {self.message!r})"


# ---- the C structs (srv6steer.h, abi.h) ---------------------------------------


class _Counter(ctypes.Structure):
    _fields_ = [("packets", ctypes.c_uint64), ("bytes", ctypes.c_uint64)]


class _Flow(ctypes.Structure):
    _fields_ = [
        ("src", ctypes.c_char * _ADDRSTRLEN),
        ("dst", ctypes.c_char * _ADDRSTRLEN),
        ("sport", ctypes.c_uint16),
        ("dport", ctypes.c_uint16),
        ("proto", ctypes.c_uint8),
        ("pad", ctypes.c_uint8 * 3),
    ]


class _FlowPin(ctypes.Structure):
    _fields_ = [("flow", _Flow), ("target_kind", ctypes.c_uint32), ("target_id", ctypes.c_uint32)]


class _PinInfo(ctypes.Structure):
    _fields_ = [
        ("target_kind", ctypes.c_uint32),
        ("target_id", ctypes.c_uint32),
        ("owner_pid", ctypes.c_uint32),
        ("pad", ctypes.c_uint32),
        ("owner_cgroup", ctypes.c_uint64),
        ("created_ns", ctypes.c_uint64),
        ("packets", ctypes.c_uint64),
        ("bytes", ctypes.c_uint64),
    ]


class _FlowEntry(ctypes.Structure):
    _fields_ = [("flow", _Flow), ("pin", _PinInfo)]


class _QpEntry(ctypes.Structure):
    _fields_ = [
        ("dst", ctypes.c_char * _ADDRSTRLEN),
        ("qp", ctypes.c_uint32),
        ("pad", ctypes.c_uint32),
        ("pin", _PinInfo),
    ]


class _PrefixEntry(ctypes.Structure):
    _fields_ = [("prefix", ctypes.c_char * _PREFIXSTRLEN), ("pin", _PinInfo)]


_PATH_STATS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint32, ctypes.POINTER(_Counter), ctypes.c_void_p)
_FLOW_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(_FlowEntry), ctypes.c_void_p)
_QP_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(_QpEntry), ctypes.c_void_p)
_PREFIX_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(_PrefixEntry), ctypes.c_void_p)

_c_int, _u8, _u16, _u32 = ctypes.c_int, ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32
_str, _ptr, _size = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "srv6s_version": (_str, []),
    "srv6s_last_error": (_str, []),
    "srv6s_reason_name": (_str, [_u32]),
    "srv6s_attach": (_c_int, [_str, _str, _str, _u32, ctypes.POINTER(_ptr)]),
    "srv6s_open": (_c_int, [_str, _str, ctypes.POINTER(_ptr)]),
    "srv6s_detach": (_c_int, [_str, _str]),
    "srv6s_close": (None, [_ptr]),
    "srv6s_add_path_usids": (_c_int, [_ptr, _u32, _str, _str, _c_int]),
    "srv6s_add_path_segments": (_c_int, [_ptr, _u32, ctypes.POINTER(_str), _size, _c_int]),
    "srv6s_remove_path": (_c_int, [_ptr, _u32]),
    "srv6s_set_path_down": (_c_int, [_ptr, _u32, _c_int]),
    "srv6s_define_set": (_c_int, [_ptr, _u32, ctypes.POINTER(_u32), _size]),
    "srv6s_remove_set": (_c_int, [_ptr, _u32]),
    "srv6s_pin_flow": (_c_int, [_ptr, _u8, _str, _u16, _str, _u16, _u32, _u32, _u32, _u32]),
    "srv6s_unpin_flow": (_c_int, [_ptr, _u8, _str, _u16, _str, _u16]),
    "srv6s_pin_flows": (_c_int, [_ptr, ctypes.POINTER(_FlowPin), _size, _u32, _u32, ctypes.POINTER(_size)]),
    "srv6s_flow_parse": (_c_int, [_str, ctypes.POINTER(_Flow)]),
    "srv6s_pin_qp": (_c_int, [_ptr, _str, _u32, _u32, _u32, _u32, _u32]),
    "srv6s_unpin_qp": (_c_int, [_ptr, _str, _u32]),
    "srv6s_pin_prefix": (_c_int, [_ptr, _str, _u32, _u32, _u32, _u32]),
    "srv6s_unpin_prefix": (_c_int, [_ptr, _str]),
    "srv6s_list_flows": (_c_int, [_ptr, _FLOW_FN, _ptr]),
    "srv6s_list_qps": (_c_int, [_ptr, _QP_FN, _ptr]),
    "srv6s_list_prefixes": (_c_int, [_ptr, _PREFIX_FN, _ptr]),
    "srv6s_get_stats": (_c_int, [_ptr, _ptr, _PATH_STATS_FN, _ptr]),
    "srv6s_gc": (_c_int, [_ptr, ctypes.POINTER(_size)]),
}

_lib: ctypes.CDLL | None = None
_lib_path: str | None = None
_lib_lock = threading.Lock()


def _candidates() -> list[str]:
    env = os.environ.get("SRV6STEER_LIB")
    if env:
        return [env]  # asked for explicitly: nothing else
    here = os.path.dirname(os.path.abspath(__file__))
    out = [os.path.join(here, n) for n in ("libsrv6steer.so.0", "libsrv6steer.so")]
    out = [p for p in out if os.path.exists(p)]
    found = ctypes.util.find_library("srv6steer")
    if found:
        out.append(found)
    out.append("libsrv6steer.so.0")
    return out


def _load() -> ctypes.CDLL:
    global _lib, _lib_path
    with _lib_lock:
        if _lib is not None:
            return _lib
        tried = []
        for cand in _candidates():
            try:
                lib = ctypes.CDLL(cand)
            except OSError as e:
                tried.append(f"{cand}: {e}")
                continue
            for name, (restype, argtypes) in _SIGNATURES.items():
                fn = getattr(lib, name)
                fn.restype = restype
                fn.argtypes = argtypes
            _lib, _lib_path = lib, cand
            return lib
        raise SteeringError(
            _errno.ENOENT,
            "cannot load libsrv6steer (" + "; ".join(tried) + "): install it, or set "
            "SRV6STEER_LIB=/path/to/libsrv6steer.so.0",
        )


def library_path() -> str:
    """Where the loaded libsrv6steer came from (loads it if needed)."""
    _load()
    assert _lib_path is not None
    return _lib_path


def version() -> str:
    """libsrv6steer's version, e.g. "0.1.0"."""
    return _load().srv6s_version().decode()


def _check(rc: int) -> int:
    """Raises SteeringError for a negative return code (read in the calling thread)."""
    if rc < 0:
        raise SteeringError(-rc, _load().srv6s_last_error().decode(errors="replace"))
    return rc


def _b(text: str | None) -> bytes | None:
    return None if text is None else str(text).encode()


def _reason_names() -> list[str]:
    lib = _load()
    names = []
    for r in range(64):
        name = lib.srv6s_reason_name(r).decode()
        if name == "unknown":
            break
        names.append(name)
    return names


# ---- values ---------------------------------------------------------------------


def _proto_number(proto: int | str) -> int:
    if isinstance(proto, int):
        if not 0 <= proto <= 255:
            raise SteeringError(_errno.EINVAL, f"invalid protocol {proto}: expected 0 to 255")
        return proto
    p = str(proto).lower()
    if p in _PROTOS:
        return _PROTOS[p]
    if p.isdigit() and int(p) <= 255:
        return int(p)
    raise SteeringError(_errno.EINVAL, f'invalid protocol "{proto}": tcp, udp, icmp, icmpv6, sctp or 0-255')


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
        out = _Flow()
        _check(_load().srv6s_flow_parse(_b(text), ctypes.byref(out)))
        return cls._from_c(out)

    @classmethod
    def of(cls, flow: "Flow | str | tuple | dict") -> "Flow":
        """A Flow from a Flow, its text, a (proto, src, sport, dst, dport) tuple or a dict."""
        if isinstance(flow, Flow):
            return flow
        if isinstance(flow, str):
            return cls.parse(flow)
        if isinstance(flow, dict):
            flow = (flow["proto"], flow["src"], flow["sport"], flow["dst"], flow["dport"])
        proto, src, sport, dst, dport = flow
        return cls(_proto_number(proto), str(src), int(sport), str(dst), int(dport))

    @classmethod
    def _from_c(cls, f: _Flow) -> "Flow":
        return cls(f.proto, f.src.decode(), f.sport, f.dst.decode(), f.dport)

    def _to_c(self) -> _Flow:
        f = _Flow()
        for name in ("src", "dst"):
            text = getattr(self, name).encode()
            if len(text) >= _ADDRSTRLEN:
                raise SteeringError(_errno.EINVAL, f'invalid address "{getattr(self, name)}": too long')
            setattr(f, name, text)
        _check_port(self.sport)
        _check_port(self.dport)
        f.sport, f.dport, f.proto = self.sport, self.dport, _proto_number(self.proto)
        return f

    def __str__(self) -> str:
        return f"{_PROTO_NAMES.get(self.proto, self.proto)} {self.src} {self.sport} {self.dst} {self.dport}"


def _check_port(port: int) -> None:
    if not 0 <= port <= 0xFFFF:
        raise SteeringError(_errno.EINVAL, f"invalid port {port}: expected 0 to 65535")


class Target(NamedTuple):
    """What a pin points at: ``Target.path(1)`` or ``Target.set(10)``."""

    kind: str  # "path" or "set"
    id: int

    @classmethod
    def path(cls, id: int) -> "Target":
        return cls("path", id)

    @classmethod
    def set(cls, id: int) -> "Target":
        return cls("set", id)

    @classmethod
    def of(cls, target: "Target | int | tuple") -> "Target":
        """A Target from a Target, a path id, or ("path"|"set", id)."""
        if isinstance(target, Target):
            return target
        if isinstance(target, int):
            return cls.path(target)
        kind, id = target
        return cls(kind, int(id))

    def _c(self) -> tuple[int, int]:
        if self.kind not in ("path", "set"):
            raise SteeringError(_errno.EINVAL, f'invalid target kind "{self.kind}": "path" or "set"')
        return (_TARGET_PATH if self.kind == "path" else _TARGET_SET), self.id

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


def _target(target, path, set_) -> tuple[int, int]:
    given = [t for t in (target, path, set_) if t is not None]
    if len(given) != 1:
        raise SteeringError(_errno.EINVAL, "give exactly one of target=, path= or set=")
    if path is not None:
        return Target.path(path)._c()
    if set_ is not None:
        return Target.set(set_)._c()
    return Target.of(target)._c()


def _owner(owner) -> int:
    if owner is None:
        return _C_OWNER_NONE
    if owner == OWNER_SELF:
        return _C_OWNER_SELF
    pid = int(owner)
    if not 0 < pid < _C_OWNER_SELF:
        raise SteeringError(_errno.EINVAL, f"invalid owner pid {owner}")
    return pid


def _pin_dict(p: _PinInfo) -> dict:
    return {
        "target": Target("set" if p.target_kind == _TARGET_SET else "path", p.target_id),
        "owner_pid": p.owner_pid,
        "owner_cgroup": p.owner_cgroup,
        "created_ns": p.created_ns,
        "packets": p.packets,
        "bytes": p.bytes,
    }


def _usid_text(usids) -> str:
    if isinstance(usids, str):
        return usids
    return ",".join(format(u, "x") if isinstance(u, int) else str(u) for u in usids)


# ---- steering -----------------------------------------------------------------------


def detach(ifname: str, bpffs: str | None = None) -> bool:
    """Detaches srv6steer from ifname and removes everything it set up there.
    False if it was not attached."""
    rc = _load().srv6s_detach(_b(ifname), _b(bpffs))
    # ENOENT also means "no such bpffs": that one is an error.
    if rc == -_errno.ENOENT and os.path.isdir(bpffs or "/sys/fs/bpf"):
        return False
    _check(rc)
    return True


class Steering:
    """An open handle on the steering state of one interface.

    Use as a context manager, or call close(); closing never stops the
    steering (detach() does). A handle is for one thread at a time."""

    def __init__(self, handle: int, ifname: str, bpffs: str | None):
        self._h: int | None = handle
        self._ifname = ifname
        self._bpffs = bpffs
        self._lib = _load()

    # -- lifecycle --

    @classmethod
    def attach(cls, ifname: str, source: str | None = None, bpffs: str | None = None,
               max_flows: int = 0) -> "Steering":
        """Loads the data plane and attaches it to TC egress of ifname.
        source: outer IPv6 source (default: the interface's first global IPv6
        address); bpffs: bpf filesystem (default /sys/fs/bpf); max_flows: size
        of the flow pin map (0: default)."""
        lib = _load()
        h = ctypes.c_void_p()
        _check(lib.srv6s_attach(_b(ifname), _b(source), _b(bpffs), max_flows, ctypes.byref(h)))
        return cls(h.value, ifname, bpffs)

    @classmethod
    def open(cls, ifname: str, bpffs: str | None = None) -> "Steering":
        """Opens the state an earlier attach (any process) pinned for ifname."""
        lib = _load()
        h = ctypes.c_void_p()
        _check(lib.srv6s_open(_b(ifname), _b(bpffs), ctypes.byref(h)))
        return cls(h.value, ifname, bpffs)

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
        """Closes this handle and detaches srv6steer from the interface."""
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

    # -- paths and sets --

    def add_path(self, id: int, usids=None, *, block: str = DEFAULT_BLOCK, segments=None,
                 full_srh: bool = False) -> None:
        """Adds path `id`: uSIDs ("1004,1001,1006,fe06" or [0x1004, ...]) packed
        into containers of `block`, or full SIDs/containers in path order
        (segments=[...]). full_srh: every container in an SRH (H.Encaps)
        rather than the reduced encapsulation."""
        if (usids is None) == (segments is None):
            raise SteeringError(_errno.EINVAL, "give exactly one of usids or segments=")
        if usids is not None:
            _check(self._lib.srv6s_add_path_usids(self._handle(), id, _b(block), _b(_usid_text(usids)),
                                                  int(full_srh)))
            return
        segs = [str(s).encode() for s in segments]
        arr = (ctypes.c_char_p * max(len(segs), 1))(*segs)
        _check(self._lib.srv6s_add_path_segments(self._handle(), id, arr, len(segs), int(full_srh)))

    def remove_path(self, id: int) -> None:
        _check(self._lib.srv6s_remove_path(self._handle(), id))

    def set_path_down(self, id: int, down: bool = True) -> None:
        _check(self._lib.srv6s_set_path_down(self._handle(), id, int(down)))

    def define_set(self, id: int, paths: Iterable[int]) -> None:
        """Defines (or changes, without tearing) path set `id` over existing paths."""
        ids = [int(p) for p in paths]
        arr = (ctypes.c_uint32 * max(len(ids), 1))(*ids)
        _check(self._lib.srv6s_define_set(self._handle(), id, arr, len(ids)))

    def remove_set(self, id: int) -> None:
        _check(self._lib.srv6s_remove_set(self._handle(), id))

    # -- pins --

    def pin_flow(self, flow, target=None, *, path: int | None = None, set: int | None = None,
                 replace: bool = False, owner=OWNER_SELF) -> None:
        """Pins a flow (Flow, "tcp SRC SPORT DST DPORT", tuple or dict) to a
        target (target=Target.path(1), or path=1, or set=10)."""
        f = Flow.of(flow)
        kind, tid = _target(target, path, set)
        _check_port(f.sport)
        _check_port(f.dport)
        _check(self._lib.srv6s_pin_flow(self._handle(), _proto_number(f.proto), _b(f.src), f.sport,
                                        _b(f.dst), f.dport, kind, tid, _PIN_REPLACE if replace else 0,
                                        _owner(owner)))

    def unpin_flow(self, flow) -> bool:
        """Removes a flow pin; False if it was not pinned."""
        f = Flow.of(flow)
        _check_port(f.sport)
        _check_port(f.dport)
        return self._unpinned(self._lib.srv6s_unpin_flow(self._handle(), _proto_number(f.proto), _b(f.src),
                                                         f.sport, _b(f.dst), f.dport))

    def pin_flows(self, pins: Iterable[tuple[Any, Any]], *, replace: bool = False, owner=OWNER_SELF) -> int:
        """Pins many flows at once, all or nothing: an iterable of (flow,
        target) pairs, target a Target, a path id or ("set", id). Returns how
        many pins were new."""
        items = [(Flow.of(f), Target.of(t)) for f, t in pins]
        arr = (_FlowPin * max(len(items), 1))()
        for i, (f, t) in enumerate(items):
            arr[i].flow = f._to_c()
            arr[i].target_kind, arr[i].target_id = t._c()
        added = ctypes.c_size_t()
        _check(self._lib.srv6s_pin_flows(self._handle(), arr, len(items), _PIN_REPLACE if replace else 0,
                                         _owner(owner), ctypes.byref(added)))
        return added.value

    def pin_qp(self, dst: str, qp: int, target=None, *, path: int | None = None, set: int | None = None,
               replace: bool = False, owner=OWNER_SELF) -> None:
        """Pins RoCEv2 traffic to dst with destination queue pair qp (24 bits)."""
        kind, tid = _target(target, path, set)
        if not 0 <= qp <= 0xFFFFFFFF:
            raise SteeringError(_errno.EINVAL, f"queue pair {qp} does not fit 24 bits")
        _check(self._lib.srv6s_pin_qp(self._handle(), _b(dst), qp, kind, tid, _PIN_REPLACE if replace else 0,
                                      _owner(owner)))

    def unpin_qp(self, dst: str, qp: int) -> bool:
        if not 0 <= qp <= 0xFFFFFFFF:
            raise SteeringError(_errno.EINVAL, f"queue pair {qp} does not fit 24 bits")
        return self._unpinned(self._lib.srv6s_unpin_qp(self._handle(), _b(dst), qp))

    def pin_prefix(self, prefix: str, target=None, *, path: int | None = None, set: int | None = None,
                   replace: bool = False, owner=OWNER_SELF) -> None:
        """Pins traffic to a destination prefix ("fcbb:0:800:2::/64",
        "10.0.2.0/24", or an address alone)."""
        kind, tid = _target(target, path, set)
        _check(self._lib.srv6s_pin_prefix(self._handle(), _b(prefix), kind, tid,
                                          _PIN_REPLACE if replace else 0, _owner(owner)))

    def unpin_prefix(self, prefix: str) -> bool:
        return self._unpinned(self._lib.srv6s_unpin_prefix(self._handle(), _b(prefix)))

    @staticmethod
    def _unpinned(rc: int) -> bool:
        if rc == -_errno.ENOENT:
            return False
        _check(rc)
        return True

    def flows(self) -> list[dict]:
        """Every flow pin: dicts with flow (Flow), proto, src, sport, dst,
        dport, target (Target), owner_pid, owner_cgroup, created_ns, packets, bytes."""
        out: list[dict] = []

        def each(entry, _ctx):
            e = entry.contents
            f = Flow._from_c(e.flow)
            out.append({"flow": f, **f._asdict(), **_pin_dict(e.pin)})
            return 0

        _check(self._lib.srv6s_list_flows(self._handle(), _FLOW_FN(each), None))
        return out

    def qps(self) -> list[dict]:
        """Every queue pair pin: dicts with dst, qp and the pin's fields."""
        out: list[dict] = []

        def each(entry, _ctx):
            e = entry.contents
            out.append({"dst": e.dst.decode(), "qp": e.qp, **_pin_dict(e.pin)})
            return 0

        _check(self._lib.srv6s_list_qps(self._handle(), _QP_FN(each), None))
        return out

    def prefixes(self) -> list[dict]:
        """Every prefix pin: dicts with prefix and the pin's fields."""
        out: list[dict] = []

        def each(entry, _ctx):
            e = entry.contents
            out.append({"prefix": e.prefix.decode(), **_pin_dict(e.pin)})
            return 0

        _check(self._lib.srv6s_list_prefixes(self._handle(), _PREFIX_FN(each), None))
        return out

    # -- statistics and housekeeping --

    def stats(self) -> dict[str, dict[str, int]]:
        """Packets and bytes the TC program saw, by reason:
        {"steered": {"packets": n, "bytes": n}, "no_match": {...}, ...}."""
        names = _reason_names()
        out = (_Counter * 64)()  # struct srv6s_stats: SRV6S_R_MAX counters, one name each
        _check(self._lib.srv6s_get_stats(self._handle(), ctypes.cast(out, ctypes.c_void_p), _PATH_STATS_FN(), None))
        return {n: {"packets": out[i].packets, "bytes": out[i].bytes} for i, n in enumerate(names)}

    def path_stats(self) -> dict[int, dict[str, int]]:
        """Packets and bytes steered onto each existing path: {id: {...}}."""
        out: dict[int, dict[str, int]] = {}

        def each(path_id, counter, _ctx):
            c = counter.contents
            out[path_id] = {"packets": c.packets, "bytes": c.bytes}
            return 0

        _check(self._lib.srv6s_get_stats(self._handle(), None, _PATH_STATS_FN(each), None))
        return out

    def gc(self) -> int:
        """Removes pins whose owner process is gone; returns how many."""
        n = ctypes.c_size_t()
        _check(self._lib.srv6s_gc(self._handle(), ctypes.byref(n)))
        return n.value
