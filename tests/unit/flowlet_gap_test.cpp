// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The adaptive flowlet gap (libsrv6steer/flowlet_gap.hpp) on an injected
// clock. Expected medians come from sorting the samples here; expected skews
// and gaps are worked out by hand from the policy (factor 200 %, 500 µs ..
// 20 ms, hold 5 s); a property checks the one promise that keeps flows in
// order — the gap is never below what the current skew calls for — and that
// the gap only ever goes down after a hold.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <vector>

#include "flowlet_gap.hpp"
#include "tracker_targets.hpp"

using namespace srv6steer;
using namespace std::chrono_literals;
using std::chrono::microseconds;
using std::chrono::nanoseconds;
using testprobe::target;

namespace {

const ProbeClock::time_point T0{};

FlowletPolicy policy() {
    FlowletPolicy p;
    p.min = 500us;
    p.max = 20ms;
    p.factor_pct = 200;
    p.hold = 5s;
    return p;
}

const char* const kHost = "fcbb:0:800:2::20";
const char* const kOtherHost = "fcbb:0:800:3::30";

void feed(FlowletGapTracker& g, const ProbeTarget& t, nanoseconds rtt, int n = FlowletGapTracker::kSamples) {
    for (int i = 0; i < n; i++)
        g.rtt(t, rtt);
}

const auto kAllUp = [](uint32_t) { return true; };

}  // namespace

TEST(FlowletGap, ATargetsRttIsTheUpperMedianOfItsLastSixteenOnceItHasEight) {
    FlowletGapTracker g(policy());
    const ProbeTarget t = target(1, kHost);
    g.rtt(t, 50ms);  // the first probe waited for neighbour discovery
    for (auto rtt : {1ms, 3ms, 2ms, 9ms, 4ms, 1ms})
        g.rtt(t, rtt);
    EXPECT_FALSE(g.median(t)) << "seven samples are too few";
    g.rtt(t, 2ms);
    EXPECT_EQ(g.median(t), 3ms) << "1 1 2 2 3 4 9 50: the upper median";
    EXPECT_FALSE(g.median(target(2, kHost))) << "another target has none";
    g.remove(t);
    EXPECT_FALSE(g.median(t));
}

RC_GTEST_PROP(FlowletGap, TheMedianIsThatOfTheLastSixteenSamples, ()) {
    const auto samples = *rc::gen::container<std::vector<uint32_t>>(rc::gen::inRange<uint32_t>(1, 10'000'000));
    FlowletGapTracker g(policy());
    const ProbeTarget t = target(1, kHost);
    for (uint32_t s : samples)
        g.rtt(t, nanoseconds(s));
    if (samples.size() < FlowletGapTracker::kMinSamples) {
        RC_ASSERT(!g.median(t));
        return;
    }
    std::vector<uint32_t> last(samples.end() - std::min<size_t>(samples.size(), 16), samples.end());
    std::sort(last.begin(), last.end());
    RC_ASSERT(g.median(t) == nanoseconds(last[last.size() / 2]));
}

TEST(FlowletGap, TheSkewIsTheLargestSpreadOfASetsPathsTowardsOneHost) {
    FlowletGapTracker g(policy());
    feed(g, target(1, kHost), 100us);
    feed(g, target(2, kHost), 3100us);
    feed(g, target(3, kHost), 1000us);
    feed(g, target(4, kHost), 1500us);
    // Paths 5 and 6 lead to different hosts: nothing to reorder between them.
    feed(g, target(5, kHost), 10us);
    feed(g, target(6, kOtherHost), 9ms);
    const std::vector<PathSet> sets{{7, {3, 4}}, {8, {1, 2}}, {9, {5, 6}}};
    const FlowletGapState s = g.skew(sets, kAllUp);
    EXPECT_EQ(s.skew, 3ms);
    EXPECT_EQ(s.set, 8u);
    EXPECT_EQ(s.remote, Ipv6::parse(kHost));
    EXPECT_EQ(s.fast, 1u);
    EXPECT_EQ(s.slow, 2u);
    EXPECT_FALSE(s.gap) << "skew() decides nothing";
    EXPECT_EQ(g.skew(std::vector<PathSet>{{9, {5, 6}}}, kAllUp).skew, 0ns);
}

TEST(FlowletGap, PathsDownOrNotYetMeasuredDoNotCount) {
    FlowletGapTracker g(policy());
    feed(g, target(1, kHost), 100us);
    feed(g, target(2, kHost), 3100us);
    feed(g, target(3, kHost), 600us);
    g.rtt(target(4, kHost), 50ms);  // one sample: not yet an RTT
    const std::vector<PathSet> sets{{1, {1, 2, 3, 4}}};
    EXPECT_EQ(g.skew(sets, kAllUp).skew, 3ms);
    const FlowletGapState s = g.skew(sets, [](uint32_t p) { return p != 2; });
    EXPECT_EQ(s.skew, 500us) << "path 2 down: its flows moved already";
    EXPECT_EQ(s.slow, 3u);
    EXPECT_EQ(g.skew(sets, [](uint32_t p) { return p == 1; }).skew, 0ns) << "one path left: no skew";
    // Two targets of one path towards one host (other return paths) never skew it.
    ProbeTarget returned = target(1, kHost);
    returned.ret = Ipv6::parse("fcbb:0:1006:e001::");
    feed(g, returned, 4ms);
    EXPECT_EQ(g.skew(std::vector<PathSet>{{1, {1}}}, kAllUp).skew, 0ns);
}

TEST(FlowletGap, APathWithTargetsOfDifferentRttCountsWithItsMostAndItsLeast) {
    // Path 1 towards the host: 10 ms plain, 1 ms with a return container;
    // path 2: 5 ms. Flows between them may see 10 - 5 or 5 - 1: the more.
    FlowletGapTracker g(policy());
    ProbeTarget returned = target(1, kHost);
    returned.ret = Ipv6::parse("fcbb:0:1006:e001::");
    feed(g, target(1, kHost), 10ms);
    feed(g, returned, 1ms);
    feed(g, target(2, kHost), 5ms);
    const FlowletGapState s = g.skew(std::vector<PathSet>{{1, {1, 2}}}, kAllUp);
    EXPECT_EQ(s.skew, 5ms);
    EXPECT_EQ(s.slow, 1u);
    EXPECT_EQ(s.fast, 2u);
    feed(g, target(2, kHost), 7ms);
    EXPECT_EQ(g.skew(std::vector<PathSet>{{1, {1, 2}}}, kAllUp).skew, 6ms) << "7 - 1 now";
}

TEST(FlowletGap, ItStartsFromTheGapInForceWithinItsBounds) {
    FlowletGapTracker g(policy());
    EXPECT_EQ(g.start(1234us), std::nullopt) << "within bounds: nothing to write";
    EXPECT_EQ(g.gap(), 1234us);
    EXPECT_EQ(g.decide(0ns, T0), std::nullopt) << "lower only through the hold, as any gap";
    EXPECT_EQ(g.decide(0ns, T0 + 4s), std::nullopt);
    EXPECT_EQ(g.decide(0ns, T0 + 5s), 500us);
    EXPECT_EQ(g.start(100us), 500us) << "below the floor: the floor, written";
    EXPECT_EQ(g.start(30ms), 20ms) << "above the most: the most";
    EXPECT_EQ(g.decide(12ms, T0 + 6s), std::nullopt) << "24 ms wanted, 20 ms the most: where it stands";
}

TEST(FlowletGap, TheGapIsTwiceTheSkewRoundedUpWithinItsBounds) {
    FlowletGapTracker g(policy());
    EXPECT_EQ(g.want(0ns), 500us) << "the floor";
    EXPECT_EQ(g.want(3ms), 6ms);
    EXPECT_EQ(g.want(3'000'001ns), 6001us) << "rounded up";
    EXPECT_EQ(g.want(30ms), 20ms) << "the most";
    FlowletPolicy p = policy();
    p.min = 0us;
    p.factor_pct = 150;
    FlowletGapTracker h(p);
    EXPECT_EQ(h.want(0ns), 0us) << "a floor of 0: flowlets off while nothing skews";
    EXPECT_EQ(h.want(1ns), 1us);
    EXPECT_EQ(h.want(2ms), 3ms);
}

TEST(FlowletGap, ItRisesAtOnceAndFallsOnlyAfterTheHoldToTheLargestOfTheLowerValues) {
    FlowletGapTracker g(policy());
    EXPECT_EQ(g.decide(0ns, T0), 500us) << "the first decision is written";
    EXPECT_EQ(g.decide(0ns, T0 + 1s), std::nullopt);
    EXPECT_EQ(g.decide(3ms, T0 + 2s), 6ms) << "up at once";
    EXPECT_EQ(g.decide(1ms, T0 + 3s), std::nullopt) << "lower: the hold begins";
    EXPECT_EQ(g.decide(2ms, T0 + 5s), std::nullopt);
    EXPECT_EQ(g.decide(3ms, T0 + 6s), std::nullopt) << "back where it is: the hold ends";
    EXPECT_EQ(g.decide(1ms, T0 + 7s), std::nullopt) << "a new hold";
    EXPECT_EQ(g.decide(2ms, T0 + 8s), std::nullopt);
    EXPECT_EQ(g.decide(100us, T0 + 11s), std::nullopt) << "4 s of the 5";
    EXPECT_EQ(g.decide(100us, T0 + 12s), 4ms) << "after the hold: the largest lower value of it (2 ms skew)";
    EXPECT_EQ(g.gap(), 4ms);
    EXPECT_EQ(g.decide(100us, T0 + 16s), std::nullopt);
    EXPECT_EQ(g.decide(100us, T0 + 17s), 500us);
    EXPECT_EQ(g.decide(4ms, T0 + 17s), 8ms);
}

TEST(FlowletGap, WithoutAHoldItFollowsTheSkewBothWays) {
    FlowletPolicy p = policy();
    p.hold = 0ms;
    FlowletGapTracker g(p);
    EXPECT_EQ(g.decide(3ms, T0), 6ms);
    EXPECT_EQ(g.decide(1ms, T0), 2ms);
    EXPECT_EQ(g.decide(1ms, T0), std::nullopt);
}

// Whatever the skews and their timing: the gap is within its bounds, never
// below what the skew just decided calls for, and it only falls once every
// value wanted over the last hold was below it.
RC_GTEST_PROP(FlowletGap, TheGapNeverFallsBelowWhatTheSkewCallsFor, ()) {
    FlowletPolicy p = policy();
    p.hold = std::chrono::milliseconds(*rc::gen::inRange(0, 3000));
    FlowletGapTracker g(p);
    const auto steps = *rc::gen::container<std::vector<std::pair<uint32_t, uint32_t>>>(
        rc::gen::pair(rc::gen::inRange<uint32_t>(0, 15'000'000), rc::gen::inRange<uint32_t>(0, 2000)));
    auto now = T0;
    std::vector<std::pair<ProbeClock::time_point, microseconds>> wanted;
    std::optional<microseconds> gap;
    for (const auto& [skew_ns, dt_ms] : steps) {
        now += std::chrono::milliseconds(dt_ms);
        const microseconds w = g.want(nanoseconds(skew_ns));
        wanted.push_back({now, w});
        if (auto d = g.decide(nanoseconds(skew_ns), now)) {
            RC_ASSERT(d != gap);
            if (gap && *d < *gap) {
                // Every value wanted since the hold began was below the old gap.
                for (auto it = wanted.rbegin(); it != wanted.rend() && now - it->first < p.hold; ++it)
                    RC_ASSERT(it->second < *gap);
            }
            gap = d;
        }
        RC_ASSERT(g.gap() == gap);
        RC_ASSERT(*gap >= w);
        RC_ASSERT(*gap >= p.min && *gap <= p.max);
    }
}
