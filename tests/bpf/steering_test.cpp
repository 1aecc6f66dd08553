// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The library's Steering API over a data plane loaded in this process only
// (attached nowhere): paths, sets, pins, their validation, and that the
// program then does what the API promised (BPF_PROG_TEST_RUN).
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <bpf/bpf.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "flowhash_reference.hpp"
#include "packet.hpp"
#include "srv6steer/srv6steer.hpp"

using namespace srv6steer;
using testpkt::Builder;
using testpkt::Bytes;
using ::testing::HasSubstr;

namespace {

const Block kBlock = Block::parse("fcbb:0::/32");

AttachOptions small() {
    AttachOptions o;
    o.ifname = "test";
    o.source = Ipv6::parse("fcbb:0:800:1::1");
    o.max_flows = 8;
    o.max_qps = 8;
    o.max_prefixes = 8;
    return o;
}

Path via(uint32_t id, const char* usids) {
    auto u = parse_usids(usids);
    return Path::from_usids(id, kBlock, u);
}

struct Out {
    int verdict;
    Bytes bytes;
};

Out run(const Steering& s, const Bytes& in) {
    Bytes out(in.size() + 256);
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.data(), .data_out = out.data(),
                .data_size_in = uint32_t(in.size()), .data_size_out = uint32_t(out.size()),
                .repeat = 1);
    EXPECT_EQ(bpf_prog_test_run_opts(s.tc_program_fd(), &o), 0);
    out.resize(o.data_size_out);
    return {int(o.retval), out};
}

Ipv6 outer_dst(const Bytes& b) {
    Ipv6 a;
    std::memcpy(a.bytes.data(), b.data() + 14 + 24, 16);
    return a;
}

Bytes tcp(const char* src, const char* dst, uint16_t sport, uint16_t dport) {
    return Builder().eth(0x86dd).ipv6(src, dst, 6).tcp(sport, dport).payload(20).build();
}

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

const Flow kFlow = Flow::parse("tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201");

// Paths 1..6: their uSIDs and the one container (the outer destination) each gives.
const std::map<uint32_t, const char*> kUsids = {
    {1, "1004,1001,1006,fe06"}, {2, "1004,1002,1006,fe06"}, {3, "1004,1003,1006,fe06"},
    {4, "1004,1005,1006,fe06"}, {5, "1004,1007,1006,fe06"}, {6, "1004,1008,1006,fe06"}};
const std::map<uint32_t, Ipv6> kVia = {
    {1, Ipv6::parse("fcbb:0:1004:1001:1006:fe06::")}, {2, Ipv6::parse("fcbb:0:1004:1002:1006:fe06::")},
    {3, Ipv6::parse("fcbb:0:1004:1003:1006:fe06::")}, {4, Ipv6::parse("fcbb:0:1004:1005:1006:fe06::")},
    {5, Ipv6::parse("fcbb:0:1004:1007:1006:fe06::")}, {6, Ipv6::parse("fcbb:0:1004:1008:1006:fe06::")}};

struct Fixture : ::testing::Test {
    Steering s = Steering::load_unattached(small());
    void SetUp() override {
        s.add_path(via(1, kUsids.at(1)));
        s.add_path(via(2, kUsids.at(2)));
    }
};

}  // namespace

TEST_F(Fixture, PinsSteerThroughTheProgram) {
    s.pin(kFlow, Target::path(2));
    auto out = run(s, tcp("fcbb:0:800:1::10", "fcbb:0:800:2::20", 40000, 5201));
    EXPECT_EQ(outer_dst(out.bytes), Ipv6::parse("fcbb:0:1004:1002:1006:fe06::"));
    s.pin(Qp::parse("fcbb:0:800:2::20 0x123"), Target::path(1));
    s.pin(Prefix::parse("10.0.3.0/24"), Target::path(1));
    auto v4 = Builder().eth(0x0800).ipv4("10.0.1.10", "10.0.3.7", 17).udp(1, 2).payload(8).build();
    EXPECT_EQ(outer_dst(run(s, v4).bytes), Ipv6::parse("fcbb:0:1004:1001:1006:fe06::"));
    EXPECT_EQ(s.flows().size(), 1u);
    EXPECT_EQ(s.flows()[0].info.packets, 1u);
    EXPECT_EQ(s.qps().size(), 1u);
    EXPECT_EQ(s.prefixes()[0].key.str(), "10.0.3.0/24");
    EXPECT_EQ(s.stats().reasons[SRV6S_R_STEERED].packets, 2u);
}

TEST_F(Fixture, SkipBitsFollowThePinMaps) {
    auto flags = [&] { return s.status().config.flags; };
    const uint32_t all = SRV6S_CFG_NO_FLOWS | SRV6S_CFG_NO_QPS | SRV6S_CFG_NO_PREFIXES;
    EXPECT_EQ(flags() & all, all) << "nothing pinned: every lookup skipped";
    s.pin(kFlow, Target::path(1));
    EXPECT_EQ(flags() & all, SRV6S_CFG_NO_QPS | SRV6S_CFG_NO_PREFIXES);
    s.pin(Prefix::parse("fcbb:0:800:3::/64"), Target::path(1));
    EXPECT_EQ(flags() & all, SRV6S_CFG_NO_QPS);
    EXPECT_TRUE(s.unpin(kFlow));
    EXPECT_EQ(flags() & all, SRV6S_CFG_NO_QPS | SRV6S_CFG_NO_FLOWS);
    EXPECT_FALSE(s.unpin(kFlow));
}

TEST_F(Fixture, SkipBitsFollowSocketAndCgroupPins) {
    auto flags = [&] { return s.status().config.flags & (SRV6S_CFG_NO_SOCKETS | SRV6S_CFG_NO_CGROUPS); };
    EXPECT_EQ(flags(), SRV6S_CFG_NO_SOCKETS | SRV6S_CFG_NO_CGROUPS) << "nothing pinned: both lookups skipped";
    const int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 lo{};
    lo.sin6_family = AF_INET6;
    lo.sin6_addr = in6addr_loopback;
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&lo), sizeof lo), 0);
    s.pin_socket(fd, Target::path(1));
    EXPECT_EQ(flags(), SRV6S_CFG_NO_CGROUPS);
    const Cgroup mine{Owner::self().cgroup};
    ASSERT_NE(mine.id, 0u);
    s.pin(mine, Target::path(1));
    EXPECT_EQ(flags(), 0u);
    EXPECT_NE(s.status().config.cgroup_levels, 0u);
    EXPECT_TRUE(s.unpin_socket(fd));
    EXPECT_EQ(flags(), SRV6S_CFG_NO_SOCKETS);
    EXPECT_TRUE(s.unpin(mine));
    EXPECT_EQ(flags(), SRV6S_CFG_NO_SOCKETS | SRV6S_CFG_NO_CGROUPS);
    EXPECT_EQ(s.status().config.cgroup_levels, 0u);
    close(fd);
}

// Which path a flow of the set takes: the reference's choice (all paths up).
uint32_t predicted(const std::vector<uint32_t>& ids, uint16_t sport) {
    const Flow f = Flow::parse("tcp fcbb:0:800:1::10 " + std::to_string(sport) + " fcbb:0:800:2::20 80");
    const std::vector<bool> up(ids.size(), true);
    return ids[*testref::chosen_index(testref::flow_hash(f.key()), up)];
}

TEST_F(Fixture, SetsSpreadFlowsWhereTheHashSays) {
    s.define_set({10, {1, 2}});
    s.pin(Prefix::parse("fcbb:0:800:2::/64"), Target::set(10));
    int on1 = 0, on2 = 0;
    for (uint16_t port = 1000; port < 1100; port++) {
        auto da = outer_dst(run(s, tcp("fcbb:0:800:1::10", "fcbb:0:800:2::20", port, 80)).bytes);
        EXPECT_EQ(da, kVia.at(predicted({1, 2}, port))) << "port " << port;
        (da == kVia.at(1) ? on1 : on2)++;
    }
    EXPECT_GT(on1, 25);
    EXPECT_GT(on2, 25);
    s.define_set({10, {2}});  // the live set changes
    for (uint16_t port = 1000; port < 1010; port++)
        EXPECT_EQ(outer_dst(run(s, tcp("fcbb:0:800:1::10", "fcbb:0:800:2::20", port, 80)).bytes), kVia.at(2));
    EXPECT_EQ(s.sets(), (std::vector<PathSet>{{10, {2}}}));
}

// The set a pin uses changes while the data plane reads it: a reader thread
// runs packets of 64 flows through the program (BPF_PROG_TEST_RUN) while this
// thread flips set 10 between {1, 2} and {3, 4, 5, 6}. Every packet must leave
// on the path the whole old set or the whole new set gives its flow, never on
// one that a mix of the two (the count of one, the members of the other) gives.
TEST_F(Fixture, SetChangedUnderTrafficIsReadOldOrNewNeverMixed) {
    const std::vector<uint32_t> a = {1, 2}, b = {3, 4, 5, 6};
    for (uint32_t id = 3; id <= 6; id++)
        s.add_path(via(id, kUsids.at(id)));
    s.define_set({10, a});
    s.pin(Prefix::parse("fcbb:0:800:2::/64"), Target::set(10));

    struct Probe {
        Bytes packet;
        Ipv6 old_da, new_da;
    };
    std::vector<Probe> probes;
    for (uint16_t port = 5000; port < 5064; port++)
        probes.push_back({tcp("fcbb:0:800:1::10", "fcbb:0:800:2::20", port, 80), kVia.at(predicted(a, port)),
                          kVia.at(predicted(b, port))});

    std::atomic<bool> stop{false};
    std::atomic<uint64_t> switches{0}, reads{0};
    uint64_t torn = 0;
    std::string first_torn;
    std::thread reader([&] {
        int last = -1;  // 0: saw the old set, 1: the new one
        for (size_t i = 0; !stop.load(); i = (i + 1) % probes.size()) {
            const Probe& p = probes[i];
            Bytes out(p.packet.size() + 256);
            LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p.packet.data(), .data_out = out.data(),
                        .data_size_in = uint32_t(p.packet.size()), .data_size_out = uint32_t(out.size()),
                        .repeat = 1);
            reads++;
            const bool ran = bpf_prog_test_run_opts(s.tc_program_fd(), &o) == 0;
            const Ipv6 da = ran && o.data_size_out > 54 ? outer_dst(out) : Ipv6{};
            const int which = da == p.old_da ? 0 : da == p.new_da ? 1 : -1;
            if (which < 0) {
                if (torn++ == 0)
                    first_torn = "packet " + std::to_string(i) + " left with outer destination " + da.str() +
                                 " (old set: " + p.old_da.str() + ", new set: " + p.new_da.str() + ")";
                continue;
            }
            if (last >= 0 && which != last)
                switches++;
            last = which;
        }
    });

    // Flip until the reader has seen the set change under it often enough;
    // after each flip, let the reader run a round of packets (it keeps
    // running while the next flip is written). Bounded: a machine too busy
    // to run the reader at all fails here.
    constexpr uint64_t kSwitches = 500;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    uint64_t flips = 0;
    while (switches.load() < kSwitches && std::chrono::steady_clock::now() < deadline) {
        const uint64_t before = reads.load();
        s.define_set({10, flips % 2 ? a : b});
        flips++;
        while (reads.load() < before + probes.size() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::yield();
    }
    stop = true;
    reader.join();
    EXPECT_EQ(torn, 0u) << first_torn << "; " << torn << " of " << reads.load() << " packets";
    EXPECT_GE(switches.load(), kSwitches) << "the reader saw the set change only " << switches.load()
                                          << " times in " << flips << " flips and " << reads.load() << " packets";
}

TEST_F(Fixture, PathDownMovesFlowsAndBackUp) {
    s.define_set({10, {1, 2}});
    s.pin(Prefix::parse("fcbb:0:800:2::/64"), Target::set(10));
    s.set_path_down(1, true);
    for (uint16_t port = 1000; port < 1020; port++)
        EXPECT_EQ(outer_dst(run(s, tcp("fcbb:0:800:1::10", "fcbb:0:800:2::20", port, 80)).bytes),
                  Ipv6::parse("fcbb:0:1004:1002:1006:fe06::"));
    EXPECT_TRUE(s.paths()[0].down);
    s.set_path_down(1, false);
    EXPECT_FALSE(s.paths()[0].down);
}

TEST_F(Fixture, BadInputIsRefusedAndStateStays) {
    s.pin(kFlow, Target::path(1));
    const auto flows_before = s.flows().size();
    const auto paths_before = s.paths();

    EXPECT_THAT(error_of([&] { s.pin(kFlow, Target::path(2)); }),
                HasSubstr("is already pinned to path 1"));
    EXPECT_NO_THROW(s.pin(kFlow, Target::path(1))) << "same target: no-op";
    EXPECT_THAT(error_of([&] { s.pin(kFlow, Target::path(7)); }), HasSubstr("path 7 does not exist"));
    EXPECT_THAT(error_of([&] { s.pin(kFlow, Target::set(3)); }), HasSubstr("set 3 does not exist"));
    EXPECT_THAT(error_of([&] { s.add_path(via(1, "1004,1002")); }),
                HasSubstr("path 1 already exists with other segments"));
    EXPECT_THAT(error_of([&] { s.add_path(via(SRV6S_MAX_PATHS, "1004")); }),
                HasSubstr("invalid path id 4096"));
    EXPECT_THAT(error_of([&] { s.define_set({10, {1, 9}}); }), HasSubstr("names path 9, which does not exist"));
    EXPECT_THAT(error_of([&] { s.define_set({10, {}}); }), HasSubstr("a set has 1 to 16"));
    EXPECT_THAT(error_of([&] { s.remove_path(1); }), HasSubstr("path 1 still has pins"));
    s.define_set({11, {2}});
    EXPECT_THAT(error_of([&] { s.remove_path(2); }), HasSubstr("path 2 is used by set 11"));
    EXPECT_THAT(error_of([&] { Flow::parse("tcp 10.0.0.1 1 fcbb::1 2"); }), HasSubstr("one family"));
    EXPECT_THAT(error_of([&] { Flow::parse("tcp fcbb::1 70000 fcbb::2 1"); }), HasSubstr("source port"));
    EXPECT_THAT(error_of([&] { Qp::parse("fcbb::1 0x1000000"); }), HasSubstr("24 bits"));
    EXPECT_THAT(error_of([&] { Prefix::parse("fcbb:0:800:2::1/64"); }), HasSubstr("bits set past /64"));

    EXPECT_EQ(s.flows().size(), flows_before);
    EXPECT_EQ(s.flows()[0].target, Target::path(1));
    EXPECT_EQ(s.paths(), paths_before);

    s.pin(kFlow, Target::path(2), {.owner = Owner::none(), .replace = true});
    EXPECT_EQ(s.flows()[0].target, Target::path(2));
}

TEST_F(Fixture, FullMapIsReportedAndNothingChanges) {
    std::vector<std::pair<Flow, Target>> batch;
    for (uint16_t p = 0; p < 6; p++)
        batch.push_back({Flow::parse("udp fcbb::1 " + std::to_string(100 + p) + " fcbb::2 9"), Target::path(1)});
    EXPECT_EQ(s.pin_flows(batch), 6u);
    EXPECT_EQ(s.pin_flows(batch), 0u) << "again: nothing new, no error";

    std::vector<std::pair<Flow, Target>> more;
    for (uint16_t p = 0; p < 5; p++)  // 6 + 5 > 8
        more.push_back({Flow::parse("udp fcbb::1 " + std::to_string(200 + p) + " fcbb::2 9"), Target::path(1)});
    EXPECT_THAT(error_of([&] { s.pin_flows(more); }), HasSubstr("is full"));
    EXPECT_EQ(s.flows().size(), 6u) << "all or nothing";

    EXPECT_THAT(error_of([&] { s.pin(more[0].first, Target::path(1)); s.pin(more[1].first, Target::path(1));
                               s.pin(more[2].first, Target::path(1)); }),
                HasSubstr("the flows map of test is full: 8 pins are there"));
    EXPECT_EQ(s.flows().size(), 8u);

    std::vector<std::pair<Flow, Target>> conflict = {{batch[0].first, Target::path(2)}};
    EXPECT_THAT(error_of([&] { s.pin_flows(conflict); }), HasSubstr("already pinned to path 1"));
    std::vector<std::pair<Flow, Target>> twice = {{kFlow, Target::path(1)}, {kFlow, Target::path(2)}};
    EXPECT_THAT(error_of([&] { s.pin_flows(twice); }), HasSubstr("listed twice"));
}

// A batch with a flow that finds no free slot on its walk (every one of its
// 32 slots pinned, arranged here with the reference hash) takes back what it
// wrote: its new pin goes, the pins it moved return to their path, counters
// kept, and the table still counts its pins right (it fills to
// max_flows and no further).
TEST(FlowBatch, AWalkWithNoFreeSlotTakesTheBatchBack) {
    AttachOptions o = small();
    o.max_flows = 64;  // 128 slots
    Steering s = Steering::load_unattached(o);
    s.add_path(via(1, kUsids.at(1)));
    s.add_path(via(2, kUsids.at(2)));
    auto flow = [](uint16_t port) { return Flow::parse("udp fcbb::1 " + std::to_string(port) + " fcbb::2 9"); };
    auto packet = [](uint16_t port) {
        return Builder().eth(0x86dd).ipv6("fcbb::1", "fcbb::2", 17).udp(port, 9).payload(8).build();
    };
    constexpr uint32_t kSlots = 128;
    auto home = [](uint16_t port) {
        return testref::flow_hash(Flow::parse("udp fcbb::1 " + std::to_string(port) + " fcbb::2 9").key()) &
               (kSlots - 1);
    };
    // The victim's walk (abi.h: start h, stride fmix32(h ^ 0x9e3779b9) | 1).
    const uint16_t victim = 1000;  // fillers come from ports on both sides of it
    const uint32_t hv = testref::flow_hash(flow(victim).key());
    const uint32_t step = testref::fmix32(hv ^ 0x9e3779b9u) | 1u;
    std::set<uint32_t> walk;
    for (uint32_t i = 0; i < 32; i++)
        walk.insert((hv + i * step) & (kSlots - 1));
    ASSERT_EQ(walk.size(), 32u);
    // One flow at home in each slot of it (a slot's first comer sits there).
    std::set<uint32_t> taken;
    std::vector<uint16_t> fillers;
    uint16_t fresh = 0;
    for (uint16_t port = 2; taken.size() < walk.size() || !fresh; port++) {
        ASSERT_LT(port, 60000);
        if (port == victim)
            continue;
        const uint32_t at = home(port);
        if (walk.count(at) && !taken.count(at)) {
            s.pin(flow(port), Target::path(1));
            taken.insert(at);
            fillers.push_back(port);
        } else if (!fresh && !walk.count(at)) {
            fresh = port;  // a new flow of the batch, homed outside the walk
        }
    }
    ASSERT_EQ(fillers.size(), 32u);
    const uint16_t moved = fillers[0];
    run(s, packet(moved));
    run(s, packet(moved));
    ASSERT_EQ(outer_dst(run(s, packet(moved)).bytes), kVia.at(1));

    // Every filler moves, a new flow comes, the victim last: in whatever
    // order the batch is written (as given, or by key either way: keys on
    // both sides of the victim's), some of it is written before the victim.
    std::vector<std::pair<Flow, Target>> batch;
    for (uint16_t port : fillers)
        batch.push_back({flow(port), Target::path(2)});
    batch.push_back({flow(fresh), Target::path(2)});
    batch.push_back({flow(victim), Target::path(2)});
    const srv6s_flow_key kv = flow(victim).key();
    auto below = [&](uint16_t port) {
        const srv6s_flow_key k = flow(port).key();
        return std::memcmp(&k, &kv, sizeof k) < 0;
    };
    ASSERT_TRUE(std::any_of(fillers.begin(), fillers.end(), below));
    ASSERT_FALSE(std::all_of(fillers.begin(), fillers.end(), below));
    try {
        s.pin_flows(batch, {.replace = true});
        ADD_FAILURE() << "the victim's walk had a free slot";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ENOSPC);
        EXPECT_THAT(e.what(), HasSubstr("no slot is free on this flow's walk"));
    }
    const auto pins = s.flows();
    ASSERT_EQ(pins.size(), 32u) << "the new pin was taken back";
    for (const auto& p : pins) {
        EXPECT_EQ(p.target, Target::path(1)) << p.key.str();
        if (p.key == flow(moved)) {
            EXPECT_EQ(p.info.packets, 3u) << "the moved pin's counters stay";
        }
    }
    EXPECT_EQ(outer_dst(run(s, packet(moved)).bytes), kVia.at(1));
    const Bytes unsteered = packet(fresh);
    EXPECT_EQ(run(s, unsteered).bytes, unsteered) << "the taken-back pin steers nothing";

    // The census counts 32 pins: 32 more fit, the next does not.
    std::vector<std::pair<Flow, Target>> rest;
    for (uint16_t port = 60001; rest.size() < 32; port++)
        rest.push_back({flow(port), Target::path(2)});
    EXPECT_EQ(s.pin_flows(rest), 32u);
    EXPECT_THAT(error_of([&] { s.pin(flow(victim), Target::path(2)); }), HasSubstr("is full: 64 pins are there"));
}

TEST_F(Fixture, GcRemovesPinsOfGoneProcessesOnly) {
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    ASSERT_GT(child, 0);
    waitpid(child, nullptr, 0);
    s.pin(kFlow, Target::path(1), {.owner = {uint32_t(child), 0}});
    s.pin(Flow::parse("tcp fcbb::1 1 fcbb::2 2"), Target::path(1), {.owner = Owner::self()});
    s.pin(Flow::parse("tcp fcbb::1 3 fcbb::2 4"), Target::path(1), {.owner = Owner::none()});
    EXPECT_EQ(s.gc(), 1u);
    EXPECT_EQ(s.flows().size(), 2u);
    for (const auto& p : s.flows())
        EXPECT_NE(p.key, kFlow);
    EXPECT_EQ(s.gc(), 0u) << "nothing more to collect";
}

TEST(Types, TextRoundTrips) {
    for (const char* t : {"tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", "udp 10.0.1.10 5 10.0.2.20 4791"})
        EXPECT_EQ(Flow::parse(t).str(), t);
    for (const char* t : {"icmpv6 fcbb::1 0 fcbb::2 0", "47 fcbb::1 0 fcbb::2 0"})
        EXPECT_THAT(error_of([&] { Flow::parse(t); }), HasSubstr("flows are tcp or udp")) << t;
    EXPECT_EQ(Qp::parse("fcbb:0:800:2::20 291").str(), "fcbb:0:800:2::20 0x000123");
    for (const char* t : {"fcbb:0:800:2::/64", "10.0.3.0/24", "0.0.0.0/0", "::/0", "10.1.2.3/32"})
        EXPECT_EQ(Prefix::parse(t).str(), t);
    EXPECT_EQ(Prefix::parse("10.0.3.0/24").len, 120u);
    EXPECT_EQ(Prefix::parse("fcbb::5").len, 128u);
    EXPECT_EQ(Target::from_slot(Target::path(7).slot()), Target::path(7));
    EXPECT_EQ(Target::from_slot(Target::set(7).slot()), Target::set(7));
    EXPECT_STREQ(reason_name(SRV6S_R_MTU_PASSED), "mtu_passed");
}

TEST_F(Fixture, NestedPrefixesArePinsOfTheirOwn) {
    s.pin(Prefix::parse("fcbb:0:800:2::/64"), Target::path(1));
    EXPECT_NO_THROW(s.pin(Prefix::parse("fcbb:0:800:2::20/128"), Target::path(2)))
        << "a /128 inside a pinned /64 is another key";
    EXPECT_EQ(s.prefixes().size(), 2u);
    EXPECT_EQ(outer_dst(run(s, tcp("fcbb:0:800:1::10", "fcbb:0:800:2::20", 1, 2)).bytes),
              Ipv6::parse("fcbb:0:1004:1002:1006:fe06::"))
        << "the longest prefix wins";
    EXPECT_EQ(outer_dst(run(s, tcp("fcbb:0:800:1::10", "fcbb:0:800:2::21", 1, 2)).bytes),
              Ipv6::parse("fcbb:0:1004:1001:1006:fe06::"));
    EXPECT_TRUE(s.unpin(Prefix::parse("fcbb:0:800:2::20/128")));
    EXPECT_EQ(s.prefixes().size(), 1u);
}
