// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The agent's paths and sets, by content (docs/agent-protocol.md "Ids"):
// clients name paths and sets with ids of their own; the agent stores each
// distinct path (segments + SRH mode) and each distinct set (its list of
// global path ids) once, under an id of its own range (remote/ranges.hpp).
// The data plane is the truth: load() reads what is there, so a restarted
// agent gives clients that define the same content again the same ids.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "srv6steer/srv6steer.hpp"

namespace srv6steer::cli {

struct PathContent {
    std::vector<Ipv6> segments;
    SrhMode mode = SrhMode::Reduced;
    friend auto operator<=>(const PathContent&, const PathContent&) = default;
};
using SetContent = std::vector<uint32_t>;  // global path ids, in order (repeats weigh)

class AgentTable {
public:
    // What the data plane holds in the agent's ranges.
    void load(const Steering& s);

    std::optional<uint32_t> find_path(const PathContent& c) const;
    std::optional<uint32_t> find_set(const SetContent& c) const;
    const PathContent* path(uint32_t global) const;
    const SetContent* set(uint32_t global) const;

    // The global id of this content: the one there, or a new path (set)
    // written to the data plane. Throws when the range is full, or what the
    // library throws (an invalid path: the client's id named, not ours).
    uint32_t add_path(Steering& s, const PathContent& c, uint32_t client_id);
    uint32_t add_set(Steering& s, const SetContent& c, uint32_t client_id);
    // A set of one client only, changed in place (pins of it follow).
    void change_set(Steering& s, uint32_t global, const SetContent& c);

    // Removes the paths and sets of the agent's ranges that are not in
    // `keep` and that nothing uses (the library refuses those with EBUSY:
    // pins, or a set of another kind, use them). Sets first. Returns how many
    // went.
    size_t collect(Steering& s, const std::set<uint32_t>& keep_paths, const std::set<uint32_t>& keep_sets);

private:
    void unindex_set(uint32_t global);  // out of set_ids_

    std::map<uint32_t, PathContent> paths_;
    std::map<PathContent, uint32_t> path_ids_;
    std::map<uint32_t, SetContent> sets_;
    std::multimap<SetContent, uint32_t> set_ids_;  // a set changed in place may equal another
};

}  // namespace srv6steer::cli
