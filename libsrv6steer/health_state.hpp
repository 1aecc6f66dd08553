// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The health state machine of the paths a Prober probes (docs/design.md
// §16.2), without sockets or clocks of its own: it is told of each reply and
// each loss, with the time, and says when a path's state changes.
//
// Only targets that have answered at least once count ("live"): a host that
// never answered has no responder (its receive side is not attached, or
// does not answer probes), which says nothing of the path, and must not
// turn steering off. A path is UNKNOWN while it has no live target, and
// goes UP at the first reply. It goes DOWN when every live target has lost
// its last `misses` probes in a row: a path is up while any remote host
// answers over it, because a path is the fabric's segments, shared by every
// destination, and one silent host (rebooting) says nothing of the path.
// It goes UP again when one target has answered its last `recoveries`
// probes in a row and at least `hold_down` has passed since it went down
// (hysteresis: a flapping link does not drag flows back and forth). A path
// whose last live target goes is UNKNOWN again.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "srv6steer/probe.hpp"

namespace srv6steer {

class HealthTracker {
public:
    using time_point = ProbeClock::time_point;

    explicit HealthTracker(HealthPolicy policy) : policy_(policy) {}

    // The new state of the path when it changed.
    std::optional<srv6s_health_state> add(const ProbeTarget& t, time_point now);
    std::optional<srv6s_health_state> remove(const ProbeTarget& t, time_point now);
    std::optional<srv6s_health_state> reply(const ProbeTarget& t, time_point now);
    std::optional<srv6s_health_state> lost(const ProbeTarget& t, time_point now);

    srv6s_health_state state(uint32_t path) const;
    // When the path last changed state (none: never).
    std::optional<time_point> since(uint32_t path) const;
    size_t targets(uint32_t path) const;

private:
    struct Run {
        uint32_t replies = 0;  // consecutive, up to now
        uint32_t losses = 0;
        bool answered = false;  // ever
    };
    struct PathState {
        srv6s_health_state state = SRV6S_HEALTH_UNKNOWN;
        std::optional<time_point> since;
        std::map<ProbeTarget, Run> runs;
    };
    std::optional<srv6s_health_state> evaluate(PathState& p, time_point now);

    HealthPolicy policy_;
    std::map<uint32_t, PathState> paths_;
};

}  // namespace srv6steer
