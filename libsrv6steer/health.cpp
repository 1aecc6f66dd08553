// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Path health in the state: the prober's writes of srv6s_path_health and of
// the paths' DOWN bits (docs/design.md §16.3). Who marked a path down is
// told by the health map: the prober writes state DOWN in the same
// transaction in which it sets the bit, and only then; a DOWN bit with any
// other health state was set by hand (`srv6steer path down`,
// Steering::set_path_down), and the prober neither clears it nor claims it.
// The path's congestion byte (§17) is the prober's alone: it follows the
// health's `congestion` at every change.
#include <algorithm>

#include "impl.hpp"
#include "remote/client.hpp"

namespace srv6steer {

srv6s_health_state Steering::record_health(uint32_t id, const srv6s_path_health& h, bool change) {
    if (impl_->remote)
        throw Error("path health is written by the agent's own prober, not through the agent", EPERM);
    impl_->check_path_id(id);
    auto health = impl_->fds[maps::path_health];
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
    auto guard = impl_->lock();
    auto p = impl_->path(id);
    if (!p)
        return SRV6S_HEALTH_UNKNOWN;
    const srv6s_path_health stored = health.lookup(id).value_or(srv6s_path_health{});
    const bool marked = p->flags & SRV6S_PATH_DOWN;
    const bool by_hand = marked && stored.state != SRV6S_HEALTH_DOWN;
    srv6s_path_health w = h;
    w.congestion = std::min<uint32_t>(w.congestion, SRV6S_CONGESTION_LEVELS);
    srv6s_path np = *p;
    if (by_hand) {
        if (w.state == SRV6S_HEALTH_DOWN)
            w.state = stored.state;  // not ours to claim
    } else {
        const bool down = w.state == SRV6S_HEALTH_DOWN;
        if (down != marked)
            np.flags = static_cast<uint8_t>(down ? (np.flags | SRV6S_PATH_DOWN) : (np.flags & ~SRV6S_PATH_DOWN));
    }
    np.congestion = static_cast<uint8_t>(w.congestion);
    // Health first: a reader that sees the bit sees who set it. The path
    // changes in the two bytes of flags and congestion only.
    health.update(id, w);
    if (np.flags != p->flags || np.congestion != p->congestion)
        impl_->fds[maps::paths].update(id, np);
    return static_cast<srv6s_health_state>(w.state);
}

}  // namespace srv6steer
