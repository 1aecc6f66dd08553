// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "congestion_state.hpp"

#include <algorithm>
#include <cstdint>

namespace srv6steer {

void CongestionTracker::report(const ProbeTarget& t, uint64_t rx_packets, uint64_t rx_ce_packets, time_point now) {
    PathState& p = paths_[t.path];
    auto [it, first] = p.last.try_emplace(t, Last{rx_packets, rx_ce_packets});
    if (!p.window_start)
        p.window_start = now;
    if (first)
        return;  // a baseline: its counts began before this prober
    Last& l = it->second;
    // Counts that went back mean the far end started afresh (its receive
    // side reattached, or its per-path entry was evicted): a new baseline,
    // nothing counted (a peer that makes its counts jump back and forth
    // adds nothing).
    if (rx_packets < l.packets || rx_ce_packets < l.ce) {
        l = {rx_packets, rx_ce_packets};
        return;
    }
    const uint64_t dp = rx_packets - l.packets;
    const uint64_t dce = std::min(rx_ce_packets - l.ce, dp);  // never more than all of them CE
    // Saturating: no sum wraps, however large the reports.
    p.packets = dp > UINT64_MAX - p.packets ? UINT64_MAX : p.packets + dp;
    p.ce = std::min(dce > UINT64_MAX - p.ce ? UINT64_MAX : p.ce + dce, p.packets);
    l = {rx_packets, rx_ce_packets};
}

void CongestionTracker::remove(const ProbeTarget& t) {
    auto it = paths_.find(t.path);
    if (it == paths_.end())
        return;
    it->second.last.erase(t);
}

CongestionTracker::Window CongestionTracker::close(uint32_t path, PathState& p, time_point now) {
    Window w;
    w.path = path;
    w.packets = p.packets;
    w.ce_packets = p.ce;
    const uint32_t before = p.level;
    if (p.packets > 0) {
        w.ce_ppm = static_cast<uint32_t>(static_cast<unsigned __int128>(p.ce) * 1'000'000 / p.packets);
        if (w.ce_ppm >= policy_.mark_ppm) {
            p.level = std::min<uint32_t>(p.level + policy_.step, SRV6S_CONGESTION_LEVELS);
            p.last_congested = now;
        } else if (w.ce_ppm <= policy_.clear_ppm && p.level > 0 &&
                   (!p.last_congested || now - *p.last_congested >= policy_.hold)) {
            p.level--;
        }
    }
    w.level = p.level;
    w.changed = p.level != before || !p.written;
    p.written = true;
    p.packets = p.ce = 0;
    p.window_start = now;
    return w;
}

std::vector<CongestionTracker::Window> CongestionTracker::tick(time_point now) {
    std::vector<Window> out;
    for (auto it = paths_.begin(); it != paths_.end();) {
        PathState& p = it->second;
        if (p.last.empty()) {
            // No target reports on the path any more: nothing is known of
            // it, and it carries nothing to move. Its last word is level 0.
            if (p.level != 0 || !p.written)
                out.push_back({it->first, 0, 0, 0, 0, true});
            it = paths_.erase(it);
            continue;
        }
        if (p.window_start && now - *p.window_start >= policy_.window && p.packets >= policy_.min_packets)
            out.push_back(close(it->first, p, now));
        ++it;
    }
    return out;
}

CongestionTracker::time_point CongestionTracker::next_deadline() const {
    auto d = time_point::max();
    // A window short of packets waits for the next report, which comes
    // with a reply (the prober is serviced then anyway).
    for (const auto& [path, p] : paths_) {
        if (p.last.empty())
            return time_point::min();  // its level 0 to report
        if (p.window_start && p.packets >= policy_.min_packets)
            d = std::min(d, *p.window_start + policy_.window);
    }
    return d;
}

uint32_t CongestionTracker::level(uint32_t path) const {
    auto it = paths_.find(path);
    return it == paths_.end() ? 0 : it->second.level;
}

uint64_t CongestionTracker::sum(uint32_t path, uint64_t Last::*count) const {
    uint64_t n = 0;
    if (auto it = paths_.find(path); it != paths_.end())
        for (const auto& [t, l] : it->second.last)
            n += l.*count;
    return n;
}

uint64_t CongestionTracker::rx_packets(uint32_t path) const { return sum(path, &Last::packets); }

uint64_t CongestionTracker::rx_ce_packets(uint32_t path) const { return sum(path, &Last::ce); }

}  // namespace srv6steer
