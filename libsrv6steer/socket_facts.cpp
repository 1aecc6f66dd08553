// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "socket_facts.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "text.hpp"

namespace srv6steer::socket_facts {

namespace {

constexpr int kSoCookie = 57;       // SO_COOKIE (Linux 4.12)
constexpr int kSoNetnsCookie = 71;  // SO_NETNS_COOKIE (Linux 5.14)

const char* file_kind(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a pipe";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFLNK: return "a symbolic link";
    default: return "not a socket";
    }
}

std::string family_name(int family) {
    switch (family) {
    case AF_UNIX: return "unix";
    case AF_NETLINK: return "netlink";
    case AF_PACKET: return "packet";
    case AF_VSOCK: return "vsock";
    default: return "address family " + std::to_string(family);
    }
}

std::string protocol_name(int proto) {
    switch (proto) {
    case IPPROTO_ICMP: return "icmp";
    case IPPROTO_ICMPV6: return "icmpv6";
    case IPPROTO_SCTP: return "sctp";
    case IPPROTO_UDPLITE: return "udplite";
    case 262: return "mptcp";  // IPPROTO_MPTCP: its subflows are other sockets
    default: return std::to_string(proto);
    }
}

int int_option(int fd, int level, int name) {
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, name, &v, &len) != 0)
        throw_errno("fd " + std::to_string(fd) + ": reading socket option " + std::to_string(name), errno);
    return v;
}

// An address of a socket (getsockname / getpeername) as the data plane keys it.
void put_address(const sockaddr_storage& ss, Ipv6& addr, uint16_t& port) {
    if (ss.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
        addr = Ipv6::from_ipv4(ntohl(in.sin_addr.s_addr));
        port = ntohs(in.sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
        std::memcpy(addr.bytes.data(), &in6.sin6_addr, 16);
        port = ntohs(in6.sin6_port);
    }
}

bool tcp_or_udp(int type, int proto) {
    return (type == SOCK_STREAM && proto == IPPROTO_TCP) || (type == SOCK_DGRAM && proto == IPPROTO_UDP);
}

// A socket of another network namespace than of_netns (0: not known).
bool elsewhere(int fd, uint64_t of_netns) {
    uint64_t netns = 0;
    socklen_t len = sizeof netns;
    return of_netns && getsockopt(fd, SOL_SOCKET, kSoNetnsCookie, &netns, &len) == 0 && netns != of_netns;
}

// s.flow's addresses from the socket's own (`local`, from getsockname) and
// its peer's, if it has one; unbound and unconnected addresses are zeros
// (IPv4: ::ffff:0.0.0.0).
void put_addresses(SocketFacts& s, const sockaddr_storage* local) {
    if (s.family == AF_INET)
        s.flow.src = s.flow.dst = Ipv6::from_ipv4(0);
    if (local)
        put_address(*local, s.flow.src, s.flow.sport);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getpeername(s.fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
        put_address(ss, s.flow.dst, s.flow.dport);
        s.peer = Prefix{s.flow.dst, 128};
    }
}

}  // namespace

std::string describe(const SocketFacts& s) {
    const Flow& f = s.flow;
    std::string text = proto_name(f.proto) + " socket fd " + std::to_string(s.fd) + " (" +
                       text::address(f.src) + " port " + std::to_string(f.sport);
    if (s.peer)
        text += " to " + text::address(f.dst) + " port " + std::to_string(f.dport);
    else
        text += ", not connected";
    return text + ")";
}

// Each property asked on its own, so that every refusal says what fd is.
SocketFacts inspect_fully(int fd, uint64_t of_netns) {
    const std::string name = "fd " + std::to_string(fd);
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0)
        throw Error(name + " is not an open file descriptor of this process", EBADF);
    if (!S_ISSOCK(st.st_mode))
        throw Error(name + " is not a socket (it is " + file_kind(st.st_mode) +
                        "): only TCP and UDP sockets can be pinned",
                    ENOTSOCK);
    SocketFacts s;
    s.fd = fd;
    s.uid = st.st_uid;
    s.family = int_option(fd, SOL_SOCKET, SO_DOMAIN);
    if (s.family != AF_INET && s.family != AF_INET6)
        throw Error(name + " is a " + family_name(s.family) +
                        " socket: only TCP and UDP sockets (IPv4 or IPv6) can be pinned",
                    EAFNOSUPPORT);
    const char* fam = s.family == AF_INET ? "IPv4" : "IPv6";
    const int type = int_option(fd, SOL_SOCKET, SO_TYPE);
    const int proto = int_option(fd, SOL_SOCKET, SO_PROTOCOL);
    if (type == SOCK_RAW)
        throw Error(name + " is a raw " + fam + " socket: only TCP and UDP sockets can be pinned", EPROTONOSUPPORT);
    if (!tcp_or_udp(type, proto))
        throw Error(name + " is an " + fam + " socket of protocol " + protocol_name(proto) +
                        ": only TCP and UDP sockets can be pinned",
                    EPROTONOSUPPORT);
    s.flow.proto = static_cast<uint8_t>(proto);

    socklen_t len = sizeof s.cookie;
    if (getsockopt(fd, SOL_SOCKET, kSoCookie, &s.cookie, &len) != 0)
        throw_errno(name + ": reading its socket cookie", errno);
    if (elsewhere(fd, of_netns))
        throw Error(name + " is a socket of another network namespace: its packets never leave through an "
                           "interface of this one, so a pin here would steer nothing",
                    EXDEV);
    sockaddr_storage local{};
    len = sizeof local;
    put_addresses(s, getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 ? &local : nullptr);
    return s;
}

// The same facts, but the uid (a socket pin does not need it), in six calls
// instead of nine (each costs about a microsecond, and a job pins thousands
// of sockets): the family is that of the socket's own address, and a
// descriptor that is not a socket fails getsockname. Anything this does not
// expect (not a TCP or UDP socket of IPv4 or IPv6, another network namespace,
// a failed call) is read again by inspect_fully, which says why.
SocketFacts inspect(int fd, uint64_t of_netns) {
    SocketFacts s;
    s.fd = fd;
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0 ||
        (local.ss_family != AF_INET && local.ss_family != AF_INET6))
        return inspect_fully(fd, of_netns);
    s.family = local.ss_family;
    int type = 0, proto = 0;
    socklen_t tlen = sizeof type, plen = sizeof proto, clen = sizeof s.cookie;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &plen) != 0 || !tcp_or_udp(type, proto) ||
        getsockopt(fd, SOL_SOCKET, kSoCookie, &s.cookie, &clen) != 0 || elsewhere(fd, of_netns))
        return inspect_fully(fd, of_netns);
    s.flow.proto = static_cast<uint8_t>(proto);
    put_addresses(s, &local);
    return s;
}

void check_pinnable(const SocketFacts& s) {
    if (s.flow.proto == IPPROTO_TCP) {
        if (!s.peer && !int_option(s.fd, SOL_SOCKET, SO_ACCEPTCONN))
            throw Error(describe(s) + " is neither connected nor listening: pin it once connect() (all of it: a "
                                      "connect in progress has no peer yet) or listen() succeeded",
                        ENOTCONN);
    } else if (s.flow.sport == 0) {
        throw Error(describe(s) + " is not bound: bind or connect it first", ENOTCONN);
    }
}

}  // namespace srv6steer::socket_facts
