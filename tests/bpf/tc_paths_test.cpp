// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The TC egress program's path choice, run with BPF_PROG_TEST_RUN: known
// answers for path and flow label, spreading over a set, paths down, path
// failures, counters, the double-buffered set (rows: tc_rows.hpp).
#include <gtest/gtest.h>

#include <map>

#include "flowhash_reference.hpp"
#include "tc_rows.hpp"

using namespace tcrows;
using srv6steer::SrhMode;

namespace {

// A harness with paths 10..13 (via[0..3]) in set 5, and prefix pins of
// fcbb:0:800:2::/64, fcbb:0:800:3::/64 and 10.0.2.0/24 to it.
std::vector<Addr6> four_path_set(TcHarness& h) {
    h.config(kSrc);
    auto via = spines(4);
    for (uint32_t i = 0; i < 4; i++)
        h.path(10 + i, {via[i]});
    h.set(5, {10, 11, 12, 13});
    h.pin_prefix(a6("fcbb:0:800:2::"), 64, 5);
    h.pin_prefix(a6("fcbb:0:800:3::"), 64, 5);
    h.pin_prefix(mapped("10.0.2.0"), 120, 5);
    return via;
}

}  // namespace

// Literal answers (the flows of tests/unit/flowhash_test.cpp's table): the
// hash bits of the outer flow label (bits 12..19; bits 0..11 are the path
// id), the home path in a set of 4, where the flow goes when its
// home path is down, and when the next one is down too. Computed outside the
// code under test; a changed hash seed or mixing fails here.
TEST(TcEgress, KnownFlowsTakeTheirKnownPathAndLabel) {
    struct Known {
        const char* flow;
        Bytes packet;
        uint32_t label_hash;  // label >> 12: the low 8 bits of the flow hash
        size_t home, home_down, both_down;  // indexes in the set
    };
    const Known known[] = {
        {"tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", tcp6(kH1, kH2, 40000, 5201), 0x05, 3, 1, 0},
        {"udp fcbb:0:800:1::10 40001 fcbb:0:800:2::20 9000", udp6(kH1, kH2, 40001, 9000), 0xcc, 1, 3, 0},
        {"tcp 10.0.1.10 40002 10.0.2.20 5201", tcp4("10.0.1.10", "10.0.2.20", 40002, 5201), 0x84, 0, 3, 1},
        {"udp 10.0.1.10 40003 10.0.2.20 9000", udp4("10.0.1.10", "10.0.2.20", 40003, 9000), 0x7a, 0, 2, 3},
        {"udp fcbb:0:800:1::10 50000 fcbb:0:800:2::20 4791 (RoCEv2)", roce6(kH1, kH2, 50000, 0x123), 0xb1, 1,
         3, 0},
        {"tcp fcbb:0:800:1::10 0 fcbb:0:800:3::30 0", tcp6(kH1, kH3, 0, 0), 0xd2, 1, 2, 3},
    };
    for (const Known& k : known) {
        SCOPED_TRACE(k.flow);
        TcHarness h;
        const auto via = four_path_set(h);
        RunResult r = h.run(k.packet);
        ASSERT_EQ(r.verdict, kContinue);
        ASSERT_EQ(r.out.size(), k.packet.size() + 40) << "steered (reduced encapsulation)";
        EXPECT_EQ(label_of(r.out), k.label_hash << 12 | (10 + k.home)) << "path id 10 + home";
        EXPECT_EQ(outer_da(r.out), via[k.home]) << "home path";
        h.path(10 + uint32_t(k.home), {via[k.home]}, SrhMode::Reduced, /*down=*/true);
        r = h.run(k.packet);
        EXPECT_EQ(outer_da(r.out), via[k.home_down]) << "home path down";
        EXPECT_EQ(label_of(r.out), k.label_hash << 12 | (10 + k.home_down))
            << "the hash bits stay with the flow, the path bits follow its path";
        h.path(10 + uint32_t(k.home_down), {via[k.home_down]}, SrhMode::Reduced, /*down=*/true);
        EXPECT_EQ(outer_da(h.run(k.packet).out), via[k.both_down]) << "home and next path down";
    }
}

TEST(TcEgress, PathSetSpreadsStablyAndSkipsDownPaths) {
    TcHarness h;
    const auto via = four_path_set(h);

    // Every flow takes the path the reference predicts; the spread is fair.
    std::map<uint16_t, Addr6> home;
    std::map<Addr6, int> load;
    for (uint16_t port = 2000; port < 2400; port++) {
        Bytes p = tcp6(kH1, kH2, port, 5201);
        RunResult a = h.run(p);
        ASSERT_EQ(a.verdict, kContinue);
        Addr6 da = outer_da(a.out);
        const uint32_t hash = testref::flow_hash(flow_key(kH1, kH2, kTcp, port, 5201));
        EXPECT_EQ(da, via[*testref::chosen_index(hash, {true, true, true, true})]) << "port " << port;
        EXPECT_EQ(da, outer_da(h.run(p).out)) << "a flow keeps its path";
        home[port] = da;
        load[da]++;
    }
    ASSERT_EQ(load.size(), 4u) << "every path used";
    for (auto& [da, n] : load)
        EXPECT_GE(n, 60) << "400 flows over 4 paths: none below 15%";

    // Path 11 goes down: its flows move where the reference says and spread;
    // no other flow moves.
    h.path(11, {via[1]}, SrhMode::Reduced, /*down=*/true);
    std::map<Addr6, int> moved_to;
    for (auto& [port, was] : home) {
        Addr6 now = outer_da(h.run(tcp6(kH1, kH2, port, 5201)).out);
        const uint32_t hash = testref::flow_hash(flow_key(kH1, kH2, kTcp, port, 5201));
        EXPECT_EQ(now, via[*testref::chosen_index(hash, {true, false, true, true})]) << "port " << port;
        EXPECT_NE(now, via[1]) << "down path skipped";
        if (was != via[1])
            EXPECT_EQ(now, was) << "flow on an up path did not move (port " << port << ")";
        else
            moved_to[now]++;
    }
    EXPECT_EQ(moved_to.size(), 3u) << "a down path's flows spread over all others";

    // Path stats agree with what we saw.
    auto stats = h.dp.path_stats();
    uint64_t total = 0;
    for (uint32_t id = 10; id < 14; id++)
        total += stats.sum(id).packets;
    EXPECT_EQ(total, 400u * 2 + 400u);
}

TEST(TcEgress, PathFailuresAreCountedAndUntouched) {
    Bytes t6 = tcp6(kH1, kH2, 40000, 5201);
    auto k6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    run_rows({
        {"all paths of the set down",
         [&](TcHarness& h) {
             h.config(kSrc);
             h.path(1, {kViaSpine1}, SrhMode::Reduced, true);
             h.path(2, {kViaSpine2}, SrhMode::Reduced, true);
             h.set(1, {1, 2});
             h.pin_flow(k6, 1);
         },
         t6, kContinue, {}, SRV6S_R_ALL_PATHS_DOWN},
        {"one path down, the other taken",
         [&](TcHarness& h) {
             h.config(kSrc);
             h.path(1, {kViaSpine1}, SrhMode::Reduced, true);
             h.path(2, {kViaSpine2});
             h.set(1, {1, 2});
             h.pin_flow(k6, 1);
         },
         t6, kContinue, encapsulated(t6, kSrc, kViaSpine2, 0, expected_label(k6, 2)),
         SRV6S_R_STEERED},
        {"pin names a missing path set",
         [&](TcHarness& h) { base(h); h.pin_flow(k6, 99); }, t6, kContinue, {},
         SRV6S_R_NO_PATH_SET},
        {"path set names a path id past the array",
         [&](TcHarness& h) { base(h); h.set(3, {SRV6S_MAX_PATHS + 5}); h.pin_flow(k6, 3); }, t6,
         kContinue, {}, SRV6S_R_NO_PATH},
        {"pin names a set id past the array",
         [&](TcHarness& h) { base(h); h.pin_flow(k6, SRV6S_MAX_PATH_SETS + 5); }, t6, kContinue,
         {}, SRV6S_R_NO_PATH_SET},
        {"path set names a missing path",
         [&](TcHarness& h) { base(h); h.set(3, {42}); h.pin_flow(k6, 3); }, t6, kContinue, {},
         SRV6S_R_NO_PATH},
        {"empty path set",
         [&](TcHarness& h) { base(h); h.set(3, {}); h.pin_flow(k6, 3); }, t6, kContinue, {},
         SRV6S_R_NO_PATH_SET},
        {"corrupt path set size",
         [&](TcHarness& h) {
             base(h);
             srv6s_path_set s{};
             s.gen[0].n_paths = SRV6S_MAX_SET_PATHS + 1;
             h.dp.path_sets().update(3, s);
             h.pin_flow(k6, 3);
         },
         t6, kContinue, {}, SRV6S_R_BAD_PATH},
        {"corrupt path: too many SRH segments",
         [&](TcHarness& h) {
             h.config(kSrc);
             srv6s_path p{};
             p.flags = SRV6S_PATH_PRESENT;
             p.n_segs = SRV6S_MAX_SRH_SEGS + 1;
             h.dp.paths().update(1, p);
             h.set(1, {1});
             h.pin_flow(k6, 1);
         },
         t6, kContinue, {}, SRV6S_R_BAD_PATH},
    });
}

TEST(TcEgress, CountersPerPinPathAndReason) {
    TcHarness h;
    base(h);
    auto k6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    h.pin_flow(k6, 2);
    Bytes t6 = tcp6(kH1, kH2, 40000, 5201);
    for (int i = 0; i < 3; i++)
        h.run(t6);
    h.run(tcp6(kH1, kH2, 40000, 5202));
    auto pin = h.dp.flows().find(k6);
    ASSERT_TRUE(pin);
    EXPECT_EQ(pin->packets, 3u);
    EXPECT_EQ(pin->bytes, 3u * t6.size());
    EXPECT_EQ(h.dp.path_stats().sum(2).packets, 3u);
    EXPECT_EQ(h.dp.path_stats().sum(2).bytes, 3u * t6.size());
    EXPECT_EQ(h.dp.path_stats().sum(1).packets, 0u);
    auto reasons = h.reasons();
    EXPECT_EQ(reasons[SRV6S_R_STEERED].packets, 3u);
    EXPECT_EQ(reasons[SRV6S_R_NO_MATCH].packets, 1u);
}

// A path set is double-buffered: only the active half is read.
TEST(TcEgress, PathSetReadsOnlyTheActiveHalf) {
    Bytes t6 = tcp6(kH1, kH2, 40000, 5201);
    auto k6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    TcHarness h;
    base(h);
    h.pin_flow(k6, 7);
    srv6s_path_set s{};
    s.gen[0].n_paths = 1;
    s.gen[0].paths[0] = 1;
    s.gen[1].n_paths = 1;
    s.gen[1].paths[0] = 2;
    h.dp.path_sets().update(7, s);
    EXPECT_EQ(outer_da(h.run(t6).out), kViaSpine1) << "active 0";
    s.active = 1;
    h.dp.path_sets().update(7, s);
    EXPECT_EQ(outer_da(h.run(t6).out), kViaSpine2) << "active 1";
    s.gen[1].n_paths = 0;
    h.dp.path_sets().update(7, s);
    RunResult r = h.run(t6);
    EXPECT_EQ(r.out, t6) << "active half empty: no set";
    EXPECT_EQ(h.reasons()[SRV6S_R_NO_PATH_SET].packets, 1u);
}
