// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "srv6steer/error.hpp"

#include <cstring>

namespace srv6steer {

void throw_errno(const std::string& what, int err) {
    throw Error(what + ": " + std::strerror(err), err);
}

}  // namespace srv6steer
