// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Messages built piecewise: GCC 12 warns a false -Wrestrict at -O3 on
// `"literal" + std::string&&` (GCC bug 105329), which the library avoids.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace srv6steer::jalapeno {

inline std::string cat(std::initializer_list<std::string_view> parts) {
    std::string s;
    for (auto p : parts)
        s += p;
    return s;
}

}  // namespace srv6steer::jalapeno
