// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// bench_stack's output: the table of cases and the ratios with their goals
// on stderr, one JSON line per figure on stdout.
#pragma once

#include <vector>

#include "stack_cases.hpp"

namespace stack {

void report(const std::vector<Case>& cases, const Options& o);

}  // namespace stack
