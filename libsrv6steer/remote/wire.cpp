// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "remote/wire.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace srv6steer::remote {

namespace {

void put16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v);
    p[1] = uint8_t(v >> 8);
}
void put32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = uint8_t(v >> (8 * i));
}
uint16_t get16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t get32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

std::string hex8(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", v & 0xff);
    return buf;
}

}  // namespace

std::array<uint8_t, kHeaderSize> encode_header(const Header& h) {
    std::array<uint8_t, kHeaderSize> b{};
    std::copy(kMagic.begin(), kMagic.end(), b.begin());
    put16(&b[4], h.version);
    b[6] = h.type;
    b[7] = h.flags;
    put32(&b[8], h.length);
    put32(&b[12], h.seq);
    return b;
}

Header decode_header(std::span<const uint8_t> b) {
    if (b.size() < kHeaderSize)
        throw ProtocolError("a packet of " + std::to_string(b.size()) + " bytes is shorter than the " +
                            std::to_string(kHeaderSize) + "-byte header");
    if (!std::equal(kMagic.begin(), kMagic.end(), b.begin()))
        throw ProtocolError("not a packet of the srv6steer agent protocol (it does not start with \"S6SA\")");
    Header h;
    h.version = get16(&b[4]);
    h.type = b[6];
    h.flags = b[7];
    h.length = get32(&b[8]);
    h.seq = get32(&b[12]);
    return h;
}

std::vector<OutPacket> packetize(Header h, std::string_view payload, std::span<const int> fds) {
    const size_t by_bytes = (payload.size() + kMaxPacketPayload - 1) / kMaxPacketPayload;
    const size_t by_fds = (fds.size() + kMaxPacketFds - 1) / kMaxPacketFds;
    const size_t n = std::max<size_t>({1, by_bytes, by_fds});
    std::vector<OutPacket> out(n);
    size_t at = 0, fd_at = 0;
    for (size_t i = 0; i < n; i++) {
        const std::string_view piece = payload.substr(std::min(at, payload.size()), kMaxPacketPayload);
        at += piece.size();
        const size_t nfds = std::min(kMaxPacketFds, fds.size() - fd_at);
        Header ph = h;
        ph.flags = uint8_t((h.flags & ~kMore) | (i + 1 < n ? kMore : 0));
        ph.length = uint32_t(piece.size());
        const auto hb = encode_header(ph);
        out[i].bytes.assign(reinterpret_cast<const char*>(hb.data()), hb.size());
        out[i].bytes.append(piece);
        out[i].fds = fds.subspan(fd_at, nfds);
        fd_at += nfds;
    }
    return out;
}

std::optional<Message> Assembler::add(Packet p) {
    std::optional<Message> partial = std::move(partial_);  // dropped (fds closed) if this throws
    partial_.reset();
    const Header& h = p.header;
    if (h.version != kVersion)
        throw VersionMismatch("a packet of protocol version " + std::to_string(h.version), h.version);
    if (h.flags & ~kKnownFlags)
        throw ProtocolError("a packet with unknown flags " + hex8(h.flags & ~kKnownFlags));
    const uint8_t flags = h.flags & ~kMore;
    if (partial && (partial->header.type != h.type || partial->header.seq != h.seq || partial->header.flags != flags))
        throw ProtocolError("a packet of message " + std::to_string(h.seq) + " (type " + std::to_string(h.type) +
                            ") came while message " + std::to_string(partial->header.seq) + " (type " +
                            std::to_string(partial->header.type) + ") was not complete");
    if (!partial) {
        partial.emplace();
        partial->header = h;
        partial->header.flags = flags;
        partial->header.length = 0;
    }
    if (partial->payload.size() + p.payload.size() > max_payload_)
        throw ProtocolError("a message of more than " + std::to_string(max_payload_) + " bytes");
    if (partial->fds.size() + p.fds.size() > max_fds_)
        throw ProtocolError("a message with more than " + std::to_string(max_fds_) + " file descriptors");
    partial->payload += p.payload;
    for (auto& fd : p.fds)
        partial->fds.push_back(std::move(fd));
    partial->header.length = uint32_t(partial->payload.size());
    if (h.flags & kMore) {
        partial_ = std::move(partial);
        return std::nullopt;
    }
    return partial;
}

Received recv_packet(int sock, std::vector<uint8_t>& buf) {
    buf.resize(kMaxPacket);
    alignas(cmsghdr) char control[CMSG_SPACE(kMaxPacketFds * sizeof(int))];
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    Received r;
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            r.kind = Received::Kind::Again;
            return r;
        }
        if (errno == ECONNRESET) {
            r.kind = Received::Kind::Closed;
            return r;
        }
        throw_errno("receiving from the agent socket", errno);
    }
    // Own every fd first: whatever is wrong below, they get closed.
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            r.packet.fds.emplace_back(fd);
        }
    }
    if (n == 0) {
        r.kind = Received::Kind::Closed;
        return r;
    }
    if (msg.msg_flags & MSG_TRUNC)
        throw ProtocolError("a packet larger than " + std::to_string(kMaxPacket) + " bytes");
    if (msg.msg_flags & MSG_CTRUNC)
        throw ProtocolError("a packet whose file descriptors did not all arrive (more than " +
                            std::to_string(kMaxPacketFds) + ", or no room for them in this process)");
    r.packet.header = decode_header(std::span(buf.data(), size_t(n)));
    if (r.packet.header.length != size_t(n) - kHeaderSize)
        throw ProtocolError("a packet of " + std::to_string(n) + " bytes whose header says " +
                            std::to_string(r.packet.header.length) + " payload bytes (expected " +
                            std::to_string(size_t(n) - kHeaderSize) + ")");
    r.packet.payload.assign(reinterpret_cast<const char*>(buf.data()) + kHeaderSize, size_t(n) - kHeaderSize);
    return r;
}

bool send_packet(int sock, const OutPacket& p) {
    iovec iov{const_cast<char*>(p.bytes.data()), p.bytes.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(kMaxPacketFds * sizeof(int))];
    if (!p.fds.empty()) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(p.fds.size() * sizeof(int));
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(p.fds.size() * sizeof(int));
        std::memcpy(CMSG_DATA(c), p.fds.data(), p.fds.size() * sizeof(int));
    }
    ssize_t n;
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return false;
        throw_errno("sending on the agent socket", errno);
    }
    return true;
}

}  // namespace srv6steer::remote
