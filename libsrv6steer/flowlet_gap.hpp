// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The adaptive flowlet gap (docs/design.md §17.5), without sockets or clocks
// of its own: it is told each probe target's RTTs and keeps the last
// kSamples of them; their median (the upper one) is the target's RTT once
// it has kMinSamples (a median, not a mean: the first probe of a path waits
// for neighbour discovery, and the prober's own wake-ups add spikes; with 4
// samples a first gap twice the settled one was seen). A
// set's skew towards a host is the largest RTT of one of the set's paths
// that are up minus the least RTT of another (a path with several targets
// at the host, e.g. other return containers, counts with its most and its
// least: the skew errs long, never short); the gap wanted is
// FlowletPolicy::factor_pct of the largest skew of any set, rounded up to a
// microsecond and kept within [min, max]. decide() raises the gap at once and
// lowers it only once the lower values held for `hold` (to the largest of
// them): a skew that comes and goes keeps the gap up. start() takes the gap
// in force (a previous prober's) as where it stands, so a prober made again
// lowers it only through the hold too.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <span>

#include "srv6steer/probe.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer {

class FlowletGapTracker {
public:
    using time_point = ProbeClock::time_point;
    static constexpr size_t kSamples = 16;
    static constexpr size_t kMinSamples = 8;

    explicit FlowletGapTracker(FlowletPolicy policy) : policy_(policy) {}

    void rtt(const ProbeTarget& t, std::chrono::nanoseconds rtt);
    void remove(const ProbeTarget& t);
    // The target's RTT: the upper median of its last samples (none: fewer
    // than kMinSamples).
    std::optional<std::chrono::nanoseconds> median(const ProbeTarget& t) const;

    // The largest skew among the sets' paths that up(path) counts (gap unset).
    FlowletGapState skew(std::span<const PathSet> sets, const std::function<bool(uint32_t)>& up) const;
    // The gap a skew calls for.
    std::chrono::microseconds want(std::chrono::nanoseconds skew) const;
    // The gap to write at `now` for that skew, when it changes.
    std::optional<std::chrono::microseconds> decide(std::chrono::nanoseconds skew, time_point now);
    // The gap in force when the tracker starts: it stands there, kept within
    // [min, max] (returned: the gap to write, when that changed it).
    std::optional<std::chrono::microseconds> start(std::chrono::microseconds in_force);
    std::optional<std::chrono::microseconds> gap() const { return gap_; }

private:
    struct Samples {
        std::array<std::chrono::nanoseconds, kSamples> ring{};
        size_t n = 0;  // samples taken (the ring holds the last min(n, kSamples))
    };
    struct Lower {
        time_point since;
        std::chrono::microseconds largest;
    };

    FlowletPolicy policy_;
    std::map<ProbeTarget, Samples> rtts_;
    std::optional<std::chrono::microseconds> gap_;
    std::optional<Lower> lower_;  // lower values wanted since
};

}  // namespace srv6steer
