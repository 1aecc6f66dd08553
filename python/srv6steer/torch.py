# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Pin a live PyTorch (gloo) process group's connections onto planned paths.

    import torch.distributed as dist
    from srv6steer.torch import pin_process_group

    dist.init_process_group("gloo")
    pins = pin_process_group(plan="plan.json")   # or $SRV6STEER_PLAN, a dict, a function
    pins = pin_process_group(plan="planner")     # planned on $SRV6STEER_TOPOLOGY's fabric
    pins = pin_process_group(plan="jalapeno")    # paths from $JALAPENO_API_ENDPOINT

After init_process_group, every rank calls pin_process_group (a collective):
it finds this rank's own TCP connections (srv6steer.discovery), exchanges
their endpoints with all_gather_object, matches each socket (a, b) to the
rank holding (b, a) — the peer rank of that socket — skipping the store's
connections and those between ranks of one host, then pins each one onto
the path the plan gives its (this rank, peer rank) pair (srv6steer.plan:
file format, path forms, decap by family) and checks, on a probe collective
that sends data over every connection, that each pinned socket's traffic is
steered, warning (NotSteeredWarning) with the rank pair if not. Whatever
address family gloo picked, however many ranks share a host, for every
process group (call it again after new_group: connections already pinned are
left alone). The pins end with the process. With "planner" or "jalapeno"
the group's first rank plans the group's job (gloo's ring over the hosts its
ranks are on, srv6steer.group_plan) and broadcasts the plan, or its error,
which every rank then raises. docs/training-jobs.md says more.

Environment: SRV6STEER_PLAN (the plan file), SRV6STEER_TOPOLOGY (the planner's
fabric), JALAPENO_API_ENDPOINT, TOPOLOGY_COLLECTION, SRV6STEER_HOST (this
rank's host name; Jalapeno's default as the seed plugin: HOSTNAME,
HOSTNAME_PREFIX), SRV6STEER_MODE, SRV6STEER_AGENT_SOCKET, BACKEND_INTERFACE
(srv6steer.pinning.open_steering), DEST_FUNCTION (decap uSIDs,
srv6steer.plan.parse_decap).
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from . import group_plan
from .group_plan import JalapenoSource, PlannerSource
from .pinning import Check, NotSteeredWarning, Pins, pin_connections
from .plan import Plan, PlanError
from .discovery import Connection, scan, select

__all__ = ["GroupPins", "JalapenoSource", "NotSteeredWarning", "PlannerSource", "match_peers", "pin_process_group",
           "plan_from_env", "default_store_port"]

Ends = tuple[str, int, str, int]
"""(local address, local port, remote address, remote port) of a socket."""

_PINNED: set[int] = set()   # inodes of sockets an earlier call in this process pinned


def match_peers(me: int, mine: Sequence[Ends], everyone: Mapping[int, Iterable[Ends]]) -> dict[Ends, int]:
    """{socket: peer rank} for this rank's sockets (`mine`): the rank whose
    list in `everyone` ({rank: its sockets}) holds the reverse, (b, a) for
    (a, b). Sockets with no such rank (not between ranks of the group) and
    ones this rank holds both ends of are left out."""
    owner: dict[Ends, int] = {}
    for rank, ends in everyone.items():
        if rank == me:
            continue
        for e in ends:
            owner[tuple(e)] = rank
    own = {tuple(e) for e in mine}
    out = {}
    for e in mine:
        e = tuple(e)
        rev = (e[2], e[3], e[0], e[1])
        if rev in own:
            continue
        if rev in owner:
            out[e] = owner[rev]
    return out


def match_all(everyone: Mapping[int, Iterable[Ends]]) -> dict[int, dict[Ends, int]]:
    """match_peers for every rank of `everyone` at once ({rank: {socket: peer
    rank}}), in one pass over all the sockets."""
    owners: dict[Ends, list[int]] = {}
    for rank, ends in everyone.items():
        for e in ends:
            owners.setdefault(tuple(e), []).append(rank)
    out: dict[int, dict[Ends, int]] = {}
    for rank, ends in everyone.items():
        own = {tuple(e) for e in ends}
        mine = out[rank] = {}
        for e in ends:
            e = tuple(e)
            rev = (e[2], e[3], e[0], e[1])
            if rev not in own:
                peers = [r for r in owners.get(rev, ()) if r != rank]
                if peers:
                    mine[e] = peers[-1]
    return out


def default_store_port(dist: Any) -> int | None:
    """The port of the job's TCPStore (its connections are not gloo's):
    the default store's, else $MASTER_PORT."""
    try:
        store = dist.distributed_c10d._get_default_store()
        while hasattr(store, "underlying_store"):
            store = store.underlying_store
        return int(store.port)
    except (AttributeError, RuntimeError, ValueError):
        port = os.environ.get("MASTER_PORT")
        return int(port) if port and port.isdigit() else None


def plan_from_env(env: Mapping[str, str] = os.environ) -> Plan | PlannerSource | JalapenoSource:
    """Where the plan comes from without plan=: the file $SRV6STEER_PLAN,
    else the planner on $SRV6STEER_TOPOLOGY, else Jalapeno
    ($JALAPENO_API_ENDPOINT). srv6steer.group_plan.plan_source."""
    return group_plan.plan_source(None, env)


@dataclass
class GroupPins:
    """What pin_process_group did on this rank."""

    rank: int
    pins: Pins
    peers: dict[int, int]          # socket inode -> peer rank, for every connection to another rank
    local: list[tuple[Connection, int]]     # connections to ranks on this host (never leave it)
    unplanned: list[tuple[Connection, int]]  # connections the plan leaves to ECMP
    seconds: float                 # finding, exchanging, matching and pinning
    timings: dict[str, float]      # of which: "find", "exchange" (a collective: waits for every rank),
                                   # "plan" (planner/Jalapeno: waits for the first rank's), "pin"
    checks: list[Check] | None = None  # the probe's (verify=True)
    plan: Plan | None = None       # the plan used (the planner's or Jalapeno's, as broadcast)

    def check(self, **kw) -> list[Check]:
        """Pins.check(): what each pinned connection sent and had steered
        since the last check (warns, naming the rank pair, if not steered)."""
        return self.pins.check(**kw)

    def describe(self) -> list[str]:
        out = [str(p) for p in self.pins.pinned]
        out += [f"rank {self.rank} -> rank {r}: {c}: same host, not pinned" for c, r in self.local]
        out += [f"rank {self.rank} -> rank {r}: {c}: not in the plan, not pinned" for c, r in self.unplanned]
        return out

    def unpin(self) -> None:
        _PINNED.difference_update(p.connection.inode for p in self.pins.pinned)
        self.pins.unpin()


def pin_process_group(plan: Any = None, group: Any = None, *, mode: str | None = None,
                      ifname: str | None = None, agent_socket: str | None = None, steering: Any = None,
                      store_port: int | None = None, verify: bool = True, probe_bytes: int = 1 << 20,
                      dist: Any = None) -> GroupPins:
    """Pins this rank's connections to the other ranks of `group` (default:
    the whole job) onto the plan's paths. A collective: every rank of the
    group calls it. plan: a Plan, a file, a dict in the file's form, a
    {(src, dst): path} mapping or a function (src, dst, connection) -> path
    (srv6steer.plan); "planner" or a PlannerSource (the path planner on a
    topology: $SRV6STEER_TOPOLOGY), "jalapeno" or a JalapenoSource
    (srv6steer.group_plan): the group's first rank plans gloo's ring of the
    group and broadcasts it; a failure there raises the same PlanError on
    every rank, before anything is pinned. Default: $SRV6STEER_PLAN, else
    $SRV6STEER_TOPOLOGY, else $JALAPENO_API_ENDPOINT. mode, ifname, agent_socket,
    steering: how to pin (srv6steer.pinning.open_steering). store_port: the
    TCPStore's (default: the default store's), whose connections are left
    alone. verify: send probe_bytes to every peer (all_to_all; at most 64 MiB
    in all) and check that each pinned socket's traffic was steered (warns if
    not)."""
    t0 = time.monotonic()
    if dist is None:
        import torch.distributed as dist
    me = dist.get_rank()
    try:    # a rank that cannot make its source says so in the exchange: every rank raises, none waits
        source, problem = group_plan.plan_source(plan), None
        if isinstance(source, Plan):
            source.check_world_size(dist.get_world_size())
    except PlanError as e:
        source, problem = None, str(e)
    info = group_plan.rank_info(source, me, problem)
    port = store_port if store_port is not None else default_store_port(dist)
    skip = {port} if port else set()
    keep_remote = select(exclude_ports=skip)
    keep_any = select(exclude_ports=skip, local_peers=True)

    with scan() as found:
        conns = [c for c in found.connections(keep_any) if c.inode not in _PINNED]
        ends = {c.inode: (c.local.addr, c.local.port, c.remote.addr, c.remote.port) for c in conns}
        t1 = time.monotonic()
        gathered: list[Any] = [None] * dist.get_world_size(group)
        dist.all_gather_object(gathered, (me, list(ends.values()), info), group=group)
        members = [rank for rank, _, _ in gathered]        # global ranks in group-rank order
        everyone = {rank: e for rank, e, _ in gathered}
        t2 = time.monotonic()
        # The group's first rank plans (the planner, Jalapeno): it needs every rank's peers.
        matched = match_all(everyone) if me == members[0] and not isinstance(source, Plan) else {}
        the_plan = group_plan.resolve(source, members, matched, [i for _, _, i in gathered], dist=dist, group=group)
        t_plan = time.monotonic()
        peer_of = match_peers(me, list(ends.values()), everyone)

        peers: dict[int, int] = {}
        by_pair: dict[int, list[Connection]] = {}
        local: list[tuple[Connection, int]] = []
        for c in conns:
            peer = peer_of.get(ends[c.inode])
            if peer is None:
                continue
            peers[c.inode] = peer
            if keep_remote(c):
                by_pair.setdefault(peer, []).append(c)
            else:
                local.append((c, peer))
        items, unplanned = [], []
        for peer, cs in sorted(by_pair.items()):
            for i, c in enumerate(sorted(cs, key=lambda c: (c.local.port, c.remote.port))):
                path = the_plan.path_for(me, peer, i, c)
                if path is None:
                    unplanned.append((c, peer))
                else:
                    items.append((c, path, f"rank {me} -> rank {peer}"))
        pins = pin_connections(found, items, steering=steering, mode=mode, ifname=ifname, agent_socket=agent_socket)
    _PINNED.update(c.inode for c, _, _ in items)
    t3 = time.monotonic()
    pins.seconds = t3 - t0
    out = GroupPins(me, pins, peers, local, unplanned, pins.seconds,
                    {"find": t1 - t0, "exchange": t2 - t1, "plan": t_plan - t2, "pin": t3 - t_plan}, plan=the_plan)
    if verify:
        out.checks = _probe_and_check(dist, group, probe_bytes, out)
    return out


def _probe_and_check(dist: Any, group: Any, probe_bytes: int, out: GroupPins) -> list[Check]:
    """An all_to_all of probe_bytes per peer (every connection carries data
    both ways), then Pins.check with half of it as the least that counts."""
    import torch

    n = dist.get_world_size(group)
    per_peer = min(probe_bytes, max(64 << 10, (64 << 20) // n)) // 4   # floats
    x = torch.zeros(n * per_peer, dtype=torch.float32)
    y = torch.empty_like(x)
    dist.all_to_all_single(y, x, group=group)
    # A rank's all_to_all returns once it has received its share: its own
    # sends may still sit in its socket buffers, not yet sent (and counted).
    # Past a barrier every rank has received everything, so all was sent.
    dist.barrier(group=group)
    with warnings.catch_warnings():
        warnings.simplefilter("always", NotSteeredWarning)   # every rank pair's, even if said before
        return out.pins.check(min_bytes=per_peer * 4 // 2)
