// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Fallbacks and ignore-down in the TC egress program (bpf/lib/classify.h),
// run with BPF_PROG_TEST_RUN. When every path of a pin's set is down, the
// flow goes to the fallback of the path its hash chose first (1 + a set slot
// in srv6s_path.fallback), one level only, reason FELL_BACK; a pin whose set
// word carries SRV6S_PIN_IGNORE_DOWN takes its plain draw, down or not, and
// never falls back. Expected paths and labels come from the reference hash
// (testing/flowhash_reference.hpp), not from the data plane's own.
#include <gtest/gtest.h>

#include <map>

#include "flowhash_reference.hpp"
#include "tc_rows.hpp"

using namespace tcrows;
using srv6steer::SrhMode;

namespace {

constexpr bool kDown = true;
// The single-path set slot of a path (include/srv6steer/abi.h: user sets,
// then one single-path set per path).
constexpr uint32_t single(uint32_t path) { return SRV6S_MAX_PATH_SETS / 2 + path; }
constexpr uint32_t to_set(uint32_t slot) { return 1 + slot; }  // srv6s_path.fallback

const auto kVia = spines(6);  // paths 1..6 go via[0..5]
const Bytes kT6 = tcp6(kH1, kH2, 40000, 5201);
const srv6s_flow_key kK6 = flow_key(kH1, kH2, kTcp, 40000, 5201);

constexpr uint32_t kNoPin = ~0u;

// Paths 1..6 (down as given), set 1 = {1, 2}, set 3 = {3, 4}, the single
// sets of paths 3 and 5, and a flow pin of kK6 to `pin_set` (unless kNoPin).
void paths(TcHarness& h, std::vector<bool> down, uint32_t pin_set = 1) {
    h.config(kSrc);
    down.resize(6, false);
    for (uint32_t id = 1; id <= 6; id++)
        h.path(id, {kVia[id - 1]}, SrhMode::Reduced, down[id - 1]);
    h.set(1, {1, 2});
    h.set(3, {3, 4});
    h.set(single(3), {3});
    h.set(single(5), {5});
    if (pin_set != kNoPin)
        h.pin_flow(kK6, pin_set);
}

// kT6 sent on path id.
Bytes on(uint32_t id) { return encapsulated(kT6, kSrc, kVia[id - 1], 0, expected_label(kK6, id)); }

// Index (0 or 1) of kK6's home path in a set of two, from the reference.
size_t home_of_two() { return testref::path_draw(testref::flow_hash(kK6), 0, 2); }

}  // namespace

TEST(TcFallback, WhenTheSetIsDownTheHomePathsFallbackIsTaken) {
    const uint32_t home = 1 + uint32_t(home_of_two()), other = 3 - home;
    run_rows({
        {"set all down, no fallback: plain routing",
         [&](TcHarness& h) { paths(h, {kDown, kDown}); }, kT6, kContinue, {}, SRV6S_R_ALL_PATHS_DOWN},
        {"one path down with a fallback: the set's other path, not the fallback",
         [&](TcHarness& h) {
             paths(h, {home == 1, home == 2});
             h.fallback(1, to_set(single(5)));
             h.fallback(2, to_set(single(5)));
         },
         kT6, kContinue, on(other), SRV6S_R_STEERED},
        {"set all down, fallback to a path",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown});
             h.fallback(home, to_set(single(5)));
         },
         kT6, kContinue, on(5), SRV6S_R_FELL_BACK},
        {"set all down, fallback to a set with one member down",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown, kDown});
             h.fallback(home, to_set(3));
         },
         kT6, kContinue, on(4), SRV6S_R_FELL_BACK},
        {"the fallback is read from the home path only",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown});
             h.fallback(home, to_set(single(5)));
             h.fallback(other, to_set(single(3)));
         },
         kT6, kContinue, on(5), SRV6S_R_FELL_BACK},
        {"the other path's fallback is not used",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown});
             h.fallback(other, to_set(single(3)));
         },
         kT6, kContinue, {}, SRV6S_R_ALL_PATHS_DOWN},
        {"fallback all down too: plain routing",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown, kDown, kDown});
             h.fallback(home, to_set(3));
         },
         kT6, kContinue, {}, SRV6S_R_ALL_PATHS_DOWN},
        {"fallback to a missing set slot: plain routing",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown});
             h.fallback(home, to_set(77));
         },
         kT6, kContinue, {}, SRV6S_R_ALL_PATHS_DOWN},
        {"fallback to a slot past the array: plain routing",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown});
             h.fallback(home, to_set(SRV6S_MAX_PATH_SETS + 3));
         },
         kT6, kContinue, {}, SRV6S_R_ALL_PATHS_DOWN},
        {"fallback to an empty set: plain routing",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown});
             h.set(9, {});
             h.fallback(home, to_set(9));
         },
         kT6, kContinue, {}, SRV6S_R_ALL_PATHS_DOWN},
        {"the fallback of a fallback is not followed",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown, kDown});
             h.fallback(home, to_set(single(3)));
             h.fallback(3, to_set(single(5)));
         },
         kT6, kContinue, {}, SRV6S_R_ALL_PATHS_DOWN},
        {"a single-path pin whose path is down falls back",
         [&](TcHarness& h) {
             paths(h, {false, false, kDown}, single(3));
             h.fallback(3, to_set(1));
         },
         kT6, kContinue, on(home), SRV6S_R_FELL_BACK},
        {"a fallback to the set itself changes nothing",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown});
             h.fallback(home, to_set(1));
         },
         kT6, kContinue, {}, SRV6S_R_ALL_PATHS_DOWN},
        {"fallback with an SRH path",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown});
             h.path(6, {kC2, kC3, kC4}, SrhMode::Reduced);
             h.set(8, {6});
             h.fallback(home, to_set(8));
         },
         kT6, kContinue, encapsulated(kT6, kSrc, kC2, 0, expected_label(kK6, 6), {kC4, kC3}, 2),
         SRV6S_R_FELL_BACK},
    });
}

// The flows of a down set spread over the fallback set as the reference's
// draws from 0 say (a fallback set is searched like a pin's own set).
TEST(TcFallback, FlowsSpreadOverTheFallbackSetByTheirOwnDraws) {
    TcHarness h;
    h.config(kSrc);
    const auto via = spines(6);
    h.path(1, {via[0]}, SrhMode::Reduced, kDown);
    for (uint32_t i = 0; i < 4; i++)
        h.path(2 + i, {via[1 + i]}, SrhMode::Reduced, /*down=*/i == 2);
    h.set(1, {1});
    h.set(2, {2, 3, 4, 5});
    h.fallback(1, to_set(2));
    h.pin_prefix(a6("fcbb:0:800:2::"), 64, 1);
    std::map<Addr6, int> load;
    for (uint16_t port = 3000; port < 3200; port++) {
        const Bytes p = tcp6(kH1, kH2, port, 5201);
        const auto k = flow_key(kH1, kH2, kTcp, port, 5201);
        const auto before = h.reasons();
        const RunResult r = h.run(p);
        const size_t want = *testref::chosen_index(testref::flow_hash(k), {true, true, false, true});
        ASSERT_EQ(r.out, encapsulated(p, kSrc, via[1 + want], 0, expected_label(k, 2 + uint32_t(want))))
            << "port " << port;
        EXPECT_EQ(h.reasons()[SRV6S_R_FELL_BACK].packets - before[SRV6S_R_FELL_BACK].packets, 1u);
        load[via[1 + want]]++;
    }
    EXPECT_EQ(load.size(), 3u) << "every up path of the fallback set used";
    EXPECT_EQ(h.dp.path_stats().sum(4).packets, 0u) << "its down member skipped";
}

TEST(TcFallback, CountersCountThePinAndThePathTaken) {
    TcHarness h;
    const uint32_t home = 1 + uint32_t(home_of_two());
    paths(h, {kDown, kDown});
    h.fallback(home, to_set(single(5)));
    for (int i = 0; i < 3; i++)
        h.run(kT6);
    const auto pin = h.dp.flows().find(kK6);
    ASSERT_TRUE(pin);
    EXPECT_EQ(pin->packets, 3u);
    EXPECT_EQ(pin->bytes, 3u * kT6.size());
    const auto stats = h.dp.path_stats();
    EXPECT_EQ(stats.sum(5).packets, 3u);
    EXPECT_EQ(stats.sum(5).bytes, 3u * kT6.size());
    EXPECT_EQ(stats.sum(1).packets + stats.sum(2).packets, 0u);
    const auto reasons = h.reasons();
    EXPECT_EQ(reasons[SRV6S_R_FELL_BACK].packets, 3u);
    EXPECT_EQ(reasons[SRV6S_R_STEERED].packets, 0u) << "one reason per packet";
    EXPECT_EQ(reasons[SRV6S_R_ALL_PATHS_DOWN].packets, 0u);
}

TEST(TcFallback, IgnoreDownTakesThePlainDrawAndNeverFallsBack) {
    const uint32_t home = 1 + uint32_t(home_of_two()), other = 3 - home;
    const uint32_t ignore = SRV6S_PIN_IGNORE_DOWN;
    run_rows({
        {"a down single path is used",
         [&](TcHarness& h) { paths(h, {false, false, kDown}, single(3) | ignore); }, kT6, kContinue, on(3),
         SRV6S_R_STEERED},
        {"in a set, the home path though it is down and the other is up",
         [&](TcHarness& h) { paths(h, {home == 1, home == 2}, 1 | ignore); }, kT6, kContinue, on(home),
         SRV6S_R_STEERED},
        {"in a set, the home path when the other is down",
         [&](TcHarness& h) { paths(h, {other == 1, other == 2}, 1 | ignore); }, kT6, kContinue, on(home),
         SRV6S_R_STEERED},
        {"all down with a fallback: the home path, not the fallback",
         [&](TcHarness& h) {
             paths(h, {kDown, kDown}, 1 | ignore);
             h.fallback(home, to_set(single(5)));
         },
         kT6, kContinue, on(home), SRV6S_R_STEERED},
        {"the home path missing: no path, even with another up",
         [&](TcHarness& h) {
             paths(h, {}, 1 | ignore);
             h.dp.paths().update(home, srv6s_path{});
         },
         kT6, kContinue, {}, SRV6S_R_NO_PATH},
        {"without the flag the same set skips the down home path",
         [&](TcHarness& h) { paths(h, {home == 1, home == 2}, 1); }, kT6, kContinue, on(other),
         SRV6S_R_STEERED},
    });
}

// The flag bit and any bit above the slot mask ride on every pin kind the
// harness can make (socket pins need a real socket: their word goes through
// the same srv6s_choose_path, tests/integration/socket_pin_test.cpp).
TEST(TcFallback, EveryPinKindMasksTheSlotAndHonoursTheFlag) {
    const Bytes roce = roce6(kH1, kH2, 50000, 0x123);
    const auto roce_key = flow_key(kH1, kH2, kUdp, 50000, 4791);
    const Bytes roce_on3 = encapsulated(roce, kSrc, kVia[2], 0, expected_label(roce_key, 3));
    struct Kind {
        const char* name;
        const Bytes& packet;
        Bytes expected;
        std::function<void(TcHarness&, uint32_t)> pin;
    };
    const Kind kinds[] = {
        {"flow", kT6, on(3), [](TcHarness& h, uint32_t w) { h.pin_flow(kK6, w); }},
        {"QP", roce, roce_on3, [](TcHarness& h, uint32_t w) { h.pin_qp(kH2, 0x123, w); }},
        {"prefix", kT6, on(3), [](TcHarness& h, uint32_t w) { h.pin_prefix(a6("fcbb:0:800:2::"), 64, w); }},
    };
    for (const Kind& k : kinds) {
        SCOPED_TRACE(k.name);
        const uint32_t ignore = SRV6S_PIN_IGNORE_DOWN;
        // Path 3 down with a fallback to path 5: with the flag, path 3.
        auto setup = [&](uint32_t word, bool down) {
            return [&k, word, down](TcHarness& h) {
                paths(h, {false, false, down}, kNoPin);
                h.fallback(3, to_set(single(5)));
                k.pin(h, word);
            };
        };
        run_rows({
            {"flag on an up path", setup(single(3) | ignore, false), k.packet, kContinue, k.expected,
             SRV6S_R_STEERED},
            {"flag on a down path", setup(single(3) | ignore, kDown), k.packet, kContinue, k.expected,
             SRV6S_R_STEERED},
            {"bits between the slot and the flag are not part of the slot", setup(single(3) | 1u << 20, false),
             k.packet, kContinue, k.expected, SRV6S_R_STEERED},
        });
    }
}
