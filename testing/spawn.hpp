// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Runs a program as a separate process and collects its exit code, stdout and
// stderr: how tests drive the srv6steer CLI (and shell commands) as a user
// would. Safe to call from several threads at once (posix_spawn, one pair of
// pipes per call), which is how the race tests start processes together.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace testproc {

struct Result {
    int code = -1;    // the exit code; -1: did not start or did not exit normally
    int signal = 0;   // the signal that ended it, if one did
    std::string out, err;
};

// Runs args[0] (searched in PATH) with args, waits for it to end.
inline Result spawn(const std::vector<std::string>& args) {
    Result r;
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC))
        return r;
    if (pipe2(err, O_CLOEXEC)) {
        close(out[0]);
        close(out[1]);
        return r;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(err[1]);
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open = rc == 0 ? 2 : 0;
    while (open > 0 && poll(fds, 2, -1) > 0) {
        for (int i = 0; i < 2; i++) {
            if (!fds[i].revents)
                continue;
            char buf[4096];
            const ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, size_t(n));
            } else {
                fds[i].fd = -1;
                open--;
            }
        }
    }
    close(out[0]);
    close(err[0]);
    int status = 0;
    if (rc == 0 && waitpid(pid, &status, 0) == pid) {
        if (WIFEXITED(status))
            r.code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
            r.signal = WTERMSIG(status);
    }
    return r;
}

// A command line for messages.
inline std::string text(const std::vector<std::string>& args) {
    std::string s;
    for (const auto& a : args)
        s += (s.empty() ? "" : " ") + a;
    return s;
}

}  // namespace testproc
