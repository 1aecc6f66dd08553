// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "colouring.hpp"

#include <algorithm>

namespace srv6steer::planner {

namespace {

class Colouring {
public:
    Colouring(uint32_t n_vertices, uint32_t delta, uint32_t classes)
        : delta_(delta), classes_(std::max<uint32_t>(1, std::min(classes, std::max<uint32_t>(delta, 1)))),
          at_(size_t{n_vertices} * delta, -1), pos_(size_t{n_vertices} * delta, -1),
          free_(size_t{n_vertices} * classes_) {
        for (uint32_t v = 0; v < n_vertices; v++)
            for (uint32_t c = delta; c-- > 0;)  // stacks: the lowest colour on top
                add_free(v, c);
    }

    int32_t& at(uint32_t v, uint32_t c) { return at_[size_t{v} * delta_ + c]; }

    uint32_t take_free(uint32_t v, uint32_t cls) {
        for (uint32_t k = 0; k < classes_; k++) {
            const auto& list = free_[size_t{v} * classes_ + (cls + k) % classes_];
            if (!list.empty())
                return list.back();
        }
        return UINT32_MAX;  // cannot happen: degree <= delta
    }
    bool is_free(uint32_t v, uint32_t c) { return at(v, c) < 0; }

    void set(uint32_t e, uint32_t u, uint32_t v, uint32_t c, std::vector<uint32_t>& colour) {
        at(u, c) = static_cast<int32_t>(e);
        at(v, c) = static_cast<int32_t>(e);
        colour[e] = c;
        remove_free(u, c);
        remove_free(v, c);
    }

    // Swaps a and b along the alternating path starting at v with colour a.
    void flip(uint32_t v, uint32_t a, uint32_t b, const std::vector<BipartiteEdge>& edges, uint32_t n_left,
              std::vector<uint32_t>& colour) {
        path_.clear();
        uint32_t x = v, c = a, end = v;
        while (at(x, c) >= 0) {
            const auto e = static_cast<uint32_t>(at(x, c));
            path_.push_back(e);
            const uint32_t l = edges[e].left, r = n_left + edges[e].right;
            x = x == l ? r : l;
            end = x;
            c = c == a ? b : a;
        }
        for (uint32_t e : path_) {
            const uint32_t l = edges[e].left, r = n_left + edges[e].right;
            at(l, colour[e]) = -1;
            at(r, colour[e]) = -1;
        }
        for (uint32_t e : path_) {
            const uint32_t l = edges[e].left, r = n_left + edges[e].right;
            colour[e] = colour[e] == a ? b : a;
            at(l, colour[e]) = static_cast<int32_t>(e);
            at(r, colour[e]) = static_cast<int32_t>(e);
        }
        for (uint32_t y : {v, end})
            for (uint32_t k : {a, b})
                sync(y, k);
    }

private:
    uint32_t delta_, classes_;
    std::vector<int32_t> at_;   // [vertex][colour] -> edge, -1 free
    std::vector<int32_t> pos_;  // [vertex][colour] -> index in its free list, -1 not free
    std::vector<std::vector<uint32_t>> free_;  // [vertex][class] -> free colours
    std::vector<uint32_t> path_;

    std::vector<uint32_t>& list(uint32_t v, uint32_t c) { return free_[size_t{v} * classes_ + c % classes_]; }
    void add_free(uint32_t v, uint32_t c) {
        auto& l = list(v, c);
        pos_[size_t{v} * delta_ + c] = static_cast<int32_t>(l.size());
        l.push_back(c);
    }
    void remove_free(uint32_t v, uint32_t c) {
        int32_t& p = pos_[size_t{v} * delta_ + c];
        if (p < 0)
            return;
        auto& l = list(v, c);
        const uint32_t last = l.back();
        l[static_cast<size_t>(p)] = last;
        pos_[size_t{v} * delta_ + last] = p;
        l.pop_back();
        p = -1;
    }
    void sync(uint32_t v, uint32_t c) {
        const bool listed = pos_[size_t{v} * delta_ + c] >= 0;
        if (is_free(v, c) && !listed)
            add_free(v, c);
        else if (!is_free(v, c) && listed)
            remove_free(v, c);
    }
};

}  // namespace

std::vector<uint32_t> colour_edges(uint32_t n_left, uint32_t n_right, const std::vector<BipartiteEdge>& edges,
                                   uint32_t classes) {
    std::vector<uint32_t> degree(size_t{n_left} + n_right, 0);
    for (const auto& e : edges) {
        degree[e.left]++;
        degree[n_left + e.right]++;
    }
    const uint32_t delta = degree.empty() ? 0 : *std::max_element(degree.begin(), degree.end());
    std::vector<uint32_t> colour(edges.size(), 0);
    if (edges.empty())
        return colour;
    Colouring g(n_left + n_right, delta, classes);
    for (uint32_t e = 0; e < edges.size(); e++) {
        const uint32_t u = edges[e].left, v = n_left + edges[e].right;
        const uint32_t a = g.take_free(u, edges[e].prefer);
        if (!g.is_free(v, a)) {
            const uint32_t b = g.take_free(v, a);  // any colour free at v (a is not)
            g.flip(v, a, b, edges, n_left, colour);
        }
        g.set(e, u, v, a, colour);
    }
    return colour;
}

}  // namespace srv6steer::planner
