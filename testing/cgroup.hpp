// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A cgroup v2 of a test's own, for the tests of cgroup pins: made under the
// cgroup2 mount (found in /proc/self/mountinfo, not by the library), removed
// with the object. Sockets belong to the cgroup their creator was in when it
// made them: join() moves this process into the cgroup, leave() back to
// where it was (the destructor does both).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace testcg {

// The first cgroup2 mount point ("" if none).
inline std::string cgroup2_mount() {
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
        // id parent major:minor root mount-point options [optional...] - fstype source options
        const auto dash = line.find(" - ");
        if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0)
            continue;
        std::istringstream f(line);
        std::string w, mount;
        for (int i = 0; i < 5 && f >> w; i++)
            mount = w;
        return mount;
    }
    return {};
}

// A cgroup's id, as the kernel names it: its directory's inode number.
inline uint64_t id_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path << ": " << strerror(errno);
    return st.st_ino;
}

class Cgroup {
public:
    // <mount>/srv6steer-<tag>-<pid>
    Cgroup(const std::string& mount, const std::string& tag)
        : path_(mount + "/srv6steer-" + tag + "-" + std::to_string(getpid())) {
        EXPECT_EQ(mkdir(path_.c_str(), 0755), 0) << path_ << ": " << strerror(errno);
        std::ifstream self("/proc/self/cgroup");
        for (std::string line; std::getline(self, line);)
            if (line.starts_with("0::"))
                home_ = mount + line.substr(3);
    }
    ~Cgroup() {
        if (joined_)
            leave();
        rmdir(path_.c_str());  // once its processes are gone
    }
    Cgroup(const Cgroup&) = delete;
    Cgroup& operator=(const Cgroup&) = delete;

    const std::string& path() const { return path_; }
    uint64_t id() const { return id_of(path_); }
    void join() {
        move(path_);
        joined_ = true;
    }
    void leave() {
        move(home_);
        joined_ = false;
    }
    // Moves process `pid` (0: this one) into dir.
    static void move(const std::string& dir, pid_t pid = 0) {
        std::ofstream(dir + "/cgroup.procs") << (pid ? pid : getpid()) << std::endl;
    }

private:
    std::string path_, home_;
    bool joined_ = false;
};

}  // namespace testcg
