# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Checks of what Python hands the C ABI, before ctypes sees it: ctypes
silently truncates integers to their C type (path 2**32+1 would be path 1)
and cuts strings at an embedded NUL ("10\\x0001" would be "10"), so every
integer is range-checked and every string refused if it holds a NUL. Errors
name the argument."""

from __future__ import annotations

import errno
import ipaddress
import os
from typing import Any

from ._capi import DEFAULT, OFF, ON, SteeringError

U32_MAX = 0xFFFFFFFF
U64_MAX = 0xFFFFFFFFFFFFFFFF
MAX_PATHS = 4096  # SRV6S_MAX_PATHS (abi.h): path ids 0 .. 4095
MAX_SETS = 4096  # SRV6S_MAX_PATH_SETS / 2: set ids 0 .. 4095
QP_MAX = 0xFFFFFF  # SRV6S_QP_MASK: 24-bit queue pairs
PORT_MAX = 0xFFFF
PROTO_MAX = 0xFF
USID_MAX = 0xFFFF  # 16-bit uSIDs
PID_MAX = 0x7FFFFFFF  # pid_t
FD_MAX = 0x7FFFFFFF  # int


class ArgumentError(SteeringError, ValueError):
    """An argument the library cannot take (out of range, malformed), found
    before calling it. A SteeringError with errno EINVAL, and a ValueError."""

    def __init__(self, message: str):
        super().__init__(errno.EINVAL, message)


def integer(value: Any, name: str, lo: int, hi: int) -> int:
    """value as an int from lo to hi; TypeError for non-integers (bools included)."""
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__} ({value!r})")
    v = value.__index__()
    if not lo <= v <= hi:
        raise ArgumentError(f"{name} {v} is out of range: {lo} to {hi}")
    return v


def path_id(value: Any, name: str = "path") -> int:
    return integer(value, name, 0, MAX_PATHS - 1)


def set_id(value: Any, name: str = "set") -> int:
    return integer(value, name, 0, MAX_SETS - 1)


def port(value: Any, name: str) -> int:
    return integer(value, name, 0, PORT_MAX)


def qp(value: Any, name: str = "qp") -> int:
    return integer(value, name, 0, QP_MAX)


def u32(value: Any, name: str) -> int:
    return integer(value, name, 0, U32_MAX)


def fd(value: Any, name: str) -> int:
    """A file descriptor: an int, or what fileno() says of a socket.socket
    (or of anything else with fileno())."""
    if hasattr(value, "fileno") and not hasattr(type(value), "__index__"):
        n = value.fileno()
        if isinstance(n, int) and not isinstance(n, bool) and n < 0:
            raise ArgumentError(f"{name} is closed: its fileno() is {n}")
        return integer(n, f"{name}.fileno()", 0, FD_MAX)
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{name} must be a socket (anything with fileno()) or a file descriptor, "
                        f"not {type(value).__name__} ({value!r})")
    return integer(value, name, 0, FD_MAX)


_TEXT_TYPES = (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network, ipaddress.IPv6Network)


def text(value: Any, name: str, *, path: bool = False) -> str:
    """value as text: a str (or an ipaddress object; an os.PathLike where a
    path is expected), without NUL characters."""
    if path and isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, _TEXT_TYPES):
        value = str(value)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__} ({value!r})")
    if "\0" in value:
        raise ArgumentError(f"{name} {value!r} holds a NUL character: C strings end there")
    return value


def cstr(value: Any, name: str, *, path: bool = False) -> bytes:
    """text() encoded for a C string."""
    t = text(value, name, path=path)
    try:
        return t.encode()
    except UnicodeEncodeError as e:
        raise ArgumentError(f"{name} {t!r} cannot be encoded as UTF-8: {e.reason}") from None


def optional_cstr(value: Any, name: str, *, path: bool = False) -> bytes | None:
    return None if value is None else cstr(value, name, path=path)


def field(value: Any, name: str, size: int) -> bytes:
    """A C string for a fixed-size field of `size` bytes (NUL included)."""
    b = cstr(value, name)
    if len(b) >= size:
        raise ArgumentError(f"{name} {value!r} is too long: at most {size - 1} bytes")
    return b


def toggle(value: Any, name: str) -> int:
    """None: the default; True/False: on/off (enum srv6s_toggle)."""
    if value is None:
        return DEFAULT
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True, False or None (the default), not {value!r}")
    return ON if value else OFF


def flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return value
