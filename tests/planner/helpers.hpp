// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Shared by the planner's tests: reading repo files, running a command.
#pragma once

#include <cstdio>
#include <fstream>
#include <sstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "api.hpp"
#include "srv6steer/error.hpp"

namespace srv6steer::planner::test {

inline std::string repo_file(const std::string& rel) {
    std::ifstream f(std::string(SRV6S_SOURCE_DIR) + "/" + rel);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// stdout of `sh -c cmd`, and its exit status.
inline std::pair<std::string, int> run(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p)
        return {"", -1};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    return {out, pclose(p)};
}

// The message of the Error that f throws ("" if none).
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

inline Topology lab() { return Topology::parse(repo_file("topologies/lab.json"), "lab.json"); }

}  // namespace srv6steer::planner::test

#include <rapidcheck.h>

namespace srv6steer::planner::test {

// A random Clos fabric: 2-tier (or 3-tier when three), 1 or 2 planes.
inline ClosSpec gen_spec(bool three, unsigned max_leaves = 8) {
    ClosSpec s;
    s.tiers = three ? 3 : 2;
    s.planes = *rc::gen::inRange(1u, 3u);
    s.leaves = *rc::gen::inRange(1u, max_leaves + 1);
    s.spines = *rc::gen::inRange(1u, 5u);
    s.hosts_per_leaf = *rc::gen::inRange(1u, 4u);
    if (three) {
        s.pods = *rc::gen::inRange(1u, 4u);
        s.superspines = s.spines * *rc::gen::inRange(1u, 3u);
    }
    if (s.leaves * s.pods * s.hosts_per_leaf < 2)
        s.hosts_per_leaf = 2;
    return s;
}

inline std::vector<std::string> host_names(const Topology& t) {
    std::vector<std::string> out;
    for (const auto& h : t.hosts)
        out.push_back(h.name);
    return out;
}

// Permutation traffic: host i sends to host perm[i] over `connections` equal connections.
inline Job gen_permutation(const Topology& t, unsigned connections) {
    const auto n = static_cast<uint32_t>(t.hosts.size());
    std::vector<uint32_t> perm(n);
    for (uint32_t i = 0; i < n; i++)
        perm[i] = i;
    for (uint32_t i = n; i > 1; i--)
        std::swap(perm[i - 1], perm[*rc::gen::inRange<uint32_t>(0, i)]);
    Job j;
    j.ranks = host_names(t);
    j.pattern = Pattern::Pairs;
    for (uint32_t i = 0; i < n; i++)
        if (perm[i] != i)
            j.pairs.push_back({i, perm[i], 1.0 * connections, connections});
    return j;
}

// Any traffic: random pairs, volumes and connections; ranks may share hosts.
inline Job gen_general(const Topology& t, size_t max_pairs, bool equal) {
    Job j;
    const auto n_ranks = *rc::gen::inRange<size_t>(2, t.hosts.size() + 3);
    for (size_t r = 0; r < n_ranks; r++)
        j.ranks.push_back(t.hosts[*rc::gen::inRange<size_t>(0, t.hosts.size())].name);
    j.pattern = Pattern::Pairs;
    const auto n = *rc::gen::inRange<size_t>(1, max_pairs + 1);
    std::set<std::pair<uint32_t, uint32_t>> seen;
    for (size_t i = 0; i < n; i++) {
        const auto s = *rc::gen::inRange<uint32_t>(0, static_cast<uint32_t>(n_ranks));
        const auto d = *rc::gen::inRange<uint32_t>(0, static_cast<uint32_t>(n_ranks));
        if (s == d || !seen.insert({s, d}).second)
            continue;
        const unsigned c = equal ? 1 : *rc::gen::inRange(1u, 3u);
        const double v = equal ? 1.0 : *rc::gen::inRange(1, 9);
        j.pairs.push_back({s, d, v * c, c});
    }
    return j;
}

}  // namespace srv6steer::planner::test
