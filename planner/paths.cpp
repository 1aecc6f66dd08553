// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What every scheme (planner, ECMP, greedy) shares: the job's connections
// with their hosts, the candidate paths between two leaves, link loads.
#include <algorithm>
#include <cmath>
#include <map>

#include "json_in.hpp"
#include "plan.hpp"
#include "srv6steer/error.hpp"
#include "text.hpp"

namespace srv6steer::planner {

using text::cat;

std::optional<uint32_t> leaf_in_plane(const Topology& t, uint32_t host, unsigned plane) {
    for (uint32_t l : t.hosts[host].leaves)
        if (t.nodes[l].plane == plane)
            return l;
    return std::nullopt;
}

std::vector<Conn> connections(const Topology& t, const Job& job) {
    std::vector<uint32_t> host_of(job.ranks.size());
    std::vector<std::string> problems;
    for (size_t r = 0; r < job.ranks.size(); r++) {
        if (auto h = t.host(job.ranks[r])) {
            host_of[r] = *h;
            continue;
        }
        std::string p = jsonin::at("ranks", r);
        p += ": no host ";
        p += text::quote(job.ranks[r]);
        p += " in topology ";
        p += text::quote(t.name);
        problems.push_back(p);
    }
    if (!problems.empty()) {
        std::string msg = job.source;
        msg += ": ";
        msg += problems.front();
        if (problems.size() > 1) {
            msg += " (and ";
            msg += std::to_string(problems.size() - 1);
            msg += " more ranks on unknown hosts)";
        }
        throw Error(msg);
    }
    // Counted before anything is allocated: all-to-all grows as ranks squared.
    const uint64_t n = job.ranks.size();
    uint64_t total = 0;
    const std::vector<Demand> demands =
        job.pattern == Pattern::AllToAll && n * (n - 1) * job.connections > kMaxPlanConnections
            ? std::vector<Demand>{}
            : job.demands();
    if (job.pattern == Pattern::AllToAll && demands.empty())
        total = n * (n - 1) * job.connections;
    for (const Demand& d : demands)
        total += d.connections;
    if (total > kMaxPlanConnections) {
        throw Error(cat({job.source, ": ", std::to_string(total), " connections (rank pairs x connections), more than ", std::to_string(kMaxPlanConnections), " in one plan: use fewer connections per rank pair, or plan the job in parts"}));
    }
    // Whether two leaves of a plane are joined by a path, asked once per pair.
    std::map<std::pair<uint32_t, uint32_t>, bool> joined;
    auto reach = [&](uint32_t a, uint32_t b) {
        auto [it, fresh] = joined.emplace(std::pair(a, b), false);
        if (fresh)
            it->second = !leaf_paths(t, a, b).empty();
        return it->second;
    };
    std::vector<Conn> out;
    out.reserve(total);
    for (const Demand& d : demands) {
        const uint32_t s = host_of[d.src], r = host_of[d.dst];
        if (s == r)
            continue;  // never leaves the host
        bool shared_plane = false;
        for (uint32_t l : t.hosts[s].leaves)
            shared_plane = shared_plane || leaf_in_plane(t, r, t.nodes[l].plane).has_value();
        if (!shared_plane) {
            std::string msg = job.source;
            msg += ": ranks ";
            msg += std::to_string(d.src);
            msg += " -> ";
            msg += std::to_string(d.dst);
            msg += ": hosts ";
            msg += text::quote(t.hosts[s].name);
            msg += " and ";
            msg += text::quote(t.hosts[r].name);
            msg += " share no plane, so no path joins them";
            throw Error(msg);
        }
        bool path = false;
        for (uint32_t l : t.hosts[s].leaves)
            if (auto other = leaf_in_plane(t, r, t.nodes[l].plane))
                path = path || reach(l, *other);
        if (!path) {
            std::string msg = cat({job.source, ": ranks ", std::to_string(d.src), " -> ", std::to_string(d.dst), ": hosts ", text::quote(t.hosts[s].name), " and ", text::quote(t.hosts[r].name), ": no path joins their leaves in any plane they share ("});
            bool first = true;
            for (uint32_t l : t.hosts[s].leaves)
                if (auto other = leaf_in_plane(t, r, t.nodes[l].plane)) {
                    msg += first ? "" : ", ";
                    first = false;
                    msg += cat({t.nodes[l].name, " and ", t.nodes[*other].name, " have no common spine"});
                }
            msg += "); link those leaves through a spine (or their spines through a superspine)";
            throw Error(msg);
        }
        for (unsigned k = 0; k < d.connections; k++)
            out.push_back({d.src, d.dst, s, r, k, d.volume / d.connections, 0, {}});
    }
    return out;
}

std::vector<std::vector<uint32_t>> leaf_paths(const Topology& t, uint32_t a, uint32_t b) {
    if (a == b)
        return {{a}};
    auto up = [&](uint32_t n, Role want) {
        std::vector<uint32_t> out;
        for (uint32_t m : t.neighbours(n))
            if (t.nodes[m].role == want)
                out.push_back(m);
        return out;
    };
    std::vector<std::vector<uint32_t>> out;
    const auto sa = up(a, Role::Spine);
    const auto& nb = t.neighbours(b);
    auto adj_b = [&](uint32_t s) { return std::binary_search(nb.begin(), nb.end(), s); };
    for (uint32_t s : sa)
        if (adj_b(s))
            out.push_back({a, s, b});
    if (!out.empty())
        return out;
    for (uint32_t s1 : sa)
        for (uint32_t ss : up(s1, Role::Superspine))
            for (uint32_t s2 : t.neighbours(ss))
                if (s2 != s1 && t.nodes[s2].role == Role::Spine && adj_b(s2))
                    out.push_back({a, s1, ss, s2, b});
    return out;
}

LinkLoads link_loads(const Topology& t, const std::vector<Conn>& conns) {
    LinkLoads l;
    l.load.assign(t.n_dlinks(), 0.0);
    for (const Conn& c : conns)
        for (size_t i = 0; i + 1 < c.hops.size(); i++)
            l.load[*t.dlink(c.hops[i], c.hops[i + 1])] += c.volume;
    return l;
}

LoadStats stats(const Topology& t, const LinkLoads& loads) {
    LoadStats s;
    if (loads.load.empty())
        return s;
    double cmax = 0;
    for (const auto& l : t.links)
        cmax = std::max(cmax, l.capacity);
    double sum = 0;
    for (uint32_t d = 0; d < loads.load.size(); d++) {
        const double v = loads.load[d] * cmax / t.dcapacity(d);
        s.max = std::max(s.max, v);
        sum += v;
    }
    s.mean = sum / static_cast<double>(loads.load.size());
    return s;
}

bool Plan::reaches_bound() const { return load.max <= lower_bound * (1 + 1e-9) + 1e-12; }

}  // namespace srv6steer::planner
