// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// State that tells the truth, and one writer at a time (libsrv6steer/
// steering.cpp, state_dir.cpp, netns.cpp): state keyed by network namespace
// identity, dead attachments found and removed, directories made by others
// refused, state of an incompatible build refused, attach exclusive, the
// lock held across read-decide-write, route MTUs that follow a set's paths.
// Each test in a private network namespace with a private bpffs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <net/if.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "in_netns.hpp"
#include "kernel_state.hpp"
#include "private_ns.hpp"
#include "shell.hpp"
#include "topology.hpp"
#include "srv6steer/srv6steer.hpp"

using namespace srv6steer;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

using testkernel::tcx_programs;
using testsh::sh;

using testns::in_netns;  // testing/in_netns.hpp

std::string netns_of(const testns::PeerNamespace& peer) { return "/proc/" + std::to_string(peer.pid()) + "/ns/net"; }

// Waits (bounded) until pred() holds; false on timeout.
template <class P>
bool eventually(P&& pred, std::chrono::seconds limit = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (pred())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred();
}

class State : public ::testing::Test {
protected:
    testns::PrivateNamespaces ns_;
    std::string bpffs;

    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(ns_.enter("state"));
        bpffs = ns_.bpffs();
        testtopo::veth_pair_here();
    }

    void add_veth(const std::string& a, const std::string& b) {
        sh("ip link add " + a + " type veth peer name " + b + " && ip link set " + a + " up && ip link set " + b +
           " up");
    }

    AttachOptions options(const std::string& dev = "veth0") const {
        AttachOptions o;
        o.ifname = dev;
        o.bpffs = bpffs;
        o.max_flows = 64;
        o.max_qps = 16;
        o.max_prefixes = 16;
        o.source = Ipv6::parse("fcbb:0:800:1::10");
        return o;
    }

    static Path path(uint32_t id, const std::string& usids) {
        return Path::from_usids(id, Block::parse("fcbb:0::/32"), parse_usids(usids));
    }
};

TEST_F(State, TwoNetworkNamespacesWithOneInterfaceNameNeverShareState) {
    testns::PeerNamespace peer;
    ASSERT_NO_FATAL_FAILURE(peer.start());
    sh("ip link add vx0 type veth peer name veth0 netns " + std::to_string(peer.pid()));
    sh(peer.nsenter() + "ip link set veth0 up");
    std::string peer_dir;
    in_netns(netns_of(peer), [&] {
        auto s = Steering::attach(options());
        peer_dir = s.status().pin_dir;
    });
    auto mine = Steering::attach(options());
    const Status st = mine.status();
    EXPECT_NE(st.pin_dir, peer_dir) << "one directory per network namespace";
    EXPECT_TRUE(st.healthy());
    // Detaching here leaves the other namespace's attachment alone.
    EXPECT_TRUE(Steering::detach("veth0", bpffs));
    EXPECT_TRUE(fs::exists(peer_dir));
    in_netns(netns_of(peer), [&] { EXPECT_EQ(tcx_programs("veth0").size(), 1u); });
    in_netns(netns_of(peer), [&] {
        EXPECT_TRUE(Steering::open("veth0", bpffs).status().healthy());
        EXPECT_EQ(Steering::attached(bpffs), std::vector<std::string>{"veth0"});
        EXPECT_TRUE(Steering::detach("veth0", bpffs));
    });
    EXPECT_FALSE(fs::exists(peer_dir));
}

TEST_F(State, InterfaceDeletedAndCreatedAgainIsReportedDeadAndRemoved) {
    std::string dir;
    {
        auto s = Steering::attach(options());
        dir = s.status().pin_dir;
        ASSERT_TRUE(s.status().healthy());
    }
    sh("ip link del veth0");
    add_veth("veth0", "veth1");
    auto s = Steering::open("veth0", bpffs);
    const Status st = s.status();
    ASSERT_FALSE(st.healthy());
    std::set<Problem::Kind> kinds;
    for (const auto& p : st.problems)
        kinds.insert(p.kind);
    EXPECT_TRUE(kinds.count(Problem::Kind::IfindexChanged));
    EXPECT_TRUE(kinds.count(Problem::Kind::ProgramNotAttached));
    EXPECT_TRUE(tcx_programs("veth0").empty()) << "the new interface has no program";
    EXPECT_EQ(Steering::remove_dead(bpffs), std::vector<std::string>{dir});
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_TRUE(Steering::attach(options()).status().healthy()) << "attach again after the dead state went";
}

TEST_F(State, InterfaceGoneIsReported) {
    auto s = Steering::attach(options());
    sh("ip link del veth0");
    const Status st = s.status();
    ASSERT_FALSE(st.healthy());
    EXPECT_EQ(st.problems.front().kind, Problem::Kind::InterfaceGone);
}

TEST_F(State, StateOfADeletedNetworkNamespaceIsFoundAndRemoved) {
    std::string dir;
    {
        testns::PeerNamespace peer;
        ASSERT_NO_FATAL_FAILURE(peer.start());
        sh("ip link add vy0 type veth peer name vy1 netns " + std::to_string(peer.pid()));
        sh(peer.nsenter() + "ip link set vy1 up");
        in_netns(netns_of(peer), [&] { dir = Steering::attach(options("vy1")).status().pin_dir; });
        EXPECT_TRUE(Steering::remove_dead(bpffs).empty()) << "alive: nothing to remove";
        EXPECT_TRUE(fs::exists(dir));
    }  // the peer dies, and its namespace with it
    std::vector<std::string> removed;
    EXPECT_TRUE(eventually([&] {
        for (auto& d : Steering::remove_dead(bpffs))
            removed.push_back(d);
        return !removed.empty();
    }));
    EXPECT_EQ(removed, std::vector<std::string>{dir});
    EXPECT_FALSE(fs::exists(fs::path(dir).parent_path())) << "the namespace's directory went too";
}

TEST_F(State, GcKeepsALiveAttachmentInANamespaceOnlyABindMountHolds) {
    // No process is in it and /run/netns does not name it: only the bind
    // mount on a file keeps it alive. It steers, so it is not dead.
    const std::string nsfile = ns_.tmp() + "/held-netns";
    sh("touch " + nsfile + " && unshare --net=" + nsfile + " true");
    std::string dir;
    in_netns(nsfile, [&] {
        sh("ip link add vz0 type veth peer name vz1 && ip link set vz0 up && ip link set vz1 up");
        dir = Steering::attach(options("vz0")).status().pin_dir;
    });
    EXPECT_TRUE(Steering::remove_dead(bpffs).empty());
    EXPECT_TRUE(fs::exists(dir));
    in_netns(nsfile, [&] {
        EXPECT_EQ(tcx_programs("vz0").size(), 1u);
        EXPECT_TRUE(Steering::detach("vz0", bpffs));
    });
    sh("umount " + nsfile);
}

TEST_F(State, AttachIsRefusedBesideStateOfAnotherLayout) {
    // What the previous layout pinned: <bpffs>/srv6steer/<ifname>.
    ASSERT_EQ(mkdir((bpffs + "/srv6steer").c_str(), 0700), 0);
    ASSERT_EQ(mkdir((bpffs + "/srv6steer/veth0").c_str(), 0700), 0);
    const int map = bpf_map_create(BPF_MAP_TYPE_ARRAY, nullptr, 4, 4, 1, nullptr);
    ASSERT_GE(map, 0);
    ASSERT_EQ(bpf_obj_pin(map, (bpffs + "/srv6steer/veth0/meta").c_str()), 0);
    close(map);
    try {
        Steering::attach(options());
        FAIL() << "attached beside state this build cannot see";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), EPROTO);
        EXPECT_THAT(e.what(), HasSubstr("another srv6steer layout"));
        EXPECT_THAT(e.what(), HasSubstr("/srv6steer/veth0"));
    }
    EXPECT_TRUE(tcx_programs("veth0").empty());
}

TEST_F(State, EmptyDirectoriesOfAnotherLayoutBlockNothing) {
    // What a detach by an older build leaves: its layout and namespace
    // directories, empty.
    ASSERT_EQ(mkdir((bpffs + "/srv6steer").c_str(), 0700), 0);
    ASSERT_EQ(mkdir((bpffs + "/srv6steer/v2").c_str(), 0700), 0);
    ASSERT_EQ(mkdir((bpffs + "/srv6steer/v2/4096").c_str(), 0700), 0);
    auto s = Steering::attach(options());
    EXPECT_EQ(tcx_programs("veth0").size(), 1u);
    EXPECT_TRUE(Steering::detach("veth0", bpffs));
}

TEST_F(State, GcPassesOverStateInUseInsteadOfWaitingForIt) {
    auto s = Steering::attach(options());
    const std::string dir = s.status().pin_dir;
    sh("ip link del veth0");  // dead now
    {
        auto held = s.lock();  // but in use: a holder is deciding something
        EXPECT_TRUE(Steering::remove_dead(bpffs).empty()) << "returns at once, removes nothing";
        EXPECT_TRUE(fs::exists(dir));
    }
    EXPECT_EQ(Steering::remove_dead(bpffs), std::vector<std::string>{dir});
}

TEST_F(State, DirectoriesMadeBySomeoneElseAreRefused) {
    // Another user made srv6steer's top directory (a 1777 /sys/fs/bpf lets anyone).
    const std::string top = bpffs + "/srv6steer";
    ASSERT_EQ(mkdir(top.c_str(), 0755), 0);
    ASSERT_EQ(chown(top.c_str(), 65534, 65534), 0);
    try {
        Steering::attach(options());
        FAIL() << "attach went ahead in a directory owned by uid 65534";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), EEXIST);
        EXPECT_THAT(e.what(), HasSubstr("not made by srv6steer"));
        EXPECT_THAT(e.what(), HasSubstr("uid 65534"));
    }
    EXPECT_TRUE(tcx_programs("veth0").empty()) << "nothing attached";
    // Ours, but opened up to others: refused too.
    ASSERT_EQ(chown(top.c_str(), 0, 0), 0);
    ASSERT_EQ(chmod(top.c_str(), 0777), 0);
    EXPECT_THROW(Steering::attach(options()), Error);
    ASSERT_EQ(chmod(top.c_str(), 0700), 0);
    auto s = Steering::attach(options());
    struct stat st {};
    ASSERT_EQ(stat(s.status().pin_dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    EXPECT_EQ(st.st_uid, 0u);
}

TEST_F(State, StateOfAnIncompatibleBuildIsRefusedWithWhatToDo) {
    std::string dir = Steering::attach(options()).status().pin_dir;
    // Another build's flows map: same name, other value size.
    const int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "srv6s_flows", sizeof(uint32_t), 8, 16, nullptr);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(unlink((dir + "/flows").c_str()), 0);
    ASSERT_EQ(bpf_obj_pin(fd, (dir + "/flows").c_str()), 0);
    close(fd);
    try {
        Steering::open("veth0", bpffs);
        FAIL() << "opened state of another layout";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("incompatible srv6steer build"));
        EXPECT_THAT(e.what(), HasSubstr("8-byte values"));
    }
}

TEST_F(State, OfTwoAttachesAtOnceExactlyOneWinsAndTheLoserTouchesNothing) {
    for (int round = 0; round < 10; round++) {
        std::atomic<int> go{0}, won{0}, already{0}, other{0};
        auto attempt = [&] {
            go++;
            while (go < 2) {
            }
            try {
                Steering::attach(options());
                won++;
            } catch (const Error& e) {
                (e.code() == EEXIST && std::string(e.what()).find("already attached") != std::string::npos ? already
                                                                                                           : other)++;
            }
        };
        std::thread a(attempt), b(attempt);
        a.join();
        b.join();
        EXPECT_EQ(won, 1) << "round " << round;
        EXPECT_EQ(already, 1) << "round " << round;
        EXPECT_EQ(other, 0) << "round " << round;
        EXPECT_TRUE(Steering::open("veth0", bpffs).status().healthy()) << "round " << round;
        EXPECT_EQ(tcx_programs("veth0").size(), 1u) << "round " << round;
        ASSERT_TRUE(Steering::detach("veth0", bpffs));
        EXPECT_TRUE(tcx_programs("veth0").empty());
    }
}

TEST_F(State, TheLockKeepsReadDecideWriteWhole) {
    Steering::attach(options());
    // Each worker reads the paths, picks the next free id and adds it: with
    // the lock held across read and write, no two pick the same id.
    constexpr int kWorkers = 4, kEach = 25;
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < kWorkers; w++)
        workers.emplace_back([&, w] {
            auto s = Steering::open("veth0", bpffs);
            for (int i = 0; i < kEach; i++) {
                try {
                    auto held = s.lock();
                    const uint32_t id = static_cast<uint32_t>(s.paths().size());
                    s.add_path(path(id, "100" + std::to_string(w) + ",1001,fe06"));
                } catch (const Error&) {
                    failures++;
                }
            }
        });
    for (auto& t : workers)
        t.join();
    EXPECT_EQ(failures, 0);
    auto paths = Steering::open("veth0", bpffs).paths();
    ASSERT_EQ(paths.size(), size_t(kWorkers * kEach));
    for (size_t i = 0; i < paths.size(); i++)
        EXPECT_EQ(paths[i].id, i);
}

TEST_F(State, AnObjectOpenedBeforeADetachAndAttachUsesTheNewState) {
    auto old = Steering::attach(options());
    ASSERT_TRUE(Steering::detach("veth0", bpffs));
    EXPECT_THROW(old.paths(), Error) << "detached: says so";
    Steering::attach(options());
    old.add_path(path(3, "1004,1001,fe06"));
    EXPECT_EQ(Steering::open("veth0", bpffs).paths().size(), 1u) << "written into the new state";
}

TEST_F(State, DetachAfterPinsLeavesNoRouteAndNoState) {
    const std::string routes_before = sh("ip -6 route show");
    std::string dir;
    {
        auto s = Steering::attach(options());
        dir = s.status().pin_dir;
        s.add_path(path(1, "1004,1001,fe06"));
        s.pin(Flow::parse("tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201"), Target::path(1));
        EXPECT_THAT(sh("ip -6 route show proto 94"), HasSubstr("fcbb:0:800:2::20"));
    }
    ASSERT_TRUE(Steering::detach("veth0", bpffs));
    EXPECT_EQ(sh("ip -6 route show"), routes_before);
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_TRUE(tcx_programs("veth0").empty());
    EXPECT_FALSE(Steering::detach("veth0", bpffs)) << "nothing left to detach";
}

// The MTU a pinned destination's route needs, computed here from RFC 8986
// (H.Encaps.Red, §5.2): link MTU - outer IPv6 (40) - an SRH (8 bytes + 16 per
// segment) that leaves out the first segment, which is the destination
// address; a one-container path has no SRH at all.
uint32_t route_mtu_for(uint32_t link_mtu, size_t containers) {
    return link_mtu - 40 - (containers > 1 ? 8 + 16 * uint32_t(containers - 1) : 0);
}

TEST_F(State, RedefiningASetWithALongerPathLowersTheRouteMtuFirst) {
    auto s = Steering::attach(options());
    s.add_path(path(1, "1004,1001,fe06"));  // one container: reduced encap
    Path longer;
    longer.id = 2;
    longer.segments = {Ipv6::parse("fcbb:0:1004:1001:1005:1002:1006:fe06"), Ipv6::parse("fcbb:0:2000:fe06::")};
    s.add_path(longer);
    s.define_set({7, {1}});
    s.pin(Flow::parse("tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201"), Target::set(7));
    EXPECT_THAT(sh("ip -6 route show fcbb:0:800:2::20"), HasSubstr("mtu " + std::to_string(route_mtu_for(1500, 1))));
    s.define_set({7, {1, 2}});
    const std::string shown = sh("ip -6 route show fcbb:0:800:2::20");
    EXPECT_THAT(shown, HasSubstr("mtu " + std::to_string(route_mtu_for(1500, 2))));
    ASSERT_EQ(s.status().owned_routes.size(), 1u);
    EXPECT_EQ(s.status().owned_routes[0].mtu, route_mtu_for(1500, 2));
    EXPECT_EQ(s.status().owned_routes[0].pins, 1u);
    EXPECT_TRUE(s.status().owned_routes[0].added);
}

TEST_F(State, SegmentsThatAreNotGlobalUnicastAreRefused) {
    auto s = Steering::attach(options());
    for (const char* bad : {"::", "::1", "ff02::1", "fe80::1", "::ffff:10.0.0.1"}) {
        Path p;
        p.id = 1;
        p.segments = {Ipv6::parse_any(bad)};
        EXPECT_THROW(s.add_path(p), Error) << bad;
    }
    EXPECT_TRUE(s.paths().empty());
}

TEST_F(State, FlowsOfProtocolsTheDataPlaneCannotReadAreRefused) {
    EXPECT_THROW(Flow::parse("sctp fcbb::1 1 fcbb::2 2"), Error);
    EXPECT_THROW(Flow::parse("132 fcbb::1 1 fcbb::2 2"), Error);
    auto s = Steering::attach(options());
    s.add_path(path(1, "1004,1001,fe06"));
    Flow f = Flow::parse("udp fcbb:0:800:1::10 1 fcbb:0:800:2::20 2");
    f.proto = 132;
    EXPECT_THROW(s.pin(f, Target::path(1)), Error);
    EXPECT_TRUE(s.flows().empty());
}

}  // namespace
