// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Path health in the state: the prober's writes of srv6s_path_health and of
// the paths' DOWN bits (docs/design.md §16.3). Who marked a path down is
// told by the health map: the prober writes state DOWN in the same
// transaction in which it sets the bit, and only then; a DOWN bit with any
// other health state was set by hand (`srv6steer path down`,
// Steering::set_path_down), and the prober neither clears it nor claims it.
// The path's congestion byte (§17) is the prober's alone, written with the
// health's `congestion` by set_path_congestion; the health writes here keep
// the stored level. Every write is under the state lock (a remove_path
// zeroes the path's health: a write without it could bring it back).
#include <algorithm>

#include "impl.hpp"
#include "remote/client.hpp"

namespace srv6steer {

srv6s_health_state Steering::record_health(uint32_t id, const srv6s_path_health& h, bool change) {
    if (impl_->remote)
        throw Error("path health is written by the agent's own prober, not through the agent", EPERM);
    impl_->check_path_id(id);
    auto health = impl_->fds[maps::path_health];
    auto guard = impl_->lock();
    if (!change) {
        if (!impl_->path(id))
            return SRV6S_HEALTH_UNKNOWN;
        // New counters, the stored state: only a change (below) changes who
        // owns the DOWN bit, also for a prober that starts afresh (UNKNOWN)
        // after one that marked the path down.
        srv6s_path_health w = h;
        const srv6s_path_health stored = health.lookup(id).value_or(srv6s_path_health{});
        w.state = stored.state;
        w.congestion = stored.congestion;
        health.update(id, w);
        return static_cast<srv6s_health_state>(w.state);
    }
    auto p = impl_->path(id);
    if (!p)
        return SRV6S_HEALTH_UNKNOWN;
    const srv6s_path_health stored = health.lookup(id).value_or(srv6s_path_health{});
    const bool marked = p->flags & SRV6S_PATH_DOWN;
    const bool by_hand = marked && stored.state != SRV6S_HEALTH_DOWN;
    srv6s_path_health w = h;
    w.congestion = stored.congestion;
    srv6s_path np = *p;
    if (by_hand) {
        if (w.state == SRV6S_HEALTH_DOWN)
            w.state = stored.state;  // not ours to claim
    } else {
        const bool down = w.state == SRV6S_HEALTH_DOWN;
        if (down != marked)
            np.flags = static_cast<uint8_t>(down ? (np.flags | SRV6S_PATH_DOWN) : (np.flags & ~SRV6S_PATH_DOWN));
    }
    // Health first: a reader that sees the bit sees who set it.
    health.update(id, w);
    if (np.flags != p->flags)
        impl_->fds[maps::paths].update(id, np);  // the flags byte only
    return static_cast<srv6s_health_state>(w.state);
}

bool Steering::set_path_congestion(uint32_t id, uint32_t level) {
    if (impl_->remote)
        throw Error("congestion levels are written by the agent's own prober, not through the agent", EPERM);
    impl_->check_path_id(id);
    const auto l = static_cast<uint8_t>(std::min<uint32_t>(level, SRV6S_CONGESTION_LEVELS));
    auto guard = impl_->lock();
    auto p = impl_->path(id);
    if (!p)
        return false;
    auto health = impl_->fds[maps::path_health];
    srv6s_path_health h = health.lookup(id).value_or(srv6s_path_health{});
    if (h.congestion != l) {
        h.congestion = l;
        health.update(id, h);
    }
    if (p->congestion != l) {
        p->congestion = l;  // one byte changes: readers see the old level or the new
        impl_->fds[maps::paths].update(id, *p);
    }
    return true;
}

size_t Steering::clear_congestion() {
    if (impl_->remote)
        throw Error("congestion levels are written by the agent's own prober, not through the agent", EPERM);
    auto guard = impl_->lock();
    size_t n = 0;
    for (const auto& [id, p] : impl_->fds[maps::paths].entries())
        if ((p.flags & SRV6S_PATH_PRESENT) && p.congestion) {
            set_path_congestion(id, 0);  // the lock is re-entrant
            n++;
        }
    return n;
}

}  // namespace srv6steer
