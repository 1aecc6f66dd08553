// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The probe targets the trackers' unit tests share (tests/unit/health_test.cpp,
// tests/unit/congestion_test.cpp): two hosts over path 1, one over path 2.
#pragma once

#include "srv6steer/probe.hpp"

namespace testprobe {

inline srv6steer::ProbeTarget target(uint32_t path, const char* remote) {
    srv6steer::ProbeTarget t;
    t.path = path;
    t.remote = srv6steer::Ipv6::parse_any(remote);
    return t;
}

inline const srv6steer::ProbeTarget A = target(1, "fcbb:0:800:2::20");
inline const srv6steer::ProbeTarget B = target(1, "fcbb:0:800:3::30");
inline const srv6steer::ProbeTarget Other = target(2, "fcbb:0:800:2::20");

}  // namespace testprobe
