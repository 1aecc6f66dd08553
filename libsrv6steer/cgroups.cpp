// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Cgroup pins: cgroup v2 id -> pin (map cgroups), for every socket of the
// cgroup and of its descendants; the deepest pinned ancestor of a socket's
// cgroup wins. The data plane asks bpf_skb_ancestor_cgroup_id only at the
// levels config says have pins (cgroup_levels, cgroup_depth), deepest
// first. A cgroup's level is the kernel's own (iterators.hpp), so it is
// right whatever cgroup namespace the caller is in, and for "id:N" pins
// that name no directory. The levels are widened before a pin is written and
// narrowed after one is removed: a stale level costs a lookup, never hides
// a pin. Cgroup pins take no route MTU (they have no destination).
#include <cerrno>

#include "impl.hpp"
#include "remote/client.hpp"
#include "iterators.hpp"

namespace srv6steer {

namespace {

// Writes the levels the data plane asks: bit n of mask for level n.
void write_levels(Steering::Impl& im, uint64_t mask) {
    auto c = im.config();
    const auto depth = static_cast<uint8_t>(mask ? 64 - __builtin_clzll(mask) : 0);
    if (c.cgroup_levels == mask && c.cgroup_depth == depth)
        return;
    c.cgroup_levels = mask;
    c.cgroup_depth = depth;
    im.fds[maps::config].update(0, c);
}

}  // namespace

void Steering::Impl::sync_cgroup_levels(const std::unordered_map<uint64_t, uint32_t>* levels) {
    auto map = fds[maps::cgroups];
    const auto ids = map.keys();
    uint64_t mask = 0;
    if (!ids.empty()) {
        std::unordered_map<uint64_t, uint32_t> walked;
        if (!levels) {
            walked = listing().cgroup_levels();
            levels = &walked;
        }
        for (const uint64_t id : ids)  // a cgroup that is gone matches no socket
            if (const auto it = levels->find(id); it != levels->end() && it->second < SRV6S_MAX_CGROUP_LEVELS)
                mask |= 1ull << it->second;
    }
    write_levels(*this, mask);
    set_skip_if_empty(map.fd(), SRV6S_CFG_NO_CGROUPS);
}

void Steering::pin(const Cgroup& cgroup, Target target, const PinOptions& opts) {
    if (auto* r = impl_->remote.get())
        return r->pin(cgroup, target, opts);
    auto guard = impl_->lock();
    impl_->target_level(target);  // throws when the target does not exist
    auto map = impl_->fds[maps::cgroups];
    const std::string what = "cgroup " + cgroup.str();
    const auto old = map.lookup(cgroup.id);
    if (old) {
        if (old->path_set == pin_word(target.slot(), opts))
            return;
        if (!opts.replace)
            throw already_pinned(what, *old);
    }
    const auto level = impl_->listing().cgroup_level(cgroup.id);
    if (!level)
        throw Error("there is no " + what + " (it was removed, or never existed)", ENOENT);
    if (*level >= SRV6S_MAX_CGROUP_LEVELS)
        throw Error(what + " is " + std::to_string(*level) + " levels below the root cgroup; srv6steer pins cgroups "
                        "up to " + std::to_string(SRV6S_MAX_CGROUP_LEVELS - 1) + " levels deep: pin an ancestor",
                    EINVAL);
    const uint64_t before = impl_->config().cgroup_levels;
    write_levels(*impl_, before | (1ull << *level));
    impl_->clear_skip(SRV6S_CFG_NO_CGROUPS);
    try {
        map.update(cgroup.id, new_pin(target.slot(), opts, now_ns()), old ? BPF_EXIST : BPF_NOEXIST);
    } catch (const Error& e) {
        write_levels(*impl_, before);
        impl_->set_skip_if_empty(map.fd(), SRV6S_CFG_NO_CGROUPS);
        if (e.code() == E2BIG)
            throw pin_map_full("cgroups", impl_->ifname, map.keys().size(), 1);
        throw;
    }
}

bool Steering::unpin(const Cgroup& cgroup) {
    if (auto* r = impl_->remote.get())
        return r->unpin(cgroup);
    auto guard = impl_->lock();
    if (!impl_->fds[maps::cgroups].erase(cgroup.id))
        return false;
    impl_->sync_cgroup_levels();
    return true;
}

std::vector<Pinned<Cgroup>> Steering::cgroups() const {
    if (auto* r = impl_->remote.get())
        return r->cgroups();
    auto guard = impl_->lock();
    std::vector<Pinned<Cgroup>> out;
    for (const auto& [id, v] : impl_->fds[maps::cgroups].entries())
        out.push_back({Cgroup{id}, Target::from_slot(v.path_set), PinInfo::from_value(v)});
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    return out;
}

}  // namespace srv6steer
