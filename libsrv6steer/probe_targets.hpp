// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Which (path, remote host) pairs are in use (docs/design.md §16.1): the
// paths of every pin's target (one path, or every member of a set) towards
// every remote host its pins go to: the peers of connected socket pins,
// flow and queue-pair destinations, prefix pins of one host (/128, /32).
// Cgroup pins and wider prefixes name no host, and add none.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <utility>

#include "srv6steer/sid.hpp"

namespace srv6steer {

class Steering;
struct PathSet;

// `sets`: s's path sets (Steering::sets(), read by the caller, which needs
// them too); `skip`: socket cookies not to count (the prober's own sockets).
std::set<std::pair<uint32_t, Ipv6>> targets_in_use(const Steering& s, std::span<const PathSet> sets,
                                                   const std::set<uint64_t>& skip);

}  // namespace srv6steer
