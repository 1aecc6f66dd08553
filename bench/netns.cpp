// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "netns.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common.hpp"
#include "spawn.hpp"

namespace benchns {

using benchutil::Failure;

namespace {

std::string errstr(int err) { return std::strerror(err); }

}  // namespace

Private::Private(const char* tag) {
    if (unshare(CLONE_NEWNET | CLONE_NEWNS))
        throw Failure("unshare(CLONE_NEWNET | CLONE_NEWNS): " + errstr(errno) + " (run as root)");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr))
        throw Failure("making / private in the new mount namespace: " + errstr(errno));
    std::string tmpl = std::string("/tmp/srv6s-bench-") + tag + ".XXXXXX";
    if (!mkdtemp(tmpl.data()))
        throw Failure("mkdtemp " + tmpl + ": " + errstr(errno));
    if (mount("bpf", tmpl.c_str(), "bpf", 0, nullptr)) {
        const int err = errno;
        rmdir(tmpl.c_str());
        throw Failure("mounting a private bpffs on " + tmpl + ": " + errstr(err));
    }
    bpffs_ = tmpl;
}

Private::~Private() {
    umount2(bpffs_.c_str(), MNT_DETACH);
    rmdir(bpffs_.c_str());
}

void run(const std::vector<std::string>& cmd) {
    const testproc::Result r = testproc::spawn(cmd);
    if (r.code != 0)
        throw Failure("`" + testproc::text(cmd) + "` failed (exit " + std::to_string(r.code) +
                      (r.code < 0 ? ": is " + cmd.at(0) + " installed?" : std::string()) + "): " + r.err);
}

void ip(const std::vector<std::string>& args) {
    std::vector<std::string> cmd = {"ip"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    run(cmd);
}

}  // namespace benchns
