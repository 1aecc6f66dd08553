// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "agent_table.hpp"

#include <cerrno>

#include "remote/ranges.hpp"

namespace srv6steer::cli {

using remote::agent_path;
using remote::agent_set;
using remote::kFirstAgentPath;
using remote::kFirstAgentSet;

void AgentTable::load(const Steering& s) {
    paths_.clear();
    path_ids_.clear();
    sets_.clear();
    set_ids_.clear();
    for (const Path& p : s.paths())
        if (agent_path(p.id)) {
            PathContent c{p.segments, p.mode};
            paths_[p.id] = c;
            path_ids_.emplace(c, p.id);  // the lowest id wins a tie (made by hand)
        }
    for (const PathSet& set : s.sets())
        if (agent_set(set.id)) {
            sets_[set.id] = set.paths;
            set_ids_.emplace(set.paths, set.id);
        }
}

std::optional<uint32_t> AgentTable::find_path(const PathContent& c) const {
    auto it = path_ids_.find(c);
    return it == path_ids_.end() ? std::nullopt : std::optional(it->second);
}

std::optional<uint32_t> AgentTable::find_set(const SetContent& c) const {
    auto it = set_ids_.find(c);
    return it == set_ids_.end() ? std::nullopt : std::optional(it->second);
}

const PathContent* AgentTable::path(uint32_t g) const {
    auto it = paths_.find(g);
    return it == paths_.end() ? nullptr : &it->second;
}

const SetContent* AgentTable::set(uint32_t g) const {
    auto it = sets_.find(g);
    return it == sets_.end() ? nullptr : &it->second;
}

namespace {

// The lowest id of [first, end) not in `used`.
template <class M>
std::optional<uint32_t> free_id(const M& used, uint32_t first, uint32_t end) {
    uint32_t id = first;
    for (auto it = used.lower_bound(first); it != used.end() && it->first == id && id < end; ++it)
        id++;
    return id < end ? std::optional(id) : std::nullopt;
}

}  // namespace

uint32_t AgentTable::add_path(Steering& s, const PathContent& c, uint32_t client_id) {
    if (auto id = find_path(c))
        return *id;
    // Checked here, so that the message names the client's id, not ours.
    for (const Ipv6& a : c.segments)
        if (const char* why = segment_problem(a))
            throw Error("path " + std::to_string(client_id) + ": segment " + a.str() + " is " + why +
                        "; segments must be global unicast IPv6 addresses (SIDs)");
    try {
        encode_path(c.segments, c.mode);
    } catch (const Error& e) {
        throw Error("path " + std::to_string(client_id) + ": " + e.what(), e.code());
    }
    const auto id = free_id(paths_, kFirstAgentPath, SRV6S_MAX_PATHS);
    if (!id)
        throw Error("the agent holds " + std::to_string(SRV6S_MAX_PATHS - kFirstAgentPath) +
                        " different paths of its clients already, which is all it has room for: try again when "
                        "some are gone",
                    ENOSPC);
    Path p;
    p.id = *id;
    p.segments = c.segments;
    p.mode = c.mode;
    s.add_path(p);
    paths_[*id] = c;
    path_ids_.emplace(c, *id);
    return *id;
}

uint32_t AgentTable::add_set(Steering& s, const SetContent& c, uint32_t client_id) {
    if (auto id = find_set(c))
        return *id;
    if (c.empty() || c.size() > SRV6S_MAX_SET_PATHS)
        throw Error("path set " + std::to_string(client_id) + " has " + std::to_string(c.size()) +
                    " paths: a set has 1 to " + std::to_string(SRV6S_MAX_SET_PATHS) +
                    " (list a path twice to give it twice the weight)");
    const auto id = free_id(sets_, kFirstAgentSet, kMaxUserSets);
    if (!id)
        throw Error("the agent holds " + std::to_string(kMaxUserSets - kFirstAgentSet) +
                        " different path sets of its clients already, which is all it has room for: try again "
                        "when some are gone",
                    ENOSPC);
    s.define_set({*id, c});
    sets_[*id] = c;
    set_ids_.emplace(c, *id);
    return *id;
}

void AgentTable::unindex_set(uint32_t g) {
    for (auto it = set_ids_.begin(); it != set_ids_.end(); ++it)
        if (it->second == g) {
            set_ids_.erase(it);
            return;
        }
}

void AgentTable::change_set(Steering& s, uint32_t g, const SetContent& c) {
    s.define_set({g, c});  // double-buffered; moves the route MTUs of its pins first
    unindex_set(g);
    sets_[g] = c;
    set_ids_.emplace(c, g);
}

namespace {

// Tries remove(g) for each id of `entries` not in `keep`: true (gone), or
// false when the library says something uses it (EBUSY). Calls gone(g) for
// each removed one; returns how many.
template <class M, class Remove, class Gone>
size_t remove_unused(M& entries, const std::set<uint32_t>& keep, Remove&& remove, Gone&& gone) {
    size_t removed = 0;
    for (auto it = entries.begin(); it != entries.end();) {
        const uint32_t g = it->first;
        if (!keep.count(g)) {
            try {
                remove(g);
            } catch (const Error& e) {
                if (e.code() != ENOENT && e.code() != EBUSY)
                    throw;
                if (e.code() == EBUSY) {  // pins, or a set, use it
                    ++it;
                    continue;
                }
            }
            gone(g, it->second);
            it = entries.erase(it);
            removed++;
            continue;
        }
        ++it;
    }
    return removed;
}

}  // namespace

size_t AgentTable::collect(Steering& s, const std::set<uint32_t>& keep_paths, const std::set<uint32_t>& keep_sets) {
    const size_t sets = remove_unused(
        sets_, keep_sets, [&](uint32_t g) { s.remove_set(g); },
        [&](uint32_t g, const SetContent&) { unindex_set(g); });
    const size_t paths = remove_unused(
        paths_, keep_paths, [&](uint32_t g) { s.remove_path(g); },
        [&](uint32_t g, const PathContent& c) {
            if (auto j = path_ids_.find(c); j != path_ids_.end() && j->second == g)
                path_ids_.erase(j);
        });
    return sets + paths;
}

}  // namespace srv6steer::cli
