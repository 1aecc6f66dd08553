// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "state.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>

#include "srv6steer/error.hpp"

namespace srv6steer {

void UniqueFd::reset() {
    if (fd_ >= 0)
        close(fd_);
    fd_ = -1;
}

UniqueFd* MapFds::by_name(const std::string& name) {
    if (name == "config") return &config;
    if (name == "flows") return &flows;
    if (name == "qps") return &qps;
    if (name == "prefixes") return &prefixes;
    if (name == "path_sets") return &path_sets;
    if (name == "paths") return &paths;
    if (name == "path_stats") return &path_stats;
    if (name == "reasons") return &reasons;
    if (name == "meta") return &meta;
    if (name == "routes") return &routes;
    return nullptr;
}

std::string pin_root(const std::string& bpffs, const std::string& netns) {
    std::string root = bpffs + "/srv6steer";
    if (!netns.empty())
        root += "/netns/" + netns;
    return root;
}

std::string pin_dir(const std::string& bpffs, const std::string& netns, const std::string& ifname) {
    return pin_root(bpffs, netns) + "/" + ifname;
}

void require_bpffs(const std::string& bpffs) {
    struct statfs st {};
    if (statfs(bpffs.c_str(), &st) != 0) {
        const int err = errno;
        if (err == EACCES || err == EPERM)
            throw_errno("cannot look at " + bpffs + " (run as root, or with CAP_BPF and CAP_NET_ADMIN)", err);
        throw_errno(bpffs + " is not there (mount the BPF filesystem: mount -t bpf bpf " + bpffs + ")", err);
    }
    if (st.f_type != BPF_FS_MAGIC)
        throw Error(bpffs + " is not a BPF filesystem, so srv6steer cannot keep its state there "
                    "(mount -t bpf bpf " + bpffs + ")",
                    ENOTSUP);
}

DirLock::DirLock(const std::string& dir) : fd_(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (!fd_)
        throw_errno("opening " + dir, errno);
    while (flock(fd_.get(), LOCK_EX) != 0)
        if (errno != EINTR)
            throw_errno("locking " + dir, errno);
}

}  // namespace srv6steer
