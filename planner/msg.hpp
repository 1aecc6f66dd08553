// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Messages built piecewise: M() + "no node " + quote(n) + ... appends each
// part to one string. (GCC 12 at -O3 warns -Wrestrict, falsely, inside
// `"literal" + std::string&&`, GCC bug 105329; appending never inserts.)
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace srv6steer::planner {

struct M {
    std::string s;
    M&& operator+(std::string_view v) && {
        s.append(v);
        return std::move(*this);
    }
    operator std::string() && { return std::move(s); }
};

}  // namespace srv6steer::planner
