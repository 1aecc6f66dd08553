// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "health_state.hpp"

#include <algorithm>

namespace srv6steer {

std::optional<srv6s_health_state> HealthTracker::add(const ProbeTarget& t, time_point now) {
    PathState& p = paths_[t.path];
    p.runs.try_emplace(t);
    return evaluate(p, now);
}

std::optional<srv6s_health_state> HealthTracker::remove(const ProbeTarget& t, time_point now) {
    auto it = paths_.find(t.path);
    if (it == paths_.end() || !it->second.runs.erase(t))
        return std::nullopt;
    return evaluate(it->second, now);
}

std::optional<srv6s_health_state> HealthTracker::reply(const ProbeTarget& t, time_point now) {
    auto it = paths_.find(t.path);
    if (it == paths_.end())
        return std::nullopt;
    auto run = it->second.runs.find(t);
    if (run == it->second.runs.end())
        return std::nullopt;
    run->second.replies++;
    run->second.losses = 0;
    run->second.answered = true;
    return evaluate(it->second, now);
}

std::optional<srv6s_health_state> HealthTracker::lost(const ProbeTarget& t, time_point now) {
    auto it = paths_.find(t.path);
    if (it == paths_.end())
        return std::nullopt;
    auto run = it->second.runs.find(t);
    if (run == it->second.runs.end())
        return std::nullopt;
    run->second.losses++;
    run->second.replies = 0;
    return evaluate(it->second, now);
}

std::optional<srv6s_health_state> HealthTracker::evaluate(PathState& p, time_point now) {
    srv6s_health_state next = p.state;
    // Only targets that ever answered count: one that never did has no
    // responder (yet), which says nothing of the path.
    std::vector<const Run*> live;
    for (const auto& [t, r] : p.runs)
        if (r.answered)
            live.push_back(&r);
    if (live.empty()) {
        next = SRV6S_HEALTH_UNKNOWN;
    } else {
        const bool all_lost =
            std::all_of(live.begin(), live.end(), [&](const Run* r) { return r->losses >= policy_.misses; });
        const bool recovered = std::any_of(live.begin(), live.end(),
                                           [&](const Run* r) { return r->replies >= policy_.recoveries; });
        switch (p.state) {
        case SRV6S_HEALTH_UNKNOWN:  // a target just answered for the first time
        case SRV6S_HEALTH_UP:
            next = all_lost ? SRV6S_HEALTH_DOWN : SRV6S_HEALTH_UP;
            break;
        case SRV6S_HEALTH_DOWN:
            if (recovered && (!p.since || now - *p.since >= policy_.hold_down))
                next = SRV6S_HEALTH_UP;
            break;
        }
    }
    if (next == p.state)
        return std::nullopt;
    p.state = next;
    p.since = now;
    return next;
}

srv6s_health_state HealthTracker::state(uint32_t path) const {
    auto it = paths_.find(path);
    return it == paths_.end() ? SRV6S_HEALTH_UNKNOWN : it->second.state;
}

std::optional<HealthTracker::time_point> HealthTracker::since(uint32_t path) const {
    auto it = paths_.find(path);
    return it == paths_.end() ? std::nullopt : it->second.since;
}

size_t HealthTracker::targets(uint32_t path) const {
    auto it = paths_.find(path);
    return it == paths_.end() ? 0 : it->second.runs.size();
}

}  // namespace srv6steer
