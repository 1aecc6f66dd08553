// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The path health state machine (libsrv6steer/health_state.hpp) on an
// injected clock: down after `misses` losses in a row on every target that
// ever answered, up after `recoveries` replies in a row on one target and no
// sooner than the hold-down, UNKNOWN without a target that ever answered. Each expected state is worked out in
// the test from the policy (3 misses, 3 recoveries, 500 ms hold-down).
#include <gtest/gtest.h>

#include "health_state.hpp"
#include "tracker_targets.hpp"

using namespace srv6steer;
using namespace std::chrono_literals;

namespace {

constexpr HealthPolicy kPolicy{3, 3, 500ms};
const ProbeClock::time_point T0{};

using testprobe::A;
using testprobe::B;
using testprobe::Other;

using State = std::optional<srv6s_health_state>;
constexpr State kNone = std::nullopt;

TEST(HealthTracker, UnknownUntilTheFirstReplyThenUp) {
    HealthTracker h(kPolicy);
    EXPECT_EQ(h.add(A, T0), kNone);
    EXPECT_EQ(h.state(1), SRV6S_HEALTH_UNKNOWN);
    EXPECT_EQ(h.reply(A, T0 + 1ms), State(SRV6S_HEALTH_UP));
    EXPECT_EQ(h.state(1), SRV6S_HEALTH_UP);
    EXPECT_EQ(h.since(1), T0 + 1ms);
    EXPECT_EQ(h.state(2), SRV6S_HEALTH_UNKNOWN) << "another path is not touched";
}

TEST(HealthTracker, DownAfterThreeLossesInARowNotBefore) {
    HealthTracker h(kPolicy);
    h.add(A, T0);
    h.reply(A, T0);
    EXPECT_EQ(h.lost(A, T0 + 10ms), kNone);
    EXPECT_EQ(h.lost(A, T0 + 20ms), kNone);
    EXPECT_EQ(h.reply(A, T0 + 30ms), kNone) << "a reply ends the run of losses";
    EXPECT_EQ(h.lost(A, T0 + 40ms), kNone);
    EXPECT_EQ(h.lost(A, T0 + 50ms), kNone);
    EXPECT_EQ(h.lost(A, T0 + 60ms), State(SRV6S_HEALTH_DOWN)) << "the third in a row";
    EXPECT_EQ(h.since(1), T0 + 60ms);
    EXPECT_EQ(h.lost(A, T0 + 70ms), kNone) << "already down";
}

TEST(HealthTracker, UpAfterThreeRepliesAndTheHoldDown) {
    HealthTracker h(kPolicy);
    h.add(A, T0);
    h.reply(A, T0);
    for (int i = 1; i <= 3; i++)
        h.lost(A, T0 + i * 10ms);
    ASSERT_EQ(h.state(1), SRV6S_HEALTH_DOWN);  // since T0 + 30 ms: up no sooner than T0 + 530 ms
    EXPECT_EQ(h.reply(A, T0 + 40ms), kNone);
    EXPECT_EQ(h.reply(A, T0 + 50ms), kNone);
    EXPECT_EQ(h.reply(A, T0 + 60ms), kNone) << "three replies, but within the hold-down";
    EXPECT_EQ(h.reply(A, T0 + 529ms), kNone) << "499 ms after going down";
    EXPECT_EQ(h.reply(A, T0 + 530ms), State(SRV6S_HEALTH_UP)) << "500 ms after going down";
}

TEST(HealthTracker, ALossRestartsTheRecoveryRun) {
    HealthTracker h({3, 3, 0ms});
    h.add(A, T0);
    h.reply(A, T0);
    for (int i = 1; i <= 3; i++)
        h.lost(A, T0 + i * 10ms);
    ASSERT_EQ(h.state(1), SRV6S_HEALTH_DOWN);
    EXPECT_EQ(h.reply(A, T0 + 40ms), kNone);
    EXPECT_EQ(h.reply(A, T0 + 50ms), kNone);
    EXPECT_EQ(h.lost(A, T0 + 60ms), kNone);
    EXPECT_EQ(h.reply(A, T0 + 70ms), kNone);
    EXPECT_EQ(h.reply(A, T0 + 80ms), kNone) << "two in a row since the loss";
    EXPECT_EQ(h.reply(A, T0 + 90ms), State(SRV6S_HEALTH_UP));
}

TEST(HealthTracker, UpWhileAnyTargetAnswersDownWhenNoneDoes) {
    HealthTracker h({3, 3, 0ms});
    h.add(A, T0);
    h.add(B, T0);
    h.reply(A, T0);
    ASSERT_EQ(h.state(1), SRV6S_HEALTH_UP);
    for (int i = 1; i <= 5; i++) {
        EXPECT_EQ(h.lost(A, T0 + i * 10ms), kNone) << "A is silent, B answers";
        EXPECT_EQ(h.reply(B, T0 + i * 10ms), kNone);
    }
    EXPECT_EQ(h.lost(B, T0 + 60ms), kNone);
    EXPECT_EQ(h.lost(B, T0 + 70ms), kNone);
    EXPECT_EQ(h.lost(B, T0 + 80ms), State(SRV6S_HEALTH_DOWN)) << "B's third loss: now every target is silent";
    EXPECT_EQ(h.reply(A, T0 + 90ms), kNone);
    EXPECT_EQ(h.reply(A, T0 + 100ms), kNone);
    EXPECT_EQ(h.reply(A, T0 + 110ms), State(SRV6S_HEALTH_UP)) << "one target answering three times is enough";
    EXPECT_EQ(h.state(2), SRV6S_HEALTH_UNKNOWN);
}

TEST(HealthTracker, TargetsComingAndGoing) {
    HealthTracker h({3, 3, 0ms});
    h.add(A, T0);
    h.add(B, T0);
    h.reply(A, T0);
    h.reply(B, T0);
    for (int i = 1; i <= 3; i++)
        h.lost(A, T0 + i * 10ms);
    ASSERT_EQ(h.state(1), SRV6S_HEALTH_UP);
    EXPECT_EQ(h.targets(1), 2u);
    EXPECT_EQ(h.remove(B, T0 + 40ms), State(SRV6S_HEALTH_DOWN)) << "the one that answered is gone; A lost 3";
    EXPECT_EQ(h.remove(B, T0 + 40ms), kNone) << "not there any more";
    EXPECT_EQ(h.remove(A, T0 + 50ms), State(SRV6S_HEALTH_UNKNOWN)) << "no target: not probed";
    EXPECT_EQ(h.targets(1), 0u);
    EXPECT_EQ(h.add(A, T0 + 60ms), kNone) << "a new target starts from nothing";
    EXPECT_EQ(h.lost(A, T0 + 70ms), kNone);
}

TEST(HealthTracker, TargetsThatNeverAnsweredDoNotCount) {
    HealthTracker h({3, 3, 0ms});
    h.add(A, T0);
    for (int i = 1; i <= 10; i++)
        EXPECT_EQ(h.lost(A, T0 + i * 10ms), kNone) << "no responder there: not a failure of the path";
    EXPECT_EQ(h.state(1), SRV6S_HEALTH_UNKNOWN);
    h.add(B, T0 + 100ms);
    EXPECT_EQ(h.reply(B, T0 + 110ms), State(SRV6S_HEALTH_UP));
    for (int i = 1; i <= 2; i++)
        EXPECT_EQ(h.lost(B, T0 + 110ms + i * 10ms), kNone);
    EXPECT_EQ(h.lost(B, T0 + 140ms), State(SRV6S_HEALTH_DOWN)) << "B, the only live target, lost 3; A is ignored";
    EXPECT_EQ(h.remove(B, T0 + 150ms), State(SRV6S_HEALTH_UNKNOWN)) << "A alone: nothing known";
}

TEST(HealthTracker, EventsOfUnknownTargetsChangeNothing) {
    HealthTracker h(kPolicy);
    h.add(A, T0);
    for (int i = 1; i <= 5; i++)
        EXPECT_EQ(h.lost(Other, T0 + i * 1ms), kNone);
    EXPECT_EQ(h.reply(B, T0 + 10ms), kNone);
    EXPECT_EQ(h.state(1), SRV6S_HEALTH_UNKNOWN);
    EXPECT_EQ(h.state(2), SRV6S_HEALTH_UNKNOWN);
}

TEST(HealthTracker, OneMissOneRecoveryNoHoldDown) {
    HealthTracker h({1, 1, 0ms});
    h.add(A, T0);
    EXPECT_EQ(h.reply(A, T0), State(SRV6S_HEALTH_UP));
    EXPECT_EQ(h.lost(A, T0 + 1ms), State(SRV6S_HEALTH_DOWN));
    EXPECT_EQ(h.reply(A, T0 + 1ms), State(SRV6S_HEALTH_UP)) << "a zero hold-down: at once";
    EXPECT_EQ(h.lost(A, T0 + 2ms), State(SRV6S_HEALTH_DOWN));
}

}  // namespace
