#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A container root filesystem made of this machine's own files, for tests
that run srv6steer under podman without a registry (tests/e2e/podman_test.py).

k8s/Containerfile is the image operators build (FROM debian:bookworm plus
Debian's runtime libraries). This makes an equivalent tree offline: the same
paths as the Containerfile's image, filled from the host's Debian files
instead of from a base image and apt.

    /usr/local/sbin/srv6steer                      the built CLI/agent
    /usr/local/lib/libsrv6steer.so.1[.x.y.z]       the built library (the binding's)
    /usr/local/lib/python3.11/dist-packages/srv6steer  the Python binding (python/srv6steer)
    /usr/bin/python3, its standard library          (no dist-packages: no torch)
    /bin/sh (dash)                                 the probes' shell
    every shared library ldd names for the above, the dynamic loader,
    /etc/ld.so.cache for them (ldconfig -r), /etc/passwd and /etc/group
    (root, nobody), and /pause, the pod's infra process.

    tools/hostimage.py --srv6steer BUILD/loader/srv6steer \\
        --lib BUILD/libsrv6steer/libsrv6steer.so.1 ROOTFS
    tar -C ROOTFS -c . | podman import - localhost/srv6steer:test
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path("/usr/bin/python3")
# Standard library parts a client never imports (and the 25 MB config dir).
STDLIB_SKIP = {"dist-packages", "site-packages", "test", "idlelib", "tkinter", "turtledemo",
               "ensurepip", "lib2to3", "pydoc_data", "distutils"}
_LDD_LINE = re.compile(r"(?:=>\s*)?(/\S+)\s+\(0x")

# The infra ("pause") process of a pod: sleeps until told to stop. podman
# runs it as the pod's pid 1, which ignores signals it has no handler for.
PAUSE = """#!/usr/bin/python3 -S
import signal, sys
for s in (signal.SIGTERM, signal.SIGINT):
    signal.signal(s, lambda *_: sys.exit(0))
while True:
    signal.pause()
"""


def ldd(path: Path) -> list[Path]:
    """The shared libraries path needs (with the loader), as ldd resolves them;
    a library ldd cannot find is skipped (an optional stdlib module's)."""
    r = subprocess.run(["ldd", str(path)], capture_output=True, text=True)
    if r.returncode != 0:       # "not a dynamic executable": nothing to add
        return []
    return [Path(m.group(1)) for line in r.stdout.splitlines()
            if "not found" not in line and (m := _LDD_LINE.search(line))]


class Tree:
    def __init__(self, dest: Path):
        self.dest = dest
        self.needs: set[Path] = set()

    def at(self, path: str | Path) -> Path:
        return self.dest / str(path).lstrip("/")

    def copy(self, src: Path, dst: str | Path | None = None, mode: int | None = None) -> Path:
        """src at dst (default: src's own path), following symlinks; its libraries noted."""
        out = self.at(dst or src)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, out, follow_symlinks=True)
        if mode is not None:
            out.chmod(mode)
        self.needs.update(ldd(src))
        return out

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        out = self.at(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        out.chmod(mode)

    def libraries(self) -> None:
        """Every library noted so far, at its real path (usr-merged: /lib is /usr/lib)."""
        done: set[Path] = set()
        while pending := {Path(os.path.realpath(p)) for p in self.needs} - done:
            for lib in sorted(pending):
                done.add(lib)
                self.copy(lib)
        for src in self.needs:      # the names ldd printed, as symlinks (libfoo.so.1 -> real file)
            real = Path(os.path.realpath(src))
            name = Path(os.path.realpath(src.parent)) / src.name
            link = self.at(name)
            if name != real and not link.is_symlink():
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(os.path.relpath(real, name.parent))


def build(dest: Path, srv6steer: Path, lib: Path, python_dir: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    t = Tree(dest)
    for d in ("usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "etc", "tmp", "run", "proc", "sys", "dev",
              "var/tmp"):
        t.at(d).mkdir(parents=True, exist_ok=True)
    for name in ("bin", "sbin", "lib", "lib64"):       # Debian 12 is usr-merged
        (dest / name).symlink_to(f"usr/{name}")
    t.at("tmp").chmod(0o1777)
    t.at("var/tmp").chmod(0o1777)

    t.copy(srv6steer, "/usr/local/sbin/srv6steer", 0o755)
    real = Path(os.path.realpath(lib))
    t.copy(real, f"/usr/local/lib/{real.name}")
    soname = re.sub(r"(\.so\.\d+).*", r"\1", real.name)
    if soname != real.name:
        t.at(f"/usr/local/lib/{soname}").symlink_to(real.name)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    shutil.copytree(python_dir / "srv6steer", t.at(f"/usr/local/lib/{version}/dist-packages/srv6steer"),
                    ignore=shutil.ignore_patterns("__pycache__", "tests"))

    t.copy(Path("/usr/bin/dash"), "/usr/bin/sh", 0o755)
    interpreter = t.copy(Path(os.path.realpath(PYTHON)))
    t.at(PYTHON).symlink_to(interpreter.name)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    shutil.copytree(stdlib, t.at(stdlib), symlinks=True,
                    ignore=lambda d, names: [n for n in names if Path(d) == stdlib
                                             and (n in STDLIB_SKIP or n.startswith("config-"))])
    for so in sorted((stdlib / "lib-dynload").glob("*.so")):
        t.needs.update(ldd(so))
    t.write("/pause", PAUSE, 0o755)

    t.write("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n")
    t.write("/etc/group", "root:x:0:\nnogroup:x:65534:\n")
    t.write("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n")
    for conf in ("libc.conf", "x86_64-linux-gnu.conf"):
        src = Path("/etc/ld.so.conf.d") / conf
        if src.exists():
            t.copy(src)
    t.libraries()
    subprocess.run(["ldconfig", "-r", str(dest)], check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--srv6steer", type=Path, default=ROOT / "build/loader/srv6steer")
    ap.add_argument("--lib", type=Path, default=ROOT / "build/libsrv6steer/libsrv6steer.so.1")
    ap.add_argument("--python-dir", type=Path, default=ROOT / "python")
    ap.add_argument("rootfs", type=Path)
    a = ap.parse_args()
    for f in (a.srv6steer, a.lib):
        if not f.exists():
            ap.error(f"{f} does not exist: build srv6steer and srv6steer_lib first")
    build(a.rootfs, a.srv6steer, a.lib, a.python_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
