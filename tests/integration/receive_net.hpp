// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side's test network: this process in a private network and
// mount namespace (bpffs of its own) with veth0, whose peer veth1 is in a
// peer namespace. Frames are built here (testing/packet.hpp, checksums by
// this file, not by the code under test) and sent raw from the peer's end
// (AF_PACKET on veth1), so they arrive on veth0's ingress as a remote host's
// would; what the stack delivers is read from ordinary UDP sockets here.
// What runs at veth0's hooks is read with iproute2 and BPF_PROG_QUERY, not
// from the library's own report.
#pragma once

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "in_netns.hpp"
#include "packet.hpp"
#include "private_ns.hpp"
#include "shell.hpp"
#include "skip.hpp"
#include "srv6steer/srv6steer.hpp"

namespace rxnet {

using testsh::sh;
using testpkt::Bytes;

inline constexpr const char* kHost6 = "fcbb:0:800:1::1";   // veth0 (here)
inline constexpr const char* kPeer6 = "fcbb:0:800:1::2";   // veth1 (the sender)
inline constexpr const char* kOther6 = "fcbb:0:800:3::30";  // another sender (outer source only)
inline constexpr const char* kInnerSrc6 = "fcbb:0:800:2::20";
inline constexpr const char* kHost4 = "10.0.1.1";
inline constexpr const char* kInnerSrc4 = "10.0.2.20";
inline constexpr const char* kSid = "fcbb:0:e002:fe06::/64";  // ours
inline constexpr const char* kSidAddr = "fcbb:0:e002:fe06::";
inline constexpr const char* kNotOurs = "fcbb:0:e009:fe06::";  // no SID of ours
// veth0's MAC: what testpkt::Builder::eth() puts as destination.
inline constexpr const char* kHostMac = "02:00:00:00:00:02";

// Flow label with path id `path` in its low 12 bits (include/srv6steer/decap_abi.h).
inline uint32_t label(uint32_t path, uint32_t hash = 0x5a) { return (hash << 12) | path; }

inline uint16_t fold(uint32_t sum) {
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}
inline uint32_t add16(uint32_t sum, const uint8_t* p, size_t n) {
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t(p[i]) << 8) | p[i + 1];
    if (n & 1)
        sum += uint32_t(p[n - 1]) << 8;
    return sum;
}

// An inner IPv6 UDP datagram (RFC 8200 §8.1: the checksum is mandatory).
inline Bytes inner6(uint16_t dport, const std::string& payload, uint8_t tclass = 0) {
    Bytes b = testpkt::Builder()
                  .ipv6(testpkt::a6(kInnerSrc6), testpkt::a6(kHost6), 17, tclass)
                  .udp(40000, dport)
                  .raw(payload.data(), payload.size())
                  .build();
    uint32_t sum = add16(0, &b[8], 32);  // source, destination
    const size_t ulen = b.size() - 40;
    sum += uint32_t(ulen) + 17;
    sum = add16(sum, &b[40], ulen);
    uint16_t c = fold(sum);
    if (c == 0)
        c = 0xffff;
    b[46] = uint8_t(c >> 8);
    b[47] = uint8_t(c);
    return b;
}

// An inner IPv4 UDP datagram (checksum 0: none, allowed over IPv4).
inline Bytes inner4(uint16_t dport, const std::string& payload, uint8_t tos = 0) {
    return testpkt::Builder().ipv4(kInnerSrc4, kHost4, 17, tos).udp(40001, dport).raw(payload.data(), payload.size()).build();
}

struct Outer {
    const char* src = kPeer6;
    const char* dst = kSidAddr;
    uint32_t flow_label = label(1);
    uint8_t tclass = 0;
    bool srh = false;  // one SRH, segments left 0
};

// Ethernet + outer IPv6 (+ SRH) + inner.
inline Bytes encap(const Outer& o, const Bytes& inner) {
    const uint8_t nh = (inner[0] >> 4) == 6 ? 41 : 4;
    testpkt::Builder b;
    b.eth().ipv6(testpkt::a6(o.src), testpkt::a6(o.dst), o.srh ? 43 : nh, o.tclass, o.flow_label);
    if (o.srh)
        b.srh(nh, 0, {testpkt::a6(o.dst), testpkt::a6("fcbb:0:1004:1001::")});
    return b.raw(inner).build();
}

// A plain frame: Ethernet + the packet.
inline Bytes plain(const Bytes& packet) {
    return testpkt::Builder().eth((packet[0] >> 4) == 6 ? 0x86dd : 0x0800).raw(packet).build();
}

class Net {
public:
    testns::PrivateNamespaces ns;
    testns::PeerNamespace peer;

    // veth0 here (kHostMac, kHost6, kHost4), veth1 in the peer (kPeer6).
    void up() {
        ASSERT_NO_FATAL_FAILURE(ns.enter("receive"));
        ASSERT_NO_FATAL_FAILURE(peer.start());
        const std::string in_peer = peer.nsenter();
        sh("ip link set lo up && ip link add veth0 type veth peer name veth1 netns " + std::to_string(peer.pid()));
        sh(std::string("ip link set veth0 address ") + kHostMac + " && ip addr add " + kHost6 +
           "/64 dev veth0 nodad && ip addr add " + kHost4 + "/24 dev veth0 && ip link set veth0 up");
        sh(in_peer + "ip link set lo up && " + in_peer + "ip addr add " + kPeer6 + "/64 dev veth1 nodad && " +
           in_peer + "ip link set veth1 up");
    }

    // Sends frames from the peer's veth1, as they are.
    void send(const std::vector<Bytes>& frames) {
        testns::in_netns(peer.pid(), [&] {
            const int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
            ASSERT_GE(s, 0) << strerror(errno);
            sockaddr_ll ll{};
            ll.sll_family = AF_PACKET;
            ll.sll_ifindex = static_cast<int>(if_nametoindex("veth1"));
            ll.sll_halen = 6;
            for (const Bytes& f : frames)
                EXPECT_EQ(sendto(s, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&ll), sizeof ll),
                          ssize_t(f.size()))
                    << strerror(errno);
            close(s);
        });
    }
    void send(const Bytes& frame) { send(std::vector<Bytes>{frame}); }
};

// A UDP socket here, bound to port on every address of a family.
class UdpSink {
public:
    UdpSink(int family, uint16_t port) : fd_(socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        EXPECT_GE(fd_, 0);
        sockaddr_storage ss{};
        socklen_t len = 0;
        if (family == AF_INET6) {
            auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(port);
            len = sizeof *a;
        } else {
            auto* a = reinterpret_cast<sockaddr_in*>(&ss);
            a->sin_family = AF_INET;
            a->sin_port = htons(port);
            len = sizeof *a;
        }
        EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&ss), len), 0) << strerror(errno);
    }
    ~UdpSink() { close(fd_); }
    UdpSink(const UdpSink&) = delete;
    UdpSink& operator=(const UdpSink&) = delete;

    // The next datagram's payload, waiting at most timeout_ms (a bound, not a
    // timing assertion: nothing is expected to take long); nullopt: none came.
    std::optional<std::string> next(int timeout_ms = 2000) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) != 1)
            return std::nullopt;
        char buf[2048];
        const ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n < 0)
            return std::nullopt;
        return std::string(buf, size_t(n));
    }
    // Whether a datagram is waiting now (for "did not arrive": call after a
    // datagram sent later did arrive, so the earlier one had its chance).
    bool pending() {
        pollfd p{fd_, POLLIN, 0};
        return poll(&p, 1, 0) == 1;
    }

private:
    int fd_;
};

// veth0's XDP attachment as iproute2 reports it: mode 1 driver, 2 generic
// (IFLA_XDP_ATTACHED), 0 none; and the program id.
struct XdpSeen {
    int mode = 0;
    uint32_t prog_id = 0;
};
inline XdpSeen xdp_seen(const std::string& dev) {
    const auto j = nlohmann::json::parse(sh("ip -j -d link show dev " + dev));
    XdpSeen s;
    if (j.is_array() && !j.empty() && j[0].contains("xdp")) {
        const auto& x = j[0]["xdp"];
        s.mode = x.value("mode", 0);
        if (x.contains("prog"))
            s.prog_id = x["prog"].value("id", 0u);
    }
    return s;
}

// Programs on dev's tcx ingress (BPF_PROG_QUERY; the kernel reads the
// target as an ifindex for tcx: libbpf 1.1 calls it target_fd).
inline std::vector<uint32_t> tcx_ingress(const std::string& dev) {
    constexpr int kTcxIngress = 46;  // BPF_TCX_INGRESS
    uint32_t ids[8] = {};
    LIBBPF_OPTS(bpf_prog_query_opts, q, .prog_ids = ids, .prog_cnt = 8);
    if (bpf_prog_query_opts(static_cast<int>(if_nametoindex(dev.c_str())), static_cast<bpf_attach_type>(kTcxIngress),
                            &q) != 0)
        return {};
    return std::vector<uint32_t>(ids, ids + q.prog_cnt);
}

}  // namespace rxnet
