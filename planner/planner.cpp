// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The planner (docs/paths.md, "Planner"). Equal connections on 2-tier
// planes whose leaves all reach every spine: edge colouring of the host-group
// multigraph, which reaches the lower bound. Otherwise: greedy by decreasing
// volume onto the path with the least resulting maximum, then moves off the
// busiest links while a move lowers them, then branch and bound from there
// within a budget: optimal when it finishes (Plan::proved_optimal).
#include <algorithm>
#include <cmath>
#include <map>

#include "colouring.hpp"
#include "plan.hpp"
#include "search.hpp"

namespace srv6steer::planner {

namespace {

constexpr double kEps = 1e-9;
// Paths the exact search may try (tens of milliseconds): past it, the
// heuristic's plan, improved as far as the search got.
constexpr uint64_t kSearchBudget = 2'000'000;

double max_capacity(const Topology& t) {
    double c = 0;
    for (const auto& l : t.links)
        c = std::max(c, l.capacity);
    return c;
}

// Hosts grouped by their leaves, numbered in order of their first host;
// nullopt unless the colouring applies (see the file comment).
struct Groups {
    std::vector<uint32_t> of_host;
    std::vector<uint32_t> first_host;
    std::vector<std::vector<uint32_t>> spines;  // [plane] -> spines, by index
};

std::optional<Groups> colourable(const Topology& t, const std::vector<Conn>& conns) {
    const unsigned planes = t.planes();
    Groups g;
    g.spines.resize(planes);
    for (uint32_t n = 0; n < t.nodes.size(); n++) {
        if (t.nodes[n].role == Role::Superspine)
            return std::nullopt;
        if (t.nodes[n].role == Role::Spine)
            g.spines[t.nodes[n].plane].push_back(n);
    }
    const size_t s = g.spines[0].size();
    for (const auto& sp : g.spines)
        if (sp.size() != s || s == 0)
            return std::nullopt;
    for (uint32_t n = 0; n < t.nodes.size(); n++)
        if (t.nodes[n].role == Role::Leaf && t.neighbours(n).size() != s)
            return std::nullopt;  // neighbours of a leaf are spines of its plane, each once
    for (const auto& l : t.links)
        if (!same_amount(l.capacity, t.links[0].capacity))
            return std::nullopt;
    // The same volume test as lower_bound()'s, whose bound this method reaches.
    for (const Conn& c : conns)
        if (!same_amount(c.volume, conns.front().volume))
            return std::nullopt;
    // Every host one leaf per plane; hosts sharing a leaf share all their leaves.
    std::map<std::vector<uint32_t>, uint32_t> ids;
    std::vector<int64_t> group_of_leaf(t.nodes.size(), -1);
    g.of_host.resize(t.hosts.size());
    for (uint32_t h = 0; h < t.hosts.size(); h++) {
        std::vector<uint32_t> key(planes);
        for (unsigned p = 0; p < planes; p++) {
            auto l = leaf_in_plane(t, h, p);
            if (!l)
                return std::nullopt;
            key[p] = *l;
        }
        auto [it, fresh] = ids.emplace(key, static_cast<uint32_t>(g.first_host.size()));
        if (fresh)
            g.first_host.push_back(h);
        g.of_host[h] = it->second;
        for (uint32_t l : key) {
            if (group_of_leaf[l] >= 0 && group_of_leaf[l] != it->second)
                return std::nullopt;
            group_of_leaf[l] = it->second;
        }
    }
    return g;
}

void colour_plan(const Topology& t, const Groups& g, std::vector<Conn>& conns) {
    const auto planes = static_cast<uint32_t>(t.planes());
    const auto spines = static_cast<uint32_t>(g.spines[0].size());
    std::vector<BipartiteEdge> edges;
    std::vector<uint32_t> edge_conn;
    for (uint32_t i = 0; i < conns.size(); i++) {
        Conn& c = conns[i];
        const uint32_t a = g.of_host[c.src_host], b = g.of_host[c.dst_host];
        const uint32_t want = (c.index + c.src_rank + c.dst_rank) % planes;  // spreads a pair over planes
        if (a == b) {  // same leaves: no fabric link
            c.plane = want;
            c.hops = {*leaf_in_plane(t, c.src_host, want)};
            continue;
        }
        edges.push_back({a, b, want});
        edge_conn.push_back(i);
    }
    const auto n = static_cast<uint32_t>(g.first_host.size());
    const auto colour = colour_edges(n, n, edges, planes);
    for (size_t e = 0; e < edges.size(); e++) {
        Conn& c = conns[edge_conn[e]];
        c.plane = colour[e] % planes;
        const uint32_t spine = g.spines[c.plane][(colour[e] / planes) % spines];
        c.hops = {*leaf_in_plane(t, c.src_host, c.plane), spine, *leaf_in_plane(t, c.dst_host, c.plane)};
    }
}

// Candidate paths of every connection: over every plane both hosts are in.
struct Candidates {
    std::vector<std::vector<std::vector<uint32_t>>> hops;   // per distinct (src leaves, dst leaves) key
    std::vector<std::vector<std::vector<uint32_t>>> links;  // the same as directed links
    std::vector<uint32_t> of_conn;                          // conn -> index into hops/links
};

Candidates candidates(const Topology& t, const std::vector<Conn>& conns) {
    Candidates c;
    std::map<std::pair<uint32_t, uint32_t>, uint32_t> by_hosts_leaves;  // (src host's, dst host's) leaf sets
    std::map<std::vector<uint32_t>, uint32_t> leafset;
    auto leafset_of = [&](uint32_t h) {
        auto k = t.hosts[h].leaves;
        return leafset.emplace(k, static_cast<uint32_t>(leafset.size())).first->second;
    };
    for (const Conn& conn : conns) {
        const auto key = std::pair(leafset_of(conn.src_host), leafset_of(conn.dst_host));
        auto [it, fresh] = by_hosts_leaves.emplace(key, static_cast<uint32_t>(c.hops.size()));
        c.of_conn.push_back(it->second);
        if (!fresh)
            continue;
        std::vector<std::vector<uint32_t>> all;
        for (uint32_t ls : t.hosts[conn.src_host].leaves)
            if (auto ld = leaf_in_plane(t, conn.dst_host, t.nodes[ls].plane))
                for (auto& p : leaf_paths(t, ls, *ld))
                    all.push_back(std::move(p));
        std::vector<std::vector<uint32_t>> dl;
        for (const auto& p : all) {
            std::vector<uint32_t> d;
            for (size_t i = 0; i + 1 < p.size(); i++)
                d.push_back(*t.dlink(p[i], p[i + 1]));
            dl.push_back(std::move(d));
        }
        c.hops.push_back(std::move(all));
        c.links.push_back(std::move(dl));
    }
    return c;
}

// Returns whether the plan is proved optimal (the exact search finished).
bool heuristic_plan(const Topology& t, std::vector<Conn>& conns) {
    const Candidates cand = candidates(t, conns);
    const double cmax = max_capacity(t);
    std::vector<double> scale(t.n_dlinks()), load(t.n_dlinks(), 0.0);
    for (uint32_t d = 0; d < t.n_dlinks(); d++)
        scale[d] = cmax / t.dcapacity(d);
    std::vector<uint32_t> order(conns.size());
    for (uint32_t i = 0; i < order.size(); i++)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return conns[a].volume > conns[b].volume; });
    std::vector<uint32_t> chosen(conns.size(), 0);
    std::vector<std::vector<uint32_t>> on_link(t.n_dlinks());
    // The max after adding v on path p (without `minus` on `old`), and the load it sums.
    auto cost = [&](const std::vector<uint32_t>& p, double v) {
        double m = 0, sum = 0;
        for (uint32_t d : p) {
            m = std::max(m, (load[d] + v) * scale[d]);
            sum += load[d] * scale[d];
        }
        return std::pair(m, sum);
    };
    auto place = [&](uint32_t i, uint32_t k, double sign) {
        for (uint32_t d : cand.links[cand.of_conn[i]][k]) {
            load[d] += sign * conns[i].volume;
            if (sign > 0)
                on_link[d].push_back(i);
        }
    };
    for (uint32_t i : order) {
        const auto& options = cand.links[cand.of_conn[i]];
        uint32_t best = 0;
        std::pair<double, double> best_cost{INFINITY, INFINITY};
        for (uint32_t k = 0; k < options.size(); k++) {
            const auto c = cost(options[k], conns[i].volume);
            if (c.first < best_cost.first - kEps || (c.first <= best_cost.first + kEps && c.second < best_cost.second - kEps)) {
                best = k;
                best_cost = c;
            }
        }
        chosen[i] = best;
        place(i, best, 1);
    }
    // Local search: move a connection off a busiest link when its other path
    // stays below that link's load; until no busiest link can be relieved.
    auto on_path = [&](uint32_t i, uint32_t d) {
        const auto& p = cand.links[cand.of_conn[i]][chosen[i]];
        return std::find(p.begin(), p.end(), d) != p.end();
    };
    for (size_t moves = 0; moves < 200000;) {
        double m = 0;
        for (uint32_t d = 0; d < load.size(); d++)
            m = std::max(m, load[d] * scale[d]);
        if (m <= 0)
            break;
        bool moved = false;
        for (uint32_t d = 0; d < load.size() && !moved; d++) {
            if (load[d] * scale[d] < m - kEps * m)
                continue;
            auto& list = on_link[d];
            list.erase(std::remove_if(list.begin(), list.end(), [&](uint32_t i) { return !on_path(i, d); }), list.end());
            for (uint32_t i : list) {
                const auto& options = cand.links[cand.of_conn[i]];
                place(i, chosen[i], -1);
                uint32_t best = chosen[i];
                double best_max = m - kEps * m;
                for (uint32_t k = 0; k < options.size(); k++) {
                    if (k == chosen[i])
                        continue;
                    const double c = cost(options[k], conns[i].volume).first;
                    if (c < best_max) {
                        best = k;
                        best_max = c;
                    }
                }
                if (best != chosen[i]) {
                    // remove stale entry of i from d's list happens on the next pass
                    chosen[i] = best;
                    place(i, best, 1);
                    moved = true;
                    moves++;
                    break;
                }
                for (uint32_t dd : options[chosen[i]])
                    load[dd] += conns[i].volume;  // put back (without listing it twice)
            }
        }
        if (!moved)
            break;
    }
    // Then the exact search from there, within a budget of paths tried.
    SearchProblem sp;
    sp.scale = scale;
    for (uint32_t i = 0; i < conns.size() && conns.size() <= kSearchBudget; i++) {
        sp.options.push_back(&cand.links[cand.of_conn[i]]);
        sp.group.push_back(cand.of_conn[i]);
        sp.volume.push_back(conns[i].volume);
    }
    // Each connection costs the search at least one path tried: past the
    // budget it could never complete a plan, so it is not started.
    SearchResult found;
    if (conns.size() <= kSearchBudget)
        found = branch_and_bound(sp, chosen, lower_bound(t, conns), kSearchBudget);
    for (uint32_t i = 0; i < conns.size(); i++) {
        conns[i].hops = cand.hops[cand.of_conn[i]][chosen[i]];
        conns[i].plane = t.nodes[conns[i].hops.front()].plane;
    }
    return found.finished;
}

}  // namespace

Plan plan(const Topology& t, const Job& job) {
    Plan p;
    p.topology = t;
    p.job_source = job.source;
    p.world_size = job.world_size();
    p.conns = connections(t, job);
    if (auto g = colourable(t, p.conns)) {
        colour_plan(t, *g, p.conns);
        p.method = "edge colouring";
    } else {
        p.proved_optimal = heuristic_plan(t, p.conns);
        p.method = "greedy + local search + branch and bound";
    }
    p.loads = link_loads(t, p.conns);
    p.load = stats(t, p.loads);
    p.lower_bound = lower_bound(t, p.conns);
    p.proved_optimal = p.proved_optimal || p.reaches_bound();
    return p;
}

}  // namespace srv6steer::planner
