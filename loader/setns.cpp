// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "setns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>

#include "netns.hpp"      // the library's: this thread's namespace and its /run/netns name
#include "srv6steer/error.hpp"
#include "state_dir.hpp"  // require_bpffs: the library's own check
#include "text.hpp"

namespace srv6steer::cli {

void enter_netns(const std::string& name) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
        throw Error("invalid network namespace name " + text::quote(name) + " (a name under /run/netns)");
    const std::string path = "/run/netns/" + name;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT)
            throw Error("no network namespace " + text::quote(name) + ": " + path +
                            " is not there (ip netns list shows the names; ip netns add NAME makes one)",
                        err);
        throw_errno("opening the network namespace " + path, err);
    }
    const int rc = setns(fd, CLONE_NEWNET);
    const int err = errno;
    close(fd);
    if (rc == 0)
        return;
    if (err == EINVAL)
        throw Error(path + " is not a network namespace", err);
    throw_errno("entering the network namespace " + path, err);
}

void refuse_unreadable_state(const std::string& bpffs) {
    const std::string dir = bpffs + "/srv6steer";
    if (access(dir.c_str(), R_OK | X_OK) != 0 && errno == EACCES)
        throw Error("cannot read srv6steer's state in " + dir, EACCES);
}

void refuse_hidden_bpffs(const std::string& bpffs) {
    try {
        require_bpffs(bpffs);
    } catch (const Error& e) {
        // Only in a named namespace with a /sys mounted in it (what `ip
        // netns exec` makes); with the host's /sys the bpffs is not mounted.
        const std::string name = netns::current().name;
        if (name.empty() || !netns::sysfs_of_this_namespace())
            throw;
        throw Error(bpffs + " is not the BPF filesystem here, and this runs in network namespace " +
                        text::quote(name) + ": under `ip netns exec " + name +
                        "`, which remounts /sys and so hides /sys/fs/bpf, where srv6steer keeps its state. "
                        "Run `srv6steer -n " + name + " ...` instead: it switches only the network namespace",
                    e.code());
    }
}

}  // namespace srv6steer::cli
