# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The sockets of this process: which TCP and UDP connections it has, read
from its own file descriptors (nothing here needs privileges or the library).

    with scan() as found:                  # every inet socket, dup'd while in the block
        for c in found.connections(select(peers=["10.0.2.0/24"], exclude_ports={29500})):
            print(c, found.socket(c))      # the socket itself: for socket pins

Addresses are as the packets carry them: an IPv6 socket talking to an IPv4
peer (::ffff:10.0.2.10) is an IPv4 connection (family AF_INET, plain
10.0.2.10), which is what TC and flow pins see.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import struct
from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple

__all__ = ["Connection", "Endpoint", "Scan", "bind_test_local", "scan", "select", "socket_cookie",
           "tcp_bytes_sent"]

SO_COOKIE = getattr(socket, "SO_COOKIE", 57)
_TCP_INFO_BYTES_SENT = 200  # offsetof(struct tcp_info, tcpi_bytes_sent), linux/tcp.h (Linux 4.19+)
_TCP_INFO_LEN = 208
_PROTO = {socket.SOCK_STREAM: "tcp", socket.SOCK_DGRAM: "udp"}


class Endpoint(NamedTuple):
    """An address (IPv4-mapped IPv6 unmapped) and a port."""

    addr: str
    port: int

    @classmethod
    def of(cls, sockaddr: tuple) -> "Endpoint":
        a = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped:
            a = a.ipv4_mapped
        return cls(str(a), int(sockaddr[1]))

    @property
    def family(self) -> int:
        return socket.AF_INET6 if ":" in self.addr else socket.AF_INET

    def __str__(self) -> str:
        return f"[{self.addr}]:{self.port}" if ":" in self.addr else f"{self.addr}:{self.port}"


@dataclass(frozen=True)
class Connection:
    """One of this process's sockets: TCP or UDP, its local and (if
    connected) remote endpoint, and its identity (inode, SO_COOKIE)."""

    fd: int             # where this process holds it (when scanned)
    inode: int
    cookie: int
    proto: str          # "tcp" or "udp"
    family: int         # of its packets: AF_INET or AF_INET6
    local: Endpoint
    remote: Endpoint | None
    listening: bool = False

    @property
    def connected(self) -> bool:
        return self.remote is not None

    def flow(self) -> tuple[str, str, int, str, int]:
        """(proto, src, sport, dst, dport) of what it sends: a flow pin's key."""
        if self.remote is None:
            raise ValueError(f"{self} is not connected: it has no 5-tuple")
        return (self.proto, self.local.addr, self.local.port, self.remote.addr, self.remote.port)

    def ends(self) -> tuple[Endpoint, Endpoint | None]:
        return self.local, self.remote

    def __str__(self) -> str:
        far = f" -> {self.remote}" if self.remote else (" listening" if self.listening else " unconnected")
        return f"{self.proto} {self.local}{far}"


def socket_cookie(sock: socket.socket) -> int:
    return struct.unpack("=Q", sock.getsockopt(socket.SOL_SOCKET, SO_COOKIE, 8))[0]


def tcp_bytes_sent(sock: socket.socket) -> int | None:
    """Bytes a TCP socket has sent (tcpi_bytes_sent: retransmissions
    included); None if the kernel does not say (not TCP, older kernel)."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_LEN)
    except OSError:
        return None
    if len(info) < _TCP_INFO_BYTES_SENT + 8:
        return None
    return struct.unpack_from("=Q", info, _TCP_INFO_BYTES_SENT)[0]


def _inode_of_link(target: str) -> int | None:
    if target.startswith("socket:[") and target.endswith("]"):
        return int(target[8:-1])
    return None


def _describe(fd: int, inode: int, sock: socket.socket) -> Connection | None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type not in _PROTO:
        return None
    try:
        local = Endpoint.of(sock.getsockname())
    except OSError:
        return None
    listening = False
    try:
        remote = Endpoint.of(sock.getpeername())
    except OSError:
        remote = None
        if sock.type == socket.SOCK_STREAM:
            listening = bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
    family = remote.family if remote else local.family
    return Connection(fd=fd, inode=inode, cookie=socket_cookie(sock), proto=_PROTO[sock.type], family=family,
                      local=local, remote=remote, listening=listening)


class Scan:
    """The inet sockets this process held when scanned, each kept open (a
    duplicate fd) until close(): a socket found here cannot be closed and
    replaced by another under the same fd meanwhile. Close it soon: while
    the scan holds a socket, closing it elsewhere does not end it."""

    def __init__(self, found: list[tuple[Connection, socket.socket]]):
        self._found = found
        self._by_inode = {c.inode: s for c, s in found}

    @property
    def all(self) -> list[Connection]:
        return [c for c, _ in self._found]

    def connections(self, keep: Callable[[Connection], bool] | None = None) -> list[Connection]:
        """The connections `keep` accepts (default: every connected one)."""
        keep = keep or (lambda c: c.connected)
        return [c for c, _ in self._found if keep(c)]

    def socket(self, c: Connection) -> socket.socket:
        return self._by_inode[c.inode]

    def bytes_sent(self, c: Connection) -> int | None:
        return tcp_bytes_sent(self._by_inode[c.inode]) if c.proto == "tcp" else None

    def close(self) -> None:
        for _, s in self._found:
            s.close()
        self._found, self._by_inode = [], {}

    def __enter__(self) -> "Scan":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def scan(fds: Iterable[int] | None = None, inodes: set[int] | None = None) -> Scan:
    """This process's TCP and UDP sockets, from /proc/self/fd (or only the
    given fds; only the sockets whose inode is in `inodes`). A socket held
    under several fds is found once, at the first."""
    if fds is None:
        try:
            fds = sorted(int(n) for n in os.listdir("/proc/self/fd"))
        except OSError as e:
            raise OSError(e.errno, f"cannot list /proc/self/fd: {e.strerror}") from None
    found: list[tuple[Connection, socket.socket]] = []
    seen: set[int] = set()   # inodes found (our own duplicates reuse fd numbers of the listing)
    try:
        for fd in fds:
            try:
                inode = _inode_of_link(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:  # closed meanwhile (the listing's own fd, another thread)
                continue
            if inode is None or inode in seen or (inodes is not None and inode not in inodes):
                continue
            try:
                dup = os.dup(fd)
            except OSError:
                continue
            if os.fstat(dup).st_ino != inode:  # closed and reused meanwhile: another socket
                os.close(dup)
                continue
            try:
                sock = socket.socket(fileno=dup)
            except OSError as e:
                os.close(dup)
                if e.errno in (errno.ENOTSOCK, errno.EBADF, errno.EPROTONOSUPPORT, errno.EAFNOSUPPORT):
                    continue
                raise
            c = _describe(fd, inode, sock)
            if c is None:
                sock.close()
                continue
            seen.add(inode)
            found.append((c, sock))
    except BaseException:
        for _, s in found:
            s.close()
        raise
    return Scan(found)


def _networks(items: Iterable[str]) -> list[ipaddress._BaseNetwork]:
    out = []
    for x in items:
        try:
            net = ipaddress.ip_network(x, strict=False)
        except ValueError:
            raise ValueError(f"{x!r} is not an address or a prefix") from None
        if isinstance(net, ipaddress.IPv6Network) and net.network_address.ipv4_mapped and net.prefixlen >= 96:
            net = ipaddress.ip_network(f"{net.network_address.ipv4_mapped}/{net.prefixlen - 96}")
        out.append(net)
    return out


def select(*, peers: Iterable[str] | None = None, ports: Iterable[int] | None = None,
           exclude_ports: Iterable[int] = (), protos: Iterable[str] = ("tcp",),
           families: Iterable[int] | None = None, local_peers: bool = False) -> Callable[[Connection], bool]:
    """A filter of connected sockets: peers (addresses or prefixes the
    remote end must be in), ports (the remote port must be one), exclude_ports
    (neither end may use one: a store, a control channel), protos, families
    (AF_INET, AF_INET6); local_peers: also connections to this host's own
    addresses (by default left out: their packets never leave the host)."""
    nets = _networks(peers) if peers is not None else None
    want_ports = set(ports) if ports is not None else None
    skip = set(exclude_ports)
    want_protos = set(protos)
    want_fams = set(families) if families is not None else None

    local: dict[str, bool] = {}

    def keep(c: Connection) -> bool:
        if c.remote is None or c.proto not in want_protos:
            return False
        if want_fams is not None and c.family not in want_fams:
            return False
        if c.local.port in skip or c.remote.port in skip:
            return False
        if want_ports is not None and c.remote.port not in want_ports:
            return False
        if nets is not None:
            a = ipaddress.ip_address(c.remote.addr)
            if not any(a.version == n.version and a in n for n in nets):
                return False
        if not local_peers:
            if c.remote.addr not in local:
                local[c.remote.addr] = bind_test_local(c.remote.addr)
            return not local[c.remote.addr]
        return True

    return keep


def bind_test_local(addr: str) -> bool:
    """Whether addr is one of this network namespace's own addresses
    (traffic to it never leaves the host): it can be bound to."""
    a = ipaddress.ip_address(addr)
    if a.is_loopback:
        return True
    fam = socket.AF_INET6 if a.version == 6 else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            s.bind((addr, 0))
        except OSError as e:
            if e.errno == errno.EADDRNOTAVAIL:
                return False
            raise
    return True
