# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""libsrv6steer's C ABI as ctypes sees it: the structs and signatures of
srv6steer.h, finding and loading the library, and turning its negative
return codes into SteeringError. Nothing here checks arguments (_args does)."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno as _errno
import os
import threading
from typing import Any

ABI_VERSION = 1
"""SRV6S_ABI_VERSION of the srv6steer.h these structs follow: the soname's number."""
SONAME = f"libsrv6steer.so.{ABI_VERSION}"

ADDRSTRLEN = 48
PREFIXSTRLEN = 56
IFNAMSIZ = 16
NETNSSTRLEN = 256
PATHSTRLEN = 4096
TARGET_PATH, TARGET_SET = 0, 1
PIN_INFO_IGNORE_DOWN = 1 << 0   # srv6s_pin_info.flags
FALLBACK_NONE = 0xFFFFFFFF
DEFAULT, ON, OFF = 0, 1, 2  # enum srv6s_toggle
HOOKS = {"auto": 0, "tcx": 1, "clsact": 2}  # enum srv6s_hook
OWNER_SELF, OWNER_NONE, OWNER_PID = 0, 1, 2  # enum srv6s_owner
ATTACH_MODES = {0: "none", 1: "tcx", 2: "clsact"}  # enum srv6s_attach_mode (abi.h)


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
        return f"{type(self).__name__}({name}, {self.message!r})"


# ---- the C structs (srv6steer.h, abi.h) ---------------------------------------------

_u8, _u16, _u32, _u64, _i32 = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_int32
_size, _str, _ptr, _int = ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int


class Sized(ctypes.Structure):
    """A struct that starts with `size_t sz`: created with sz set (SRV6S_OPTS)."""

    def __init__(self, **fields):
        super().__init__(sz=ctypes.sizeof(self), **fields)


class AttachOpts(Sized):
    _fields_ = [
        ("sz", _size),
        ("source", _str),
        ("bpffs", _str),
        ("hook", _u32),
        ("hop_limit", _u32),
        ("mtu", _u32),
        ("fixed_gso", _u32),
        ("route_mtu", _u32),
        ("drop_oversize", _u32),
        ("max_flows", _u32),
        ("max_qps", _u32),
        ("max_prefixes", _u32),
        ("reserved", _u32),
        ("max_cgroups", _u32),
        ("reserved2", _u32),
    ]


class PinOpts(Sized):
    _fields_ = [
        ("sz", _size),
        ("owner", _u32),
        ("owner_pid", _u32),
        ("owner_cgroup", _u64),
        ("replace", _u32),
        ("reserved", _u32),
    ]


class Status(Sized):
    _fields_ = [
        ("sz", _size),
        ("ifname", ctypes.c_char * IFNAMSIZ),
        ("netns", ctypes.c_char * NETNSSTRLEN),
        ("pin_dir", ctypes.c_char * PATHSTRLEN),
        ("source", ctypes.c_char * ADDRSTRLEN),
        ("netns_cookie", _u64),
        ("attached_ns", _u64),
        ("ifindex", _i32),
        ("attach_mode", _u32),
        ("prog_id", _u32),
        ("link_id", _u32),
        ("route_mtu", _u32),
        ("config_flags", _u32),
        ("mtu", _u32),
        ("hop_limit", _u32),
        ("n_paths", _u32),
        ("n_sets", _u32),
        ("n_flows", _u32),
        ("n_qps", _u32),
        ("n_prefixes", _u32),
        ("max_flows", _u32),
        ("max_qps", _u32),
        ("max_prefixes", _u32),
        ("n_owned_routes", _u32),
        ("n_problems", _u32),
        ("n_sockets", _u32),
        ("n_cgroups", _u32),
        ("max_cgroups", _u32),
        ("reserved", _u32),
    ]


class OwnedRoute(ctypes.Structure):
    _fields_ = [
        ("dst", ctypes.c_char * PREFIXSTRLEN),
        ("mtu", _u32),
        ("old_mtu", _u32),
        ("table", _u32),
        ("priority", _u32),
        ("pins", _u32),
        ("added", _u32),
    ]


class Counter(ctypes.Structure):
    _fields_ = [("packets", _u64), ("bytes", _u64)]


class PathHealth(ctypes.Structure):
    """struct srv6s_path_health (abi.h). srv6s_get_path_health fills it to
    this struct's size, so a library whose struct has grown at its end still
    fits."""
    _fields_ = [("state", _u32), ("targets", _u32), ("sent", _u64), ("replies", _u64), ("lost", _u64),
                ("rtt_last_ns", _u64), ("rtt_min_ns", _u64), ("rtt_avg_ns", _u64), ("since_ns", _u64),
                ("transitions", _u64), ("rx_ce_packets", _u64), ("updated_ns", _u64),
                ("rx_packets", _u64), ("ce_ppm", _u32), ("congestion", _u32)]


HEALTH_STATES = {0: "unknown", 1: "up", 2: "down"}  # enum srv6s_health_state (abi.h)


class Flow(ctypes.Structure):
    _fields_ = [
        ("src", ctypes.c_char * ADDRSTRLEN),
        ("dst", ctypes.c_char * ADDRSTRLEN),
        ("sport", _u16),
        ("dport", _u16),
        ("proto", _u8),
        ("pad", _u8 * 3),
    ]


class FlowPin(ctypes.Structure):
    _fields_ = [("flow", Flow), ("target_kind", _u32), ("target_id", _u32)]


class PinInfo(ctypes.Structure):
    _fields_ = [
        ("target_kind", _u32),
        ("target_id", _u32),
        ("owner_pid", _u32),
        ("flags", _u32),   # PIN_INFO_*
        ("owner_cgroup", _u64),
        ("created_ns", _u64),
        ("packets", _u64),
        ("bytes", _u64),
    ]


class FlowEntry(ctypes.Structure):
    _fields_ = [("flow", Flow), ("pin", PinInfo)]


class QpEntry(ctypes.Structure):
    _fields_ = [("dst", ctypes.c_char * ADDRSTRLEN), ("qp", _u32), ("pad", _u32), ("pin", PinInfo)]


class PrefixEntry(ctypes.Structure):
    _fields_ = [("prefix", ctypes.c_char * PREFIXSTRLEN), ("pin", PinInfo)]


class SocketPin(ctypes.Structure):
    _fields_ = [("fd", _i32), ("target_kind", _u32), ("target_id", _u32)]


class SocketEntry(ctypes.Structure):
    _fields_ = [("cookie", _u64), ("family", _u32), ("pad", _u32), ("flow", Flow), ("pin", PinInfo)]


class CgroupEntry(ctypes.Structure):
    _fields_ = [("id", _u64), ("pin", PinInfo)]


class RxAttachOpts(Sized):
    _fields_ = [("sz", _size), ("bpffs", _str), ("mode", _u32), ("reserved", _u32)]


class SidOpts(Sized):
    _fields_ = [("sz", _size), ("replace", _u32), ("no_path_stats", _u32)]


class RxSettings(Sized):
    _fields_ = [("sz", _size), ("decap", _u32), ("ecn_drop", _u32), ("path_stats", _u32), ("reserved", _u32)]


class RxSid(ctypes.Structure):
    _fields_ = [("prefix", ctypes.c_char * PREFIXSTRLEN), ("behavior", _u32), ("path_stats", _u32)]


class RxPath(ctypes.Structure):
    _fields_ = [
        ("source", ctypes.c_char * ADDRSTRLEN),
        ("path_id", _u32),
        ("pad", _u32),
        ("packets", _u64),
        ("bytes", _u64),
        ("ce_packets", _u64),
    ]


RX_MODES = {"auto": 0, "native": 1, "generic": 2, "tc": 3}  # enum srv6s_rx_mode
SID_BEHAVIORS = {1: "udt6", 2: "udt4", 3: "udt46"}  # enum srv6s_sid_behavior (decap_abi.h)

PATH_STATS_FN = ctypes.CFUNCTYPE(_int, _u32, ctypes.POINTER(Counter), _ptr)
FLOW_FN = ctypes.CFUNCTYPE(_int, ctypes.POINTER(FlowEntry), _ptr)
QP_FN = ctypes.CFUNCTYPE(_int, ctypes.POINTER(QpEntry), _ptr)
PREFIX_FN = ctypes.CFUNCTYPE(_int, ctypes.POINTER(PrefixEntry), _ptr)
SOCKET_FN = ctypes.CFUNCTYPE(_int, ctypes.POINTER(SocketEntry), _ptr)
CGROUP_FN = ctypes.CFUNCTYPE(_int, ctypes.POINTER(CgroupEntry), _ptr)
PROBLEM_FN = ctypes.CFUNCTYPE(_int, _u32, _str, _ptr)
OWNED_ROUTE_FN = ctypes.CFUNCTYPE(_int, ctypes.POINTER(OwnedRoute), _ptr)
TEXT_FN = ctypes.CFUNCTYPE(_int, _str, _ptr)
RX_SID_FN = ctypes.CFUNCTYPE(_int, ctypes.POINTER(RxSid), _ptr)
RX_PATH_FN = ctypes.CFUNCTYPE(_int, ctypes.POINTER(RxPath), _ptr)

_P = ctypes.POINTER
SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "srv6s_version": (_str, []),
    "srv6s_last_error": (_str, []),
    "srv6s_reason_count": (_u32, []),
    "srv6s_reason_name": (_str, [_u32]),
    "srv6s_problem_name": (_str, [_u32]),
    "srv6s_attach": (_int, [_str, _P(AttachOpts), _P(_ptr)]),
    "srv6s_open": (_int, [_str, _str, _P(_ptr)]),
    "srv6s_detach": (_int, [_str, _str]),
    "srv6s_close": (None, [_ptr]),
    "srv6s_connect": (_int, [_str, _str, _P(_ptr)]),
    "srv6s_is_remote": (_int, [_ptr]),
    "srv6s_remove_dead": (_int, [_str, _P(_size), TEXT_FN, _ptr]),
    "srv6s_get_status": (_int, [_ptr, _P(Status)]),
    "srv6s_list_problems": (_int, [_ptr, PROBLEM_FN, _ptr]),
    "srv6s_list_owned_routes": (_int, [_ptr, OWNED_ROUTE_FN, _ptr]),
    "srv6s_add_path_usids": (_int, [_ptr, _u32, _str, _str, _int]),
    "srv6s_add_path_segments": (_int, [_ptr, _u32, _P(_str), _size, _int]),
    "srv6s_remove_path": (_int, [_ptr, _u32]),
    "srv6s_set_path_down": (_int, [_ptr, _u32, _int]),
    "srv6s_set_flowlet_gap": (_int, [_ptr, _u32]),
    "srv6s_get_flowlet_gap": (_int, [_ptr, ctypes.POINTER(_u32)]),
    "srv6s_set_path_fallback": (_int, [_ptr, _u32, _u32, _u32]),
    "srv6s_get_path_fallback": (_int, [_ptr, _u32, _P(_u32), _P(_u32)]),
    "srv6s_define_set": (_int, [_ptr, _u32, _P(_u32), _size]),
    "srv6s_remove_set": (_int, [_ptr, _u32]),
    "srv6s_pin_flow": (_int, [_ptr, _P(Flow), _u32, _u32, _P(PinOpts)]),
    "srv6s_unpin_flow": (_int, [_ptr, _P(Flow)]),
    "srv6s_pin_flows": (_int, [_ptr, _P(FlowPin), _size, _P(PinOpts), _P(_size)]),
    "srv6s_flow_parse": (_int, [_str, _P(Flow)]),
    "srv6s_pin_qp": (_int, [_ptr, _str, _u32, _u32, _u32, _P(PinOpts)]),
    "srv6s_unpin_qp": (_int, [_ptr, _str, _u32]),
    "srv6s_pin_prefix": (_int, [_ptr, _str, _u32, _u32, _P(PinOpts)]),
    "srv6s_unpin_prefix": (_int, [_ptr, _str]),
    "srv6s_list_flows": (_int, [_ptr, FLOW_FN, _ptr]),
    "srv6s_list_qps": (_int, [_ptr, QP_FN, _ptr]),
    "srv6s_list_prefixes": (_int, [_ptr, PREFIX_FN, _ptr]),
    "srv6s_pin_socket": (_int, [_ptr, _int, _u32, _u32, _P(PinOpts)]),
    "srv6s_pin_sockets": (_int, [_ptr, _P(SocketPin), _size, _P(PinOpts), _P(_size)]),
    "srv6s_unpin_socket": (_int, [_ptr, _int]),
    "srv6s_get_socket_pin": (_int, [_ptr, _int, _P(SocketEntry)]),
    "srv6s_list_sockets": (_int, [_ptr, SOCKET_FN, _ptr]),
    "srv6s_cgroup_id": (_int, [_str, _P(_u64)]),
    "srv6s_pin_cgroup": (_int, [_ptr, _u64, _u32, _u32, _P(PinOpts)]),
    "srv6s_unpin_cgroup": (_int, [_ptr, _u64]),
    "srv6s_list_cgroups": (_int, [_ptr, CGROUP_FN, _ptr]),
    "srv6s_stats_reason": (_int, [_ptr, _u32, _P(Counter)]),
    "srv6s_stats_reasons": (_int, [_ptr, _P(Counter), _size, _P(_size)]),
    "srv6s_stats_paths": (_int, [_ptr, PATH_STATS_FN, _ptr]),
    "srv6s_get_path_health": (_int, [_ptr, _u32, _P(PathHealth), _size]),
    "srv6s_gc": (_int, [_ptr, _P(_size)]),
    "srv6s_rx_attach": (_int, [_str, _P(RxAttachOpts), _P(_ptr)]),
    "srv6s_rx_open": (_int, [_str, _P(_ptr)]),
    "srv6s_rx_detach": (_int, [_str, _str]),
    "srv6s_rx_close": (None, [_ptr]),
    "srv6s_rx_interfaces": (_int, [_str, TEXT_FN, _ptr]),
    "srv6s_rx_add_sid": (_int, [_ptr, _str, _str, _P(SidOpts), _P(_int)]),
    "srv6s_rx_remove_sid": (_int, [_ptr, _str]),
    "srv6s_rx_sids": (_int, [_ptr, RX_SID_FN, _ptr]),
    "srv6s_rx_config": (_int, [_ptr, _P(RxSettings)]),
    "srv6s_rx_set_config": (_int, [_ptr, _P(RxSettings)]),
    "srv6s_rx_reason_count": (_u32, []),
    "srv6s_rx_reason_name": (_str, [_u32]),
    "srv6s_rx_stats_reasons": (_int, [_ptr, _P(Counter), _size, _P(_size)]),
    "srv6s_rx_stats_paths": (_int, [_ptr, RX_PATH_FN, _ptr]),
}

# ---- loading ------------------------------------------------------------------------

_lib: ctypes.CDLL | None = None
_lib_path: str | None = None
_lib_lock = threading.Lock()


def _candidates() -> list[str]:
    env = os.environ.get("SRV6STEER_LIB")
    if env:
        return [env]  # asked for explicitly: nothing else
    here = os.path.dirname(os.path.abspath(__file__))
    out = [os.path.join(here, n) for n in (SONAME, "libsrv6steer.so")]
    out = [p for p in out if os.path.exists(p)]
    found = ctypes.util.find_library("srv6steer")
    if found:
        out.append(found)
    out.append(SONAME)
    return out


def load() -> ctypes.CDLL:
    """libsrv6steer, loaded once, with every function's signature set."""
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
            missing = [name for name in SIGNATURES if not hasattr(lib, name)]
            if missing:  # another ABI (an older or newer soname)
                tried.append(f"{cand}: not the C ABI {ABI_VERSION} of {SONAME} (no {missing[0]})")
                continue
            for name, (restype, argtypes) in SIGNATURES.items():
                fn = getattr(lib, name)
                fn.restype = restype
                fn.argtypes = argtypes
            _lib, _lib_path = lib, cand
            return lib
        raise SteeringError(
            _errno.ENOENT,
            "cannot load libsrv6steer (" + "; ".join(tried) + "): install it, or set "
            f"SRV6STEER_LIB=/path/to/{SONAME}",
        )


def library_path() -> str:
    """Where the loaded libsrv6steer came from (loads it if needed)."""
    load()
    assert _lib_path is not None
    return _lib_path


def check(rc: int) -> int:
    """Raises SteeringError for a negative return code (read in the calling thread)."""
    if rc < 0:
        raise SteeringError(-rc, load().srv6s_last_error().decode(errors="replace"))
    return rc


def text(field: bytes) -> str:
    """A fixed-size C text field (NUL-terminated by the library) as str."""
    return field.decode(errors="replace")
