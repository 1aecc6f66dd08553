// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "search.hpp"

#include <algorithm>
#include <numeric>

namespace srv6steer::planner {

namespace {
constexpr double kEps = 1e-9;
}  // namespace

SearchResult branch_and_bound(const SearchProblem& p, std::vector<uint32_t>& chosen, double lower_bound,
                              uint64_t budget) {
    const size_t n = chosen.size();
    SearchResult r;
    std::vector<double> load(p.scale.size(), 0.0);
    auto path_of = [&](size_t i, uint32_t k) -> const std::vector<uint32_t>& { return (*p.options[i])[k]; };

    double best = 0;
    for (size_t i = 0; i < n; i++)
        for (uint32_t d : path_of(i, chosen[i]))
            load[d] += p.volume[i];
    for (size_t d = 0; d < load.size(); d++)
        best = std::max(best, load[d] * p.scale[d]);
    std::fill(load.begin(), load.end(), 0.0);
    if (best <= lower_bound * (1 + kEps)) {
        r.finished = true;
        return r;
    }

    // Largest volumes first (they decide the busiest link); interchangeable
    // connections next to each other, so each takes a path index no smaller
    // than the one before it (every assignment has such an ordering twin).
    std::vector<uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        if (p.volume[a] != p.volume[b])
            return p.volume[a] > p.volume[b];
        return p.group[a] < p.group[b];
    });
    auto twin_of_previous = [&](size_t depth) {
        if (depth == 0)
            return false;
        const uint32_t a = order[depth - 1], b = order[depth];
        return p.group[a] == p.group[b] && p.volume[a] == p.volume[b];
    };

    std::vector<uint32_t> at(n + 1, 0);    // per depth: the next option to try
    std::vector<double> peak(n + 1, 0.0);  // per depth: the busiest link before it
    size_t depth = 0;
    at[0] = 0;
    auto place = [&](size_t depth_, uint32_t k, double sign) {
        const uint32_t i = order[depth_];
        for (uint32_t d : path_of(i, k))
            load[d] += sign * p.volume[i];
    };
    for (;;) {
        if (depth == n) {  // a complete assignment below best
            best = peak[n];
            for (size_t j = 0; j < n; j++)
                chosen[order[j]] = at[j] - 1;
            r.improved = true;
            if (best <= lower_bound * (1 + kEps)) {
                r.finished = true;
                return r;
            }
        } else {
            const uint32_t i = order[depth];
            const auto& options = *p.options[i];
            bool descended = false;
            for (uint32_t k = at[depth]; k < options.size(); k++) {
                if (++r.nodes > budget)
                    return r;
                double m = peak[depth];
                for (uint32_t d : options[k])
                    m = std::max(m, (load[d] + p.volume[i]) * p.scale[d]);
                if (m < best * (1 - kEps)) {
                    place(depth, k, 1);
                    at[depth] = k + 1;
                    peak[depth + 1] = m;
                    depth++;
                    at[depth] = depth < n && twin_of_previous(depth) ? k : 0;
                    descended = true;
                    break;
                }
            }
            if (descended)
                continue;
        }
        // Back up: undo the path of the level above and try its next option.
        if (depth == 0)
            break;
        depth--;
        place(depth, at[depth] - 1, -1);
    }
    r.finished = true;
    return r;
}

}  // namespace srv6steer::planner
