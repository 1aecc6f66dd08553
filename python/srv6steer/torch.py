# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Steer a distributed (PyTorch-style) job's traffic onto controller-chosen paths.

The SRv6 PyTorch plugin of the lab this project started from did this, once
the process group was up and before NCCL/Gloo began to talk: take the job's
nodes, ask a controller (Jalapeno) for a lowest-load path per source/
destination pair, and program one kernel route with SRv6 encapsulation per
peer prefix, e.g.::

    Adding route to fcbb:0:800:1::/64 with encap: {'type': 'seg6',
      'mode': 'encap.red', 'segs': ['fcbb:0:1004:1001:1005:fe06::']} to table 254

This module does the same with srv6steer pins instead of routes: one path per
distinct segment list, one prefix pin per peer (its address, or its /64 like
the plugin's routes), owned by the calling process so that `gc` removes them
once the job is gone. Nothing here imports torch: `hosts` is a plain
{rank: address} mapping, and hosts_from_group() builds one from anything with
torch.distributed's get_rank/get_world_size/all_gather_object.

    import torch.distributed as dist
    from srv6steer import Steering
    from srv6steer.torch import hosts_from_group, steer_job

    hosts = hosts_from_group(dist, my_backend_address)
    with Steering.open("eth1") as s:
        steer_job(s, dist.get_rank(), hosts, controller.path_for)

A path ("spec") is any of:
  - uSIDs in the block: "1004,1001,1006,fe06" or [0x1004, 0x1001, 0x1006, 0xfe06]
  - full SIDs / containers in path order: ["fcbb:0:1004:1001:1006:fe06::"]
  - the plugin's (and `ip route ... encap seg6`'s) encap dict:
    {"type": "seg6", "mode": "encap.red" | "encap", "segs": [...]}
  - {"usids": ..., "block": "fcbb:0::/32", "full_srh": False}
  - None: leave that pair to ECMP (no pin)
"""

from __future__ import annotations

import dataclasses
import errno
import ipaddress
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import DEFAULT_BLOCK, OWNER_SELF, SteeringError

__all__ = ["PathSpec", "PlannedPin", "apply", "hosts_from_group", "plan", "steer_job", "unsteer"]


@dataclass(frozen=True)
class PathSpec:
    """A path in a form the library takes: uSIDs in a block, or segments."""

    usids: str | None = None
    block: str = DEFAULT_BLOCK
    segments: tuple[str, ...] | None = None
    full_srh: bool = False

    @classmethod
    def of(cls, spec: Any, block: str = DEFAULT_BLOCK) -> "PathSpec":
        if isinstance(spec, PathSpec):
            return spec
        if isinstance(spec, Mapping):
            if "segs" in spec:  # {'type': 'seg6', 'mode': 'encap.red', 'segs': [...]}
                mode = spec.get("mode", "encap.red")
                if mode not in ("encap.red", "encap"):
                    raise ValueError(f"unsupported seg6 mode {mode!r}: encap.red or encap")
                return cls(segments=tuple(str(s) for s in spec["segs"]), full_srh=mode == "encap")
            if "usids" in spec:
                return dataclasses.replace(cls.of(spec["usids"], spec.get("block", block)),
                                           full_srh=bool(spec.get("full_srh", False)))
            raise ValueError(f"path {spec!r}: expected 'segs' or 'usids'")
        if isinstance(spec, str):
            if ":" in spec:  # one full SID / container
                return cls(segments=(spec,))
            return cls(usids=_norm_usids(spec), block=block)
        items = list(spec)
        if not items:
            raise ValueError("empty path")
        if all(isinstance(u, int) for u in items):
            return cls(usids=",".join(format(u, "x") for u in items), block=block)
        if all(isinstance(s, str) and ":" in s for s in items):
            return cls(segments=tuple(items))
        return cls(usids=_norm_usids(",".join(str(u) for u in items)), block=block)

    def add_to(self, steering, path_id: int) -> None:
        if self.segments is not None:
            steering.add_path(path_id, segments=list(self.segments), full_srh=self.full_srh)
        else:
            steering.add_path(path_id, self.usids, block=self.block, full_srh=self.full_srh)


def _norm_usids(text: str) -> str:
    return ",".join(p.lower().removeprefix("0x") for p in text.replace(",", " ").split())


@dataclass(frozen=True)
class PlannedPin:
    """One pin of the plan: traffic from src_rank's host to `prefix` takes `path`."""

    src_rank: int
    dst_rank: int
    prefix: str
    path_id: int
    path: PathSpec


def hosts_from_group(dist: Any, my_address: str) -> dict[int, str]:
    """{rank: backend address} of every rank of the default process group.

    `dist` is torch.distributed, or anything with get_world_size() and
    all_gather_object(list, obj) (a collective: every rank must call it)."""
    out: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(out, my_address)
    return {rank: str(addr) for rank, addr in enumerate(out)}


def _prefix_of(address: str, prefix_len: int | None) -> str:
    addr = ipaddress.ip_address(address)
    if prefix_len is None:
        prefix_len = addr.max_prefixlen
    net = ipaddress.ip_network(f"{addr}/{prefix_len}", strict=False)
    return str(net)


def plan(rank: int, hosts: Mapping[int, str] | Sequence[str],
         paths: Mapping[tuple[int, int], Any] | Callable[..., Any], *,
         block: str = DEFAULT_BLOCK, prefix_len: int | None = None,
         first_path_id: int = 1) -> list[PlannedPin]:
    """The pins `rank`'s host needs: one per peer host it sends to.

    hosts: {rank: address} (or a list indexed by rank).
    paths: {(src_rank, dst_rank): spec}, or a function
           (src_rank, dst_rank, src_address, dst_address) -> spec; a missing
           pair or None means no pin (ECMP as usual).
    prefix_len: pin the peer's network of this length (64: like the plugin's
           /64 routes); default: the peer's address alone.
    Ranks on this host's own address are skipped; peers sharing a prefix must
    get the same path (else ValueError). Identical paths share one path id,
    numbered from first_path_id in order of first use."""
    if not isinstance(hosts, Mapping):
        hosts = dict(enumerate(hosts))
    if rank not in hosts:
        raise ValueError(f"rank {rank} is not in hosts")
    me = ipaddress.ip_address(hosts[rank])
    if callable(paths):
        choose = paths
    else:
        table = paths

        def choose(src, dst, _sa, _da):
            return table.get((src, dst))

    ids: dict[PathSpec, int] = {}
    by_prefix: dict[str, PlannedPin] = {}
    out: list[PlannedPin] = []
    for dst in sorted(hosts):
        if dst == rank or ipaddress.ip_address(hosts[dst]) == me:
            continue
        spec = choose(rank, dst, hosts[rank], hosts[dst])
        if spec is None:
            continue
        path = PathSpec.of(spec, block)
        prefix = _prefix_of(hosts[dst], prefix_len)
        if prefix in by_prefix:
            if by_prefix[prefix].path != path:
                raise ValueError(f"ranks {by_prefix[prefix].dst_rank} and {dst} share {prefix} "
                                 f"but were given different paths")
            continue
        if path not in ids:
            ids[path] = first_path_id + len(ids)
        pin = PlannedPin(rank, dst, prefix, ids[path], path)
        by_prefix[prefix] = pin
        out.append(pin)
    return out


def apply(steering, pins: Iterable[PlannedPin], *, replace: bool = True, owner=OWNER_SELF) -> list[PlannedPin]:
    """Adds the plan's paths and pins to `steering` (a srv6steer.Steering, or
    anything with add_path/pin_prefix). replace: re-pin prefixes pinned
    elsewhere (a restarted job gets its new paths). Returns the pins."""
    pins = list(pins)
    added: set[int] = set()
    for p in pins:
        if p.path_id not in added:
            p.path.add_to(steering, p.path_id)
            added.add(p.path_id)
    for p in pins:
        steering.pin_prefix(p.prefix, path=p.path_id, replace=replace, owner=owner)
    return pins


def steer_job(steering, rank: int, hosts, paths, *, block: str = DEFAULT_BLOCK,
              prefix_len: int | None = None, first_path_id: int = 1, replace: bool = True,
              owner=OWNER_SELF) -> list[PlannedPin]:
    """plan() then apply(): what the plugin did at process-group start."""
    return apply(steering,
                 plan(rank, hosts, paths, block=block, prefix_len=prefix_len, first_path_id=first_path_id),
                 replace=replace, owner=owner)


def unsteer(steering, pins: Iterable[PlannedPin]) -> None:
    """Removes the plan's pins, then its paths that nothing else uses."""
    pins = list(pins)
    for p in pins:
        steering.unpin_prefix(p.prefix)
    for path_id in sorted({p.path_id for p in pins}):
        try:
            steering.remove_path(path_id)
        except SteeringError as e:
            if e.errno not in (errno.EBUSY, errno.ENOENT):  # still used elsewhere / gone already
                raise
