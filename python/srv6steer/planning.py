# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Planning a job's paths through libsrv6steer's C ABI (srv6steer.h:
srv6s_plan, srv6s_plan_jalapeno; docs/paths.md, docs/jalapeno.md)::

    import srv6steer
    plan = srv6steer.plan_job("topologies/lab.json",
                              {"ranks": ["h1", "h2", "h4"], "pattern": "ring"})
    plan = srv6steer.plan_job_jalapeno({"ranks": ["h1", "h2"], "pattern": "ring"},
                                       endpoint="http://127.0.0.1:30800/api/v1")

Both return the per-rank-pair plan as a dict (srv6steer.plan's file format:
srv6steer.plan.Plan.from_obj takes it). Nothing of the kernel: no handle, no
privileges. Failures raise SteeringError with the library's message."""

from __future__ import annotations

import ctypes
import errno as _errno
import json
import os
import threading
from typing import Any, Mapping

from . import _args, _capi
from ._capi import SteeringError

__all__ = ["DEFAULT_COLLECTION", "plan_job", "plan_job_jalapeno"]

DEFAULT_COLLECTION = "network_topology"
"""TOPOLOGY_COLLECTION's default, as the seed plugin's."""

_SIGNATURES = {
    "srv6s_plan": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]),
    "srv6s_plan_jalapeno": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                           ctypes.c_uint, ctypes.POINTER(ctypes.c_void_p)]),
    "srv6s_free_string": (None, [ctypes.c_void_p]),
}
_ready = False
_lock = threading.Lock()


def _lib() -> ctypes.CDLL:
    """libsrv6steer with the planning calls' signatures set (a library
    built before them raises SteeringError ENOSYS)."""
    global _ready
    lib = _capi.load()
    with _lock:
        if not _ready:
            missing = [n for n in _SIGNATURES if not hasattr(lib, n)]
            if missing:
                raise SteeringError(_errno.ENOSYS, f"{_capi.library_path()} cannot plan (no {missing[0]}): "
                                                   "a libsrv6steer built before the path planner; install a newer one")
            for name, (restype, argtypes) in _SIGNATURES.items():
                fn = getattr(lib, name)
                fn.restype, fn.argtypes = restype, argtypes
            _ready = True
    return lib


def _document(value: Any, what: str) -> tuple[str, str | None]:
    """(JSON text, file name or None) of a dict, JSON text or a file name."""
    if isinstance(value, Mapping):
        return json.dumps(value), None
    if isinstance(value, os.PathLike) or (isinstance(value, str) and not value.lstrip().startswith("{")):
        name = _args.text(value, what, path=True)
        try:
            with open(name, encoding="utf-8") as f:
                return f.read(), name
        except OSError as e:
            raise SteeringError(e.errno or _errno.EIO, f"{name}: cannot read the {what}: {e.strerror}") from None
        except UnicodeDecodeError as e:
            raise SteeringError(_errno.EINVAL, f"{name}: the {what} is not UTF-8 text: {e.reason}") from None
    if isinstance(value, str):
        return value, None
    raise TypeError(f"{what} must be a dict, JSON text or a file name, not {type(value).__name__}")


def _run(call, names: list[str | None], *args) -> dict:
    """Calls call(*args, &out); the plan it wrote, parsed (the string freed)."""
    lib = _lib()
    out = ctypes.c_void_p()
    rc = call(*args, ctypes.byref(out))
    if rc < 0:
        msg = lib.srv6s_last_error().decode(errors="replace")
        files = ", ".join(n for n in names if n)
        raise SteeringError(-rc, f"{files}: {msg}" if files else msg)
    try:
        text = ctypes.string_at(out.value).decode()
    finally:
        lib.srv6s_free_string(out)
    return json.loads(text)


def plan_job(topology: Any, job: Any) -> dict:
    """Plans `job` on the fabric `topology` (docs/paths.md: the formats; each
    a dict, JSON text or a file name) and returns the per-rank-pair plan."""
    topo_text, topo_name = _document(topology, "topology")
    job_text, job_name = _document(job, "job")
    lib = _lib()
    return _run(lib.srv6s_plan, [topo_name, job_name], _args.cstr(topo_text, "topology"), _args.cstr(job_text, "job"))


def jalapeno_config(endpoint: str | None = None, collection: str | None = None, dest_function: str | None = None,
                    env: Mapping[str, str] = os.environ) -> tuple[str, str, str | None]:
    """(endpoint, collection, dest function), None ones from the seed
    plugin's variables JALAPENO_API_ENDPOINT, TOPOLOGY_COLLECTION and
    DEST_FUNCTION (unset: the seed plugin's collection, network_topology; no
    function)."""
    endpoint = endpoint if endpoint is not None else env.get("JALAPENO_API_ENDPOINT") or None
    if not endpoint:
        raise SteeringError(_errno.EINVAL, "no Jalapeno endpoint: give endpoint= or set JALAPENO_API_ENDPOINT "
                                           "(e.g. http://jalapeno:30800/api/v1)")
    collection = collection if collection is not None else env.get("TOPOLOGY_COLLECTION") or DEFAULT_COLLECTION
    dest_function = dest_function if dest_function is not None else env.get("DEST_FUNCTION") or None
    return endpoint, collection, dest_function


def plan_job_jalapeno(job: Any, *, endpoint: str | None = None, collection: str | None = None,
                      dest_function: str | None = None, timeout: float | None = None) -> dict:
    """Plans `job` (its ranks name Jalapeno hosts: vertices "hosts/<name>")
    with one /shortest_path/load call per directed host pair, all or
    nothing, and returns the per-rank-pair plan. endpoint, collection,
    dest_function: None from the environment (jalapeno_config); timeout:
    seconds per request (None: the library's default)."""
    endpoint, collection, dest_function = jalapeno_config(endpoint, collection, dest_function)
    ms = 0
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 3600:
            raise _args.ArgumentError(f"timeout {timeout!r}: expected seconds, more than 0 and at most 3600")
        ms = max(1, round(timeout * 1000))
    job_text, job_name = _document(job, "job")
    lib = _lib()
    return _run(lib.srv6s_plan_jalapeno, [job_name], _args.cstr(endpoint, "endpoint"),
                _args.cstr(collection, "collection"), _args.optional_cstr(dest_function, "dest_function"),
                _args.cstr(job_text, "job"), ms)
