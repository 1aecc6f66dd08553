// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "netns.hpp"

#include <dirent.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "fd.hpp"
#include "srv6steer/error.hpp"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

namespace srv6steer::netns {

namespace {

namespace fs = std::filesystem;

// Recent kernels give the initial namespace a fixed nsfs inode
// (NET_NS_INIT_INO); dynamic ones start at 0xF0000000. Unlike a comparison
// with /proc/1/ns/net, this holds inside PID namespaces too.
constexpr uint64_t kInitNetIno = 0xEFFFFFF9;

bool same(const struct stat& a, uint64_t inode, uint64_t dev) {
    return a.st_ino == inode && a.st_dev == dev;
}

// The /run/netns name bound to this namespace, if any.
std::string run_netns_name(uint64_t inode, uint64_t dev) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/run/netns", ec)) {
        struct stat st {};
        if (stat(e.path().c_str(), &st) == 0 && same(st, inode, dev))
            return e.path().filename();
    }
    return "";
}

}  // namespace

Identity current() {
    Identity id;
    struct stat self {};
    if (stat("/proc/thread-self/ns/net", &self) != 0)
        throw_errno("cannot read this thread's network namespace (/proc/thread-self/ns/net; is /proc "
                    "mounted?)",
                    errno);
    id.inode = self.st_ino;
    id.dev = self.st_dev;
    UniqueFd sock(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock)
        throw_errno("creating a socket to identify the network namespace", errno);
    socklen_t len = sizeof id.cookie;
    if (getsockopt(sock.get(), SOL_SOCKET, SO_NETNS_COOKIE, &id.cookie, &len) != 0)
        throw_errno("reading the network namespace cookie (SO_NETNS_COOKIE needs Linux 5.14 or later)",
                    errno);
    id.initial = id.inode == kInitNetIno;
    if (!id.initial) {
        id.name = run_netns_name(id.inode, id.dev);
        id.label = id.name.empty() ? "ns:[" + std::to_string(id.inode) + "]" : id.name;
    }
    return id;
}

bool sysfs_of_this_namespace() {
    std::set<std::string> sys, here;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/sys/class/net", ec))
        sys.insert(e.path().filename().string());
    if (ec || sys.empty())
        return false;
    if (struct if_nameindex* all = if_nameindex()) {
        for (const struct if_nameindex* i = all; i->if_index != 0; i++)
            here.insert(i->if_name);
        if_freenameindex(all);
    }
    return sys == here;
}

}  // namespace srv6steer::netns
