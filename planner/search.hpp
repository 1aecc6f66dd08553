// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Exact search for the heuristic's cases (docs/paths.md, "Planner"): branch
// and bound over every connection's candidate paths, starting from the
// heuristic's plan as the incumbent, within a node budget. When it finishes,
// the plan it returns is optimal (no assignment of candidate paths has a
// smaller busiest link).
#pragma once

#include <cstdint>
#include <vector>

namespace srv6steer::planner {

struct SearchProblem {
    // Per connection: its candidate paths, each as directed link ids.
    std::vector<const std::vector<std::vector<uint32_t>>*> options;
    // Per connection: connections of one group share their candidates; with
    // equal volumes they are interchangeable (searched once, not in every order).
    std::vector<uint32_t> group;
    std::vector<double> volume;
    // Per directed link: the factor that makes its load comparable (c_max / capacity).
    std::vector<double> scale;
};

struct SearchResult {
    bool finished = false;  // every assignment was ruled out: `chosen` is optimal
    bool improved = false;  // `chosen` changed
    uint64_t nodes = 0;     // paths tried
};

// Improves `chosen` (per connection, an index into its options: the
// incumbent) to the smallest busiest link found within `budget` nodes.
// Stops early, finished, when it reaches `lower_bound`. Deterministic.
SearchResult branch_and_bound(const SearchProblem& p, std::vector<uint32_t>& chosen, double lower_bound,
                              uint64_t budget);

}  // namespace srv6steer::planner
