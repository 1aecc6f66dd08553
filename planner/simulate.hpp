// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Link loads of a job under three schemes (docs/paths.md, "Simulation"):
// the planner; ECMP with 5-tuple hashing (each connection picks a plane and
// then, hop by hop, one of the next hops of the shortest paths uniformly at
// random), over many seeds; and greedy lowest-load (Jalapeno's
// /shortest_path/load: rank pairs in order, each all its connections on the
// shortest path whose links carry the fewest paths so far, then +1 on them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plan.hpp"

namespace srv6steer::planner {

struct SchemeResult {
    std::string name;      // "planner", "ecmp", "greedy"
    LoadStats load;        // ECMP: max and mean averaged over the seeds
    double worst_max = 0;  // ECMP: the largest max of any seed; else load.max
    LinkLoads loads;       // ECMP: per link, the mean over the seeds
};

struct Simulation {
    size_t hosts = 0;        // hosts the job runs on
    size_t connections = 0;
    unsigned seeds = 0;
    double lower_bound = 0;
    std::vector<SchemeResult> schemes;  // planner, ecmp, greedy
};

// Deterministic: seed s of ECMP uses its own generator seeded with first_seed + s.
Simulation simulate(const Topology& t, const Job& job, unsigned seeds = 32, uint64_t first_seed = 1);

// One ECMP draw: every connection's hops.
std::vector<Conn> ecmp(const Topology& t, std::vector<Conn> conns, uint64_t seed);
// Jalapeno-style greedy: every connection's hops.
std::vector<Conn> greedy(const Topology& t, std::vector<Conn> conns);

// A text table: scheme, max, mean, max / lower bound.
std::string table(const Simulation& s);

// The fabric as SVG: superspines, spines and leaves in rows, each directed
// link a line coloured by its load (green: idle .. red: the busiest) and, on
// small fabrics, labelled with it.
std::string svg(const Topology& t, const LinkLoads& loads, const std::string& title = "");

}  // namespace srv6steer::planner
