// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "probe_socket.hpp"

#include <arpa/inet.h>
#include <endian.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "srv6steer/srv6steer.hpp"
#include "text.hpp"

namespace srv6steer {

srv6s_probe encode_probe(const ProbeMessage& m) {
    srv6s_probe p{};
    p.magic = htonl(SRV6S_PROBE_MAGIC);
    p.version = SRV6S_PROBE_VERSION;
    p.type = m.type;
    uint16_t flags = m.flags;
    if (m.ret) {
        flags |= SRV6S_PROBE_F_RETURN;
        std::memcpy(p.ret, m.ret->bytes.data(), 16);
    }
    p.flags = htons(flags);
    p.path_id = htonl(m.path);
    p.seq = htonl(m.seq);
    p.sent_ns = htobe64(m.sent_ns);
    p.rx_packets = htobe64(m.rx_packets);
    p.rx_ce_packets = htobe64(m.rx_ce_packets);
    return p;
}

std::optional<ProbeMessage> decode_probe(const void* data, size_t len) {
    srv6s_probe p;
    if (len < sizeof p)
        return std::nullopt;
    std::memcpy(&p, data, sizeof p);
    if (ntohl(p.magic) != SRV6S_PROBE_MAGIC || p.version != SRV6S_PROBE_VERSION ||
        (p.type != SRV6S_PROBE_REQUEST && p.type != SRV6S_PROBE_REPLY))
        return std::nullopt;
    ProbeMessage m;
    m.type = p.type;
    m.flags = ntohs(p.flags);
    m.path = ntohl(p.path_id);
    m.seq = ntohl(p.seq);
    m.sent_ns = be64toh(p.sent_ns);
    if (m.flags & SRV6S_PROBE_F_RETURN) {
        Ipv6 r;
        std::memcpy(r.bytes.data(), p.ret, 16);
        m.ret = r;
    }
    m.rx_packets = be64toh(p.rx_packets);
    m.rx_ce_packets = be64toh(p.rx_ce_packets);
    return m;
}

namespace {

std::string describe(const ProbeTarget& t) {
    std::string s = "the probe socket of path ";
    s += std::to_string(t.path);
    s += " towards ";
    s += text::address(t.remote);
    s += " port ";
    s += std::to_string(t.port);
    return s;
}

}  // namespace

ProbeSocket::ProbeSocket(Steering& steering, const ProbeTarget& t) {
    const bool v4 = t.remote.is_v4_mapped();
    fd_ = UniqueFd(::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd_)
        throw_errno(describe(t) + ": socket", errno);
    sockaddr_storage ss{};
    socklen_t len;
    if (v4) {
        auto& a = reinterpret_cast<sockaddr_in&>(ss);
        a.sin_family = AF_INET;
        a.sin_port = htons(t.port);
        std::memcpy(&a.sin_addr, t.remote.bytes.data() + 12, 4);
        len = sizeof a;
    } else {
        auto& a = reinterpret_cast<sockaddr_in6&>(ss);
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(t.port);
        std::memcpy(&a.sin6_addr, t.remote.bytes.data(), 16);
        len = sizeof a;
    }
    // ECN-capable (ECT(0)), as data is: a congested port marks a probe
    // instead of dropping it, and the far end counts it in the path's CE
    // share (docs/design.md §17), so a path only probes cross still closes
    // congestion windows.
    const int ect0 = 2;
    if (v4 ? ::setsockopt(fd_.get(), IPPROTO_IP, IP_TOS, &ect0, sizeof ect0)
           : ::setsockopt(fd_.get(), IPPROTO_IPV6, IPV6_TCLASS, &ect0, sizeof ect0))
        throw_errno(describe(t) + ": marking it ECN-capable", errno);
    if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&ss), len))
        throw_errno(describe(t) + ": connecting (is there a route to the remote host?)", errno);
    socklen_t cl = sizeof cookie_;
    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_COOKIE, &cookie_, &cl))
        throw_errno(describe(t) + ": reading its cookie", errno);
    PinOptions o;
    o.ignore_down = true;
    steering.pin_socket(fd_.get(), Target::path(t.path), o);
}

bool ProbeSocket::send(const ProbeMessage& m) {
    const srv6s_probe p = encode_probe(m);
    return ::send(fd_.get(), &p, sizeof p, MSG_DONTWAIT) == static_cast<ssize_t>(sizeof p);
}

std::optional<ProbeMessage> ProbeSocket::receive() {
    alignas(8) unsigned char buf[256];
    for (;;) {
        const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return std::nullopt;
            if (errno == EINTR || errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)
                continue;  // an ICMP error the socket reports once: the probe it answered is lost
            return std::nullopt;
        }
        if (auto m = decode_probe(buf, static_cast<size_t>(n)))
            return m;
    }
}

}  // namespace srv6steer
