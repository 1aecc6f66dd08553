// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// srv6steer::nl, the library's rtnetlink: see netlink/netlink.hpp.
#pragma once

#include "netlink/netlink.hpp"
