// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Cgroup values: a cgroup v2 is named by its id, the inode number of its
// directory in the cgroup2 file system (what bpf_skb_cgroup_id returns on
// 64-bit kernels). Paths are resolved once, here; pins hold the id.
#include "cgroupfs.hpp"

#include <sys/stat.h>
#include <sys/vfs.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "srv6steer/error.hpp"
#include "srv6steer/srv6steer.hpp"
#include "text.hpp"

namespace srv6steer {

namespace {

constexpr long kCgroup2Magic = 0x63677270;  // CGROUP2_SUPER_MAGIC (linux/magic.h)

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            const std::string oct = s.substr(i + 1, 3);
            if (oct.find_first_not_of("01234567") == std::string::npos) {
                out += static_cast<char>(std::stoi(oct, nullptr, 8));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

}  // namespace

namespace cgroupfs {

std::optional<std::string> mount_point() {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        // id parent major:minor root mount-point options [optional...] - fstype source super-options
        std::istringstream f(line);
        std::vector<std::string> w;
        for (std::string x; f >> x;)
            w.push_back(x);
        size_t dash = 6;
        while (dash < w.size() && w[dash] != "-")
            dash++;
        if (w.size() > 5 && dash + 1 < w.size() && w[dash + 1] == "cgroup2")
            return unescape(w[4]);
    }
    return std::nullopt;
}

}  // namespace cgroupfs

Cgroup Cgroup::of_path(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw_errno("cgroup " + text::quote(path), errno);
    if (!S_ISDIR(st.st_mode))
        throw Error("cgroup " + text::quote(path) + " is not a directory: a cgroup is a directory of the cgroup2 "
                    "file system",
                    ENOTDIR);
    struct statfs fs {};
    if (::statfs(path.c_str(), &fs) != 0)
        throw_errno("cgroup " + text::quote(path), errno);
    if (fs.f_type != kCgroup2Magic) {
        const auto mount = cgroupfs::mount_point();
        throw Error(text::quote(path) + " is not in a cgroup2 file system (cgroup v1 hierarchies cannot be pinned)" +
                        (mount ? "; cgroup v2 is mounted at " + *mount : std::string("; no cgroup2 is mounted")),
                    EINVAL);
    }
    return Cgroup{static_cast<uint64_t>(st.st_ino)};
}

Cgroup Cgroup::parse(std::string_view text) {
    if (text.rfind("id:", 0) == 0) {
        const auto id = text::parse_uint(text.substr(3), 1);
        if (!id)
            throw Error("invalid cgroup " + text::quote(text) + ": expected \"id:\" and a cgroup id (a number above 0)");
        return Cgroup{*id};
    }
    if (text.empty())
        throw Error("invalid cgroup \"\": expected a path under the cgroup2 mount, or \"id:NUMBER\"");
    if (text.front() == '/')
        return of_path(std::string(text));
    const auto mount = cgroupfs::mount_point();
    if (!mount)
        throw Error("cgroup " + text::quote(text) + ": no cgroup2 file system is mounted here (see /proc/self/mountinfo)"
                    " to resolve a relative path in: give an absolute path, or \"id:NUMBER\"",
                    ENOENT);
    return of_path(*mount + "/" + std::string(text));
}

std::string Cgroup::str() const { return "id:" + std::to_string(id); }

}  // namespace srv6steer
