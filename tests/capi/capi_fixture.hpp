// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What the C ABI tests share: a veth pair (veth0 -> veth1) in a private
// network namespace with a private bpffs, a route towards kDest, a UDP sender,
// a packet capture on veth1 (what actually left veth0, to check counters and
// options against), and small wrappers over the list calls.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "private_ns.hpp"
#include "shell.hpp"
#include "topology.hpp"
#include "srv6steer/srv6steer.h"

namespace capitest {

using testsh::sh;

inline const char* kHostAddr = "fcbb:0:800:1::10";
inline const char* kGateway = "fcbb:0:800:1::1";
inline const char* kDest = "fcbb:0:800:2::20";
inline const char* kBlock = "fcbb:0::/32";
// Two paths and the outer destination each one's single uSID container must
// carry on the wire: the block fcbb:0::/32, then the uSIDs in order.
inline const char* kUsids1 = "1004,1001,1006,fe06";
inline const char* kOuter1 = "fcbb:0:1004:1001:1006:fe06::";
inline const char* kUsids2 = "1004,1002,1006,fe06";
inline const char* kOuter2 = "fcbb:0:1004:1002:1006:fe06::";

// What send_udp puts on veth0 before any encapsulation: Ethernet, IPv6, UDP, payload.
inline constexpr size_t kPayloadLen = 10;
inline constexpr size_t kFrameLen = 14 + 40 + 8 + kPayloadLen;
// H.Encaps.Red with one container: an outer IPv6 header, no SRH.
inline constexpr size_t kEncapOneContainer = 40;

struct Closer {
    void operator()(srv6s_handle* h) const { srv6s_close(h); }
};
using Handle = std::unique_ptr<srv6s_handle, Closer>;

inline std::string last_error() { return srv6s_last_error(); }

inline std::string addr6(const uint8_t* bytes) {
    char buf[INET6_ADDRSTRLEN];
    return inet_ntop(AF_INET6, bytes, buf, sizeof buf) ? buf : "?";
}

// An IPv6 frame seen on the wire, as far as the tests look at it.
struct Frame {
    size_t len = 0;
    uint8_t next_header = 0;
    uint8_t hop_limit = 0;
    std::string src, dst;
};

// Every frame arriving on an interface (here: veth1, what veth0 sent), from
// the moment it is constructed.
class Capture {
public:
    explicit Capture(const char* ifname) {
        fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
        EXPECT_GE(fd_, 0) << strerror(errno);
        sockaddr_ll sll{};
        sll.sll_family = AF_PACKET;
        sll.sll_protocol = htons(ETH_P_ALL);
        sll.sll_ifindex = static_cast<int>(if_nametoindex(ifname));
        EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll), 0) << strerror(errno);
    }
    ~Capture() { close(fd_); }
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    // IPv6 frames whose outer destination is `dst`, until `n` of them came or
    // `timeout` passed (a bound, not a pause: it returns as soon as n came).
    std::vector<Frame> wait_for(const std::string& dst, size_t n,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::vector<Frame> out;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (out.size() < n) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                break;
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, static_cast<int>(left.count())) <= 0)
                break;
            uint8_t buf[2048];
            const ssize_t len = recv(fd_, buf, sizeof buf, 0);
            if (len < 14 + 40 || buf[12] != 0x86 || buf[13] != 0xdd)
                continue;
            Frame f{static_cast<size_t>(len), buf[14 + 6], buf[14 + 7], addr6(buf + 14 + 8),
                    addr6(buf + 14 + 24)};
            if (f.dst == dst)
                out.push_back(f);
        }
        return out;
    }

private:
    int fd_ = -1;
};

// Every map pinned in `dir`, by its name in the BPF object, with its size,
// as bpftool (not libsrv6steer) reports them.
inline std::map<std::string, uint32_t> map_sizes(const std::string& dir) {
    std::map<std::string, uint32_t> out;
    static const std::regex name(R"re("name":"([a-z0-9_]+)")re"), max(R"re("max_entries":([0-9]+))re");
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::string json;
        FILE* p = popen(("bpftool -j map show pinned " + e.path().string() + " 2>/dev/null").c_str(), "r");
        char buf[4096];
        while (p && fgets(buf, sizeof buf, p))
            json += buf;
        if (p)
            pclose(p);
        std::smatch n, m;
        if (std::regex_search(json, n, name) && std::regex_search(json, m, max))
            out[n[1]] = static_cast<uint32_t>(std::stoul(m[1]));
    }
    return out;
}

inline srv6s_flow flow_at(const char* src, uint16_t sport, const char* dst, uint16_t dport,
                          uint8_t proto) {
    srv6s_flow f{};
    std::snprintf(f.src, sizeof f.src, "%s", src);
    std::snprintf(f.dst, sizeof f.dst, "%s", dst);
    f.sport = sport;
    f.dport = dport;
    f.proto = proto;
    return f;
}

// The UDP flow kHostAddr:sport -> kDest:dport.
inline srv6s_flow udp_flow(uint16_t sport, uint16_t dport) {
    return flow_at(kHostAddr, sport, kDest, dport, IPPROTO_UDP);
}

// A listed pin is of flow `want`, on path `path`, owned by this process.
inline void expect_pinned(const srv6s_flow& got, const srv6s_pin_info& pin, const srv6s_flow& want, uint32_t path) {
    EXPECT_STREQ(got.src, want.src);
    EXPECT_STREQ(got.dst, want.dst);
    EXPECT_EQ(got.sport, want.sport);
    EXPECT_EQ(got.dport, want.dport);
    EXPECT_EQ(got.proto, want.proto);
    EXPECT_EQ(pin.target_kind, uint32_t(SRV6S_TARGET_PATH));
    EXPECT_EQ(pin.target_id, path);
    EXPECT_EQ(pin.owner_pid, uint32_t(getpid()));
    EXPECT_GT(pin.created_ns, 0u);
}

// srv6s_pin_flow / srv6s_unpin_flow of a flow value.
inline int pin_flow(srv6s_handle* h, srv6s_flow f, uint32_t kind, uint32_t id,
                    const srv6s_pin_opts* opts = nullptr) {
    return srv6s_pin_flow(h, &f, kind, id, opts);
}
inline int unpin_flow(srv6s_handle* h, srv6s_flow f) { return srv6s_unpin_flow(h, &f); }

inline std::vector<srv6s_flow_entry> flows(srv6s_handle* h) {
    std::vector<srv6s_flow_entry> out;
    int rc = srv6s_list_flows(
        h,
        [](const srv6s_flow_entry* e, void* ctx) {
            static_cast<std::vector<srv6s_flow_entry>*>(ctx)->push_back(*e);
            return 0;
        },
        &out);
    EXPECT_EQ(rc, 0) << last_error();
    return out;
}

inline std::map<uint32_t, srv6s_counter> path_stats(srv6s_handle* h) {
    std::map<uint32_t, srv6s_counter> out;
    int rc = srv6s_stats_paths(
        h,
        [](uint32_t id, const srv6s_counter* c, void* ctx) {
            (*static_cast<std::map<uint32_t, srv6s_counter>*>(ctx))[id] = *c;
            return 0;
        },
        &out);
    EXPECT_EQ(rc, 0) << last_error();
    return out;
}

inline srv6s_status status_of(srv6s_handle* h) {
    SRV6S_OPTS(srv6s_status, st);
    EXPECT_EQ(srv6s_get_status(h, &st), 0) << last_error();
    return st;
}

// One UDP datagram kHostAddr:sport -> kDest:dport, out through veth0.
inline void send_udp(uint16_t sport, uint16_t dport, size_t payload_len = kPayloadLen) {
    int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(s, 0) << strerror(errno);
    sockaddr_in6 src{}, dst{};
    src.sin6_family = dst.sin6_family = AF_INET6;
    src.sin6_port = htons(sport);
    dst.sin6_port = htons(dport);
    inet_pton(AF_INET6, kHostAddr, &src.sin6_addr);
    inet_pton(AF_INET6, kDest, &dst.sin6_addr);
    EXPECT_EQ(bind(s, reinterpret_cast<sockaddr*>(&src), sizeof src), 0);
    const std::vector<char> payload(payload_len, 'x');
    EXPECT_EQ(sendto(s, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst),
              ssize_t(payload.size()))
        << strerror(errno);
    close(s);
}

class CApi : public ::testing::Test {
protected:
    testns::PrivateNamespaces ns_;
    std::string bpffs;

    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(ns_.enter("capi"));
        bpffs = ns_.bpffs();
        testtopo::veth_pair_here(kHostAddr, kGateway);
    }

    // Attaches to veth0 with these options (bpffs set here); null on failure.
    Handle attach(srv6s_attach_opts opts) {
        opts.bpffs = bpffs.c_str();
        srv6s_handle* h = nullptr;
        int rc = srv6s_attach("veth0", &opts, &h);
        EXPECT_EQ(rc, 0) << last_error();
        return Handle(h);
    }
    Handle attach(uint32_t max_flows = 1024) {
        SRV6S_OPTS(srv6s_attach_opts, o, .max_flows = max_flows);
        return attach(o);
    }
};

}  // namespace capitest
