// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Test fixtures' common ground: this process in a network and mount namespace
// of its own with a private bpffs, and a peer network namespace held by a
// child process. ctest runs every discovered test in its own process, so
// whatever a test builds here vanishes with that process, even on failure.
#pragma once

#include <gtest/gtest.h>

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace testns {

// Moves the calling process into new network and mount namespaces and mounts
// a bpffs on <tmp>/bpffs. Call enter() from SetUp (it uses gtest ASSERTs).
class PrivateNamespaces {
public:
    void enter(const char* tag) {
        ASSERT_EQ(unshare(CLONE_NEWNET | CLONE_NEWNS), 0) << "needs root: " << strerror(errno);
        ASSERT_EQ(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0) << strerror(errno);
        std::string tmpl = std::string("/tmp/srv6steer-") + tag + ".XXXXXX";
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr) << strerror(errno);
        tmp_ = tmpl;
        chmod(tmp_.c_str(), 0755);  // reachable like /sys/fs/bpf (tests drop privileges)
        bpffs_ = tmp_ + "/bpffs";
        std::filesystem::create_directory(bpffs_);
        ASSERT_EQ(mount("bpf", bpffs_.c_str(), "bpf", 0, nullptr), 0) << strerror(errno);
    }

    ~PrivateNamespaces() {
        if (bpffs_.empty())
            return;
        umount2(bpffs_.c_str(), MNT_DETACH);
        std::error_code ec;
        std::filesystem::remove_all(tmp_, ec);
    }

    const std::string& bpffs() const { return bpffs_; }
    const std::string& tmp() const { return tmp_; }

private:
    std::string tmp_, bpffs_;
};

// A network namespace of its own for the far end of a veth, held by a child
// that dies with the test process (PR_SET_PDEATHSIG) or with this object.
class PeerNamespace {
public:
    void start() {
        int ready[2];
        ASSERT_EQ(pipe(ready), 0);
        pid_ = fork();
        ASSERT_GE(pid_, 0);
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            char ok = unshare(CLONE_NEWNET) == 0 ? 1 : 0;
            (void)!write(ready[1], &ok, 1);
            pause();
            _exit(0);
        }
        char ok = 0;
        ASSERT_EQ(read(ready[0], &ok, 1), 1);
        close(ready[0]);
        close(ready[1]);
        ASSERT_EQ(ok, 1) << "the peer could not unshare its network namespace";
    }

    ~PeerNamespace() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }

    pid_t pid() const { return pid_; }
    // Prefix for a shell command run in the peer's network namespace.
    std::string nsenter() const { return "nsenter -t " + std::to_string(pid_) + " -n "; }

private:
    pid_t pid_ = -1;
};

}  // namespace testns
