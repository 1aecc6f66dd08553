# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The receive side: XDP (or TC ingress) decapsulation of SRv6 traffic to
this host's own SIDs, counted by reason and by sender path. Over the C ABI of
srv6steer/receive.h::

    from srv6steer import Receive
    with Receive.attach("eth0") as rx:                  # mode "auto": TC ingress on a veth
        rx.add_sid("fcbb:0:e002:fe06::/64", "udt6")
        print(rx.stats()["reasons"]["decapsulated"])
    # closing the handle leaves decapsulation in place; Receive.detach("eth0") ends it

The receive state is one per network namespace: every interface attached
shares the SIDs, the settings and the counters."""

from __future__ import annotations

import ctypes
import errno as _errno
from typing import Any

from . import _args, _capi


class Receive:
    """An open handle on this network namespace's receive state. Use as a
    context manager, or call close(); closing never stops decapsulation."""

    def __init__(self, handle: int, bpffs: str | None):
        self._h: int | None = handle
        self._bpffs = bpffs
        self._lib = _capi.load()

    # -- lifecycle --

    @classmethod
    def attach(cls, ifname: str, bpffs: str | None = None, *, mode: str = "auto") -> "Receive":
        """Attaches the receive program to ifname (loading it and pinning its
        state first if this network namespace has none). mode: "auto",
        "native", "generic" or "tc"."""
        name = _args.cstr(ifname, "ifname")
        if not isinstance(mode, str) or mode not in _capi.RX_MODES:
            raise _args.ArgumentError(f"mode {mode!r} is not one of {', '.join(map(repr, _capi.RX_MODES))}")
        opts = _capi.RxAttachOpts(bpffs=_args.optional_cstr(bpffs, "bpffs", path=True), mode=_capi.RX_MODES[mode])
        h = ctypes.c_void_p()
        _capi.check(_capi.load().srv6s_rx_attach(name, ctypes.byref(opts), ctypes.byref(h)))
        return cls(h.value, bpffs)

    @classmethod
    def open(cls, bpffs: str | None = None) -> "Receive":
        """Opens the receive state an earlier attach (any process) pinned."""
        bpffs_c = _args.optional_cstr(bpffs, "bpffs", path=True)
        h = ctypes.c_void_p()
        _capi.check(_capi.load().srv6s_rx_open(bpffs_c, ctypes.byref(h)))
        return cls(h.value, bpffs)

    @staticmethod
    def detach(ifname: str, bpffs: str | None = None) -> bool:
        """Detaches from ifname (the last interface takes the whole state
        with it); False if the receive side was not attached there."""
        name, bpffs_c = _args.cstr(ifname, "ifname"), _args.optional_cstr(bpffs, "bpffs", path=True)
        rc = _capi.load().srv6s_rx_detach(name, bpffs_c)
        if rc == -_errno.ENOENT:
            return False
        _capi.check(rc)
        return True

    @staticmethod
    def interfaces(bpffs: str | None = None) -> list[str]:
        """The interfaces the receive program is attached to here."""
        bpffs_c = _args.optional_cstr(bpffs, "bpffs", path=True)
        out: list[str] = []

        def each(text, _ctx):
            out.append(text.decode(errors="replace"))
            return 0

        _capi.check(_capi.load().srv6s_rx_interfaces(bpffs_c, _capi.TEXT_FN(each), None))
        return out

    @property
    def closed(self) -> bool:
        return self._h is None

    def close(self) -> None:
        """Frees the handle; decapsulation stays."""
        if self._h is not None:
            self._lib.srv6s_rx_close(self._h)
            self._h = None

    def __enter__(self) -> "Receive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<srv6steer.Receive{' (closed)' if self.closed else ''}>"

    def _handle(self) -> int:
        if self._h is None:
            raise _capi.SteeringError(_errno.EBADF, "the receive handle is closed")
        return self._h

    # -- local SIDs --

    def add_sid(self, prefix: str, behavior: str = "udt46", *, replace: bool = False,
                path_stats: bool = True) -> bool:
        """Adds a local SID (an IPv6 prefix of outer destinations) with a
        behaviour: "udt6", "udt4", "udt46" (or End.DT6, End.DT4, End.DT46).
        The same SID again is a no-op; another behaviour is refused unless
        replace. Returns whether the SID is new."""
        prefix_c, behavior_c = _args.cstr(prefix, "prefix"), _args.cstr(behavior, "behavior")
        opts = _capi.SidOpts(replace=_args.flag(replace, "replace"),
                             no_path_stats=not _args.flag(path_stats, "path_stats"))
        added = ctypes.c_int()
        _capi.check(self._lib.srv6s_rx_add_sid(self._handle(), prefix_c, behavior_c, ctypes.byref(opts),
                                               ctypes.byref(added)))
        return bool(added.value)

    def remove_sid(self, prefix: str) -> bool:
        """Removes a local SID (its exact prefix); False if there was none."""
        rc = self._lib.srv6s_rx_remove_sid(self._handle(), _args.cstr(prefix, "prefix"))
        if rc == -_errno.ENOENT:
            return False
        _capi.check(rc)
        return True

    def sids(self) -> list[dict[str, Any]]:
        """The local SIDs by prefix: [{"prefix", "behavior", "path_stats"}]."""
        out: list[dict[str, Any]] = []

        def each(sid, _ctx):
            c = sid.contents
            out.append({"prefix": _capi.text(c.prefix), "behavior": _capi.SID_BEHAVIORS.get(c.behavior, "unknown"),
                        "path_stats": bool(c.path_stats)})
            return 0

        _capi.check(self._lib.srv6s_rx_sids(self._handle(), _capi.RX_SID_FN(each), None))
        return out

    # -- settings --

    def config(self) -> dict[str, bool]:
        """{"decap", "ecn_drop", "path_stats"}: each True or False."""
        c = _capi.RxSettings()
        _capi.check(self._lib.srv6s_rx_config(self._handle(), ctypes.byref(c)))
        return {"decap": c.decap == _capi.ON, "ecn_drop": c.ecn_drop == _capi.ON,
                "path_stats": c.path_stats == _capi.ON}

    def set_config(self, *, decap: bool | None = None, ecn_drop: bool | None = None,
                   path_stats: bool | None = None) -> None:
        """Replaces the settings; None means the library's default (all on)."""
        c = _capi.RxSettings(decap=_args.toggle(decap, "decap"), ecn_drop=_args.toggle(ecn_drop, "ecn_drop"),
                             path_stats=_args.toggle(path_stats, "path_stats"))
        _capi.check(self._lib.srv6s_rx_set_config(self._handle(), ctypes.byref(c)))

    # -- counters --

    def stats(self) -> dict[str, Any]:
        """{"reasons": {name: {"packets", "bytes"}}, "paths": [{"source",
        "path_id", "packets", "bytes", "ce_packets"}]} (paths by source, then id)."""
        n = self._lib.srv6s_rx_reason_count()
        counters = (_capi.Counter * max(n, 1))()
        _capi.check(self._lib.srv6s_rx_stats_reasons(self._handle(), counters, n, None))
        reasons = {self._lib.srv6s_rx_reason_name(i).decode(): {"packets": counters[i].packets,
                                                                "bytes": counters[i].bytes} for i in range(n)}
        paths: list[dict[str, Any]] = []

        def each(path, _ctx):
            c = path.contents
            paths.append({"source": _capi.text(c.source), "path_id": c.path_id, "packets": c.packets,
                          "bytes": c.bytes, "ce_packets": c.ce_packets})
            return 0

        _capi.check(self._lib.srv6s_rx_stats_paths(self._handle(), _capi.RX_PATH_FN(each), None))
        return {"reasons": reasons, "paths": paths}
