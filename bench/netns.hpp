// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Where the benchmarks that touch the kernel's network state run: this
// process in a network and mount namespace of its own, with a private bpffs
// on a temporary directory. All of it goes when the process exits (the
// directory is removed by ~Private). And the commands they set it up with
// (`ip`, `tc`), run as child processes.
#pragma once

#include <string>
#include <vector>

namespace benchns {

class Private {
public:
    // Unshares the namespaces and mounts a bpffs on /tmp/srv6s-bench-<tag>.XXXXXX.
    // Failure when not root.
    explicit Private(const char* tag);
    ~Private();
    Private(const Private&) = delete;
    Private& operator=(const Private&) = delete;

    const std::string& bpffs() const { return bpffs_; }

private:
    std::string bpffs_;
};

// Runs cmd (cmd[0] searched in PATH) and waits; Failure with what it said.
void run(const std::vector<std::string>& cmd);

// `ip args...` in this network namespace.
void ip(const std::vector<std::string>& args);

}  // namespace benchns
