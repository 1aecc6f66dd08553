// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Where and how srv6steer keeps its state on the BPF filesystem:
//
//   <bpffs>/srv6steer/v<SRV6S_STATE_LAYOUT>/<netns cookie>/<ifname>/
//       config flows qps prefixes socks cgroups path_sets paths path_stats reasons
//       routes sock_index meta link
//
// (the maps in the order of maps.hpp's table, then the tcx link; layout 3).
//
// The network namespace is named by its SO_NETNS_COOKIE (netns.hpp), so two
// namespaces never share state, whatever their names and inside PID
// namespaces too. Every directory srv6steer creates is 0700 and owned by the
// creating user (root); each is checked on every open, and one made by
// someone else is refused, so a user who can write to a 1777 /sys/fs/bpf can
// neither fake nor hide srv6steer's state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fd.hpp"

namespace srv6steer {

// Throws Error unless ifname could name an interface (and so a directory of its own).
void check_ifname(std::string_view ifname);

// Throws a clear Error unless `bpffs` is a BPF filesystem mount.
void require_bpffs(const std::string& bpffs);

std::string state_root(const std::string& bpffs);                      // .../srv6steer/v<SRV6S_STATE_LAYOUT> (v6)
std::string netns_dir(const std::string& bpffs, uint64_t netns_cookie);  // .../v6/<cookie>
std::string pin_dir(const std::string& bpffs, uint64_t netns_cookie, const std::string& ifname);

// Creates the directories down to netns_dir (mode 0700), checking each one.
void make_netns_dir(const std::string& bpffs, uint64_t netns_cookie);
// Refuses (Error EEXIST: it is there, but not ours) a directory that is a symlink, or is not owned by
// this user or root, or that others may read or write.
void check_private_dir(const std::string& dir);
// Checks every directory from <bpffs>/srv6steer down to dir (those that exist).
void check_private_path(const std::string& bpffs, const std::string& dir);

// The entries of a directory (names), [] when it does not exist.
std::vector<std::string> dir_entries(const std::string& dir);

// An exclusive flock on a state directory for the lifetime of the object, so
// that processes changing one interface's state take turns. valid() is false
// when the directory was removed (a detach) while this waited.
class DirLock {
public:
    // kTry: do not wait; not valid() when another holds the lock.
    enum Mode { kWait, kTry };
    explicit DirLock(const std::string& dir, Mode mode = kWait);
    bool valid() const { return valid_; }

private:
    UniqueFd fd_;
    bool valid_ = false;
};

}  // namespace srv6steer
