# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Where srv6steer.torch's paths come from, and planning a live group's job.

A plan source is a given plan (srv6steer.plan: a file, a dict, a mapping, a
function), the path planner on a topology file (PlannerSource: "planner",
$SRV6STEER_TOPOLOGY) or a Jalapeno controller (JalapenoSource: "jalapeno",
$JALAPENO_API_ENDPOINT). For the last two the job is built from the live
group (docs/training-jobs.md): the host of each rank — for the planner the
topology host whose address is the rank's gloo address, for Jalapeno the
seed plugin's host name — and gloo's ring, rank r sending to r−1 (group
ranks), with as many connections per rank pair as the group has. The group's
first rank plans, alone, and broadcasts the plan or the error over the group:
every rank gets the same plan or raises the same PlanError.

Nothing here needs torch; planning needs the library (srv6steer.planning)."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from ._capi import SteeringError
from .plan import Plan, PlanError, parse_decap

__all__ = ["JalapenoSource", "PlannerSource", "connection_counts", "gloo_addresses", "hosts_by_address",
           "jalapeno_host", "plan_source", "rank_info", "resolve", "ring_job"]

Ends = tuple[str, int, str, int]


@dataclass(frozen=True)
class PlannerSource:
    """Plan the job on the fabric of a topology file (docs/paths.md)."""

    topology: str

    def __str__(self) -> str:
        return f"the planner on {self.topology}"


@dataclass(frozen=True)
class JalapenoSource:
    """Ask Jalapeno for each host pair's path (None: from the environment,
    srv6steer.planning.jalapeno_config; timeout in seconds per request)."""

    endpoint: str | None = None
    collection: str | None = None
    dest_function: str | None = None
    timeout: float | None = None

    def __str__(self) -> str:
        return f"Jalapeno {self.endpoint or os.environ.get('JALAPENO_API_ENDPOINT', '')}".rstrip()


Source = Any   # a Plan, a PlannerSource or a JalapenoSource


def _planner_from_env(env: Mapping[str, str], why: str) -> PlannerSource:
    topo = env.get("SRV6STEER_TOPOLOGY")
    if not topo:
        raise PlanError(f"{why}: set SRV6STEER_TOPOLOGY to the fabric's topology file (docs/paths.md), "
                        "e.g. topologies/lab.json")
    return PlannerSource(topo)


def plan_source(plan: Any = None, env: Mapping[str, str] = os.environ) -> Source:
    """The source plan= names: "planner", "jalapeno", a PlannerSource or
    JalapenoSource, or a plan srv6steer.plan.Plan.of takes (a file name, a
    dict, a mapping, a function). None: $SRV6STEER_PLAN (a plan file), else
    $SRV6STEER_TOPOLOGY (the planner), else $JALAPENO_API_ENDPOINT (Jalapeno)."""
    if isinstance(plan, (Plan, PlannerSource, JalapenoSource)):
        return plan
    if plan == "planner":
        return _planner_from_env(env, 'plan="planner" needs a topology')
    if plan == "jalapeno":
        if not env.get("JALAPENO_API_ENDPOINT"):
            raise PlanError('plan="jalapeno" needs JALAPENO_API_ENDPOINT (e.g. http://jalapeno:30800/api/v1), '
                            "and TOPOLOGY_COLLECTION unless the collection is network_topology")
        return JalapenoSource()
    if plan is not None:
        return Plan.of(plan)
    if env.get("SRV6STEER_PLAN"):
        return Plan.load(env["SRV6STEER_PLAN"])
    if env.get("SRV6STEER_TOPOLOGY"):
        return PlannerSource(env["SRV6STEER_TOPOLOGY"])
    if env.get("JALAPENO_API_ENDPOINT"):
        return JalapenoSource()
    raise PlanError('no plan: give plan= (a file, a dict, a function, "planner" or "jalapeno"), or set '
                    "SRV6STEER_PLAN=FILE, SRV6STEER_TOPOLOGY=TOPOLOGY_FILE or JALAPENO_API_ENDPOINT=URL")


def _kind(source: Source) -> str:
    return {PlannerSource: "planner", JalapenoSource: "jalapeno"}.get(type(source), "given")


def jalapeno_host(rank: int, env: Mapping[str, str] = os.environ) -> str:
    """This rank's Jalapeno host name ("hosts/<name>"): $SRV6STEER_HOST, else
    as the seed plugin names it: $HOSTNAME, else $HOSTNAME_PREFIX (default
    "host") and the rank in two digits (host00, host01, ...)."""
    return (env.get("SRV6STEER_HOST") or env.get("HOSTNAME")
            or f"{env.get('HOSTNAME_PREFIX') or 'host'}{rank:02d}")


def rank_info(source: Source | None, rank: int, error: str | None = None,
              env: Mapping[str, str] = os.environ) -> dict:
    """What a rank tells the others about its plan source and host (sent
    with its endpoints): {"kind", "host", "error"}."""
    kind = "error" if source is None else _kind(source)
    host = None
    if kind == "jalapeno":
        host = jalapeno_host(rank, env)
    elif kind == "planner":
        host = env.get("SRV6STEER_HOST") or None
    return {"kind": kind, "host": host, "error": error}


def _agree(members: Sequence[int], infos: Sequence[Mapping]) -> str:
    """The group's plan source kind; the same PlanError on every rank if a
    rank could not make its own or the ranks disagree."""
    failed = [(r, i["error"]) for r, i in zip(members, infos) if i.get("error")]
    if failed:
        r, msg = failed[0]
        more = f" (and on rank{'s' if len(failed) > 2 else ''} {', '.join(str(x) for x, _ in failed[1:])})" \
            if len(failed) > 1 else ""
        raise PlanError(f"rank {r}: {msg}{more}; nothing was pinned on any rank")
    kinds = {r: i["kind"] for r, i in zip(members, infos)}
    if len(set(kinds.values())) > 1:
        said = ", ".join(f"rank {r}: {k}" for r, k in kinds.items())
        raise PlanError(f"the ranks disagree on where the plan comes from ({said}): give every rank the same "
                        "plan= or the same SRV6STEER_PLAN / SRV6STEER_TOPOLOGY / JALAPENO_API_ENDPOINT; "
                        "nothing was pinned on any rank")
    return kinds[members[0]]


def connection_counts(members: Sequence[int], matched: Mapping[int, Mapping[Ends, int]]) -> dict[tuple[int, int], int]:
    """{(group rank, group rank): connections}: how many of each member's
    connections (matched: {rank: {ends: peer rank}}, match_peers's) go to
    each other member."""
    index = {r: g for g, r in enumerate(members)}
    out: dict[tuple[int, int], int] = {}
    for g, r in enumerate(members):
        for peer in matched.get(r, {}).values():
            if peer in index:
                key = (g, index[peer])
                out[key] = out.get(key, 0) + 1
    return out


def gloo_addresses(members: Sequence[int], matched: Mapping[int, Mapping[Ends, int]]) -> list[set[str]]:
    """Each member's local addresses of its connections to the group (the
    address gloo picked, in the family it picked)."""
    return [{e[0] for e in matched.get(r, {})} for r in members]


def ring_job(hosts: Sequence[str], counts: Mapping[tuple[int, int], int]) -> dict:
    """The job of gloo's ring over group ranks on `hosts`: rank r sends to
    r−1, with counts[(r, r−1)] connections; pairs on one host (they never
    reach the fabric) and pairs without a connection are left out."""
    n = len(hosts)
    pairs = []
    for r in range(n):
        d = (r - 1) % n
        c = counts.get((r, d), 0)
        if n > 1 and c and hosts[r] != hosts[d]:
            pairs.append({"src": r, "dst": d, "connections": c})
    return {"comment": "srv6steer.torch: gloo's ring (r -> r-1) of a live group", "ranks": list(hosts),
            "pattern": "pairs", "pairs": pairs}


def _address(text: Any) -> ipaddress._BaseAddress | None:
    try:
        return ipaddress.ip_address(text)
    except (TypeError, ValueError):
        return None


def hosts_by_address(topology: Mapping, addresses: Sequence[Iterable[str]], names: Sequence[str | None],
                     where: str = "topology") -> list[str]:
    """The topology host of each member: its given name ($SRV6STEER_HOST),
    else the host whose ipv4 or ipv6 address is one of its gloo addresses."""
    by_addr: dict[Any, str] = {}
    for h in topology.get("hosts", []) if isinstance(topology, Mapping) else []:
        if isinstance(h, Mapping):
            for fam in ("ipv4", "ipv6"):
                a = _address(h.get(fam))
                if a is not None:
                    by_addr[a] = str(h.get("name"))
    out = []
    for g, (addrs, name) in enumerate(zip(addresses, names)):
        if name:
            out.append(name)
            continue
        found = sorted({by_addr[a] for a in map(_address, addrs) if a in by_addr})
        if len(found) != 1:
            said = ", ".join(sorted(addrs)) or "none: no connection to another rank"
            why = f"its gloo addresses ({said}) are " + (f"those of hosts {' and '.join(found)}" if found
                                                          else "no host's")
            raise PlanError(f"group rank {g}: {why} in {where}: set SRV6STEER_HOST to its host's name there, "
                            "or make gloo use the host's address (GLOO_SOCKET_IFNAME)")
        out.append(found[0])
    return out


def _to_global(obj: Mapping, members: Sequence[int]) -> dict:
    """A plan of group ranks (the job's) in global ranks, as srv6steer.torch uses them."""
    out = {k: v for k, v in obj.items() if k not in ("world_size", "pairs")}
    out["pairs"] = [{**p, "src": members[p["src"]], "dst": members[p["dst"]]} for p in obj.get("pairs", [])]
    return out


def _empty_plan() -> dict:
    return {"version": 1, "comment": "srv6steer.torch: no rank pair of the ring crosses the fabric", "pairs": []}


def _plan_planner(source: PlannerSource, members, matched, infos) -> dict:
    from .planning import plan_job
    try:
        with open(source.topology, encoding="utf-8") as f:
            text = f.read()
        topology = json.loads(text)
    except OSError as e:
        raise PlanError(f"{source.topology}: cannot read the topology: {e.strerror}") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise PlanError(f"{source.topology}: not a topology (JSON): {e}") from None
    hosts = hosts_by_address(topology, gloo_addresses(members, matched), [i.get("host") for i in infos],
                             source.topology)
    job = ring_job(hosts, connection_counts(members, matched))
    if not job["pairs"]:
        return _empty_plan()
    return plan_job(text, job)


def _plan_jalapeno(source: JalapenoSource, members, matched, infos) -> dict:
    from .planning import plan_job_jalapeno
    job = ring_job([i["host"] for i in infos], connection_counts(members, matched))
    if not job["pairs"]:
        return _empty_plan()
    dest = source.dest_function if source.dest_function is not None else os.environ.get("DEST_FUNCTION") or None
    per_family = dest is not None and ("=" in dest or "," in dest)
    decap = parse_decap(dest) if per_family else None
    obj = plan_job_jalapeno(job, endpoint=source.endpoint, collection=source.collection,
                            dest_function=format(decap[socket.AF_INET6], "x") if decap else dest,
                            timeout=source.timeout)
    if decap:   # "ipv6=fe06,ipv4=fe04": each family its own
        obj["decap"] = {"ipv6": format(decap[socket.AF_INET6], "x"), "ipv4": format(decap[socket.AF_INET], "x")}
    return obj


def _make(source: Source, members, matched, infos) -> dict:
    """The group's plan in the file form, global ranks, checked (rank 0 only)."""
    maker = _plan_planner if isinstance(source, PlannerSource) else _plan_jalapeno
    obj = _to_global(maker(source, members, matched, infos), members)
    Plan.from_obj(obj, source=str(source))     # a plan the ranks cannot use is rank 0's error, not theirs
    return obj


def resolve(source: Source | None, members: Sequence[int], matched: Mapping[int, Mapping[Ends, int]],
            infos: Sequence[Mapping], *, dist: Any, group: Any = None) -> Plan:
    """The group's plan, on every member (a collective for the planner and
    Jalapeno): members are the group's global ranks in group-rank order,
    matched each one's {ends: peer} (match_peers), infos each one's
    rank_info. The first member plans and broadcasts the plan or its error."""
    kind = _agree(members, infos)
    if kind == "given":
        return source
    payload: list[Any] = [None]
    cause = None
    if dist.get_rank() == members[0]:
        try:
            payload = [{"plan": _make(source, members, matched, infos)}]
        except Exception as e:   # whatever it is, every rank must hear of it (no rank left waiting)
            cause = e
            msg = str(e) if isinstance(e, (PlanError, SteeringError, OSError)) else f"{type(e).__name__}: {e}"
            payload = [{"error": f"rank {members[0]} could not plan the job ({source}): {msg}; "
                                 "nothing was pinned on any rank"}]
    dist.broadcast_object_list(payload, src=members[0], group=group)
    got = payload[0]
    if not isinstance(got, Mapping) or ("plan" not in got and "error" not in got):
        raise PlanError(f"rank {members[0]} broadcast no plan ({got!r}); nothing was pinned")
    if "error" in got:
        raise PlanError(got["error"]) from cause
    return Plan.from_obj(got["plan"], source=str(source))
