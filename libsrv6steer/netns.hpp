// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The network namespace a thread is in: its identity (SO_NETNS_COOKIE, never
// reused while the system runs) names its state; its `ip netns` name is only
// a label for people. (Whether another namespace's attachment is dead is told
// by its tcx link or program, not by looking for the namespace: it may be
// held by a bind mount or a process this one cannot see.)
#pragma once

#include <cstdint>
#include <string>

namespace srv6steer::netns {

struct Identity {
    uint64_t cookie = 0;  // SO_NETNS_COOKIE
    uint64_t inode = 0;   // nsfs inode of /proc/thread-self/ns/net
    uint64_t dev = 0;     // nsfs device
    bool initial = false;
    std::string name;     // its name under /run/netns (`ip netns`), "" if none
    std::string label;    // "" initial; else name, or "ns:[inode]" when it has none
};

// The calling thread's network namespace.
Identity current();

// Whether the sysfs at /sys was mounted in the calling thread's network
// namespace (its /sys/class/net lists exactly this namespace's interfaces):
// what `ip netns exec` does, in a mount namespace of its own, hiding the
// host's /sys/fs/bpf. A /sys of another namespace (nsenter --net) says no.
bool sysfs_of_this_namespace();

}  // namespace srv6steer::netns
