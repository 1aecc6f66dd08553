// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The lower bound (docs/paths.md, "Lower bound"): for a region of the fabric
// (the leaves of one host group; with superspines also the pods of those
// leaves), everything that hosts attached only inside it send to hosts
// attached only outside must cross the links out of it, so some link out
// carries at least that volume over their capacity; the same inwards. And no
// link carries less than the largest single connection that crosses the fabric.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "plan.hpp"

namespace srv6steer::planner {

namespace {

struct Entry {
    uint32_t from, to;  // groups
    double volume;
    uint64_t count;
};

bool share_leaf(const Topology& t, uint32_t a, uint32_t b) {
    for (uint32_t l : t.hosts[a].leaves)
        if (std::find(t.hosts[b].leaves.begin(), t.hosts[b].leaves.end(), l) != t.hosts[b].leaves.end())
            return true;
    return false;
}

// Pod of every leaf and spine: components of the leaf-spine graph.
std::vector<int32_t> pods(const Topology& t) {
    std::vector<int32_t> pod(t.nodes.size(), -1);
    int32_t next = 0;
    for (uint32_t n = 0; n < t.nodes.size(); n++) {
        if (t.nodes[n].role == Role::Superspine || pod[n] >= 0)
            continue;
        std::vector<uint32_t> stack{n};
        pod[n] = next;
        while (!stack.empty()) {
            const uint32_t x = stack.back();
            stack.pop_back();
            for (uint32_t y : t.neighbours(x))
                if (t.nodes[y].role != Role::Superspine && pod[y] < 0) {
                    pod[y] = next;
                    stack.push_back(y);
                }
        }
        next++;
    }
    return pod;
}

}  // namespace

double lower_bound(const Topology& t, const std::vector<Conn>& conns) {
    double cmax = 0, cmin = INFINITY;
    for (const auto& l : t.links) {
        cmax = std::max(cmax, l.capacity);
        cmin = std::min(cmin, l.capacity);
    }
    // Hosts grouped by their leaves.
    std::map<std::vector<uint32_t>, uint32_t> group_of_leaves;
    std::vector<uint32_t> group(t.hosts.size());
    std::vector<std::vector<uint32_t>> leaves_of;
    for (uint32_t h = 0; h < t.hosts.size(); h++) {
        auto key = t.hosts[h].leaves;
        std::sort(key.begin(), key.end());
        auto [it, fresh] = group_of_leaves.emplace(key, static_cast<uint32_t>(leaves_of.size()));
        if (fresh)
            leaves_of.push_back(key);
        group[h] = it->second;
    }
    const auto n_groups = static_cast<uint32_t>(leaves_of.size());

    double bound = 0, vmin = INFINITY, vmax = 0;
    std::vector<Entry> entries;
    for (const Conn& c : conns) {
        if (share_leaf(t, c.src_host, c.dst_host))
            continue;  // can stay on a shared leaf
        bound = std::max(bound, c.volume);
        vmin = std::min(vmin, c.volume);
        vmax = std::max(vmax, c.volume);
        entries.push_back({group[c.src_host], group[c.dst_host], c.volume, 1});
    }
    if (entries.empty())
        return 0;
    // Equal volumes and capacities: planner.cpp's test, same_amount().
    const bool unit = same_amount(vmax, vmin) && same_amount(cmax, cmin);
    // Aggregate by (from, to); `by_to` the same sorted by destination group.
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return std::pair(a.from, a.to) < std::pair(b.from, b.to); });
    std::vector<Entry> agg;
    for (const Entry& e : entries) {
        if (!agg.empty() && agg.back().from == e.from && agg.back().to == e.to) {
            agg.back().volume += e.volume;
            agg.back().count++;
        } else {
            agg.push_back(e);
        }
    }
    std::vector<Entry> by_to = agg;
    std::stable_sort(by_to.begin(), by_to.end(), [](const Entry& a, const Entry& b) { return a.to < b.to; });
    auto ranges = [&](const std::vector<Entry>& v, bool from) {
        std::vector<std::pair<size_t, size_t>> r(n_groups, {0, 0});
        for (size_t i = 0; i < v.size();) {
            const uint32_t g = from ? v[i].from : v[i].to;
            size_t j = i;
            while (j < v.size() && (from ? v[j].from : v[j].to) == g)
                j++;
            r[g] = {i, j};
            i = j;
        }
        return r;
    };
    const auto out_range = ranges(agg, true), in_range = ranges(by_to, false);

    // Regions: each group's leaves, and (with superspines) the pods of those leaves.
    const bool tiers3 = std::any_of(t.nodes.begin(), t.nodes.end(), [](const Node& n) { return n.role == Role::Superspine; });
    const auto pod = tiers3 ? pods(t) : std::vector<int32_t>{};
    std::set<std::vector<uint32_t>> regions;
    for (uint32_t g = 0; g < n_groups; g++) {
        regions.insert(leaves_of[g]);
        if (!tiers3)
            continue;
        std::set<int32_t> ps;
        for (uint32_t l : leaves_of[g])
            ps.insert(pod[l]);
        std::vector<uint32_t> r;
        for (uint32_t n = 0; n < t.nodes.size(); n++)
            if (t.nodes[n].role != Role::Superspine && ps.count(pod[n]))
                r.push_back(n);
        regions.insert(r);
    }
    std::vector<char> inside(t.nodes.size(), 0), all_in(n_groups), none_in(n_groups);
    for (const auto& region : regions) {
        for (uint32_t n : region)
            inside[n] = 1;
        double up_cap = 0, down_cap = 0;
        uint64_t up_links = 0, down_links = 0;
        for (uint32_t d = 0; d < t.n_dlinks(); d++) {
            const bool from_in = inside[t.dlink_from(d)], to_in = inside[t.dlink_to(d)];
            if (from_in && !to_in) {
                up_cap += t.dcapacity(d);
                up_links++;
            } else if (!from_in && to_in) {
                down_cap += t.dcapacity(d);
                down_links++;
            }
        }
        std::vector<uint32_t> sources;
        for (uint32_t g = 0; g < n_groups; g++) {
            const auto& ls = leaves_of[g];
            all_in[g] = std::all_of(ls.begin(), ls.end(), [&](uint32_t l) { return inside[l] != 0; });
            none_in[g] = std::none_of(ls.begin(), ls.end(), [&](uint32_t l) { return inside[l] != 0; });
            if (all_in[g])
                sources.push_back(g);
        }
        auto cut = [&](const std::vector<Entry>& v, const std::vector<std::pair<size_t, size_t>>& range, bool out,
                       double cap, uint64_t links) {
            double vol = 0;
            uint64_t count = 0;
            for (uint32_t g : sources)
                for (size_t i = range[g].first; i < range[g].second; i++)
                    if (none_in[out ? v[i].to : v[i].from]) {
                        vol += v[i].volume;
                        count += v[i].count;
                    }
            if (count == 0)
                return;
            if (links == 0 || cap <= 0)
                return;  // cannot happen in a valid topology with such traffic
            const double b = unit ? std::ceil(static_cast<double>(count) / static_cast<double>(links) - 1e-9) * vmax
                                  : vol * cmax / cap;
            bound = std::max(bound, b);
        };
        cut(agg, out_range, true, up_cap, up_links);
        cut(by_to, in_range, false, down_cap, down_links);
        for (uint32_t n : region)
            inside[n] = 0;
    }
    return bound;
}

}  // namespace srv6steer::planner
