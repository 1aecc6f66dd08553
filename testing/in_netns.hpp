// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Runs a function in another network namespace: on a thread of its own that
// setns()es into it, so the test's own thread stays where it is and the
// mount namespace (with the bpffs) is kept. Sockets made there stay there.
// Exceptions (and gtest failures) from f come back to the caller.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

namespace testns {

// ns: a /proc/PID/ns/net, or a file one is bound to.
template <class F>
void in_netns(const std::string& ns, F&& f) {
    std::exception_ptr err;
    std::thread t([&] {
        try {
            const int fd = open(ns.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                throw std::runtime_error("open " + ns + ": " + strerror(errno));
            const int rc = setns(fd, CLONE_NEWNET);
            const int saved = errno;
            close(fd);
            if (rc != 0)
                throw std::runtime_error("setns into " + ns + ": " + strerror(saved));
            f();
        } catch (...) {
            err = std::current_exception();
        }
    });
    t.join();
    if (err)
        std::rethrow_exception(err);
}

// The network namespace of process pid.
template <class F>
void in_netns(pid_t pid, F&& f) {
    in_netns("/proc/" + std::to_string(pid) + "/ns/net", std::forward<F>(f));
}

}  // namespace testns
