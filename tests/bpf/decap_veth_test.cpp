// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side on a real interface: SRv6 frames sent into a veth whose
// far end runs the decapsulation (generic XDP, native XDP, TC ingress) reach
// a UDP socket as the inner packet, with the ECN RFC 6040 gives it, so the
// kernel accepted the rewritten ethertype, skb->protocol and IPv4 checksum.
// Without the program the same frames reach nobody. Each test in a network
// namespace of its own (testing/private_ns.hpp); waits are bounded polls.
#include <gtest/gtest.h>

#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <optional>

#include "decap_rows.hpp"
#include "fd.hpp"
#include "private_ns.hpp"
#include "shell.hpp"
#include "skip.hpp"

using namespace decaprows;
using srv6steer::UniqueFd;
using testsh::sh;

namespace {

enum class Mode { None, XdpGeneric, XdpNative, TcIngress };

const char* mode_name(Mode m) {
    switch (m) {
    case Mode::None: return "none";
    case Mode::XdpGeneric: return "xdp_generic";
    case Mode::XdpNative: return "xdp_native";
    case Mode::TcIngress: return "tc_ingress";
    }
    return "?";
}

void PrintTo(Mode m, std::ostream* os) { *os << mode_name(m); }

constexpr uint32_t kTcxIngress = 46;  // BPF_TCX_INGRESS (kernel BTF; not in libbpf 1.1's uapi)
constexpr uint16_t kPort = 9000;

// The UDP checksum of an IPv6 frame built by packet.hpp (which leaves it 0,
// invalid for IPv6), computed here over the pseudo-header.
void fix_udp6_checksum(Bytes& f) {
    const size_t ip = 14, udp = 14 + 40, len = f.size() - udp;
    uint32_t s = 0;
    auto add = [&](const uint8_t* p, size_t n) {
        for (size_t i = 0; i < n; i += 2)
            s += uint32_t(p[i]) << 8 | (i + 1 < n ? p[i + 1] : 0);
    };
    add(&f[ip + 8], 32);  // source and destination
    s += uint32_t(len) + 17;
    f[udp + 6] = f[udp + 7] = 0;
    add(&f[udp], len);
    while (s > 0xffff)
        s = (s >> 16) + (s & 0xffff);
    const uint16_t c = s == 0xffff ? 0xffff : static_cast<uint16_t>(~s);
    f[udp + 6] = uint8_t(c >> 8);
    f[udp + 7] = uint8_t(c);
}

class DecapVeth : public ::testing::TestWithParam<Mode> {
protected:
    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        ns_.enter("decap");
        sh("ip link set lo up");
        sh("ip link add veth0 address 02:00:00:00:00:01 type veth peer name veth1 address 02:00:00:00:00:02");
        sh("ip link set veth0 up && ip link set veth1 up");
        sh("ip addr add 10.0.2.20/32 dev veth1 && ip route add 10.0.1.0/24 dev veth1");
        sh("ip -6 addr add fcbb:0:800:2::20/128 dev veth1 nodad && ip -6 route add fcbb:0:800:1::/64 dev veth1");
        sh("echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter && echo 0 > /proc/sys/net/ipv4/conf/veth1/rp_filter");
        ifindex0_ = if_nametoindex("veth0");
        ifindex1_ = if_nametoindex("veth1");
        ASSERT_NE(ifindex0_, 0u);
        ASSERT_NE(ifindex1_, 0u);
        h_.emplace();
        base(*h_);
        attach(GetParam());
    }

    void attach(Mode m) {
        if (m == Mode::XdpGeneric || m == Mode::XdpNative) {
            const uint32_t flags = m == Mode::XdpGeneric ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
            ASSERT_EQ(bpf_xdp_attach(int(ifindex1_), h_->prog_fd(Hook::Xdp), flags, nullptr), 0)
                << mode_name(m) << ": " << strerror(errno);
        } else if (m == Mode::TcIngress) {
            link_ = UniqueFd(bpf_link_create(h_->prog_fd(Hook::Tc), int(ifindex1_),
                                             static_cast<bpf_attach_type>(kTcxIngress), nullptr));
            ASSERT_GE(link_.get(), 0) << "tcx ingress: " << strerror(errno);
        }
    }

    // Sends the frame out of veth0 (so it arrives on veth1) as it is.
    void send(const Bytes& frame) {
        UniqueFd s(socket(AF_PACKET, SOCK_RAW, 0));
        ASSERT_GE(s.get(), 0) << strerror(errno);
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_ifindex = int(ifindex0_);
        to.sll_halen = 6;
        std::memcpy(to.sll_addr, frame.data(), 6);
        ASSERT_EQ(sendto(s.get(), frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
                  ssize_t(frame.size()))
            << strerror(errno);
    }

    struct Received {
        Bytes payload;
        int tos = -1;  // IP_TOS / IPV6_TCLASS of the packet
    };

    // A UDP socket on the inner destination, port 9000, that reports TOS.
    UniqueFd receiver(bool v6) {
        UniqueFd s(socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0));
        EXPECT_GE(s.get(), 0) << strerror(errno);
        const int one = 1;
        if (v6) {
            setsockopt(s.get(), IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof one);
            sockaddr_in6 a{};
            a.sin6_family = AF_INET6;
            a.sin6_port = htons(kPort);
            std::memcpy(&a.sin6_addr, kH2.data(), 16);
            EXPECT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
        } else {
            setsockopt(s.get(), IPPROTO_IP, IP_RECVTOS, &one, sizeof one);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_port = htons(kPort);
            a.sin_addr.s_addr = a4(kV4Dst);
            EXPECT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
        }
        return s;
    }

    // The next datagram within timeout_ms, or nothing.
    static std::optional<Received> receive(int fd, int timeout_ms) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) != 1)
            return std::nullopt;
        Received r;
        r.payload.resize(2048);
        alignas(cmsghdr) char control[256];
        iovec iov{r.payload.data(), r.payload.size()};
        msghdr m{};
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = control;
        m.msg_controllen = sizeof control;
        const ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT);
        if (n < 0)
            return std::nullopt;
        r.payload.resize(size_t(n));
        for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS))
                r.tos = *reinterpret_cast<uint8_t*>(CMSG_DATA(c));
            if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS)
                r.tos = *reinterpret_cast<int*>(CMSG_DATA(c));
        }
        return r;
    }

    testns::PrivateNamespaces ns_;
    unsigned ifindex0_ = 0, ifindex1_ = 0;
    std::optional<DecapHarness> h_;
    UniqueFd link_;
};

Bytes udp_inner(bool v6, uint8_t tos, uint8_t seed) {
    if (!v6)
        return Builder().eth(0x0800).ipv4(kV4Src, kV4Dst, kUdp, tos).udp(4000, kPort).payload(64, seed).build();
    Bytes f = Builder().eth(0x86dd).ipv6(kH1, kH2, kUdp, tos).udp(4000, kPort).payload(64, seed).build();
    fix_udp6_checksum(f);
    return f;
}

Bytes payload_of(const Bytes& inner, bool v6) {
    const size_t at = 14 + (v6 ? 40 : 20) + 8;
    return Bytes(inner.begin() + long(at), inner.end());
}

TEST_P(DecapVeth, InnerPacketsReachTheSocketWithTheirEcn) {
    const bool decaps = GetParam() != Mode::None;
    struct Frame {
        const char* what;
        bool v6;
        Bytes inner, wire;
        int tos;  // what the socket must see
    };
    const Bytes i4 = udp_inner(false, 0x02, 1), i6 = udp_inner(true, 0x02, 2);
    const Bytes i4b = udp_inner(false, 0xb8, 3), i6b = udp_inner(true, 0x01, 4);
    const std::vector<Frame> frames = {
        {"IPv4 ECT(0), reduced, outer CE -> CE", false, i4, arriving(i4, kSid4, 0x03), 0x03},
        {"IPv6 ECT(0), SRH, outer CE -> CE", true, i6, arriving(i6, kSid6, 0x03, {kSid6, kSeg1}), 0x03},
        {"IPv4 DSCP 46 Not-ECT, uDT46, outer ECT(0)", false, i4b, arriving(i4b, kSid46, 0x02, {kSid46}), 0xb8},
        {"IPv6 ECT(1), uDT46 reduced", true, i6b, arriving(i6b, kSid46, 0x00), 0x01},
    };
    for (const Frame& f : frames) {
        SCOPED_TRACE(std::string(mode_name(GetParam())) + ": " + f.what);
        UniqueFd rx = receiver(f.v6);
        send(f.wire);
        // Without the program the frame is addressed to nobody here: a
        // short bounded wait proves nothing came; with it, the datagram
        // comes at once (the wait is only an upper bound).
        const auto got = receive(rx.get(), decaps ? 5000 : 300);
        if (!decaps) {
            EXPECT_FALSE(got.has_value()) << "delivered without decapsulation?";
            continue;
        }
        ASSERT_TRUE(got.has_value()) << "the inner datagram never reached the socket";
        EXPECT_TRUE(got->payload == payload_of(f.inner, f.v6));
        EXPECT_EQ(got->tos, f.tos) << "TOS / traffic class as RFC 6040 says";
    }
    if (!decaps)
        return;
    EXPECT_EQ(h_->reasons()[SRV6S_RX_DECAPSULATED].packets, frames.size());
    const auto p = h_->path(kSender, kLabel & 0xfff);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->packets, frames.size());
    EXPECT_EQ(p->ce_packets, 2u);
}

INSTANTIATE_TEST_SUITE_P(Hooks, DecapVeth,
                         ::testing::Values(Mode::None, Mode::XdpGeneric, Mode::XdpNative, Mode::TcIngress),
                         [](const auto& info) { return std::string(mode_name(info.param)); });

}  // namespace
