// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The library attached for real: a veth pair in a private network namespace
// and a private bpffs. Packets sent through veth0 are captured on veth1.
// Each test runs in its own process (ctest), so the namespaces, the veths
// and the bpffs mount vanish with it, even when a test fails.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "kernel_state.hpp"
#include "private_ns.hpp"
#include "shell.hpp"
#include "skip.hpp"
#include "topology.hpp"
#include "srv6steer/srv6steer.hpp"

using namespace srv6steer;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

using testsh::sh;

const char* kHostAddr = "fcbb:0:800:1::10";
const char* kGateway = "fcbb:0:800:1::1";
const char* kDest = "fcbb:0:800:2::20";

class Attached : public ::testing::Test {
protected:
    testns::PrivateNamespaces ns_;
    std::string bpffs;

    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        ASSERT_NO_FATAL_FAILURE(ns_.enter("attach"));
        bpffs = ns_.bpffs();
        // A sysfs of this network namespace (/sys/class/net shows its devices).
        ASSERT_EQ(mount("sysfs", "/sys", "sysfs", 0, nullptr), 0);
        testtopo::veth_pair_here(kHostAddr, kGateway);
    }

    AttachOptions options() const {
        AttachOptions o;
        o.ifname = "veth0";
        o.bpffs = bpffs;
        o.max_flows = 1024;
        return o;
    }

    // Sends one UDP datagram kHostAddr:sport -> kDest:dport and returns the
    // frame veth1 received (nullopt: nothing within 1 s).
    std::optional<std::vector<uint8_t>> send_and_capture(uint16_t sport, uint16_t dport) {
        int cap = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
        EXPECT_GE(cap, 0);
        sockaddr_ll ll{};
        ll.sll_family = AF_PACKET;
        ll.sll_protocol = htons(ETH_P_ALL);
        ll.sll_ifindex = static_cast<int>(if_nametoindex("veth1"));
        EXPECT_EQ(bind(cap, reinterpret_cast<sockaddr*>(&ll), sizeof ll), 0);

        int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in6 src{}, dst{};
        src.sin6_family = dst.sin6_family = AF_INET6;
        src.sin6_port = htons(sport);
        dst.sin6_port = htons(dport);
        inet_pton(AF_INET6, kHostAddr, &src.sin6_addr);
        inet_pton(AF_INET6, kDest, &dst.sin6_addr);
        EXPECT_EQ(bind(s, reinterpret_cast<sockaddr*>(&src), sizeof src), 0);
        const char msg[] = "srv6steer";
        EXPECT_EQ(sendto(s, msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst),
                  ssize_t(sizeof msg));
        close(s);

        std::optional<std::vector<uint8_t>> frame;
        for (int tries = 0; tries < 20 && !frame; tries++) {
            pollfd p{cap, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0)
                continue;
            std::vector<uint8_t> buf(2048);
            ssize_t n = recv(cap, buf.data(), buf.size(), 0);
            buf.resize(size_t(std::max<ssize_t>(n, 0)));
            // Skip neighbour discovery and the like: only our datagram counts.
            std::string text(buf.begin(), buf.end());
            if (text.find(msg) != std::string::npos)
                frame = buf;
        }
        close(cap);
        return frame;
    }

    static Ipv6 outer_dst(const std::vector<uint8_t>& f) {
        Ipv6 a;
        std::memcpy(a.bytes.data(), f.data() + 14 + 24, 16);
        return a;
    }
};

const Flow kFlow = Flow::parse(std::string("udp ") + kHostAddr + " 40000 " + kDest + " 9000");
const Ipv6 kSpine1 = Ipv6::parse("fcbb:0:1004:1001:1006:fe06::");

Path spine1() {
    return Path::from_usids(1, Block::parse("fcbb:0::/32"), parse_usids("1004,1001,1006,fe06"));
}

// The identity of this process's network namespace, asked of the kernel.
uint64_t netns_cookie() {
    constexpr int kSoNetnsCookie = 71;  // SO_NETNS_COOKIE (Linux 5.14)
    const int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    uint64_t cookie = 0;
    socklen_t len = sizeof cookie;
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, kSoNetnsCookie, &cookie, &len) != 0)
        ADD_FAILURE() << "SO_NETNS_COOKIE: " << strerror(errno);
    if (fd >= 0)
        close(fd);
    return cookie;
}

using testkernel::bpf_objects_under;

// The route MTU a pin to kDest needs over a reduced encapsulation (1500 - 40),
// as `ip -6 route` shows it: added with the kernel's default metric 1024 in
// the main table (254).
void expect_owned(const OwnedRoute& r, bool added, uint32_t old_mtu, uint32_t pins) {
    EXPECT_EQ(r.dst, Prefix::parse(kDest));
    EXPECT_EQ(r.dst.len, 128u);
    EXPECT_EQ(r.mtu, 1460u);
    EXPECT_EQ(r.added, added);
    EXPECT_EQ(r.old_mtu, old_mtu);
    EXPECT_EQ(r.table, 254u);
    EXPECT_EQ(r.priority, 1024u);
    EXPECT_EQ(r.pins, pins);
}

bool link_exists(uint32_t id) {
    int fd = bpf_link_get_fd_by_id(id);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

}  // namespace

TEST_F(Attached, SteersSurvivesTheProcessAndDetachesClean) {
    const std::string routes_before = sh("ip -6 route show");
    uint32_t link_id = 0;
    std::string dir;
    {
        Steering s = Steering::attach(options());
        Status st = s.status();
        EXPECT_EQ(st.attach_mode, "tcx");
        EXPECT_GT(st.link_id, 0u);
        link_id = st.link_id;
        dir = st.pin_dir;
        EXPECT_THAT(dir, ::testing::StartsWith(bpffs + "/srv6steer/"));
        EXPECT_THAT(dir, ::testing::EndsWith("/veth0"));
        EXPECT_EQ(st.netns_cookie, netns_cookie()) << "the state is keyed by this (private) namespace";
        EXPECT_TRUE(st.healthy()) << (st.problems.empty() ? "" : st.problems[0].detail);
        EXPECT_GT(st.prog_id, 0u);
        EXPECT_EQ(Ipv6{std::to_array(st.config.src)}, Ipv6::parse(kHostAddr)) << "source from veth0";
        EXPECT_EQ(st.config.mtu, 1500u);
        s.add_path(spine1());
        s.pin(kFlow, Target::path(1));
        EXPECT_THAT(sh("ip -6 route show"), HasSubstr(std::string(kDest) + " via " + kGateway +
                                                       " dev veth0 proto 94 metric 1024 mtu 1460"));
    }
    EXPECT_TRUE(link_exists(link_id)) << "the pinned tcx link outlives the process objects";

    // The process that attached is gone (its objects are); steering goes on.
    auto f = send_and_capture(40000, 9000);
    ASSERT_TRUE(f);
    EXPECT_EQ((*f)[12], 0x86);
    EXPECT_EQ((*f)[14 + 6], 41) << "reduced encapsulation: IPv6 in IPv6";
    EXPECT_EQ(outer_dst(*f), kSpine1);
    auto other = send_and_capture(40001, 9000);
    ASSERT_TRUE(other);
    EXPECT_EQ(outer_dst(*other), Ipv6::parse(kDest)) << "unpinned flow: untouched";

    // Another process (here: a fresh Steering) opens the pinned state.
    {
        Steering s = Steering::open("veth0", bpffs);
        EXPECT_EQ(s.flows().size(), 1u);
        EXPECT_EQ(s.flows()[0].info.packets, 1u);
        EXPECT_EQ(s.stats().reasons[SRV6S_R_STEERED].packets, 1u);
        EXPECT_EQ(Steering::attached(bpffs), std::vector<std::string>{"veth0"});
        const auto routes = s.status().owned_routes;
        ASSERT_EQ(routes.size(), 1u);
        expect_owned(routes[0], /*added=*/true, /*old_mtu=*/0, /*pins=*/1);
    }

    // bpftool prints the maps with named fields (BTF): the flow table's
    // slots, one of them LIVE (include/srv6steer/abi.h).
    auto dump = nlohmann::json::parse(sh("bpftool -j map dump pinned " + dir + "/flows"));
    std::vector<nlohmann::json> live;
    for (const auto& e : dump)
        if ((e["formatted"]["value"]["tag"].get<uint32_t>() & SRV6S_FLOW_STATE_MASK) == SRV6S_FLOW_LIVE)
            live.push_back(e["formatted"]["value"]);
    ASSERT_EQ(live.size(), 1u);
    EXPECT_TRUE(live[0]["key"].contains("sport")) << live[0].dump();
    EXPECT_EQ(live[0]["key"]["sport"], 40000);
    EXPECT_EQ(live[0]["path_set"], Target::path(1).slot());
    EXPECT_EQ(live[0]["packets"], 1);
    auto paths = nlohmann::json::parse(sh("bpftool -j map dump pinned " + dir + "/paths"));
    EXPECT_TRUE(paths[1]["formatted"]["value"].contains("segments_left"));

    // The route MTU lives as long as a pin needs it.
    {
        Steering s = Steering::open("veth0", bpffs);
        const Flow second = Flow::parse(std::string("udp ") + kHostAddr + " 40002 " + kDest + " 9000");
        s.pin(second, Target::path(1));
        const auto routes = s.status().owned_routes;
        ASSERT_EQ(routes.size(), 1u);
        expect_owned(routes[0], /*added=*/true, /*old_mtu=*/0, /*pins=*/2);
        EXPECT_TRUE(s.unpin(second));
        EXPECT_THAT(sh("ip -6 route show proto 94"), HasSubstr(kDest));
        EXPECT_TRUE(s.unpin(kFlow));
        EXPECT_EQ(sh("ip -6 route show proto 94"), "") << "last pin gone: route MTU gone";
        EXPECT_TRUE(s.status().owned_routes.empty());
        s.pin(kFlow, Target::path(1));
    }

    EXPECT_TRUE(Steering::detach("veth0", bpffs));
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_EQ(bpf_objects_under(bpffs + "/srv6steer"), "") << "no pin left";
    EXPECT_FALSE(link_exists(link_id));
    EXPECT_EQ(sh("ip -6 route show"), routes_before) << "our route MTU removed, nothing else";
    auto after = send_and_capture(40000, 9000);
    ASSERT_TRUE(after);
    EXPECT_EQ(outer_dst(*after), Ipv6::parse(kDest)) << "detached: untouched";
    EXPECT_FALSE(Steering::detach("veth0", bpffs)) << "nothing attached any more";
}

TEST_F(Attached, ClsactHookAndExistingRouteMtuRestored) {
    // An exact route for the destination exists: its MTU is changed, then restored.
    sh(std::string("ip -6 route add ") + kDest + "/128 via " + kGateway + " dev veth0 mtu 1400");
    const std::string routes_before = sh("ip -6 route show");
    AttachOptions o = options();
    o.hook = Hook::Clsact;
    {
        Steering s = Steering::attach(o);
        EXPECT_EQ(s.status().attach_mode, "clsact");
        EXPECT_THAT(sh("tc filter show dev veth0 egress"), HasSubstr("srv6s_tc_egress"));
        s.add_path(spine1());
        s.pin(kFlow, Target::path(1));
        EXPECT_THAT(sh("ip -6 route show " + std::string(kDest)), HasSubstr("mtu 1400"))
            << "already below 1460: a lower MTU is never raised";
    }
    auto f = send_and_capture(40000, 9000);
    ASSERT_TRUE(f);
    EXPECT_EQ(outer_dst(*f), kSpine1);
    EXPECT_TRUE(Steering::detach("veth0", bpffs));
    EXPECT_THAT(sh("tc filter show dev veth0 egress"), ::testing::Not(HasSubstr("srv6s")));
    EXPECT_EQ(sh("ip -6 route show"), routes_before);
}

TEST_F(Attached, ExistingRouteMtuIsLoweredForPinsAndRestoredAfter) {
    sh(std::string("ip -6 route add ") + kDest + "/128 via " + kGateway + " dev veth0 mtu 1500");
    const std::string routes_before = sh("ip -6 route show");
    Steering s = Steering::attach(options());
    s.add_path(spine1());
    s.pin(kFlow, Target::path(1));
    EXPECT_THAT(sh("ip -6 route show " + std::string(kDest)), HasSubstr("mtu 1460"));
    auto routes = s.status().owned_routes;
    ASSERT_EQ(routes.size(), 1u);
    expect_owned(routes[0], /*added=*/false, /*old_mtu=*/1500, /*pins=*/1);
    EXPECT_TRUE(s.unpin(kFlow));
    EXPECT_TRUE(s.status().owned_routes.empty());
    EXPECT_EQ(sh("ip -6 route show"), routes_before) << "the MTU it had";
    EXPECT_TRUE(Steering::detach("veth0", bpffs));
}

TEST_F(Attached, BadEnvironmentIsReportedAndNothingIsLeft) {
    auto err = [](auto&& f) -> std::string {
        try {
            f();
        } catch (const Error& e) {
            return e.what();
        }
        return "(no error)";
    };
    AttachOptions o = options();
    o.ifname = "nosuch0";
    EXPECT_THAT(err([&] { Steering::attach(o); }), HasSubstr("no network interface \"nosuch0\""));
    o = options();
    o.bpffs = "/tmp";
    EXPECT_THAT(err([&] { Steering::attach(o); }), HasSubstr("not a BPF filesystem"));
    EXPECT_THAT(err([&] { Steering::open("veth0", bpffs); }), HasSubstr("not attached to veth0"));
    sh("ip -6 addr flush dev veth0");
    EXPECT_THAT(err([&] { Steering::attach(options()); }), HasSubstr("no global IPv6 address"));
    EXPECT_TRUE(Steering::attached(bpffs).empty());
    EXPECT_EQ(bpf_objects_under(bpffs + "/srv6steer"), "") << "a failed attach leaves nothing";

    sh(std::string("ip -6 addr add ") + kHostAddr + "/64 dev veth0 nodad");

    // Without privileges: a message that says so, and nothing left behind.
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        std::string msg = "(no error)";
        if (setgid(65534) == 0 && setuid(65534) == 0)
            msg = err([&] { Steering::attach(options()); });
        (void)!write(fds[1], msg.data(), msg.size());
        _exit(0);
    }
    close(fds[1]);
    std::string child_msg;
    char buf[512];
    while (ssize_t n = read(fds[0], buf, sizeof buf))
        if (n > 0)
            child_msg.append(buf, size_t(n));
        else
            break;
    close(fds[0]);
    waitpid(child, nullptr, 0);
    EXPECT_THAT(child_msg, HasSubstr("root")) << child_msg;
    EXPECT_TRUE(Steering::attached(bpffs).empty());
    struct stat made {};
    if (stat((bpffs + "/srv6steer").c_str(), &made) == 0) {
        EXPECT_EQ(made.st_uid, 0u) << "an unprivileged attach made srv6steer's directory (and so blocks root's)";
    }

    Steering s = Steering::attach(options());
    EXPECT_THAT(err([&] { Steering::attach(options()); }), HasSubstr("already attached to veth0"));
    s.add_path(spine1());
    // A destination routed through another interface: TC on veth0 never sees it.
    sh("ip link add veth2 type veth peer name veth3 && ip link set veth2 up && ip link set veth3 up");
    sh("ip -6 addr add fcbb:0:900::1/64 dev veth2 nodad");
    EXPECT_THAT(err([&] { s.pin(Flow::parse("udp fcbb:0:900::1 1 fcbb:0:900::2 2"), Target::path(1)); }),
                HasSubstr("veth0"));
    EXPECT_TRUE(s.flows().empty());
    EXPECT_TRUE(Steering::detach("veth0", bpffs));
}
