// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A child process that keeps file descriptors open for this one: how
// bench_stack keeps more sockets alive than its RLIMIT_NOFILE lets one
// process hold (the hard limit can only be raised with CAP_SYS_RESOURCE).
// The fds go over a Unix socket (SCM_RIGHTS); the caller may close its own
// copies once give() returns. The child dies with this object or with this
// process (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>

#include "fd.hpp"

namespace benchfd {

class Holder {
public:
    Holder();  // forks the child; Failure if it cannot
    ~Holder();
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;

    // Hands fds to the child and waits until it holds them.
    void give(std::span<const int> fds);
    size_t held() const { return held_; }
    // How many fds one holder can keep (its RLIMIT_NOFILE, less a margin).
    static size_t capacity();

private:
    pid_t pid_ = -1;
    srv6steer::UniqueFd sock_;
    size_t held_ = 0;
};

}  // namespace benchfd
