// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The congestion levels of probed paths (libsrv6steer/congestion_state.hpp)
// on an injected clock, from the far ends' cumulative counts as probe replies
// carry them. Every expected level is worked out here from the policy:
// windows of 100 ms with at least 8 packets, 1 % CE marks (+4 levels), at
// most 0.1 % clears (-1 level, no sooner than 1 s after the last congested
// window).
#include <gtest/gtest.h>

#include "congestion_state.hpp"
#include "tracker_targets.hpp"

using namespace srv6steer;
using namespace std::chrono_literals;

namespace {

CongestionPolicy policy() {
    CongestionPolicy p;
    p.window = 100ms;
    p.min_packets = 8;
    p.mark_ppm = 10'000;
    p.clear_ppm = 1'000;
    p.hold = 1000ms;
    p.step = 4;
    return p;
}

const ProbeClock::time_point T0{};

using testprobe::A;
using testprobe::B;
using testprobe::Other;

// The windows tick closed for `path`.
std::vector<CongestionTracker::Window> of(const std::vector<CongestionTracker::Window>& ws, uint32_t path) {
    std::vector<CongestionTracker::Window> out;
    for (const auto& w : ws)
        if (w.path == path)
            out.push_back(w);
    return out;
}

// Feeds A `packets` more packets, `ce` of them CE, at time t (cumulative counts kept here).
struct Feed {
    CongestionTracker& c;
    ProbeTarget t;
    uint64_t packets = 0, ce = 0;
    void operator()(uint64_t more, uint64_t more_ce, ProbeClock::time_point at) {
        packets += more;
        ce += more_ce;
        c.report(t, packets, ce, at);
    }
};

}  // namespace

TEST(CongestionTracker, AWindowWithMarksRaisesTheLevelByAStep) {
    CongestionTracker c(policy());
    Feed a{c, A, 1000, 10};
    a(0, 0, T0);  // the first report is a baseline: 1000 packets before this prober count nothing
    EXPECT_TRUE(c.tick(T0 + 50ms).empty()) << "the window is still open";
    a(100, 50, T0 + 60ms);
    auto w = of(c.tick(T0 + 100ms), 1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].packets, 100u);
    EXPECT_EQ(w[0].ce_packets, 50u);
    EXPECT_EQ(w[0].ce_ppm, 500'000u);
    EXPECT_EQ(w[0].level, 4u);
    EXPECT_TRUE(w[0].changed);
    a(100, 1, T0 + 150ms);  // exactly 1 %: congested
    w = of(c.tick(T0 + 200ms), 1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].ce_ppm, 10'000u);
    EXPECT_EQ(w[0].level, 8u);
    for (int i = 3; i <= 6; i++) {
        a(100, 100, T0 + i * 100ms - 50ms);
        w = of(c.tick(T0 + i * 100ms), 1);
        ASSERT_EQ(w.size(), 1u);
    }
    EXPECT_EQ(w[0].level, 16u) << "at most 16";
    EXPECT_EQ(c.level(1), 16u);
    EXPECT_EQ(c.level(2), 0u);
}

TEST(CongestionTracker, ClearWindowsLowerItOneLevelEachOnlyAfterTheHold) {
    CongestionTracker c(policy());
    Feed a{c, A};
    a(0, 0, T0);
    a(100, 100, T0 + 50ms);
    ASSERT_EQ(of(c.tick(T0 + 100ms), 1).at(0).level, 4u);  // last congested at 100 ms
    // Clear windows (0 CE) at 200 .. 1000 ms: within the hold, no change.
    for (int i = 2; i <= 10; i++) {
        a(100, 0, T0 + i * 100ms - 50ms);
        const auto w = of(c.tick(T0 + i * 100ms), 1);
        ASSERT_EQ(w.size(), 1u);
        EXPECT_EQ(w[0].level, 4u) << i * 100 << " ms";
        EXPECT_FALSE(w[0].changed);
    }
    // 1100 ms: the hold has passed: 3, then one level per window.
    for (int i = 11, want = 3; want >= 0; i++, want--) {
        a(100, 0, T0 + i * 100ms - 50ms);
        const auto w = of(c.tick(T0 + i * 100ms), 1);
        ASSERT_EQ(w.size(), 1u);
        EXPECT_EQ(w[0].level, uint32_t(want)) << i * 100 << " ms";
        EXPECT_TRUE(w[0].changed);
    }
    a(100, 0, T0 + 1550ms);
    EXPECT_FALSE(of(c.tick(T0 + 1600ms), 1).at(0).changed) << "0 stays 0";
}

TEST(CongestionTracker, BetweenClearAndMarkNothingChanges) {
    CongestionTracker c(policy());
    Feed a{c, A};
    a(0, 0, T0);
    a(1000, 20, T0 + 50ms);  // 2 %
    ASSERT_EQ(of(c.tick(T0 + 100ms), 1).at(0).level, 4u);
    for (int i = 2; i < 40; i++) {
        a(1000, 5, T0 + i * 100ms - 50ms);  // 0.5 %: neither
        ASSERT_EQ(of(c.tick(T0 + i * 100ms), 1).at(0).level, 4u);
    }
}

TEST(CongestionTracker, AWindowStaysOpenUntilItHasEnoughPackets) {
    CongestionTracker c(policy());
    Feed a{c, A};
    a(0, 0, T0);
    a(3, 3, T0 + 50ms);
    EXPECT_TRUE(c.tick(T0 + 500ms).empty()) << "3 packets of 8";
    EXPECT_EQ(c.next_deadline(), ProbeClock::time_point::max()) << "the next report decides";
    a(5, 0, T0 + 600ms);
    EXPECT_EQ(c.next_deadline(), T0 + 100ms);
    const auto w = of(c.tick(T0 + 600ms), 1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].packets, 8u);
    EXPECT_EQ(w[0].ce_ppm, 375'000u);
    EXPECT_EQ(w[0].level, 4u);
}

TEST(CongestionTracker, TargetsAddUpAndCountsThatGoBackStartAfresh) {
    CongestionTracker c(policy());
    Feed a{c, A, 5000, 0}, b{c, B, 7000, 0};
    a(0, 0, T0);
    b(0, 0, T0);
    a(100, 0, T0 + 10ms);
    b(100, 4, T0 + 20ms);
    EXPECT_EQ(c.rx_packets(1), 5100u + 7104u - 4u);
    EXPECT_EQ(c.rx_ce_packets(1), 4u);
    auto w = of(c.tick(T0 + 100ms), 1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].packets, 200u);
    EXPECT_EQ(w[0].ce_ppm, 20'000u);  // 4 of 200: 2 %
    EXPECT_EQ(w[0].level, 4u);
    // B's far end restarted (its counts went back): a new baseline, nothing
    // counted, so a peer whose counts jump back and forth adds nothing.
    c.report(B, 10, 10, T0 + 150ms);
    a(90, 0, T0 + 160ms);
    w = of(c.tick(T0 + 200ms), 1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].packets, 90u);
    EXPECT_EQ(w[0].ce_packets, 0u);
    c.report(B, 30, 20, T0 + 250ms);  // from the new baseline: 20 packets, 10 CE
    a(80, 0, T0 + 260ms);
    w = of(c.tick(T0 + 300ms), 1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].packets, 100u);
    EXPECT_EQ(w[0].ce_packets, 10u);
    // Huge counts neither wrap nor overflow the share.
    c.report(B, UINT64_MAX - 1, UINT64_MAX / 2, T0 + 350ms);
    a(10, 0, T0 + 360ms);
    w = of(c.tick(T0 + 400ms), 1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_GE(w[0].packets, UINT64_MAX - 100);
    EXPECT_GE(w[0].ce_ppm, 499'000u);
    EXPECT_LE(w[0].ce_ppm, 501'000u);
    // A report claiming more CE than packets counts at most all of them.
    c.report(Other, 0, 0, T0 + 400ms);
    c.report(Other, 10, 50, T0 + 450ms);
    w = of(c.tick(T0 + 500ms), 2);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].ce_ppm, 1'000'000u);
}

TEST(CongestionTracker, APathWithoutTargetsGoesBackToZeroOnce) {
    CongestionTracker c(policy());
    Feed a{c, A};
    a(0, 0, T0);
    a(100, 100, T0 + 50ms);
    ASSERT_EQ(of(c.tick(T0 + 100ms), 1).at(0).level, 4u);
    c.remove(A);
    EXPECT_EQ(c.next_deadline(), ProbeClock::time_point::min()) << "its level 0 is due";
    auto w = of(c.tick(T0 + 110ms), 1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].level, 0u);
    EXPECT_TRUE(w[0].changed);
    EXPECT_TRUE(c.tick(T0 + 300ms).empty()) << "said once";
    EXPECT_EQ(c.level(1), 0u);
}

TEST(CongestionTracker, TheFirstWindowAlwaysWritesItsLevel) {
    // A level some earlier prober left in the data plane is overwritten.
    CongestionTracker c(policy());
    Feed a{c, A};
    a(0, 0, T0);
    a(100, 0, T0 + 50ms);
    auto w = of(c.tick(T0 + 100ms), 1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].level, 0u);
    EXPECT_TRUE(w[0].changed);
    a(100, 0, T0 + 150ms);
    EXPECT_FALSE(of(c.tick(T0 + 200ms), 1).at(0).changed);
}
