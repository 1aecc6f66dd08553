// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What every benchmark shares: its failure type, CPU pinning, and the JSON
// line per figure (DESIGN.md §6) that scripts compare across runs.
#pragma once

#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

namespace benchutil {

// A check that failed: the benchmark exits 2, since its figures would lie.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Pins the process to one CPU (cpu < 0: leaves it free).
inline void pin_cpu(int cpu) {
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set))
        throw Failure("pinning to CPU " + std::to_string(cpu) + ": " + std::strerror(errno));
}

// {"bench":…,"case":…,"value":…,"unit":…[,"goal":…]} on stdout.
inline void json(const std::string& bench, const std::string& name, double value, const char* unit,
                 std::optional<double> goal = std::nullopt, int decimals = 1) {
    std::printf("{\"bench\":\"%s\",\"case\":\"%s\",\"value\":%.*f,\"unit\":\"%s\"", bench.c_str(),
                name.c_str(), decimals, value, unit);
    if (goal)
        std::printf(",\"goal\":%g", *goal);
    std::printf("}\n");
    std::fflush(stdout);
}

}  // namespace benchutil
