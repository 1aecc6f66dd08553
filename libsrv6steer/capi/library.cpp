// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI's calls about the library itself: version, the thread's last
// error, names of reasons and problems.
#include "capi.hpp"

#ifndef SRV6S_VERSION_STRING
#error "SRV6S_VERSION_STRING must be defined by the build"
#endif

namespace srv6steer::capi {

// The only state the library keeps besides handles: per thread, and only
// the message of the last failure.
namespace {
thread_local std::string t_last_error;
}

int fail(int code, std::string message) {
    t_last_error = std::move(message);
    return code;
}

}  // namespace srv6steer::capi

extern "C" {

const char* srv6s_version(void) { return SRV6S_VERSION_STRING; }

const char* srv6s_last_error(void) { return srv6steer::capi::t_last_error.c_str(); }

uint32_t srv6s_reason_count(void) { return SRV6S_R_MAX; }

const char* srv6s_reason_name(uint32_t reason) { return srv6steer::reason_name(reason); }

const char* srv6s_problem_name(uint32_t kind) {
    switch (kind) {
    case SRV6S_PROBLEM_INTERFACE_GONE:
        return "interface_gone";
    case SRV6S_PROBLEM_IFINDEX_CHANGED:
        return "ifindex_changed";
    case SRV6S_PROBLEM_LINK_MISSING:
        return "link_missing";
    case SRV6S_PROBLEM_PROGRAM_NOT_ATTACHED:
        return "program_not_attached";
    case SRV6S_PROBLEM_NETNS_GONE:
        return "netns_gone";
    default:
        return "unknown";
    }
}

}  // extern "C"
