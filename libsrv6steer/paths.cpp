// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Paths and path sets. A path's slot in the path-set array holds a one-path
// set of its own, so a pin to a path and a pin to a set read the same way.
// Sets are double-buffered: a change fills the inactive half, then flips, so
// the data plane never reads half a set. A set that pins use may change only
// after the route MTUs towards their destinations make room for its paths.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "impl.hpp"
#include "remote/client.hpp"
#include "route_journal.hpp"

namespace srv6steer {

// ---- values --------------------------------------------------------------------------

Path Path::from_usids(uint32_t id, const Block& block, std::span<const uint16_t> usids, SrhMode mode) {
    Path p;
    p.id = id;
    p.segments = usid_containers(block, usids);
    p.mode = mode;
    return p;
}

Target Target::from_slot(uint32_t slot) {
    slot &= SRV6S_PIN_SET_MASK;  // a pin's flag bits (SRV6S_PIN_IGNORE_DOWN) are not part of its target
    return slot >= kMaxUserSets ? path(slot - kMaxUserSets) : set(slot);
}

std::string Target::str() const { return (kind == Kind::Path ? "path " : "set ") + std::to_string(id); }

// ---- Impl: the parts pins share ------------------------------------------------------

std::optional<srv6s_path> Steering::Impl::path(uint32_t id) const {
    if (id >= SRV6S_MAX_PATHS)
        return std::nullopt;
    auto p = fds[maps::paths].lookup(id);
    if (p && (p->flags & SRV6S_PATH_PRESENT))
        return p;
    return std::nullopt;
}

std::optional<srv6s_path_set> Steering::Impl::set_slot(uint32_t slot) const {
    if (slot >= SRV6S_MAX_PATH_SETS)
        return std::nullopt;
    auto s = fds[maps::path_sets].lookup(slot);
    if (s && active(*s).n_paths > 0)
        return s;
    return std::nullopt;
}

void Steering::Impl::check_path_id(uint32_t id) const {
    if (id >= SRV6S_MAX_PATHS)
        throw Error("invalid path id " + std::to_string(id) + ": ids go from 0 to " +
                    std::to_string(SRV6S_MAX_PATHS - 1));
}

void Steering::Impl::check_set_id(uint32_t id) const {
    if (id >= kMaxUserSets)
        throw Error("invalid path set id " + std::to_string(id) + ": ids go from 0 to " +
                    std::to_string(kMaxUserSets - 1));
}

std::vector<srv6s_path> Steering::Impl::target_paths(Target t) const {
    if (t.kind == Target::Kind::Path)
        check_path_id(t.id);
    else
        check_set_id(t.id);
    auto s = set_slot(t.slot());
    if (!s)
        throw Error(t.str() + " does not exist on " + ifname + ": " +
                        (t.kind == Target::Kind::Path ? "add the path first" : "define the set first"),
                    ENOENT);
    std::vector<srv6s_path> out;
    const auto& g = active(*s);
    for (uint32_t i = 0; i < g.n_paths && i < SRV6S_MAX_SET_PATHS; i++)
        if (auto p = path(g.paths[i]))
            out.push_back(*p);
    return out;
}

namespace {

uint32_t level_of(const std::vector<srv6s_path>& paths) {
    uint32_t m = 0;
    for (const auto& p : paths)
        m = std::max<uint32_t>(m, p.n_segs);
    return m;
}

// Segments are addresses packets are sent to: global unicast only.
void check_segments(const Path& p) {
    for (const Ipv6& a : p.segments)
        if (const char* why = segment_problem(a))
            throw Error("path " + std::to_string(p.id) + ": segment " + a.str() + " is " + why +
                        "; segments must be global unicast IPv6 addresses (SIDs)");
}

}  // namespace

uint32_t Steering::Impl::target_level(Target t) const { return level_of(target_paths(t)); }

uint32_t Steering::Impl::slot_level(uint32_t slot) const {
    return set_slot(slot) ? target_level(Target::from_slot(slot)) : 0;
}

void Steering::Impl::clear_skip(uint32_t bit) {
    auto c = config();
    if (c.flags & bit) {
        c.flags &= ~bit;
        fds[maps::config].update(0, c);
    }
}

void Steering::Impl::set_skip_if_empty(int map_fd, uint32_t bit) {
    uint8_t key[64];  // larger than any pin key
    if (bpf_map_get_next_key(map_fd, nullptr, key) == 0)
        return;
    auto c = config();
    if (!(c.flags & bit)) {
        c.flags |= bit;
        fds[maps::config].update(0, c);
    }
}

void Steering::Impl::write_set(uint32_t slot, const std::vector<uint32_t>& ids) {
    srv6s_path_set_gen g{};
    g.n_paths = static_cast<uint32_t>(ids.size());
    std::copy(ids.begin(), ids.end(), g.paths);
    auto map = fds[maps::path_sets];
    auto cur = map.lookup(slot).value_or(srv6s_path_set{});
    if (active(cur).n_paths == 0) {  // nobody reads it yet: write and publish at once
        srv6s_path_set s{};
        s.gen[0] = g;
        map.update(slot, s);
        return;
    }
    if (std::memcmp(&active(cur), &g, sizeof g) == 0)
        return;
    const uint32_t next = (cur.active & 1) ^ 1;
    cur.gen[next] = g;
    map.update(slot, cur);
    cur.active = next;
    map.update(slot, cur);
}

// ---- paths ---------------------------------------------------------------------------

void Steering::add_path(const Path& p) {
    if (auto* r = impl_->remote.get())
        return r->add_path(p);
    auto guard = impl_->lock();
    impl_->check_path_id(p.id);
    check_segments(p);
    const srv6s_path enc = encode_path(p.segments, p.mode, p.down);  // validates the encoding
    auto paths = impl_->fds[maps::paths];
    if (auto cur = impl_->path(p.id)) {
        srv6s_path a = *cur, b = enc;
        a.flags = b.flags = 0;
        if (std::memcmp(&a, &b, sizeof a) != 0)
            throw Error("path " + std::to_string(p.id) + " already exists with other segments; a path "
                            "in place cannot change: add the new one under a free id and point sets and "
                            "pins at it, or remove path " + std::to_string(p.id) + " first",
                        EEXIST);
        if (cur->flags != enc.flags)
            paths.update(p.id, enc);
        return;
    }
    impl_->fds[maps::path_stats].reset(p.id);  // a new path starts from zero
    paths.update(p.id, enc);
    try {
        impl_->write_set(Target::path(p.id).slot(), {p.id});
    } catch (...) {
        paths.update(p.id, srv6s_path{});
        throw;
    }
}

void Steering::remove_path(uint32_t id) {
    if (auto* r = impl_->remote.get())
        return r->remove_path(id);
    auto guard = impl_->lock();
    impl_->check_path_id(id);
    if (!impl_->path(id))
        throw Error("path " + std::to_string(id) + " does not exist", ENOENT);
    for (const auto& s : sets())
        if (std::find(s.paths.begin(), s.paths.end(), id) != s.paths.end())
            throw Error("path " + std::to_string(id) + " is used by set " + std::to_string(s.id) +
                            ": change or remove that set first",
                        EBUSY);
    const uint32_t slot = Target::path(id).slot();
    if (impl_->slot_in_use(slot))
        throw Error("path " + std::to_string(id) + " still has pins: unpin them first", EBUSY);
    impl_->fds[maps::path_sets].update(slot, srv6s_path_set{});
    impl_->fds[maps::paths].update(id, srv6s_path{});
    impl_->fds[maps::path_stats].reset(id);
    impl_->fds[maps::path_health].update(id, srv6s_path_health{});
}

void Steering::set_path_down(uint32_t id, bool down) {
    if (auto* r = impl_->remote.get())
        return r->set_path_down(id, down);
    auto guard = impl_->lock();
    impl_->check_path_id(id);
    auto p = impl_->path(id);
    if (!p)
        throw Error("path " + std::to_string(id) + " does not exist", ENOENT);
    const uint8_t flags =
        static_cast<uint8_t>(down ? (p->flags | SRV6S_PATH_DOWN) : (p->flags & ~SRV6S_PATH_DOWN));
    if (flags == p->flags)
        return;
    p->flags = flags;  // the only byte that changes: readers never see a mix
    impl_->fds[maps::paths].update(id, *p);
}

std::vector<Path> Steering::paths() const {
    if (auto* r = impl_->remote.get())
        return r->paths();
    auto guard = impl_->lock();
    std::vector<Path> out;
    for (const auto& [id, p] : impl_->fds[maps::paths].entries()) {
        if (!(p.flags & SRV6S_PATH_PRESENT))
            continue;
        Path path;
        path.id = id;
        path.segments = decode_path(p);
        path.mode = path_mode(p);
        path.down = p.flags & SRV6S_PATH_DOWN;
        out.push_back(std::move(path));
    }
    std::sort(out.begin(), out.end(), [](const Path& a, const Path& b) { return a.id < b.id; });
    return out;
}

// ---- sets ----------------------------------------------------------------------------

void Steering::define_set(const PathSet& s) {
    if (auto* r = impl_->remote.get())
        return r->define_set(s);
    auto guard = impl_->lock();
    impl_->check_set_id(s.id);
    if (s.paths.empty() || s.paths.size() > SRV6S_MAX_SET_PATHS)
        throw Error("path set " + std::to_string(s.id) + " has " + std::to_string(s.paths.size()) +
                    " paths: a set has 1 to " + std::to_string(SRV6S_MAX_SET_PATHS) +
                    " (list a path twice to give it twice the weight)");
    std::vector<srv6s_path> members;
    for (uint32_t id : s.paths) {
        impl_->check_path_id(id);
        auto p = impl_->path(id);
        if (!p)
            throw Error("path set " + std::to_string(s.id) + " names path " + std::to_string(id) +
                            ", which does not exist: add it first",
                        ENOENT);
        members.push_back(*p);
    }
    // Pins of this set may now take longer (or only shorter) paths: fit
    // their routes' MTUs first, so that no packet of theirs leaves too big.
    RouteJournal routes(impl_->fds);
    const uint32_t from = impl_->slot_level(s.id), to = level_of(members);
    if (routes.enabled() && from != to)
        for (const auto& [dst, n] : impl_->destinations_of(s.id))
            routes.move(dst, from, to, n);
    impl_->write_set(s.id, s.paths);
    routes.commit();
}

void Steering::remove_set(uint32_t id) {
    if (auto* r = impl_->remote.get())
        return r->remove_set(id);
    auto guard = impl_->lock();
    if (id >= kMaxUserSets || !impl_->set_slot(id))
        throw Error("path set " + std::to_string(id) + " does not exist", ENOENT);
    if (impl_->slot_in_use(id))
        throw Error("path set " + std::to_string(id) + " still has pins: unpin them first", EBUSY);
    impl_->fds[maps::path_sets].update(id, srv6s_path_set{});
}

std::vector<PathSet> Steering::sets() const {
    if (auto* r = impl_->remote.get())
        return r->sets();
    auto guard = impl_->lock();
    std::vector<PathSet> out;
    for (const auto& [slot, s] : impl_->fds[maps::path_sets].entries()) {
        const auto& g = active(s);
        if (slot < kMaxUserSets && g.n_paths > 0)
            out.push_back({slot, std::vector<uint32_t>(g.paths, g.paths + std::min<uint32_t>(g.n_paths, SRV6S_MAX_SET_PATHS))});
    }
    std::sort(out.begin(), out.end(), [](const PathSet& a, const PathSet& b) { return a.id < b.id; });
    return out;
}

}  // namespace srv6steer
