// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Cgroups v2 of a test's own, for the tests of cgroup pins: made under the
// cgroup2 mount (found in /proc/self/mountinfo, not by the library) and
// removed again, and sockets made by a process inside one (a socket belongs
// to the cgroup of the process that created it, for life).
#pragma once

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace testcg {

// The cgroup2 mount point, read from /proc/self/mountinfo here (not by the
// library): "-" then the file system type "cgroup2".
inline std::optional<std::string> mount_point() {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        const auto dash = line.find(" - cgroup2 ");
        if (dash == std::string::npos)
            continue;
        std::istringstream f(line);
        std::string id, parent, dev, root, point;
        f >> id >> parent >> dev >> root >> point;
        return point;
    }
    return std::nullopt;
}

// This process's cgroup v2, as a path under the mount.
inline std::string own_path() {
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("0::", 0) == 0)
            return line.substr(3);
    return "/";
}

inline uint64_t inode(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Moves process pid (0: this one) into the cgroup at path; false if refused.
inline bool move_into(const std::string& path, pid_t pid = 0) {
    const std::string procs = path + "/cgroup.procs";
    const std::string text = std::to_string(pid ? pid : getpid());
    FILE* f = fopen(procs.c_str(), "w");
    if (!f)
        return false;
    const bool ok = fputs(text.c_str(), f) >= 0;
    return fclose(f) == 0 && ok;
}

// A cgroup made at construction, removed at destruction (it must be empty
// by then: move processes out first; children that exited are gone).
class TempCgroup {
public:
    TempCgroup() = default;
    explicit TempCgroup(std::string path) : path_(std::move(path)) {
        if (::mkdir(path_.c_str(), 0755) != 0) {
            ADD_FAILURE() << "mkdir " << path_ << ": " << strerror(errno);
            path_.clear();
        }
    }
    TempCgroup(const TempCgroup&) = delete;
    TempCgroup& operator=(const TempCgroup&) = delete;
    ~TempCgroup() { remove(); }

    // Removes it now (true when it is gone).
    bool remove() {
        if (path_.empty())
            return true;
        const bool ok = ::rmdir(path_.c_str()) == 0;
        if (ok)
            path_.clear();
        return ok;
    }

    const std::string& path() const { return path_; }
    uint64_t id() const { return inode(path_); }
    explicit operator bool() const { return !path_.empty(); }

private:
    std::string path_;
};

// A TempCgroup named <mount>/srv6steer-<tag>-<pid> that this process can
// join: join() moves it in, leave() back to where it was (the destructor
// does both, so the cgroup is empty when it goes).
class Cgroup : public TempCgroup {
public:
    Cgroup(const std::string& mount, const std::string& tag)
        : TempCgroup(mount + "/srv6steer-" + tag + "-" + std::to_string(getpid())), home_(mount + own_path()) {}
    ~Cgroup() {
        if (joined_)
            leave();
    }
    void join() {
        EXPECT_TRUE(move_into(path())) << path() << ": " << strerror(errno);
        joined_ = true;
    }
    void leave() {
        EXPECT_TRUE(move_into(home_)) << home_ << ": " << strerror(errno);
        joined_ = false;
    }

private:
    std::string home_;
    bool joined_ = false;
};

// A socket(family, type, 0) made by a child process that first joined the
// cgroup at path; the child hands it over (SCM_RIGHTS) and exits. The
// caller owns the fd (-1 when none came).
inline int socket_in(const std::string& path, int family, int type) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) != 0)
        return {};
    const pid_t pid = fork();
    if (pid == 0) {
        close(pair[0]);
        int fd = -1;
        if (move_into(path))
            fd = socket(family, type, 0);
        char byte = fd >= 0 ? 1 : 0;
        iovec iov{&byte, 1};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        if (fd >= 0) {
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            cmsghdr* c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
        }
        _exit(sendmsg(pair[1], &msg, 0) == 1 && fd >= 0 ? 0 : 1);
    }
    close(pair[1]);
    int got = -1;
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (pid > 0 && recvmsg(pair[0], &msg, MSG_CMSG_CLOEXEC) == 1 && byte == 1)
        if (cmsghdr* c = CMSG_FIRSTHDR(&msg); c && c->cmsg_type == SCM_RIGHTS) {
            std::memcpy(&got, CMSG_DATA(c), sizeof got);
        }
    close(pair[0]);
    if (pid > 0)
        waitpid(pid, nullptr, 0);
    if (got < 0)
        ADD_FAILURE() << "no socket came from a process in cgroup " << path;
    return got;
}

}  // namespace testcg
