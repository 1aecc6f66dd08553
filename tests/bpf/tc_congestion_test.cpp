// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Congestion levels and flowlets in the TC egress program (bpf/lib/classify.h,
// bpf/lib/flowlet.h; docs/design.md §17), run with BPF_PROG_TEST_RUN. A flow
// whose home path is congested to level L moves, when its rank (the top four
// bits of its hash) is below L, to a path of its set that is up and less
// congested; with flowlets on, a flow that sent less than the gap ago stays on
// the path it took last unless that path is down or no longer in its set.
// Expected paths come from the reference (testing/flowhash_reference.hpp).
#include <gtest/gtest.h>

#include <time.h>

#include "flowhash_reference.hpp"
#include "tc_rows.hpp"

using namespace tcrows;
using srv6steer::SrhMode;

namespace {

const auto kVia = spines(4);  // paths 1..4 go via[0..3]
const Bytes kT6 = tcp6(kH1, kH2, 40000, 5201);
const srv6s_flow_key kK6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
constexpr uint32_t kIgnoreDown = 1u << 31;

void congest(TcHarness& h, uint32_t id, uint32_t level) {
    srv6s_path p = h.dp.paths().lookup(id).value();
    p.congestion = static_cast<uint8_t>(level);
    h.dp.paths().update(id, p);
}

void flowlet_gap(TcHarness& h, uint32_t us) {
    srv6s_config c = h.dp.config().lookup(0).value();
    c.flowlet_gap_us = us;
    h.dp.config().update(0, c);
}

// Paths 1..4, set 1 = {1, 2}, set 2 = {1, 2, 3, 4}, and a flow pin of kK6 to pin_set.
void two_paths(TcHarness& h, uint32_t pin_set = 1) {
    h.config(kSrc);
    for (uint32_t id = 1; id <= 4; id++)
        h.path(id, {kVia[id - 1]});
    h.set(1, {1, 2});
    h.set(2, {1, 2, 3, 4});
    h.pin_flow(kK6, pin_set);
}

Bytes on(uint32_t id) { return encapsulated(kT6, kSrc, kVia[id - 1], 0, expected_label(kK6, id)); }

const uint32_t kHash = testref::flow_hash(kK6);
const uint32_t kRank = kHash >> 28;
const uint32_t kHome = 1 + uint32_t(testref::path_draw(kHash, 0, 2));  // in set 1
const uint32_t kOther = 3 - kHome;

// Which path (1..) a steered frame went on: by its outer destination.
uint32_t path_of(const Bytes& out) {
    const Addr6 da = outer_da(out);
    for (uint32_t i = 0; i < kVia.size(); i++)
        if (da == kVia[i])
            return i + 1;
    return 0;
}

uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

// The data plane's own flowlet table (not pinned, not in the map table): a
// slot per low 16 bits of the flow hash (the reference's), tagged with it.
class Flowlets {
public:
    explicit Flowlets(const TcHarness& h)
        : fd_(bpf_map__fd(bpf_object__find_map_by_name(h.dp.object(), "srv6s_flowlets"))) {}
    static uint32_t slot(uint32_t hash) { return hash % 65536u; }
    srv6s_flowlet at(uint32_t slot) const {
        srv6s_flowlet f{};
        EXPECT_EQ(bpf_map_lookup_elem(fd_, &slot, &f), 0);
        return f;
    }
    // The flow's entry: the slot of its hash, if tagged with it.
    std::optional<srv6s_flowlet> get(const srv6s_flow_key& k) const {
        const uint32_t h = testref::flow_hash(k);
        const srv6s_flowlet f = at(slot(h));
        if (f.last_ns == 0 || f.hash != h)
            return std::nullopt;
        return f;
    }
    void put(const srv6s_flow_key& k, uint64_t last_ns, uint32_t path) const {
        const uint32_t h = testref::flow_hash(k), s = slot(h);
        const srv6s_flowlet f{last_ns, path, h};
        ASSERT_EQ(bpf_map_update_elem(fd_, &s, &f, BPF_ANY), 0);
    }
    void put_slot(uint32_t s, const srv6s_flowlet& f) const { ASSERT_EQ(bpf_map_update_elem(fd_, &s, &f, BPF_ANY), 0); }
    size_t size() const {
        size_t n = 0;
        for (uint32_t i = 0; i < 65536; i++)
            n += at(i).last_ns != 0;
        return n;
    }

private:
    int fd_;
};

}  // namespace

// The rows assume the flow moves at level 16 (every rank is below it) and
// stays at a level at or below its rank.
TEST(TcCongestion, ACongestedHomePathMovesTheFlowToALessCongestedOne) {
    run_rows({
        {"home path not congested: home", [](TcHarness& h) { two_paths(h); }, kT6, kContinue, on(kHome),
         SRV6S_R_STEERED},
        {"home congested 16/16: the other path",
         [](TcHarness& h) {
             two_paths(h);
             congest(h, kHome, 16);
         },
         kT6, kContinue, on(kOther), SRV6S_R_STEERED},
        {"home congested to the flow's rank: it stays (rank below the level moves)",
         [](TcHarness& h) {
             two_paths(h);
             congest(h, kHome, kRank);
         },
         kT6, kContinue, on(kHome), SRV6S_R_STEERED},
        {"home congested 16, the other as much: stays home",
         [](TcHarness& h) {
             two_paths(h);
             congest(h, kHome, 16);
             congest(h, kOther, 16);
         },
         kT6, kContinue, on(kHome), SRV6S_R_STEERED},
        {"home congested 16, the other 15: the other (less congested)",
         [](TcHarness& h) {
             two_paths(h);
             congest(h, kHome, 16);
             congest(h, kOther, 15);
         },
         kT6, kContinue, on(kOther), SRV6S_R_STEERED},
        {"home congested 16, the other down: stays home",
         [](TcHarness& h) {
             two_paths(h);
             congest(h, kHome, 16);
             h.path(kOther, {kVia[kOther - 1]}, SrhMode::Reduced, true);
         },
         kT6, kContinue, on(kHome), SRV6S_R_STEERED},
        {"home down, the other congested 16: the other (down beats congested)",
         [](TcHarness& h) {
             two_paths(h);
             h.path(kHome, {kVia[kHome - 1]}, SrhMode::Reduced, true);
             congest(h, kOther, 16);
         },
         kT6, kContinue, on(kOther), SRV6S_R_STEERED},
        {"a pin ignoring down keeps its congested home",
         [](TcHarness& h) {
             two_paths(h, 1 | kIgnoreDown);
             congest(h, kHome, 16);
         },
         kT6, kContinue, on(kHome), SRV6S_R_STEERED},
        {"a set of one congested path: that path",
         [](TcHarness& h) {
             two_paths(h);
             h.set(3, {kHome});
             h.pin_flow(kK6, 3);
             congest(h, kHome, 16);
         },
         kT6, kContinue, on(kHome), SRV6S_R_STEERED},
    });
}

// 512 flows over a set of four paths, path 1 congested to each level in
// turn (and path 3 to 2): every flow goes where the reference says, and the
// share moved off path 1 grows with the level.
TEST(TcCongestion, EachLevelMovesTheFlowsTheReferenceMoves) {
    TcHarness h;
    two_paths(h, 2);
    congest(h, 3, 2);
    size_t moved_before = 0;
    for (uint32_t level : {0u, 1u, 4u, 8u, 12u, 16u}) {
        SCOPED_TRACE("level " + std::to_string(level));
        congest(h, 1, level);
        size_t home1 = 0, moved = 0;
        for (uint16_t port = 1000; port < 1512; port++) {
            const srv6s_flow_key k = flow_key(kH1, kH2, kUdp, port, 9000);
            h.pin_flow(k, 2);
            const uint32_t hash = testref::flow_hash(k);
            const auto want = testref::chosen_index(hash, {true, true, true, true}, {level, 0, 2, 0});
            ASSERT_TRUE(want);
            RunResult r = h.run(udp6(kH1, kH2, port, 9000));
            ASSERT_EQ(path_of(r.out), uint32_t(*want) + 1) << "port " << port;
            if (testref::path_draw(hash, 0, 4) == 0) {
                home1++;
                moved += *want != 0;
            }
        }
        EXPECT_GE(moved, moved_before);
        if (level == 0) {
            EXPECT_EQ(moved, 0u);
        }
        if (level == 16) {
            EXPECT_EQ(moved, home1);
        }
        moved_before = moved;
    }
}

TEST(TcFlowlets, AFlowIsRememberedOnItsPathOnlyWithFlowletsAndSeveralPaths) {
    {
        TcHarness h;
        two_paths(h);
        h.run(kT6);
        EXPECT_EQ(Flowlets(h).size(), 0u) << "gap 0: flowlets off";
    }
    {
        TcHarness h;
        two_paths(h);
        h.set(3, {1});
        h.pin_flow(kK6, 3);
        flowlet_gap(h, 500);
        h.run(kT6);
        EXPECT_EQ(Flowlets(h).size(), 0u) << "a set of one path";
    }
    {
        TcHarness h;
        two_paths(h, 1 | kIgnoreDown);
        flowlet_gap(h, 500);
        h.run(kT6);
        EXPECT_EQ(Flowlets(h).size(), 0u) << "a pin ignoring down (a probe)";
    }
    TcHarness h;
    two_paths(h);
    flowlet_gap(h, 500);
    const uint64_t before = monotonic_ns();
    RunResult r = h.run(kT6);
    const uint64_t after = monotonic_ns();
    EXPECT_EQ(path_of(r.out), kHome);
    const auto f = Flowlets(h).get(kK6);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->path_id, kHome);
    EXPECT_GE(f->last_ns, before);
    EXPECT_LE(f->last_ns, after);
}

TEST(TcFlowlets, ABusyFlowStaysWhereItWasUntilItHasBeenIdle) {
    TcHarness h;
    two_paths(h);
    flowlet_gap(h, 1'000'000);  // 1 s: the runs below are far closer together
    Flowlets fl(h);
    ASSERT_EQ(path_of(h.run(kT6).out), kHome);
    congest(h, kHome, 16);
    RunResult r = h.run(kT6);
    EXPECT_TRUE(r.out == on(kHome)) << "held on its path within the gap";
    EXPECT_EQ(fl.get(kK6)->path_id, kHome);

    // Idle for longer than the gap: it moves, and is remembered there.
    fl.put(kK6, monotonic_ns() - 2'000'000'000ull, kHome);
    r = h.run(kT6);
    EXPECT_TRUE(r.out == on(kOther)) << "moved after the gap";
    EXPECT_EQ(fl.get(kK6)->path_id, kOther);

    // Back: the congestion clears, but the flow is busy on the other path.
    congest(h, kHome, 0);
    EXPECT_TRUE(h.run(kT6).out == on(kOther)) << "returns only after a gap too";
}

TEST(TcFlowlets, APathDownOrLeftOutOfTheSetMovesABusyFlowAtOnce) {
    TcHarness h;
    two_paths(h);
    flowlet_gap(h, 1'000'000);
    Flowlets fl(h);
    ASSERT_EQ(path_of(h.run(kT6).out), kHome);
    h.path(kHome, {kVia[kHome - 1]}, SrhMode::Reduced, true);
    EXPECT_TRUE(h.run(kT6).out == on(kOther)) << "its path went down: moved within the gap";
    EXPECT_EQ(fl.get(kK6)->path_id, kOther);

    // The flow was last on path 3, which is not in its set: the choice.
    h.path(kHome, {kVia[kHome - 1]});
    fl.put(kK6, monotonic_ns(), 3);
    EXPECT_TRUE(h.run(kT6).out == on(kHome)) << "a path outside the set is not held";

    // ... or on a path that no longer exists.
    fl.put(kK6, monotonic_ns(), 4);
    h.dp.paths().update(4, srv6s_path{});
    EXPECT_TRUE(h.run(kT6).out == on(kHome)) << "a path that is gone is not held";
}

TEST(TcFlowlets, AClockThatSeemsToGoBackIsWithinTheGap) {
    // Another CPU may have written a later time than this packet's: held.
    TcHarness h;
    two_paths(h);
    flowlet_gap(h, 500);
    Flowlets fl(h);
    fl.put(kK6, monotonic_ns() + 60'000'000'000ull, kOther);
    EXPECT_TRUE(h.run(kT6).out == on(kOther));
}

TEST(TcFlowlets, AnotherFlowsEntryInTheSlotIsTakenOverNotFollowed) {
    // A busy flow of another hash in kK6's slot, on the other path: kK6 is
    // a new flow there (its choice), and the slot is kK6's from then on.
    TcHarness h;
    two_paths(h);
    flowlet_gap(h, 1'000'000);
    Flowlets fl(h);
    const uint32_t mine = testref::flow_hash(kK6), s = Flowlets::slot(mine);
    fl.put_slot(s, {monotonic_ns(), kOther, mine ^ 0x80000000u});
    EXPECT_TRUE(h.run(kT6).out == on(kHome));
    const srv6s_flowlet f = fl.at(s);
    EXPECT_EQ(f.hash, mine);
    EXPECT_EQ(f.path_id, kHome);
}
