// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>

#include "colouring.hpp"

namespace srv6steer::planner {
namespace {

// Random bipartite multigraphs: a proper colouring with exactly Δ colours.
RC_GTEST_PROP(Colouring, ProperWithMaxDegreeColours, ()) {
    const auto nl = *rc::gen::inRange<uint32_t>(1, 8);
    const auto nr = *rc::gen::inRange<uint32_t>(1, 8);
    const auto n_edges = *rc::gen::inRange<size_t>(0, 80);
    const auto classes = *rc::gen::inRange<uint32_t>(1, 4);
    std::vector<BipartiteEdge> edges;
    for (size_t i = 0; i < n_edges; i++)
        edges.push_back({*rc::gen::inRange<uint32_t>(0, nl), *rc::gen::inRange<uint32_t>(0, nr),
                         *rc::gen::inRange<uint32_t>(0, classes)});
    std::vector<uint32_t> deg(nl + nr, 0);
    for (const auto& e : edges) {
        deg[e.left]++;
        deg[nl + e.right]++;
    }
    const uint32_t delta = deg.empty() ? 0 : *std::max_element(deg.begin(), deg.end());
    const auto colour = colour_edges(nl, nr, edges, classes);
    RC_ASSERT(colour.size() == edges.size());
    std::set<std::pair<uint32_t, uint32_t>> seen;  // (vertex, colour)
    for (size_t i = 0; i < edges.size(); i++) {
        RC_ASSERT(colour[i] < delta);
        RC_ASSERT(seen.insert({edges[i].left, colour[i]}).second);
        RC_ASSERT(seen.insert({nl + edges[i].right, colour[i]}).second);
    }
}

TEST(Colouring, HandExample) {
    // Two parallel edges 0-0 and one 0-1, one 1-0: Δ = 3 at left 0.
    const std::vector<BipartiteEdge> e = {{0, 0, 0}, {0, 0, 0}, {0, 1, 0}, {1, 0, 0}};
    const auto c = colour_edges(2, 2, e);
    EXPECT_NE(c[0], c[1]);
    EXPECT_NE(c[0], c[2]);
    EXPECT_NE(c[1], c[2]);
    EXPECT_NE(c[3], c[0]);
    EXPECT_NE(c[3], c[1]);
    EXPECT_LT(*std::max_element(c.begin(), c.end()), 3u);
}

}  // namespace
}  // namespace srv6steer::planner
