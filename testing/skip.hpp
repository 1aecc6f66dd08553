// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// One skip policy for every test: a test that cannot run its subject here
// (not root, a tool or kernel feature missing) is skipped on a developer's
// machine, and FAILS under CI=true, where everything it needs must be present.
// (Python tests: testing/skippolicy.py, the same rule.)
//
//   void SetUp() override {
//       SRV6S_REQUIRE_ROOT();
//       if (!kernel_has_nexthops())
//           SRV6S_SKIP_OR_FAIL("this kernel has no nexthop objects");
//   }
//
// Both return from the calling function (like GTEST_SKIP and FAIL), so call
// them from SetUp or a test body, not from a helper.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace testskip {

// CI=true (GitHub Actions, GitLab and most CI systems set it); also any other
// value but "", "0" and "false".
inline bool under_ci() {
    const char* ci = std::getenv("CI");
    if (!ci)
        return false;
    const std::string_view v = ci;
    return !(v.empty() || v == "0" || v == "false");
}

}  // namespace testskip

// Skips the test, or fails it under CI. `reason` may be a stream expression:
// SRV6S_SKIP_OR_FAIL("unshare: " << strerror(errno)).
#define SRV6S_SKIP_OR_FAIL(reason)                                                   \
    do {                                                                             \
        if (::testskip::under_ci())                                                  \
            GTEST_FAIL() << "cannot run its subject, and CI=true forbids skipping: " \
                         << reason;                                                  \
        else                                                                         \
            GTEST_SKIP() << reason;                                                  \
    } while (0)

#define SRV6S_REQUIRE_ROOT()                                                          \
    do {                                                                              \
        if (geteuid() != 0)                                                           \
            SRV6S_SKIP_OR_FAIL("needs root (network namespaces, bpffs, BPF programs)"); \
    } while (0)
