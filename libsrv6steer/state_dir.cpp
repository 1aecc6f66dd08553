// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "state_dir.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "netns.hpp"
#include "srv6steer/abi.h"
#include "srv6steer/error.hpp"
#include "text.hpp"

namespace srv6steer {

namespace fs = std::filesystem;

void check_ifname(std::string_view ifname) {
    if (ifname.empty() || ifname.size() >= IF_NAMESIZE || ifname.find('/') != std::string_view::npos ||
        ifname == "." || ifname == ".." || ifname.find('\0') != std::string_view::npos)
        throw Error("invalid interface name " + text::quote(ifname));
}

void require_bpffs(const std::string& bpffs) {
    struct statfs st {};
    if (statfs(bpffs.c_str(), &st) != 0) {
        const int err = errno;
        if (err == EACCES || err == EPERM)
            throw_errno("no permission to look at " + bpffs + " (needs root, or CAP_BPF and CAP_NET_ADMIN)",
                        err);
        throw_errno(bpffs + " is not there (the BPF filesystem is mounted with: mount -t bpf bpf " + bpffs +
                        ")",
                    err);
    }
    if (st.f_type == BPF_FS_MAGIC)
        return;
    // In a named network namespace with a /sys mounted in it: under `ip
    // netns exec`. With the host's /sys, the bpffs is just not mounted.
    const std::string name = netns::current().name;
    if (!name.empty() && netns::sysfs_of_this_namespace())
        throw Error(bpffs + " is not a BPF filesystem in this mount namespace: this network namespace is \"" +
                        name + "\", and `ip netns exec " + name +
                        "` mounts a fresh /sys that hides the host's " + bpffs +
                        " (and a bpffs mounted there dies with the command); switch only the network "
                        "namespace instead (nsenter --net=/run/netns/" + name + ")",
                    ENOTSUP);
    throw Error(bpffs + " is not a BPF filesystem, so srv6steer cannot keep its state there "
                "(mount -t bpf bpf " + bpffs + ")",
                ENOTSUP);
}

std::string state_root(const std::string& bpffs) {
    return bpffs + "/srv6steer/v" + std::to_string(SRV6S_STATE_LAYOUT);
}

std::string netns_dir(const std::string& bpffs, uint64_t netns_cookie) {
    return state_root(bpffs) + "/" + std::to_string(netns_cookie);
}

std::string pin_dir(const std::string& bpffs, uint64_t netns_cookie, const std::string& ifname) {
    return netns_dir(bpffs, netns_cookie) + "/" + ifname;
}

void check_private_dir(const std::string& dir) {
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0)
        throw_errno("cannot look at " + dir, errno);
    const uid_t me = geteuid();
    if (!S_ISDIR(st.st_mode))
        throw Error(dir + " is not a directory srv6steer made (" +
                        (S_ISLNK(st.st_mode) ? std::string("a symbolic link") : std::string("not a directory")) +
                        "): remove it",
                    EEXIST);
    if ((st.st_uid != me && st.st_uid != 0) || (st.st_mode & 077))
        throw Error(dir + " was not made by srv6steer (owner uid " + std::to_string(st.st_uid) + ", mode " +
                        [&] {
                            char m[8];
                            snprintf(m, sizeof m, "%04o", unsigned(st.st_mode & 07777));
                            return std::string(m);
                        }() +
                        "; srv6steer makes its directories 0700, owned by root): someone else may have "
                        "made it to fake or hide srv6steer's state; remove it (rm -r " + dir + ")",
                    EEXIST);
}

void check_private_path(const std::string& bpffs, const std::string& dir) {
    const std::string top = bpffs + "/srv6steer";
    if (dir.compare(0, top.size(), top) != 0)
        return;
    std::string cur = top;
    std::string rest = dir.substr(top.size());
    for (;;) {
        struct stat st {};
        if (lstat(cur.c_str(), &st) != 0)
            return;  // not there (yet)
        check_private_dir(cur);
        if (rest.empty())
            return;
        const size_t next = rest.find('/', 1);
        cur += rest.substr(0, next);
        rest = next == std::string::npos ? "" : rest.substr(next);
    }
}

void make_netns_dir(const std::string& bpffs, uint64_t netns_cookie) {
    const std::string top = bpffs + "/srv6steer";
    for (const std::string& d : {top, state_root(bpffs), netns_dir(bpffs, netns_cookie)}) {
        if (mkdir(d.c_str(), 0700) != 0 && errno != EEXIST)
            throw_errno("creating " + d, errno);
        check_private_dir(d);
    }
}

std::vector<std::string> dir_entries(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        out.push_back(e.path().filename());
    if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted)
        throw Error("no permission to read " + dir + " (needs root, or CAP_BPF and CAP_NET_ADMIN)", EACCES);
    std::sort(out.begin(), out.end());
    return out;
}

DirLock::DirLock(const std::string& dir, Mode mode)
    : fd_(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) {
    if (!fd_) {
        if (errno == ENOENT)
            return;  // gone: not valid
        throw_errno("opening " + dir, errno);
    }
    while (flock(fd_.get(), LOCK_EX | (mode == kTry ? LOCK_NB : 0)) != 0) {
        if (errno == EWOULDBLOCK && mode == kTry)
            return;  // held by another: not valid
        if (errno != EINTR)
            throw_errno("locking " + dir, errno);
    }
    // A detach removes the directory while holding the lock: if it did while
    // we waited, this fd names a directory that is gone.
    struct stat held {}, now {};
    valid_ = fstat(fd_.get(), &held) == 0 && lstat(dir.c_str(), &now) == 0 && held.st_ino == now.st_ino &&
             held.st_dev == now.st_dev;
}

}  // namespace srv6steer
