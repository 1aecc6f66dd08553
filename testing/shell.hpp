// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A shell command's output (stdout and stderr together) for tests that set
// up or inspect the kernel with iproute2, tc and bpftool. A command that
// fails fails the test (ADD_FAILURE: the test goes on), unless must is false.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace testsh {

inline std::string sh(const std::string& cmd, bool must = true) {
    std::string out;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) {
        ADD_FAILURE() << "cannot run: " << cmd;
        return out;
    }
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    const int rc = pclose(p);
    if (must && rc != 0)
        ADD_FAILURE() << "command failed (" << rc << "): " << cmd << "\n" << out;
    return out;
}

}  // namespace testsh
