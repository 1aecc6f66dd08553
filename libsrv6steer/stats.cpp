// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Counters: what happened to packets (by reason) and what each path carried.
#include <iterator>

#include "impl.hpp"
#include "remote/client.hpp"

namespace srv6steer {

const char* reason_name(uint32_t reason) {
    static constexpr const char* names[] = {
        "steered",       "no_match",      "disabled",       "not_ip",       "truncated",
        "bad_header",    "ext_hdr_limit", "already_encap",  "fragment",     "no_path_set",
        "no_path",       "all_paths_down", "bad_path",      "mtu_passed",   "mtu_dropped",
        "adjust_room_failed", "write_failed", "fell_back"};
    static_assert(std::size(names) == SRV6S_R_MAX, "a name for every reason");
    return reason < SRV6S_R_MAX ? names[reason] : "unknown";
}

Stats Steering::stats() const {
    if (auto* r = impl_->remote.get())
        return r->stats();
    auto guard = impl_->lock();
    Stats s;
    auto reasons = impl_->fds[maps::reasons];
    for (uint32_t r = 0; r < SRV6S_R_MAX; r++) {
        auto c = reasons.sum(r);
        s.reasons[r] = {c.packets, c.bytes};
    }
    auto ps = impl_->fds[maps::path_stats];
    auto health = impl_->fds[maps::path_health];
    for (const Path& p : paths()) {
        auto c = ps.sum(p.id);
        s.paths.push_back({p.id, {c.packets, c.bytes}});
        s.health.push_back(health.lookup(p.id).value_or(srv6s_path_health{}));
        s.down.push_back(p.down);
    }
    return s;
}

}  // namespace srv6steer
