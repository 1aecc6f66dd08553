// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A training job as the planner sees it (format in docs/paths.md, "Job"):
// which host each rank runs on, and who sends how much to whom over how many
// connections (or RDMA queue pairs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace srv6steer::planner {

enum class Pattern { Ring, AllToAll, Pairs };
// Ring direction: who rank r sends to. gloo's ring all-reduce sends r -> r-1.
enum class Direction { Down /* r -> r-1 */, Up /* r -> r+1 */, Both };

// What rank src sends to rank dst: volume in total (Gbit/s, or any unit the
// capacities are in), spread evenly over `connections` connections.
struct Demand {
    uint32_t src = 0, dst = 0;
    double volume = 1;
    unsigned connections = 1;
    friend bool operator==(const Demand&, const Demand&) = default;
};

struct Job {
    std::string source = "job";        // for messages
    std::vector<std::string> ranks;    // rank r runs on host ranks[r]
    Pattern pattern = Pattern::Ring;
    Direction direction = Direction::Down;
    double volume = 1;                 // per rank pair (ring, all-to-all)
    unsigned connections = 1;          // per rank pair (ring, all-to-all)
    std::vector<Demand> pairs;         // Pattern::Pairs

    static Job parse(std::string_view text, const std::string& source);
    static Job ring(std::vector<std::string> ranks, Direction d = Direction::Down, unsigned connections = 1,
                    double volume = 1);
    static Job all_to_all(std::vector<std::string> ranks, unsigned connections = 1, double volume = 1);

    size_t world_size() const { return ranks.size(); }
    // Every directed rank pair with traffic, sorted by (src, dst), each once.
    std::vector<Demand> demands() const;
};

const char* pattern_name(Pattern p);
const char* direction_name(Direction d);  // "r -> r-1", "r -> r+1", "both"

}  // namespace srv6steer::planner
