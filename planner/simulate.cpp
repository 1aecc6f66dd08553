// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "simulate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace srv6steer::planner {

namespace {

// splitmix64: small, fixed and the same everywhere (std distributions are not).
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    uint32_t below(uint32_t n) { return static_cast<uint32_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
};

// Candidate paths per (src leaf, dst leaf), cached.
class PathCache {
public:
    explicit PathCache(const Topology& t) : t_(t) {}
    const std::vector<std::vector<uint32_t>>& get(uint32_t a, uint32_t b) {
        auto [it, fresh] = cache_.try_emplace(std::pair(a, b));
        if (fresh)
            it->second = leaf_paths(t_, a, b);
        return it->second;
    }

private:
    const Topology& t_;
    std::map<std::pair<uint32_t, uint32_t>, std::vector<std::vector<uint32_t>>> cache_;
};

// The planes both hosts are in whose leaves a path joins (connections()
// made sure there is one).
std::vector<unsigned> shared_planes(const Topology& t, PathCache& cache, const Conn& c) {
    std::vector<unsigned> out;
    for (uint32_t l : t.hosts[c.src_host].leaves)
        if (auto other = leaf_in_plane(t, c.dst_host, t.nodes[l].plane); other && !cache.get(l, *other).empty())
            out.push_back(t.nodes[l].plane);
    std::sort(out.begin(), out.end());
    return out;
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

}  // namespace

std::vector<Conn> ecmp(const Topology& t, std::vector<Conn> conns, uint64_t seed) {
    Rng rng{seed};
    PathCache cache(t);
    std::vector<uint32_t> next;
    for (Conn& c : conns) {
        const auto planes = shared_planes(t, cache, c);
        c.plane = planes[rng.below(static_cast<uint32_t>(planes.size()))];
        const auto& paths = cache.get(*leaf_in_plane(t, c.src_host, c.plane), *leaf_in_plane(t, c.dst_host, c.plane));
        // Hop by hop: one of the distinct next nodes of the paths that agree so far.
        c.hops = {paths[0][0]};
        for (size_t hop = 1; hop < paths[0].size(); hop++) {
            next.clear();
            for (const auto& p : paths)
                if (std::equal(c.hops.begin(), c.hops.end(), p.begin()))
                    next.push_back(p[hop]);
            std::sort(next.begin(), next.end());
            next.erase(std::unique(next.begin(), next.end()), next.end());
            c.hops.push_back(next[rng.below(static_cast<uint32_t>(next.size()))]);
        }
    }
    return conns;
}

std::vector<Conn> greedy(const Topology& t, std::vector<Conn> conns) {
    PathCache cache(t);
    std::vector<double> placed(t.n_dlinks(), 0.0);  // paths on each link so far (Jalapeno's "load")
    for (size_t i = 0; i < conns.size();) {
        size_t j = i;
        while (j < conns.size() && conns[j].src_rank == conns[i].src_rank && conns[j].dst_rank == conns[i].dst_rank)
            j++;
        const std::vector<uint32_t>* best = nullptr;
        double best_load = INFINITY;
        for (unsigned p : shared_planes(t, cache, conns[i]))
            for (const auto& path : cache.get(*leaf_in_plane(t, conns[i].src_host, p), *leaf_in_plane(t, conns[i].dst_host, p))) {
                double sum = 0;
                for (size_t k = 0; k + 1 < path.size(); k++)
                    sum += placed[*t.dlink(path[k], path[k + 1])];
                if (sum < best_load) {
                    best_load = sum;
                    best = &path;
                }
            }
        for (size_t k = 0; k + 1 < best->size(); k++)
            placed[*t.dlink((*best)[k], (*best)[k + 1])] += 1;
        for (size_t k = i; k < j; k++) {
            conns[k].hops = *best;
            conns[k].plane = t.nodes[best->front()].plane;
        }
        i = j;
    }
    return conns;
}

Simulation simulate(const Topology& t, const Job& job, unsigned seeds, uint64_t first_seed) {
    Simulation s;
    const Plan p = plan(t, job);
    std::vector<char> used(t.hosts.size(), 0);
    for (const auto& h : job.ranks)
        used[*t.host(h)] = 1;
    s.hosts = static_cast<size_t>(std::count(used.begin(), used.end(), 1));
    s.connections = p.conns.size();
    s.seeds = std::max(1u, seeds);
    s.lower_bound = p.lower_bound;
    s.schemes.push_back({"planner", p.load, p.load.max, p.loads});

    SchemeResult e{"ecmp", {}, 0, {}};
    e.loads.load.assign(t.n_dlinks(), 0.0);
    for (unsigned k = 0; k < s.seeds; k++) {
        const auto l = link_loads(t, ecmp(t, p.conns, first_seed + k));
        const auto st = stats(t, l);
        e.load.max += st.max / s.seeds;
        e.load.mean += st.mean / s.seeds;
        e.worst_max = std::max(e.worst_max, st.max);
        for (size_t d = 0; d < l.load.size(); d++)
            e.loads.load[d] += l.load[d] / s.seeds;
    }
    s.schemes.push_back(e);

    const auto g = link_loads(t, greedy(t, p.conns));
    const auto gs = stats(t, g);
    s.schemes.push_back({"greedy", gs, gs.max, g});
    return s;
}

std::string table(const Simulation& s) {
    std::string out = "hosts ";
    out += std::to_string(s.hosts);
    out += ", connections ";
    out += std::to_string(s.connections);
    out += ", lower bound ";
    out += fmt(s.lower_bound);
    out += ", ECMP over ";
    out += std::to_string(s.seeds);
    out += " seeds\n";
    char line[160];
    std::snprintf(line, sizeof line, "%-8s %10s %10s %12s\n", "scheme", "max load", "mean load", "max / bound");
    out += line;
    for (const auto& r : s.schemes) {
        const std::string ratio = s.lower_bound > 0 ? fmt(r.load.max / s.lower_bound) : "-";
        std::snprintf(line, sizeof line, "%-8s %10s %10s %12s\n", r.name.c_str(), fmt(r.load.max).c_str(),
                      fmt(r.load.mean).c_str(), ratio.c_str());
        out += line;
    }
    return out;
}

}  // namespace srv6steer::planner
