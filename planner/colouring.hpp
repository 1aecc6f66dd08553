// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Proper edge colouring of a bipartite multigraph with exactly Δ colours
// (König's edge-colouring theorem), by alternating paths: colouring edge
// (u, v), take a colour a free at u and b free at v; if a is not free at v,
// swap a and b along the a/b path from v (in a bipartite graph it never
// reaches u), and a is free at both. O(E·V) time, O(V·Δ) memory.
#pragma once

#include <cstdint>
#include <vector>

namespace srv6steer::planner {

struct BipartiteEdge {
    uint32_t left = 0, right = 0;
    uint32_t prefer = 0;  // a wish: the colour's class (colour % classes) to take when free at left
};

// Colours 0 .. Δ-1, one per edge, no two edges at a vertex alike.
// `classes` splits colours by colour % classes for the `prefer` wishes.
std::vector<uint32_t> colour_edges(uint32_t n_left, uint32_t n_right, const std::vector<BipartiteEdge>& edges,
                                   uint32_t classes = 1);

}  // namespace srv6steer::planner
