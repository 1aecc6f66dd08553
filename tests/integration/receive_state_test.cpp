// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side's state (receive_net.hpp): SIDs validated and listed,
// several processes changing it at once, attachments that outlive their
// process, detach that leaves nothing behind, and the egress side beside it
// unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>

#include "receive_net.hpp"

using namespace srv6steer;
using namespace rxnet;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

class ReceiveState : public ::testing::Test {
protected:
    Net net;
    std::string bpffs;

    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        ASSERT_NO_FATAL_FAILURE(net.up());
        bpffs = net.ns.bpffs();
    }

    ReceiveAttachOptions opts(const char* dev, RxMode mode = RxMode::Auto) const { return {dev, mode, bpffs}; }

    // Every file and directory srv6steer has under the bpffs.
    std::vector<std::string> left() const {
        std::vector<std::string> out;
        std::error_code ec;
        for (fs::recursive_directory_iterator it(bpffs + "/srv6steer", ec), end; !ec && it != end; it.increment(ec))
            out.push_back(it->path().string());
        return out;
    }

    // Starts f in a child process (the library from another process).
    template <class F>
    static pid_t start(F&& f) {
        const pid_t pid = fork();
        if (pid == 0) {
            int code = 1;
            try {
                code = f();
            } catch (const std::exception& e) {
                fprintf(stderr, "child: %s\n", e.what());
            }
            _exit(code);
        }
        return pid;
    }
    static int wait_for(pid_t pid) {
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    template <class F>
    static int in_child(F&& f) {
        return wait_for(start(std::forward<F>(f)));
    }
};

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST_F(ReceiveState, BehavioursAsUsersWriteThem) {
    const std::pair<const char*, SidBehavior> names[] = {
        {"udt6", SidBehavior::DT6},     {"uDT4", SidBehavior::DT4},    {"udt46", SidBehavior::DT46},
        {"End.DT6", SidBehavior::DT6}, {"end.dt4", SidBehavior::DT4}, {"END.DT46", SidBehavior::DT46}};
    for (const auto& [text, b] : names)
        EXPECT_EQ(parse_sid_behavior(text), b) << text;
    for (const char* bad : {"", "udt", "End.DX4", "udt64", "dt6 "})
        EXPECT_THAT(error_of([&] { parse_sid_behavior(bad); }), HasSubstr("expected udt6, udt4 or udt46")) << bad;
    EXPECT_STREQ(sid_behavior_name(SidBehavior::DT46), "udt46");
}

TEST_F(ReceiveState, SidsAreValidatedAndListed) {
    Receive r = Receive::attach(opts("veth0"));
    EXPECT_THAT(error_of([&] { r.add_sid({Prefix::parse("10.0.0.0/8"), SidBehavior::DT4}); }), HasSubstr("IPv4"));
    EXPECT_THAT(error_of([&] { r.add_sid({Prefix::parse("::/0"), SidBehavior::DT6}); }),
                HasSubstr("every IPv6 destination"));
    EXPECT_THAT(error_of([&] { r.add_sid({Prefix::parse("ff02::/16"), SidBehavior::DT6}); }), HasSubstr("multicast"));
    EXPECT_TRUE(r.sids().empty());

    const LocalSid a{Prefix::parse("fcbb:0:e002:fe06::/64"), SidBehavior::DT6, true};
    const LocalSid b{Prefix::parse("fcbb:0:e002:fe04::/64"), SidBehavior::DT4, false};
    EXPECT_TRUE(r.add_sid(a));
    EXPECT_TRUE(r.add_sid(b));
    EXPECT_FALSE(r.add_sid(a)) << "the same SID again is a no-op";
    LocalSid changed = a;
    changed.behavior = SidBehavior::DT46;
    try {
        r.add_sid(changed);
        ADD_FAILURE() << "a SID changed without replace";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), EEXIST);
        EXPECT_THAT(e.what(), HasSubstr("fcbb:0:e002:fe06::/64 is there already (udt6)"));
        EXPECT_THAT(e.what(), HasSubstr("replace"));
    }
    EXPECT_FALSE(r.add_sid(changed, true));
    EXPECT_THAT(r.sids(), ::testing::ElementsAre(b, changed)) << "by prefix";
    // Read back from the map itself by a second opener (another object, same state).
    EXPECT_EQ(Receive::open(bpffs).sids(), r.sids());
    EXPECT_TRUE(r.remove_sid(b.prefix));
    EXPECT_FALSE(r.remove_sid(b.prefix));
    EXPECT_THAT(r.sids(), ::testing::ElementsAre(changed));
}

// The block filter follows the SIDs: the prefix they all share, widened
// before a SID outside it is added (else its traffic would be not ours),
// narrowed after one is removed, off without SIDs; what the data plane
// reads (the config map) is checked through traffic and status.
TEST_F(ReceiveState, SidBlockFollowsTheSids) {
    Receive r = Receive::attach(opts("veth0"));
    EXPECT_FALSE(r.status().sid_block);
    r.add_sid({Prefix::parse("fcbb:0:e002:fe06::/64"), SidBehavior::DT6});
    EXPECT_EQ(r.status().sid_block, Prefix::parse("fcbb:0:e002:fe06::/64"));
    r.add_sid({Prefix::parse("fcbb:0:e002:fe04::/64"), SidBehavior::DT4});
    EXPECT_EQ(r.status().sid_block, Prefix::parse("fcbb:0:e002:fe04::/62"));
    r.add_sid({Prefix::parse("fcbb:1:e002::/48"), SidBehavior::DT6});
    EXPECT_EQ(r.status().sid_block, Prefix::parse("fcbb::/31"));
    UdpSink six(AF_INET6, 5555);
    Outer far;
    far.dst = "fcbb:1:e002:1::";
    net.send(encap(far, inner6(5555, "outside the first block")));
    EXPECT_EQ(six.next(), "outside the first block");
    ASSERT_TRUE(r.remove_sid(Prefix::parse("fcbb:1:e002::/48")));
    EXPECT_EQ(r.status().sid_block, Prefix::parse("fcbb:0:e002:fe04::/62"));
    net.send(encap(far, inner6(5555, "not ours any more")));
    net.send(encap(Outer{}, inner6(5555, "still ours")));
    EXPECT_EQ(six.next(), "still ours");
    EXPECT_FALSE(six.pending());
    // The user's config changes keep the filter; a SID with no common bits turns it off.
    ReceiveConfig no_ecn_drop;
    no_ecn_drop.ecn_drop = false;
    r.set_config(no_ecn_drop);
    EXPECT_EQ(r.status().sid_block, Prefix::parse("fcbb:0:e002:fe04::/62"));
    r.add_sid({Prefix::parse("2001:db8::/32"), SidBehavior::DT6});
    EXPECT_FALSE(r.status().sid_block);
    for (const auto& s : r.sids())
        r.remove_sid(s.prefix);
    EXPECT_FALSE(r.status().sid_block);
}

// Probe settings round-trip through the map; a config set_config refuses
// leaves the one before, and the SID block filter stays the SIDs'.
TEST_F(ReceiveState, ProbeConfigIsCheckedAndKept) {
    Receive r = Receive::attach(opts("veth0"));
    r.add_sid({Prefix::parse("fcbb:0:e002:fe06::/64"), SidBehavior::DT6});
    EXPECT_EQ(r.config(), ReceiveConfig{});
    ReceiveConfig c;
    c.probes = true;
    c.probe_port = 7000;
    c.reply_source = Ipv6::parse("fcbb:0:e002::1");
    c.return_block = Prefix::parse("fcbb:0:e001::/48");
    r.set_config(c);
    EXPECT_EQ(r.config(), c);
    EXPECT_EQ(r.status().config, c);
    EXPECT_EQ(r.status().sid_block, Prefix::parse("fcbb:0:e002:fe06::/64"));
    auto refused = [&](auto change, const char* message) {
        ReceiveConfig bad = c;
        change(bad);
        try {
            r.set_config(bad);
            ADD_FAILURE() << "taken: " << message;
        } catch (const Error& e) {
            EXPECT_THAT(e.what(), ::testing::HasSubstr(message));
        }
        EXPECT_EQ(r.config(), c);
    };
    refused([](ReceiveConfig& b) { b.probe_port = 0; }, "probe port 0");
    refused([](ReceiveConfig& b) { b.return_block = Prefix::parse("fcbb:0:e001:1:2::/80"); }, "at most /64");
    refused([](ReceiveConfig& b) { b.return_block = Prefix::parse("::/0"); }, "every return container");
    refused([](ReceiveConfig& b) { b.return_block = Prefix::parse("10.0.0.0/8"); }, "an IPv6 prefix");
    refused([](ReceiveConfig& b) { b.reply_source.reset(); }, "without a reply source");
    refused([](ReceiveConfig& b) { b.reply_source = Ipv6::parse("ff02::1"); }, "unicast");
    // A /64 block, and none: returns refused by the program (no block written).
    c.return_block = Prefix::parse("fcbb:0:e001:fe06::/64");
    r.set_config(c);
    EXPECT_EQ(r.config(), c);
    c.return_block.reset();
    c.reply_source.reset();
    r.set_config(c);
    EXPECT_EQ(r.config(), c);
}

TEST_F(ReceiveState, AFullSidTableIsSaidSo) {
    Receive r = Receive::attach(opts("veth0"));
    for (uint32_t i = 0; i < SRV6S_MAX_LOCAL_SIDS; i++) {
        char text[64];
        snprintf(text, sizeof text, "fcbb:1:%x::/48", i);
        ASSERT_TRUE(r.add_sid({Prefix::parse(text), SidBehavior::DT6})) << text;
    }
    try {
        r.add_sid({Prefix::parse("fcbb:2::/48"), SidBehavior::DT6});
        ADD_FAILURE() << "a SID past the table's size";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), E2BIG);
        EXPECT_THAT(e.what(), HasSubstr("the local SID table is full"));
    }
    EXPECT_EQ(r.sids().size(), size_t(SRV6S_MAX_LOCAL_SIDS));
}

TEST_F(ReceiveState, OpenWithoutStateSaysSo) {
    try {
        Receive::open(bpffs);
        ADD_FAILURE() << "opened state that is not there";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_THAT(e.what(), HasSubstr("not attached to any interface"));
    }
    EXPECT_TRUE(Receive::attached(bpffs).empty());
    EXPECT_FALSE(Receive::detach("veth0", bpffs));
}

TEST_F(ReceiveState, AttachingTwiceIsRefused) {
    Receive r = Receive::attach(opts("veth0", RxMode::Generic));
    try {
        Receive::attach(opts("veth0", RxMode::Tc));
        ADD_FAILURE() << "attached twice";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), EEXIST);
        EXPECT_THAT(e.what(), HasSubstr("already attached to veth0"));
    }
    EXPECT_EQ(xdp_seen("veth0").mode, 2);
    EXPECT_TRUE(tcx_ingress("veth0").empty()) << "the refused attach hooked something";
}

// Two processes attach two interfaces and add 100 SIDs each, at once, while
// no state exists yet: one state is made, nothing is lost.
TEST_F(ReceiveState, ConcurrentProcessesLoseNothing) {
    sh("ip link add veth2 type veth peer name veth3 && ip link set veth2 up && ip link set veth3 up");
    int go[2];
    ASSERT_EQ(pipe(go), 0);
    auto worker = [&](const char* dev, int base) {
        return [&, dev, base] {
            char c;
            if (read(go[0], &c, 1) != 1)
                return 3;
            Receive r = Receive::attach(opts(dev));
            for (int i = 0; i < 100; i++) {
                char text[64];
                snprintf(text, sizeof text, "fcbb:0:%x::/48", base + i);
                r.add_sid({Prefix::parse(text), SidBehavior::DT46});
                Receive::open(bpffs).add_sid({Prefix::parse(text), SidBehavior::DT46});  // a no-op, locked
            }
            return 0;
        };
    };
    const pid_t a = start(worker("veth0", 0x100));
    const pid_t b = start(worker("veth2", 0x200));
    ASSERT_EQ(write(go[1], "xx", 2), 2);
    const int codes[] = {wait_for(a), wait_for(b)};
    close(go[0]);
    close(go[1]);
    EXPECT_EQ(codes[0], 0);
    EXPECT_EQ(codes[1], 0);
    EXPECT_THAT(Receive::attached(bpffs), ::testing::ElementsAre("veth0", "veth2"));
    EXPECT_EQ(Receive::open(bpffs).sids().size(), 200u);
    // Auto on a veth: TC ingress (docs/design.md §14.2).
    for (const char* dev : {"veth0", "veth2"}) {
        EXPECT_EQ(xdp_seen(dev).mode, 0) << dev;
        EXPECT_EQ(tcx_ingress(dev).size(), 1u) << dev;
    }
}

// Attached by a process that exits, the hook and the state stay; detach in
// any order leaves nothing attached and nothing pinned.
TEST_F(ReceiveState, OutlivesItsProcessAndDetachLeavesNothing) {
    sh("ip link add veth2 type veth peer name veth3 && ip link set veth2 up && ip link set veth3 up");
    ASSERT_EQ(in_child([&] {
                  Receive::attach(opts("veth0", RxMode::Generic)).add_sid({Prefix::parse(kSid), SidBehavior::DT6});
                  Receive::attach(opts("veth2", RxMode::Tc));
                  return 0;
              }),
              0);
    const ReceiveStatus st = Receive::open(bpffs).status();
    ASSERT_EQ(st.interfaces.size(), 2u);
    EXPECT_TRUE(st.healthy());
    EXPECT_EQ(xdp_seen("veth0").prog_id, st.xdp_prog_id);
    EXPECT_THAT(tcx_ingress("veth2"), ::testing::ElementsAre(st.tc_prog_id));
    {  // and it still decapsulates
        UdpSink six(AF_INET6, 5555);
        net.send(encap(Outer{}, inner6(5555, "after exit")));
        EXPECT_EQ(six.next(), "after exit");
    }
    EXPECT_TRUE(Receive::detach("veth0", bpffs));
    EXPECT_EQ(xdp_seen("veth0").mode, 0);
    EXPECT_THAT(Receive::attached(bpffs), ::testing::ElementsAre("veth2"));
    EXPECT_EQ(Receive::open(bpffs).sids().size(), 1u) << "SIDs stay while an interface is attached";
    EXPECT_FALSE(Receive::detach("veth0", bpffs));
    EXPECT_TRUE(Receive::detach("veth2", bpffs));
    EXPECT_TRUE(tcx_ingress("veth2").empty());
    EXPECT_TRUE(Receive::attached(bpffs).empty());
    EXPECT_THAT(left(), ::testing::ElementsAre(bpffs + "/srv6steer/v6")) << "only the layout directory stays";
    // Nothing holds the programs any more (other processes may run programs of the same name).
    for (const uint32_t id : {st.xdp_prog_id, st.tc_prog_id}) {
        const int fd = bpf_prog_get_fd_by_id(id);
        EXPECT_LT(fd, 0) << "program " << id << " is still loaded";
        if (fd >= 0)
            close(fd);
    }
}

// The egress side and the receive side on one interface: either one's
// detach leaves the other working.
TEST_F(ReceiveState, BesideTheEgressSide) {
    AttachOptions eg;
    eg.ifname = "veth0";
    eg.bpffs = bpffs;
    eg.max_flows = 64;
    Steering::attach(eg);
    Receive::attach(opts("veth0")).add_sid({Prefix::parse(kSid), SidBehavior::DT6});
    EXPECT_THAT(Steering::attached(bpffs), ::testing::ElementsAre("veth0"));
    EXPECT_TRUE(Steering::open("veth0", bpffs).status().healthy());
    ASSERT_TRUE(Steering::detach("veth0", bpffs));
    EXPECT_TRUE(Receive::open(bpffs).status().healthy());
    UdpSink six(AF_INET6, 5555);
    net.send(encap(Outer{}, inner6(5555, "egress gone")));
    EXPECT_EQ(six.next(), "egress gone");
    Steering::attach(eg);
    ASSERT_TRUE(Receive::detach("veth0", bpffs));
    EXPECT_TRUE(Steering::open("veth0", bpffs).status().healthy());
    EXPECT_THAT(Steering::attached(bpffs), ::testing::ElementsAre("veth0"));
}

// An interface deleted under the receive side: status says so, and
// remove_dead takes the state away.
TEST_F(ReceiveState, DeadStateIsRemoved) {
    Receive::attach(opts("veth0"));
    EXPECT_TRUE(Steering::remove_dead(bpffs).empty()) << "a live attachment is not dead";
    sh("ip link del veth0");
    const ReceiveStatus st = Receive::open(bpffs).status();
    ASSERT_EQ(st.interfaces.size(), 1u);
    EXPECT_FALSE(st.healthy());
    EXPECT_EQ(st.interfaces[0].problems.at(0).kind, Problem::Kind::InterfaceGone);
    const auto removed = Steering::remove_dead(bpffs);
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_THAT(removed[0], HasSubstr(":receive"));
    EXPECT_TRUE(Receive::attached(bpffs).empty());
}

}  // namespace
