// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// SHA-256 (FIPS 180-4), for content-derived path ids that agree with
// python/srv6steer/plan.py's path_ids (hashlib.sha256).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace srv6steer::planner {

std::array<uint8_t, 32> sha256(std::string_view data);

}  // namespace srv6steer::planner
