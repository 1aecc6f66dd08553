// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What it costs: one read of every pin map (the listing calls; flows are
// read in batches) and, when there are socket pins, one walk of the host's
// TCP and UDP sockets (iterators.hpp); bench/agent.cpp measures it with
// 65,536 flow pins (docs/design.md §16.1).
#include "probe_targets.hpp"

#include <map>
#include <vector>

#include "srv6steer/srv6steer.hpp"

namespace srv6steer {

std::set<std::pair<uint32_t, Ipv6>> targets_in_use(const Steering& s, std::span<const PathSet> sets,
                                                   const std::set<uint64_t>& skip) {
    std::map<uint32_t, std::vector<uint32_t>> members;
    for (const PathSet& set : sets)
        members[set.id] = set.paths;
    std::set<std::pair<uint32_t, Ipv6>> out;
    const auto add = [&](Target t, const Ipv6& dst) {
        if (dst == Ipv6{})
            return;
        if (t.kind == Target::Kind::Path) {
            out.emplace(t.id, dst);
            return;
        }
        auto it = members.find(t.id);
        if (it == members.end())
            return;  // removed meanwhile
        for (uint32_t p : it->second)
            out.emplace(p, dst);
    };
    for (const auto& f : s.flows())
        add(f.target, f.key.dst);
    for (const auto& q : s.qps())
        add(q.target, q.key.dst);
    for (const auto& p : s.prefixes())
        if (p.key.len == 128)  // one host (IPv4 /32 is /128 mapped)
            add(p.target, p.key.addr);
    for (const auto& k : s.sockets())
        if (!skip.count(k.cookie) && k.flow.dport != 0)  // connected: it has a peer
            add(k.target, k.flow.dst);
    return out;
}

}  // namespace srv6steer
