// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What /proc says about processes, for telling live pin owners from gone ones.
#pragma once

#include <cstdint>
#include <optional>

namespace srv6steer::proc {

// When a process started, as CLOCK_REALTIME ns; nullopt when it is gone.
std::optional<uint64_t> start_ns(uint32_t pid);

}  // namespace srv6steer::proc
