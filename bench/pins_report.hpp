// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// bench_pins's output: one JSON line per figure on stdout (medians, per-pin
// times, clean-up, ENOMEM retries, ratios) and the readable table on stderr.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pins_cases.hpp"

namespace pins {

inline constexpr double kGoalBatch = 1000000;  // pins/s
inline constexpr double kGoalRatio = 20;       // batch / route_netlink

// One case and what it measured.
struct Outcome {
    std::string name, what;
    uint64_t n = 0;
    std::optional<double> goal;       // of its pins/s
    std::string removal_what;         // the timed clean-up, if any
    const char* removal_unit = "pins/s";  // "routes/s", or "ms" for a detach
    Result res;
};

void print_json(const std::vector<Outcome>& cases);
void print_table(const std::vector<Outcome>& cases, uint32_t reps);

}  // namespace pins
