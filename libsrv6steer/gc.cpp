// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Stale pins: a pin made by a process (owner pid) lives as long as that
// process; gc removes the pins of processes that are gone, and cgroup pins of
// cgroups that are gone, forgets the socket pins of closed sockets (the pins
// went with their sockets; their index records stayed), and recounts the
// route MTUs, putting back those no pin needs any more. A socket pin lives
// as long as its socket, whoever made it: gc never removes a live one.
#include "impl.hpp"
#include "remote/client.hpp"
#include "iterators.hpp"
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

// The pins of `store` (a Map or the FlowTable) whose owner is gone.
template <class Store>
size_t sweep(Steering::Impl& im, Store&& store, uint32_t skip_bit) {
    size_t removed = 0;
    for (const auto& [k, v] : store.entries())
        if (owner_gone(v) && store.erase(k))
            removed++;
    im.set_skip_if(store.empty(), skip_bit);
    return removed;
}

// Cgroup pins whose owner or cgroup is gone; then the levels of the rest.
size_t sweep_cgroups(Steering::Impl& im) {
    auto map = im.fds[maps::cgroups];
    const auto entries = map.entries();
    if (entries.empty())
        return 0;
    const auto levels = im.listing().cgroup_levels();  // every cgroup there is
    size_t removed = 0;
    for (const auto& [id, v] : entries)
        if ((owner_gone(v) || !levels.count(id)) && map.erase(id))
            removed++;
    im.sync_cgroup_levels(&levels);
    return removed;
}

}  // namespace

size_t Steering::gc() {
    if (auto* r = impl_->remote.get())
        return r->gc();
    auto guard = impl_->lock();
    impl_->flows().sweep();  // recounts the flow table's census, empties what deletes left
    size_t removed = sweep(*impl_, impl_->flows(), SRV6S_CFG_NO_FLOWS) +
                     sweep(*impl_, impl_->fds[maps::qps], SRV6S_CFG_NO_QPS) +
                     sweep(*impl_, impl_->fds[maps::prefixes], SRV6S_CFG_NO_PREFIXES) + sweep_cgroups(*impl_);
    impl_->forget_closed_sockets();
    // Route MTUs: recount the pins that need each (heals any drift), and
    // put back those nobody needs; socket pins count with their peers.
    auto pins = impl_->pinned_destinations();
    std::map<uint32_t, uint32_t> level;  // slot -> level, looked up once per slot
    impl_->for_each_socket_or_cgroup_pin([&](uint32_t slot, const std::optional<Prefix>& dst) {
        if (!dst)
            return;
        auto it = level.find(slot);
        if (it == level.end())
            it = level.emplace(slot, impl_->slot_level(slot)).first;
        pins[*dst][it->second]++;
    });
    RouteJournal routes(impl_->fds);
    routes.recount(pins);
    routes.commit();
    return removed;
}

}  // namespace srv6steer
