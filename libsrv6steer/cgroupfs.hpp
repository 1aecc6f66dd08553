// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Where the cgroup v2 file system is mounted (/sys/fs/cgroup, or
// /sys/fs/cgroup/unified on hybrid systems), from /proc/self/mountinfo.
#pragma once

#include <optional>
#include <string>

namespace srv6steer::cgroupfs {

// The first cgroup2 mount point of this mount namespace; nullopt if none.
std::optional<std::string> mount_point();

}  // namespace srv6steer::cgroupfs
