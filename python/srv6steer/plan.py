# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Paths for pinned connections, and the per-rank-pair plan of a training job.

A path is given in one of these forms (docs/training-jobs.md):

  - node uSIDs in the plan's block: "1004,1001,1006", ["1004", "1001", "1006"],
    [0x1004, 0x1001, 0x1006] or {"usids": ..., "block": ..., "srh": "full"}.
    The decapsulation function is chosen by the family of the connection's
    packets and appended (the lab's: fe06 End.DT6 for IPv6, fe04 End.DX4 for
    IPv4); a list that already ends in a decap function must end in the one of
    the connection's family.
  - full SIDs / containers, in path order, used as they are:
    {"segments": ["fcbb:0:1004:1001:1006:fe06::"], "srh": "reduced"}, or the
    seed plugin's (and `ip route ... encap seg6`'s) {"type": "seg6",
    "mode": "encap.red" | "encap", "segs": [...]}.
  - null / None: not pinned (the fabric's ECMP).

A plan file says which path each rank pair's connections take:

    {"version": 1, "block": "fcbb:0::/32", "decap": {"ipv6": "fe06", "ipv4": "fe04"},
     "world_size": 4,
     "pairs": [{"src": 1, "dst": 0, "path": "1006,1001,1004"},
               {"src": 0, "dst": 3, "paths": ["1004,1001,1006", "1004,1002,1006"]}]}

(src, dst) is directed: src's side of their connections (what src sends to
dst) follows the path. "paths" gives the pair's connections paths one by one
(in the order of their local ports, round robin). Nothing here needs the
library or torch.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import socket
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Mapping, Sequence

from ._values import DEFAULT_BLOCK

__all__ = ["DEFAULT_DECAP", "JOB_PATH_IDS", "PathSpec", "Plan", "PlanError", "decap_from_env", "path_ids",
           "parse_decap"]

DEFAULT_DECAP = {socket.AF_INET6: 0xFE06, socket.AF_INET: 0xFE04}
"""Decapsulation uSIDs by the family of the inner packets: the lab's uDT6
(End.DT6) and uDT4 (End.DX4 nh4 0.0.0.0), tools/lab and tools/README.md."""

JOB_PATH_IDS = range(1024, 2048)
"""Path ids the helpers add paths under, chosen from the path's content.
Below the agent's ids (2048 and up), above what an apply file usually uses."""

_FAMILIES = {"ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}
_FAMILY_NAMES = {v: k for k, v in _FAMILIES.items()}
_SRH = {"reduced": False, "full": True}


class PlanError(ValueError):
    """A plan or a path that cannot be used, with where it is (file, JSON path)."""


def _usid(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise PlanError(f"{where}: expected a uSID, got {value!r}")
    if isinstance(value, int):
        u = value
    elif isinstance(value, str):
        t = value.strip().lower().removeprefix("0x")
        if not (1 <= len(t) <= 4 and all(c in "0123456789abcdef" for c in t)):
            raise PlanError(f"{where}: invalid uSID {value!r}: expected 1 to 4 hex digits, e.g. 1004 or fe06")
        u = int(t, 16)
    else:
        raise PlanError(f"{where}: expected a uSID (hex text or an integer), got {value!r}")
    if not 0 < u <= 0xFFFF:
        raise PlanError(f"{where}: uSID {value!r} is out of range: 1 to ffff")
    return u


def _usids(value: Any, where: str) -> tuple[int, ...]:
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise PlanError(f"{where}: expected uSIDs (\"1004,1001,1006\" or a list), got {value!r}")
    if not items:
        raise PlanError(f"{where}: no uSIDs")
    return tuple(_usid(u, f"{where}[{i}]") for i, u in enumerate(items))


def _block(value: Any, where: str) -> str:
    try:
        net = ipaddress.IPv6Network(value)
    except (ValueError, TypeError):
        raise PlanError(f"{where}: invalid block {value!r}: expected an IPv6 prefix such as fcbb:0::/32") from None
    if net.prefixlen % 16 or net.prefixlen > 96:
        raise PlanError(f"{where}: block {value!r}: its length must be a multiple of 16 up to 96")
    return str(net)


def _segments(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise PlanError(f"{where}: expected a list of SIDs, got {value!r}")
    out = []
    for i, s in enumerate(value):
        try:
            out.append(str(ipaddress.IPv6Address(s)))
        except (ValueError, TypeError):
            raise PlanError(f"{where}[{i}]: {s!r} is not an IPv6 address") from None
    return tuple(out)


def _keys(obj: Mapping, allowed: set[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise PlanError(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(sorted(allowed))})")


@dataclass(frozen=True)
class PathSpec:
    """A path in a form pins take: node uSIDs in a block (the decap function
    still to come, or already there), or segments used as they are."""

    usids: tuple[int, ...] | None = None
    block: str = DEFAULT_BLOCK
    segments: tuple[str, ...] | None = None
    full_srh: bool = False

    @classmethod
    def of(cls, spec: Any, block: str = DEFAULT_BLOCK, where: str = "path") -> "PathSpec | None":
        """A PathSpec from any of the module's forms; None for null."""
        if spec is None or isinstance(spec, PathSpec):
            return spec
        if isinstance(spec, Mapping):
            if "segs" in spec:  # {'type': 'seg6', 'mode': 'encap.red', 'segs': [...]}
                _keys(spec, {"type", "mode", "segs"}, where)
                if spec.get("type", "seg6") != "seg6":
                    raise PlanError(f"{where}.type: {spec['type']!r} is not seg6")
                mode = spec.get("mode", "encap.red")
                if mode not in ("encap.red", "encap"):
                    raise PlanError(f"{where}.mode: unsupported seg6 mode {mode!r}: encap.red or encap")
                return cls(segments=_segments(spec["segs"], f"{where}.segs"), full_srh=mode == "encap")
            srh = spec.get("srh", "reduced")
            if srh not in _SRH:
                raise PlanError(f"{where}.srh: expected \"reduced\" or \"full\", got {srh!r}")
            if "segments" in spec:
                _keys(spec, {"segments", "srh"}, where)
                return cls(segments=_segments(spec["segments"], f"{where}.segments"), full_srh=_SRH[srh])
            if "usids" in spec:
                _keys(spec, {"usids", "block", "srh"}, where)
                b = _block(spec["block"], f"{where}.block") if "block" in spec else block
                return cls(usids=_usids(spec["usids"], f"{where}.usids"), block=b, full_srh=_SRH[srh])
            raise PlanError(f"{where}: expected \"usids\", \"segments\" or \"segs\" in {dict(spec)!r}")
        if isinstance(spec, str) and ":" in spec:
            return cls(segments=_segments([spec], where))
        return cls(usids=_usids(spec, where), block=block)

    def for_family(self, family: int, decap: Mapping[int, int] = DEFAULT_DECAP) -> "PathSpec":
        """The path for packets of `family` (AF_INET, AF_INET6): uSIDs end in
        that family's decap function (appended unless already there)."""
        if self.usids is None:
            return self
        want = decap[family]
        last = self.usids[-1]
        if last == want:
            return self
        if last in decap.values():
            other = next(_FAMILY_NAMES[f] for f, u in decap.items() if u == last)
            raise PlanError(f"path {self} ends in {last:x}, the {other} decap function, but the connection is "
                            f"{_FAMILY_NAMES[family]} ({want:x}): leave the decap function out, it is chosen "
                            f"by the connection's family")
        return replace(self, usids=self.usids + (want,))

    def key(self) -> str:
        """Canonical text: equal paths, equal keys."""
        srh = "full" if self.full_srh else "reduced"
        if self.segments is not None:
            return f"segments {' '.join(self.segments)} {srh}"
        return f"usids {self.block} {','.join(format(u, 'x') for u in self.usids)} {srh}"

    def add_to(self, steering, path_id: int) -> None:
        if self.segments is not None:
            steering.add_path(path_id, segments=list(self.segments), full_srh=self.full_srh)
        else:
            steering.add_path(path_id, list(self.usids), block=self.block, full_srh=self.full_srh)

    def __str__(self) -> str:
        if self.segments is not None:
            return ",".join(self.segments) + (" (srh)" if self.full_srh else "")
        return ",".join(format(u, "x") for u in self.usids) + (" (srh)" if self.full_srh else "")


def path_ids(path: PathSpec, ids: range = JOB_PATH_IDS) -> Iterator[int]:
    """The ids to try for `path`, best first: where its content hashes to,
    then the next ones (so processes adding the same path agree on its id,
    and a different path already there only moves this one along)."""
    h = int.from_bytes(hashlib.sha256(path.key().encode()).digest()[:8], "big")
    start = h % len(ids)
    for i in range(len(ids)):
        yield ids[(start + i) % len(ids)]


def parse_decap(text: str, base: Mapping[int, int] = DEFAULT_DECAP) -> dict[int, int]:
    """DEST_FUNCTION's value: "fe06" (the IPv6 decap, as the seed plugin took
    it) or "ipv6=fe06,ipv4=fe04"; what it does not name stays as in base."""
    out = dict(base)
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise PlanError(f"decap {text!r}: expected a uSID such as fe06, or ipv6=fe06,ipv4=fe04")
    for p in parts:
        fam, sep, val = p.partition("=")
        if not sep:
            fam, val = "ipv6", p
        if fam.strip().lower() not in _FAMILIES:
            raise PlanError(f"decap {text!r}: {fam!r} is not ipv4 or ipv6")
        out[_FAMILIES[fam.strip().lower()]] = _usid(val, f"decap {text!r}")
    return out


def decap_from_env(env: Mapping[str, str] = os.environ) -> dict[int, int]:
    """DEST_FUNCTION if set, else the lab's decap functions."""
    text = env.get("DEST_FUNCTION")
    return parse_decap(text) if text else dict(DEFAULT_DECAP)


def _decap_obj(value: Any, where: str, base: Mapping[int, int]) -> dict[int, int]:
    if not isinstance(value, Mapping):
        raise PlanError(f"{where}: expected {{\"ipv6\": \"fe06\", \"ipv4\": \"fe04\"}}, got {value!r}")
    _keys(value, set(_FAMILIES), where)
    out = dict(base)
    for name, u in value.items():
        out[_FAMILIES[name]] = _usid(u, f"{where}.{name}")
    return out


def _rank(value: Any, where: str, world_size: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PlanError(f"{where}: expected a rank (an integer from 0), got {value!r}")
    if world_size is not None and value >= world_size:
        raise PlanError(f"{where}: rank {value} is not below the plan's world_size {world_size}")
    return value


def _no_duplicate_keys(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise PlanError(f"key {k!r} given twice in one object")
        out[k] = v
    return out


PairChoice = Callable[[int, int, Any], Any]
"""A plan as a function: (src rank, dst rank, connection) -> a path form, a
list of them (one per connection), or None."""


class Plan:
    """Which path each rank pair's connections take: from a file, a dict in
    the file's form, a {(src, dst): path} mapping or a PairChoice function."""

    def __init__(self, pairs: Mapping[tuple[int, int], Sequence[PathSpec | None]] | None = None, *,
                 choose: PairChoice | None = None, block: str = DEFAULT_BLOCK,
                 decap: Mapping[int, int] | None = None, world_size: int | None = None,
                 source: str = "plan"):
        self.pairs = dict(pairs or {})
        self.choose = choose
        self.block = block
        self.decap = dict(decap) if decap is not None else decap_from_env()
        self.world_size = world_size
        self.source = source

    # -- making one --

    @classmethod
    def of(cls, plan: Any, *, block: str = DEFAULT_BLOCK, decap: Mapping[int, int] | None = None) -> "Plan":
        """plan: a Plan, a file name, a dict in the file's form, a
        {(src, dst): path} mapping, or a PairChoice function."""
        if isinstance(plan, Plan):
            return plan
        if isinstance(plan, (str, os.PathLike)):
            return cls.load(plan, decap=decap)
        if callable(plan):
            return cls(choose=plan, block=block, decap=decap, source=getattr(plan, "__name__", "function"))
        if isinstance(plan, Mapping) and ("pairs" in plan or not plan):
            return cls.from_obj(plan, decap=decap)
        if isinstance(plan, Mapping):
            pairs = {}
            for k, v in plan.items():
                if not (isinstance(k, tuple) and len(k) == 2):
                    raise PlanError(f"plan key {k!r}: expected a (src rank, dst rank) pair")
                where = f"plan[{k!r}]"
                pairs[(_rank(k[0], where, None), _rank(k[1], where, None))] = cls._paths(v, where, block)
            return cls(pairs, block=block, decap=decap)
        raise TypeError(f"a plan is a file name, a dict, a mapping or a function, not {type(plan).__name__}")

    @classmethod
    def load(cls, path: str | os.PathLike, *, decap: Mapping[int, int] | None = None) -> "Plan":
        name = os.fspath(path)
        try:
            with open(name, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise PlanError(f"{name}: cannot read the plan: {e.strerror}") from None
        return cls.from_json(text, source=name, decap=decap)

    @classmethod
    def from_json(cls, text: str, *, source: str = "plan", decap: Mapping[int, int] | None = None) -> "Plan":
        try:
            obj = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as e:
            raise PlanError(f"{source}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
        except PlanError as e:
            raise PlanError(f"{source}: {e}") from None
        return cls.from_obj(obj, source=source, decap=decap)

    @classmethod
    def from_obj(cls, obj: Any, *, source: str = "plan", decap: Mapping[int, int] | None = None) -> "Plan":
        try:
            return cls._from_obj(obj, source, decap)
        except PlanError as e:
            raise PlanError(f"{source}: {e}") from None

    @classmethod
    def _from_obj(cls, obj: Any, source: str, decap: Mapping[int, int] | None) -> "Plan":
        if not isinstance(obj, Mapping):
            raise PlanError(f"expected an object with \"pairs\", got {type(obj).__name__}")
        _keys(obj, {"version", "block", "decap", "world_size", "pairs", "comment"}, "plan")
        if obj.get("version", 1) != 1:
            raise PlanError(f"version: {obj['version']!r} is not supported (1)")
        block = _block(obj["block"], "block") if "block" in obj else DEFAULT_BLOCK
        base = dict(decap) if decap is not None else decap_from_env()
        dec = _decap_obj(obj["decap"], "decap", base) if "decap" in obj else base
        ws = obj.get("world_size")
        if ws is not None and (isinstance(ws, bool) or not isinstance(ws, int) or ws < 1):
            raise PlanError(f"world_size: expected a positive integer, got {ws!r}")
        entries = obj.get("pairs", [])
        if not isinstance(entries, list):
            raise PlanError(f"pairs: expected a list, got {type(entries).__name__}")
        pairs: dict[tuple[int, int], tuple[PathSpec | None, ...]] = {}
        seen: dict[tuple[int, int], int] = {}
        for i, e in enumerate(entries):
            where = f"pairs[{i}]"
            if not isinstance(e, Mapping):
                raise PlanError(f"{where}: expected an object with src, dst and path, got {e!r}")
            _keys(e, {"src", "dst", "path", "paths", "comment"}, where)
            for k in ("src", "dst"):
                if k not in e:
                    raise PlanError(f"{where}: no {k!r}")
            src, dst = _rank(e["src"], f"{where}.src", ws), _rank(e["dst"], f"{where}.dst", ws)
            if src == dst:
                raise PlanError(f"{where}: src and dst are both rank {src}")
            if ("path" in e) == ("paths" in e):
                raise PlanError(f"{where}: give exactly one of \"path\" or \"paths\"")
            if (src, dst) in seen:
                raise PlanError(f"{where}: rank pair {src} -> {dst} is listed twice (also at pairs[{seen[(src, dst)]}])")
            seen[(src, dst)] = i
            if "path" in e:
                pairs[(src, dst)] = (PathSpec.of(e["path"], block, f"{where}.path"),)
            else:
                pairs[(src, dst)] = cls._paths(e["paths"], f"{where}.paths", block, listed=True)
        return cls(pairs, block=block, decap=dec, world_size=ws, source=source)

    @staticmethod
    def _paths(value: Any, where: str, block: str, listed: bool = False) -> tuple[PathSpec | None, ...]:
        """One path form, or (listed, or {"paths": [...]}) one per connection."""
        if not listed and isinstance(value, Mapping) and "paths" in value:
            _keys(value, {"paths"}, where)
            value, where, listed = value["paths"], f"{where}.paths", True
        if not listed:
            return (PathSpec.of(value, block, where),)
        if not isinstance(value, list) or not value:
            raise PlanError(f"{where}: expected a non-empty list of paths, got {value!r}")
        return tuple(PathSpec.of(p, block, f"{where}[{i}]") for i, p in enumerate(value))

    # -- using one --

    def check_world_size(self, world_size: int) -> None:
        if self.world_size is not None and self.world_size != world_size:
            raise PlanError(f"{self.source}: the plan is for {self.world_size} ranks, the group has {world_size}")

    def path_for(self, src: int, dst: int, index: int, connection: Any) -> PathSpec | None:
        """The path of src's index-th connection to dst (None: not pinned),
        for the family of the connection's packets (connection.family)."""
        if self.choose is not None:
            got = self.choose(src, dst, connection)
            where = f"{self.source}({src}, {dst})"
            choices = self._paths(got, where, self.block) if got is not None else (None,)
        else:
            choices = self.pairs.get((src, dst), (None,))
        path = choices[index % len(choices)]
        if path is None:
            return None
        try:
            return path.for_family(connection.family, self.decap)
        except PlanError as e:
            raise PlanError(f"{self.source}: rank pair {src} -> {dst}: {e}") from None

    def to_obj(self) -> dict:
        """The file form of a table plan (not of a function)."""
        if self.choose is not None:
            raise TypeError("a plan made of a function has no file form")
        def path_obj(p):
            if p is None:
                return None
            srh = {"srh": "full"} if p.full_srh else {}
            if p.segments is not None:
                return {"segments": list(p.segments), **srh}
            return {"usids": ",".join(format(u, "x") for u in p.usids), "block": p.block, **srh}
        return {"version": 1, "block": self.block,
                "decap": {_FAMILY_NAMES[f]: format(u, "x") for f, u in sorted(self.decap.items())},
                **({"world_size": self.world_size} if self.world_size else {}),
                "pairs": [{"src": s, "dst": d, **({"path": path_obj(ps[0])} if len(ps) == 1
                                                  else {"paths": [path_obj(p) for p in ps]})}
                          for (s, d), ps in sorted(self.pairs.items())]}
