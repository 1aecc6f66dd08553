// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// How congested each probed path is (docs/design.md §17), without sockets or
// clocks of its own: it is told what the far ends counted on a path (the
// packets and CE-marked packets of every probe reply with responder counts,
// cumulative per target) and closes a window per path every
// CongestionPolicy::window. A window with at least `mark_ppm` of its packets
// CE-marked raises the path's level by `step` (up to
// SRV6S_CONGESTION_LEVELS); one with at most `clear_ppm` lowers it by one,
// but only once `hold` has passed since the last congested window
// (hysteresis: flows leave a congested path at once and come back a
// sixteenth at a time, so a path settles just below where it marks). A
// window stays open until it has `min_packets` (the probes, ECN-capable
// themselves, are counted too: a path nothing else uses still closes
// windows). The first window of a path always reports its level as
// changed, so that a level a previous prober left in the data plane is
// overwritten; a path no target reports on any more reports level 0 once.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "srv6steer/probe.hpp"

namespace srv6steer {

class CongestionTracker {
public:
    using time_point = ProbeClock::time_point;

    explicit CongestionTracker(CongestionPolicy policy) : policy_(policy) {}

    // The far end's counts for t.path as one reply reported them.
    void report(const ProbeTarget& t, uint64_t rx_packets, uint64_t rx_ce_packets, time_point now);
    void remove(const ProbeTarget& t);

    struct Window {
        uint32_t path = 0;
        uint64_t packets = 0, ce_packets = 0;  // counted in the window
        uint32_t ce_ppm = 0;                   // their CE share
        uint32_t level = 0;                    // after the window
        bool changed = false;                  // the level is to be written
    };
    // Closes the windows that have ended by now.
    std::vector<Window> tick(time_point now);
    // When the next window may end (max: none open).
    time_point next_deadline() const;

    uint32_t level(uint32_t path) const;
    // The far ends' packets on the path, summed over its targets' last reports.
    uint64_t rx_packets(uint32_t path) const;
    uint64_t rx_ce_packets(uint32_t path) const;

private:
    struct Last {
        uint64_t packets = 0, ce = 0;
    };
    struct PathState {
        std::map<ProbeTarget, Last> last;  // each target's last report
        std::optional<time_point> window_start;
        uint64_t packets = 0, ce = 0;      // of the open window
        uint32_t level = 0;
        bool written = false;              // a window closed at least once
        std::optional<time_point> last_congested;
    };
    Window close(uint32_t path, PathState& p, time_point now);
    // A count of the path's targets' last reports, summed.
    uint64_t sum(uint32_t path, uint64_t Last::*count) const;

    CongestionPolicy policy_;
    std::map<uint32_t, PathState> paths_;
};

}  // namespace srv6steer
