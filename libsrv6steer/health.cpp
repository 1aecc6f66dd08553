// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Path health in the state: the prober's writes of srv6s_path_health and of
// the paths' DOWN bits (docs/design.md §16.3). Who marked a path down is
// told by the health map: the prober writes state DOWN in the same
// transaction in which it sets the bit, and only then; a DOWN bit with any
// other health state was set by hand (`srv6steer path down`,
// Steering::set_path_down), and the prober neither clears it nor claims it.
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
        w.state = health.lookup(id).value_or(srv6s_path_health{}).state;
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
    if (by_hand) {
        if (w.state == SRV6S_HEALTH_DOWN)
            w.state = stored.state;  // not ours to claim
    } else {
        const bool down = w.state == SRV6S_HEALTH_DOWN;
        if (down != marked) {
            p->flags = static_cast<uint8_t>(down ? (p->flags | SRV6S_PATH_DOWN) : (p->flags & ~SRV6S_PATH_DOWN));
            // Health first: a reader that sees the bit sees who set it.
            health.update(id, w);
            impl_->fds[maps::paths].update(id, *p);
            return static_cast<srv6s_health_state>(w.state);
        }
    }
    health.update(id, w);
    return static_cast<srv6s_health_state>(w.state);
}

}  // namespace srv6steer
