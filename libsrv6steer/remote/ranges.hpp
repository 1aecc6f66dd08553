// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The ids that belong to `srv6steer agent`'s clients: the agent stores the
// paths and sets clients bring under ids of its own, from the upper half of
// each range (docs/agent-protocol.md, "Ids"). Configuration files and the
// agent's own config use the lower half only.
#pragma once

#include <cstdint>

#include "srv6steer/srv6steer.hpp"

namespace srv6steer::remote {

inline constexpr uint32_t kFirstAgentPath = SRV6S_MAX_PATHS / 2;  // 2048 .. 4095
inline constexpr uint32_t kFirstAgentSet = kMaxUserSets / 2;      // 2048 .. 4095

inline constexpr bool agent_path(uint32_t id) { return id >= kFirstAgentPath && id < SRV6S_MAX_PATHS; }
inline constexpr bool agent_set(uint32_t id) { return id >= kFirstAgentSet && id < kMaxUserSets; }

}  // namespace srv6steer::remote
