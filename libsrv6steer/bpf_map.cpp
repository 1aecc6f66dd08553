// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "bpf_map.hpp"

#include <cstring>

namespace srv6steer {

void throw_map_error(const std::string& map, const char* op, int err) {
    std::string msg = std::string("BPF map ") + map + ": " + op + " failed: " + std::strerror(err);
    if (err == E2BIG)
        msg += " (the map is full: remove entries or load with a larger size)";
    else if (err == EPERM || err == EACCES)
        msg += " (run as root or with CAP_BPF + CAP_NET_ADMIN)";
    throw Error(msg, err);
}

}  // namespace srv6steer
