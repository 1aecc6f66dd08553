// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Stale pins: a pin made by a process (owner pid) lives as long as that
// process; gc removes the pins of processes that are gone and recounts the
// route MTUs, putting back those no pin needs any more.
#include "impl.hpp"
#include "proc.hpp"
#include "route_journal.hpp"

namespace srv6steer {

namespace {

bool owner_gone(const srv6s_pin& v) {
    if (v.owner_pid == 0)
        return false;  // declared by configuration: never stale
    const auto start = proc::start_ns(v.owner_pid);
    // Slack for clock tick granularity: a process started after its own pin
    // by more than a second is another process with a reused pid.
    return !start || *start > v.created_ns + 1000000000ull;
}

template <class S>
size_t sweep(Steering::Impl& im, const S& spec, uint32_t skip_bit) {
    auto map = im.fds[spec];
    size_t removed = 0;
    for (const auto& [k, v] : map.entries())
        if (owner_gone(v) && map.erase(k))
            removed++;
    im.set_skip_if_empty(map.fd(), skip_bit);
    return removed;
}

}  // namespace

size_t Steering::gc() {
    auto guard = impl_->lock();
    size_t removed = sweep(*impl_, maps::flows, SRV6S_CFG_NO_FLOWS) +
                     sweep(*impl_, maps::qps, SRV6S_CFG_NO_QPS) +
                     sweep(*impl_, maps::prefixes, SRV6S_CFG_NO_PREFIXES);
    // Route MTUs: recount the pins that need each (heals any drift), and
    // put back those nobody needs.
    RouteJournal routes(impl_->fds);
    routes.recount(impl_->pinned_destinations());
    routes.commit();
    return removed;
}

}  // namespace srv6steer
