// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A plan: the fabric path of every connection of a job, the link loads it
// gives and the lower bound no plan can beat (algorithm in docs/paths.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "job.hpp"
#include "topology.hpp"

namespace srv6steer::planner {

// Volume per directed link (Topology::n_dlinks() entries, index = directed link id).
struct LinkLoads {
    std::vector<double> load;
};

// Max and mean over the fabric's directed links. Loads are compared scaled
// to the largest capacity (a 50G link carrying 10 counts as 20 beside 100G
// links); with equal capacities that is the volume itself.
struct LoadStats {
    double max = 0;
    double mean = 0;
};
LoadStats stats(const Topology& t, const LinkLoads& loads);

// One connection of the job and the hops it takes: the node indices from the
// source host's leaf to the destination host's leaf (one node when both
// hang off the same leaf).
struct Conn {
    uint32_t src_rank = 0, dst_rank = 0;
    uint32_t src_host = 0, dst_host = 0;
    unsigned index = 0;   // 0 .. connections-1 of its rank pair
    double volume = 0;
    unsigned plane = 0;
    std::vector<uint32_t> hops;
};

struct Plan {
    Topology topology;
    std::string job_source;
    size_t world_size = 0;
    std::vector<Conn> conns;      // by (src_rank, dst_rank, index); rank pairs on one host have none
    LinkLoads loads;
    LoadStats load;               // of `loads`
    double lower_bound = 0;       // in the units of load.max
    std::string method;           // "edge colouring" or "greedy + local search + branch and bound"
    // No plan of these connections over their candidate paths has a smaller
    // busiest link: the bound is reached, or the exact search finished.
    bool proved_optimal = false;
    bool reaches_bound() const;
};

// At most this many connections (rank pairs x connections each) in one plan:
// a larger job is an Error naming it, before anything is allocated
// (docs/paths.md, "Limits").
constexpr uint64_t kMaxPlanConnections = uint64_t{1} << 24;

// Whether two volumes (or capacities) count as equal: the one test the
// planner's choice of method and the lower bound share (relative 1e-9).
inline bool same_amount(double a, double b) {
    const double m = a > b ? a : b;
    return (a > b ? a - b : b - a) <= 1e-9 * m;
}

// The job's connections, their hosts resolved (Error naming the job's place
// for an unknown host), without paths yet. Pairs of ranks on one host are left out.
// Error too for more than kMaxPlanConnections, and for a pair of hosts that
// share a plane but no path (leaves with no common spine or superspine).
std::vector<Conn> connections(const Topology& t, const Job& job);

// Plans the job: least maximum link load (docs/paths.md, "Planner").
// Deterministic: the same topology and job give the same plan.
Plan plan(const Topology& t, const Job& job);

// The lower bound on the maximum link load of any plan of these connections.
double lower_bound(const Topology& t, const std::vector<Conn>& conns);

// Adds each connection's volume to every directed link of its hops.
LinkLoads link_loads(const Topology& t, const std::vector<Conn>& conns);

// Shortest up-then-down paths between two leaves of one plane (leaf, spine,
// [superspine, spine,] leaf), in a fixed order; {leaf} when a == b.
std::vector<std::vector<uint32_t>> leaf_paths(const Topology& t, uint32_t a, uint32_t b);

// host's leaf in `plane`, if it has one there.
std::optional<uint32_t> leaf_in_plane(const Topology& t, uint32_t host, unsigned plane);

}  // namespace srv6steer::planner
