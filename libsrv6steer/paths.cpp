// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Paths and path sets. A path's slot in the path-set array holds a one-path
// set of its own, so a pin to a path and a pin to a set read the same way.
// Sets are double-buffered: a change fills the inactive half, then flips, so
// the data plane never reads half a set. A set that pins use may change only
// after the route MTUs towards their destinations make room for its paths.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "impl.hpp"
#include "remote/client.hpp"
#include "route_journal.hpp"
#include "text.hpp"

namespace srv6steer {

// ---- values --------------------------------------------------------------------------

Path Path::from_usids(uint32_t id, const Block& block, std::span<const uint16_t> usids, SrhMode mode) {
    Path p;
    p.id = id;
    p.segments = usid_containers(block, usids);
    p.mode = mode;
    return p;
}

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

// Segments are addresses packets are sent to: global unicast only.
void check_segments(const Path& p) {
    for (const Ipv6& a : p.segments)
        if (const char* why = segment_problem(a))
            throw Error("path " + std::to_string(p.id) + ": segment " + a.str() + " is " + why +
                        "; segments must be global unicast IPv6 addresses (SIDs)");
}

}  // namespace

namespace {

// A change not yet written, for the levels it will give: path `path` falls
// back to `fallback` (1 + a slot, 0 none), or slot `slot` holds `members`.
struct Pending {
    std::optional<std::pair<uint32_t, uint32_t>> fallback;
    std::optional<std::pair<uint32_t, std::vector<uint32_t>>> set;
};

std::vector<uint32_t> members_of(const Steering::Impl& im, uint32_t slot, const Pending& change) {
    if (change.set && change.set->first == slot)
        return change.set->second;
    std::vector<uint32_t> out;
    if (auto s = im.set_slot(slot)) {
        const auto& g = active(*s);
        out.assign(g.paths, g.paths + std::min<uint32_t>(g.n_paths, SRV6S_MAX_SET_PATHS));
    }
    return out;
}

// The level of a slot for route MTUs: the SRH segments of the longest path
// its pins may take, their fallbacks' paths included (one level, as the data
// plane follows them).
uint32_t level_with(const Steering::Impl& im, uint32_t slot, const Pending& change) {
    uint32_t level = 0;
    for (uint32_t id : members_of(im, slot, change)) {
        const auto p = im.path(id);
        if (!p)
            continue;
        level = std::max<uint32_t>(level, p->n_segs);
        const uint32_t fb = change.fallback && change.fallback->first == id ? change.fallback->second : p->fallback;
        if (fb == 0 || fb > SRV6S_MAX_PATH_SETS)
            continue;
        for (uint32_t f : members_of(im, fb - 1, change))
            if (auto q = im.path(f))
                level = std::max<uint32_t>(level, q->n_segs);
    }
    return level;
}

// Moves the route MTUs of the pins of every slot in `slots` to the level
// `change` gives them (before it is written, so no packet leaves too big).
void move_levels(const Steering::Impl& im, RouteJournal& routes, const std::set<uint32_t>& slots,
                 const Pending& change) {
    if (!routes.enabled())
        return;
    for (uint32_t slot : slots) {
        const uint32_t from = level_with(im, slot, {}), to = level_with(im, slot, change);
        if (from != to)
            for (const auto& [dst, n] : im.destinations_of(slot))
                routes.move(dst, from, to, n);
    }
}

// Every slot (user sets and single-path sets) that lists path id.
std::set<uint32_t> slots_with(const Steering::Impl& im, uint32_t id) {
    std::set<uint32_t> out{Target::path(id).slot()};
    for (const auto& [slot, s] : im.fds[maps::path_sets].entries()) {
        const auto& g = active(s);
        for (uint32_t i = 0; i < g.n_paths && i < SRV6S_MAX_SET_PATHS; i++)
            if (g.paths[i] == id)
                out.insert(slot);
    }
    return out;
}

// The paths whose fallback is slot `slot`.
std::vector<uint32_t> falling_back_to(const Steering::Impl& im, uint32_t slot) {
    std::vector<uint32_t> out;
    for (const auto& [id, p] : im.fds[maps::paths].entries())
        if ((p.flags & SRV6S_PATH_PRESENT) && p.fallback == slot + 1)
            out.push_back(id);
    return out;
}

// A slot some path falls back to stays: freed, it could be reused by an
// unrelated path or set, and those flows would silently go there.
void refuse_if_fallback(const Steering::Impl& im, uint32_t slot, const std::string& what) {
    const auto users = falling_back_to(im, slot);
    if (users.empty())
        return;
    std::string msg = what + " is the fallback of path";
    msg += users.size() == 1 ? " " : "s ";
    for (size_t i = 0; i < users.size(); i++) {
        if (i)
            msg += ", ";
        msg += std::to_string(users[i]);
    }
    msg += ": give ";
    msg += users.size() == 1 ? "it" : "them";
    msg += " another fallback (or none) first";
    throw Error(msg, EBUSY);
}

}  // namespace

uint32_t Steering::Impl::target_level(Target t) const {
    target_paths(t);  // throws when the target does not exist
    return level_with(*this, t.slot(), {});
}

uint32_t Steering::Impl::slot_level(uint32_t slot) const { return level_with(*this, slot, {}); }

// The fallback word for path id, after checking what it names.
uint32_t Steering::Impl::fallback_word(uint32_t id, std::optional<Target> t) const {
    if (!t)
        return 0;
    if (*t == Target::path(id))
        throw Error("path " + std::to_string(id) + " cannot fall back to itself: a fallback is where its flows go "
                        "when it is down; name another path or a set with other paths",
                    EINVAL);
    target_paths(*t);  // throws when it does not exist
    const auto s = set_slot(t->slot());
    const auto& g = active(*s);
    bool only_self = g.n_paths > 0;
    for (uint32_t i = 0; i < g.n_paths && i < SRV6S_MAX_SET_PATHS; i++)
        only_self &= g.paths[i] == id;
    if (only_self) {
        std::string msg = "path " + std::to_string(id) + " cannot fall back to ";
        msg += t->kind == Target::Kind::Path ? "itself" : t->str() + ", which holds only path " + std::to_string(id);
        msg += ": a fallback is where its flows go when it is down; name another path or a set with other paths";
        throw Error(msg, EINVAL);
    }
    return t->slot() + 1;
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
    set_skip_if(bpf_map_get_next_key(map_fd, nullptr, key) != 0, bit);
}

void Steering::Impl::set_skip_if(bool empty, uint32_t bit) {
    if (!empty)
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
    if (auto* r = impl_->remote.get()) {
        if (p.fallback)
            throw Error("fallbacks are not set through the agent's socket: set them on the host", ENOTSUP);
        return r->add_path(p);
    }
    auto guard = impl_->lock();
    impl_->check_path_id(p.id);
    check_segments(p);
    const srv6s_path enc = encode_path(p.segments, p.mode, p.down);  // validates the encoding
    auto paths = impl_->fds[maps::paths];
    if (auto cur = impl_->path(p.id)) {
        srv6s_path a = *cur, b = enc;
        a.flags = b.flags = 0;
        a.fallback = b.fallback = 0;
        a.congestion = b.congestion = 0;  // the prober's (health.cpp), not the definition's
        if (std::memcmp(&a, &b, sizeof a) != 0)
            throw Error("path " + std::to_string(p.id) + " already exists with other segments; a path "
                            "in place cannot change: add the new one under a free id and point sets and "
                            "pins at it, or remove path " + std::to_string(p.id) + " first",
                        EEXIST);
        const uint32_t fb = impl_->fallback_word(p.id, p.fallback);
        if (fb != cur->fallback) {
            RouteJournal routes(impl_->fds);
            move_levels(*impl_, routes, slots_with(*impl_, p.id), {{{p.id, fb}}, {}});
            srv6s_path next = *cur;
            next.fallback = fb;  // one aligned word: readers see the old or the new
            paths.update(p.id, next);
            routes.commit();
            cur = next;
        }
        if (cur->flags != enc.flags) {
            cur->flags = enc.flags;
            paths.update(p.id, *cur);
        }
        return;
    }
    impl_->fds[maps::path_stats].reset(p.id);  // a new path starts from zero
    srv6s_path fresh = enc;
    if (p.fallback) {
        // Checked against the new path: written first (nothing points at it yet).
        paths.update(p.id, fresh);
        try {
            fresh.fallback = impl_->fallback_word(p.id, p.fallback);
        } catch (...) {
            paths.update(p.id, srv6s_path{});
            throw;
        }
    }
    paths.update(p.id, fresh);
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
    refuse_if_fallback(*impl_, slot, "path " + std::to_string(id));
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

void Steering::set_path_fallback(uint32_t id, std::optional<Target> fallback) {
    if (impl_->remote.get())
        throw Error("fallbacks are not set through the agent's socket: set them on the host", ENOTSUP);
    auto guard = impl_->lock();
    impl_->check_path_id(id);
    auto p = impl_->path(id);
    if (!p)
        throw Error("path " + std::to_string(id) + " does not exist", ENOENT);
    const uint32_t fb = impl_->fallback_word(id, fallback);
    if (fb == p->fallback)
        return;
    // Routes first: the fallback's paths may be longer than the set's.
    RouteJournal routes(impl_->fds);
    move_levels(*impl_, routes, slots_with(*impl_, id), {{{id, fb}}, {}});
    p->fallback = fb;  // one aligned word changes: readers see the old or the new
    impl_->fds[maps::paths].update(id, *p);
    routes.commit();
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
        if (p.fallback > 0 && p.fallback <= SRV6S_MAX_PATH_SETS)
            path.fallback = Target::from_slot(p.fallback - 1);
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
    for (uint32_t id : s.paths) {
        impl_->check_path_id(id);
        if (!impl_->path(id))
            throw Error("path set " + std::to_string(s.id) + " names path " + std::to_string(id) +
                            ", which does not exist: add it first",
                        ENOENT);
    }
    // Pins of this set may now take longer (or only shorter) paths: fit
    // their routes' MTUs first, so that no packet of theirs leaves too big.
    const auto users = falling_back_to(*impl_, s.id);
    for (uint32_t user : users)
        if (std::all_of(s.paths.begin(), s.paths.end(), [&](uint32_t id) { return id == user; }))
            throw Error("path set " + std::to_string(s.id) + " is the fallback of path " + std::to_string(user) +
                            ", so it cannot hold only that path: give path " + std::to_string(user) +
                            " another fallback first",
                        EINVAL);
    // So may the pins of sets with a path that falls back to this one.
    RouteJournal routes(impl_->fds);
    std::set<uint32_t> affected{s.id};
    for (uint32_t user : users)
        affected.merge(slots_with(*impl_, user));
    move_levels(*impl_, routes, affected, {{}, {{s.id, s.paths}}});
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
    refuse_if_fallback(*impl_, id, "path set " + std::to_string(id));
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
