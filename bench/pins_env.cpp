// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "pins_env.hpp"

#include <net/if.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common.hpp"
#include "spawn.hpp"

namespace pins {

using benchutil::Failure;

namespace {

std::string errstr(int err) { return std::strerror(err); }

// The namespaces and the bpffs, before any member that needs them.
std::string enter_namespaces() {
    if (unshare(CLONE_NEWNET | CLONE_NEWNS))
        throw Failure("unshare(CLONE_NEWNET | CLONE_NEWNS): " + errstr(errno) + " (run as root)");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr))
        throw Failure("making / private in the new mount namespace: " + errstr(errno));
    char tmpl[] = "/tmp/srv6s-bench-pins.XXXXXX";
    if (!mkdtemp(tmpl))
        throw Failure("mkdtemp: " + errstr(errno));
    if (mount("bpf", tmpl, "bpf", 0, nullptr)) {
        const int err = errno;
        rmdir(tmpl);
        throw Failure(std::string("mounting a private bpffs on ") + tmpl + ": " + errstr(err));
    }
    return tmpl;
}

}  // namespace

Ipv6 host(const Ipv6& net, uint32_t i) {
    Ipv6 a = net;
    a.bytes[12] = static_cast<uint8_t>(i >> 24);
    a.bytes[13] = static_cast<uint8_t>(i >> 16);
    a.bytes[14] = static_cast<uint8_t>(i >> 8);
    a.bytes[15] = static_cast<uint8_t>(i);
    return a;
}

void ip(const std::vector<std::string>& args) {
    std::vector<std::string> cmd = {"ip"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    const testproc::Result r = testproc::spawn(cmd);
    if (r.code != 0)
        throw Failure("`" + testproc::text(cmd) + "` failed (exit " + std::to_string(r.code) +
                      (r.code < 0 ? ": is iproute2 installed?" : "") + "): " + r.err);
}

Env::Env() : bpffs_(enter_namespaces()) {
    try {
        ip({"link", "set", "lo", "up"});
        ip({"link", "add", kDev, "type", "veth", "peer", "name", kPeer});
        ip({"link", "set", kDev, "up"});
        ip({"link", "set", kPeer, "up"});
        // nodad: usable at once.
        ip({"addr", "add", kHost.str() + "/64", "dev", kDev, "nodad"});
        ip({"-6", "route", "add", kSteerNet.str() + "/40", "dev", kDev});
        oif_ = static_cast<int>(if_nametoindex(kDev));
        if (!oif_)
            throw Failure(std::string("no interface ") + kDev + " after creating it: " + errstr(errno));
    } catch (...) {
        umount2(bpffs_.c_str(), MNT_DETACH);
        rmdir(bpffs_.c_str());
        throw;
    }
}

Env::~Env() {
    umount2(bpffs_.c_str(), MNT_DETACH);
    rmdir(bpffs_.c_str());
}

}  // namespace pins
