// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The probe responder on a real veth between two network namespaces: a UDP
// socket in A sends a probe request to B, whose receive side (generic XDP,
// or TC ingress: tcx) answers it; the reply reaches A's socket. Checksum
// offload is off on both ends, so A's kernel verifies the reply's UDP
// checksum in software: a wrong incremental update would be dropped there.
// With a return container, B sends the reply encapsulated towards it, and
// A's own receive side (B's kind of hook, a uDT46 SID for the container)
// decapsulates it for the socket. Waits are bounded polls.
#include <gtest/gtest.h>

#include <linux/if_link.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <optional>

#include "decap_probe_rows.hpp"
#include "fd.hpp"
#include "in_netns.hpp"
#include "private_ns.hpp"
#include "shell.hpp"
#include "skip.hpp"

using namespace proberows;
using srv6steer::UniqueFd;
using testsh::sh;

namespace {

enum class Mode { XdpGeneric, TcIngress };
const char* mode_name(Mode m) { return m == Mode::XdpGeneric ? "xdp_generic" : "tc_ingress"; }
void PrintTo(Mode m, std::ostream* os) { *os << mode_name(m); }

constexpr uint32_t kTcxIngress = 46;  // BPF_TCX_INGRESS (kernel BTF; not in libbpf 1.1's uapi)
const Addr6 kA6 = a6("fd00::1"), kB6 = a6("fd00::2");
constexpr const char* kA4 = "10.9.0.1";
constexpr const char* kB4 = "10.9.0.2";
const Addr6 kRetSid = a6("fcbb:0:e001:fe46::");  // A's return container (a /64 uDT46 SID)

class ProbeVeth : public ::testing::TestWithParam<Mode> {
protected:
    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        ns_.enter("probe");  // B, the responder
        peer_.start();       // A, the prober
        const std::string a = peer_.nsenter();
        sh("ip link set lo up");
        sh("ip link add vethB address 02:00:00:00:00:02 type veth peer name vethA address 02:00:00:00:00:01");
        sh("ip link set vethA netns /proc/" + std::to_string(peer_.pid()) + "/ns/net");
        sh("ethtool -K vethB tx off rx off >/dev/null && ip link set vethB up");
        sh(a + "ethtool -K vethA tx off rx off >/dev/null && " + a + "ip link set vethA up && " + a +
           "ip link set lo up");
        sh("ip addr add 10.9.0.2/24 dev vethB && ip -6 addr add fd00::2/64 dev vethB nodad");
        sh(a + "ip addr add 10.9.0.1/24 dev vethA && " + a + "ip -6 addr add fd00::1/64 dev vethA nodad");
        ifindex_b_ = if_nametoindex("vethB");
        ASSERT_NE(ifindex_b_, 0u);
        b_.emplace();
        srv6s_rx_config c = probe_config();  // ret_block fcbb:0:e001::/48
        std::memcpy(c.src, kB6.data(), 16);
        b_->config(c);
        if (GetParam() == Mode::XdpGeneric) {
            ASSERT_EQ(bpf_xdp_attach(int(ifindex_b_), b_->prog_fd(Hook::Xdp), XDP_FLAGS_SKB_MODE, nullptr), 0)
                << strerror(errno);
        } else {
            link_ = UniqueFd(bpf_link_create(b_->prog_fd(Hook::Tc), int(ifindex_b_),
                                             static_cast<bpf_attach_type>(kTcxIngress), nullptr));
            ASSERT_GE(link_.get(), 0) << "tcx ingress: " << strerror(errno);
        }
    }

    // A's own receive side on vethA, the return SID, on B's kind of hook:
    // generic XDP skips skbs a TC program redirected (seen here: a reply
    // B's TC sent back over the veth reaches A's stack without passing A's
    // generic XDP), which only two namespaces of one host can produce.
    void a_receives() {
        a_.emplace();
        a_->config();
        a_->sid(kRetSid, 64, SRV6S_SID_UDT46);
        testns::in_netns(peer_.pid(), [&] {
            const unsigned ifindex = if_nametoindex("vethA");
            ASSERT_NE(ifindex, 0u);
            if (GetParam() == Mode::XdpGeneric) {
                ASSERT_EQ(bpf_xdp_attach(int(ifindex), a_->prog_fd(Hook::Xdp), XDP_FLAGS_SKB_MODE, nullptr), 0)
                    << strerror(errno);
            } else {
                a_link_ = UniqueFd(bpf_link_create(a_->prog_fd(Hook::Tc), int(ifindex),
                                                   static_cast<bpf_attach_type>(kTcxIngress), nullptr));
                ASSERT_GE(a_link_.get(), 0) << "tcx ingress: " << strerror(errno);
            }
        });
    }

    // A UDP socket in A, bound to A's address, port kSport.
    UniqueFd a_socket(bool v6) {
        UniqueFd s;
        testns::in_netns(peer_.pid(), [&] {
            s = UniqueFd(socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0));
            ASSERT_GE(s.get(), 0) << strerror(errno);
            if (v6) {
                sockaddr_in6 at{};
                at.sin6_family = AF_INET6;
                at.sin6_port = htons(kSport);
                std::memcpy(&at.sin6_addr, kA6.data(), 16);
                ASSERT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&at), sizeof at), 0) << strerror(errno);
            } else {
                sockaddr_in at{};
                at.sin_family = AF_INET;
                at.sin_port = htons(kSport);
                at.sin_addr.s_addr = a4(kA4);
                ASSERT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&at), sizeof at), 0) << strerror(errno);
            }
        });
        return s;
    }

    static void send_to_b(int fd, bool v6, const Bytes& payload) {
        ssize_t n;
        if (v6) {
            sockaddr_in6 to{};
            to.sin6_family = AF_INET6;
            to.sin6_port = htons(SRV6S_PROBE_PORT);
            std::memcpy(&to.sin6_addr, kB6.data(), 16);
            n = sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        } else {
            sockaddr_in to{};
            to.sin_family = AF_INET;
            to.sin_port = htons(SRV6S_PROBE_PORT);
            to.sin_addr.s_addr = a4(kB4);
            n = sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        }
        ASSERT_EQ(n, ssize_t(payload.size())) << strerror(errno);
    }

    // The next datagram within timeout_ms, or nothing.
    static std::optional<Bytes> receive(int fd, int timeout_ms) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) != 1)
            return std::nullopt;
        Bytes b(2048);
        const ssize_t n = recv(fd, b.data(), b.size(), MSG_DONTWAIT);
        if (n < 0)
            return std::nullopt;
        b.resize(size_t(n));
        return b;
    }

    testns::PrivateNamespaces ns_;
    testns::PeerNamespace peer_;
    unsigned ifindex_b_ = 0;
    std::optional<DecapHarness> b_, a_;
    UniqueFd link_, a_link_;
};

TEST_P(ProbeVeth, ReplyReachesTheProbersSocket) {
    for (bool v6 : {true, false}) {
        SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
        UniqueFd s = a_socket(v6);
        Probe p;
        p.seq = v6 ? 6 : 4;
        send_to_b(s.get(), v6, probe_bytes(p));
        const auto got = receive(s.get(), 5000);
        ASSERT_TRUE(got.has_value()) << "no reply reached the prober's socket";
        EXPECT_TRUE(*got == probe_bytes(replied(p, 0))) << diff(*got, probe_bytes(replied(p, 0)));
    }
    EXPECT_EQ(b_->reasons()[SRV6S_RX_PROBE_ANSWERED].packets, 2u);
}

TEST_P(ProbeVeth, ReturnedReplyDecapsulatedByTheProbersReceiveSide) {
    a_receives();
    for (bool v6 : {true, false}) {
        SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
        UniqueFd s = a_socket(v6);
        const Probe p = with_return({}, kRetSid);
        send_to_b(s.get(), v6, probe_bytes(p));
        const auto got = receive(s.get(), 5000);
        ASSERT_TRUE(got.has_value()) << "no returned reply reached the prober's socket";
        const Probe want = replied(p, SRV6S_PROBE_F_RETURN | SRV6S_PROBE_F_RETURNED);
        EXPECT_TRUE(*got == probe_bytes(want)) << diff(*got, probe_bytes(want));
    }
    EXPECT_EQ(b_->reasons()[SRV6S_RX_PROBE_ANSWERED].packets, 2u);
    EXPECT_EQ(a_->reasons()[SRV6S_RX_DECAPSULATED].packets, 2u);
    // A counted B's replies under (B's reply source, the probe's path id).
    const auto path = a_->path(kB6, kPathId);
    ASSERT_TRUE(path.has_value());
    EXPECT_EQ(path->packets, 2u);
}

INSTANTIATE_TEST_SUITE_P(Hooks, ProbeVeth, ::testing::Values(Mode::XdpGeneric, Mode::TcIngress),
                         [](const auto& info) { return std::string(mode_name(info.param)); });

}  // namespace
