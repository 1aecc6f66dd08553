// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Socket pins from the command line. A socket is named PID:FD, one of a
// running process's file descriptors: the command takes a duplicate of it
// (pidfd_open + pidfd_getfd, which needs the right to ptrace that process),
// pins or unpins it, and closes its duplicate; the pin stays with the socket
// and ends with it. The pin belongs to that process (and its cgroup).
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cgroupfs.hpp"
#include "cli.hpp"
#include "fd.hpp"
#include "text.hpp"

namespace srv6steer::cli {

namespace {

// The cgroup (v2) a process is in, as the library names it; 0 if unknown.
uint64_t cgroup_of(uint32_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    const auto root = cgroupfs::mount_point();
    for (std::string line; root && std::getline(in, line);)
        if (line.starts_with("0::")) {
            try {
                return Cgroup::of_path(*root + line.substr(3)).id;
            } catch (const Error&) {
                return 0;
            }
        }
    return 0;
}

// PID:FD, a socket that process holds.
struct ProcFd {
    uint32_t pid = 0;
    int fd = -1;
    std::string str() const { return std::to_string(pid) + ":" + std::to_string(fd); }
};

ProcFd parse_proc_fd(std::string_view t) {
    const auto colon = t.find(':');
    const auto pid = text::parse_uint(t.substr(0, colon), 1, kMaxPid);
    const auto fd = colon == std::string_view::npos ? std::nullopt : text::parse_uint(t.substr(colon + 1), 0, INT32_MAX);
    if (!pid || !fd)
        throw UsageError("invalid socket " + text::quote(t) + ": expected PID:FD, a process and one of its file "
                         "descriptors (ls -l /proc/PID/fd), e.g. 4242:7");
    return {static_cast<uint32_t>(*pid), static_cast<int>(*fd)};
}

// A duplicate of the fd p names (pidfd_getfd: needs the right to ptrace that
// process), under the same number when that is free here, so that what the
// library says of "fd N" is about the FD the user gave. Call it before
// opening the state (whose fds would take the low numbers).
UniqueFd take_socket(const ProcFd& p) {
    // syscall(): glibc 2.36's sys/pidfd.h declares its wrappers without C linkage for C++.
    UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(p.pid), 0u)));
    if (!pidfd) {
        const int err = errno;
        throw Error(err == ESRCH ? "no process with pid " + std::to_string(p.pid)
                                 : "cannot open process " + std::to_string(p.pid) + ": " + std::strerror(err),
                    err);
    }
    UniqueFd fd(static_cast<int>(syscall(SYS_pidfd_getfd, pidfd.get(), p.fd, 0u)));
    if (!fd) {
        const int err = errno;
        if (err == EBADF)
            throw Error("process " + std::to_string(p.pid) + " has no file descriptor " + std::to_string(p.fd) +
                            " (ls -l /proc/" + std::to_string(p.pid) + "/fd)",
                        err);
        if (err == EPERM || err == EACCES)
            throw Error("may not take file descriptor " + std::to_string(p.fd) + " of process " +
                            std::to_string(p.pid) + ": " + std::strerror(err) +
                            ": pinning another process's socket needs the right to ptrace it (root or "
                            "CAP_SYS_PTRACE, and a Yama ptrace_scope that allows it); or let the process pin "
                            "its own socket through srv6steer agent",
                        err);
        throw Error("cannot take file descriptor " + std::to_string(p.fd) + " of process " + std::to_string(p.pid) +
                        ": " + std::strerror(err),
                    err);
    }
    if (fd.get() != p.fd && fcntl(p.fd, F_GETFD) < 0 && errno == EBADF) {
        if (UniqueFd same(dup3(fd.get(), p.fd, O_CLOEXEC)); same)
            return same;
    }
    return fd;
}

// The library's error about the socket's fd here, naming PID:FD.
[[noreturn]] void socket_error(const Error& e, const ProcFd& p, int here, const std::string& advice) {
    std::string words = advice;
    if (here != p.fd)
        words += (words.empty() ? "" : "; ") + std::string("srv6steer's fd ") + std::to_string(here) + " is " +
                 p.str();
    if (words.empty())
        throw;
    rethrow_with(e, words);
}

std::string family_name(int family) { return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "?"; }

// "cookie 77, tcp 10.0.1.10 34273 10.0.2.10 56466"
std::string socket_text(const PinnedSocket& p) {
    return "cookie " + std::to_string(p.cookie) + ", " + p.flow.str();
}

struct PinSocketCmd : Common {
    ProcFd socket;
    PinTarget pin;
    void check() const { pin.target(); }
};

int cmd_pin_socket(const PinSocketCmd& c) {
    const Target t = c.pin.target();
    const PinOptions o{Owner{c.socket.pid, cgroup_of(c.socket.pid)}, c.pin.replace};
    const UniqueFd fd = take_socket(c.socket);
    auto s = open_state(c);
    try {
        s.pin_socket(fd.get(), t, o);
    } catch (const Error& e) {
        socket_error(e, c.socket, fd.get(), pin_advice(e, "sockets", t));
    }
    const auto pinned = s.socket_pin(fd.get());
    std::cout << "pinned socket " << c.socket.str() << (pinned ? " (" + socket_text(*pinned) + ")" : "") << " to "
              << t.str() << " on " << s.ifname() << "\n";
    return kOk;
}

struct UnpinSocketCmd : Common {
    ProcFd socket;
};

int cmd_unpin_socket(const UnpinSocketCmd& c) {
    const UniqueFd fd = take_socket(c.socket);
    auto s = open_state(c);
    bool had = false;
    try {
        had = s.unpin_socket(fd.get());
    } catch (const Error& e) {
        socket_error(e, c.socket, fd.get(), "");
    }
    if (!had)
        throw Error("socket " + c.socket.str() + " is not pinned on " + s.ifname() + " (srv6steer list sockets)");
    std::cout << "unpinned socket " << c.socket.str() << " on " << s.ifname() << "\n";
    return kOk;
}

int cmd_list_sockets(const Common& c) {
    const auto s = open_state(c);
    const auto pins = s.sockets();
    if (c.json) {
        json j = json::array();
        for (const auto& p : pins)
            j.push_back(pin_fields({{"cookie", p.cookie}, {"family", family_name(p.family)}, {"flow", p.flow.str()}},
                                   p.target, p.info));
        print(j);
        return kOk;
    }
    Table t{"Sockets pinned on " + s.ifname(),
            {"Socket", "Cookie", "Target", "Owner", "Created", "Packets", "Bytes"},
            {},
            "No sockets pinned on " + s.ifname()};
    for (const auto& p : pins)
        t.add(pin_cells({p.flow.str(), std::to_string(p.cookie)}, p.target, p.info));
    print(t);
    return kOk;
}

}  // namespace

SocketCommands socket_commands() {
    return {
        command<PinSocketCmd>(
            "pin socket", "PID:FD (--path ID | --set ID)",
            "pin a socket of a running process (its fd FD; needs the right to ptrace it) until it closes", kDev,
            {parsed("PID:FD", &PinSocketCmd::socket, parse_proc_fd)},
            within(&PinSocketCmd::pin, target_options(false)), cmd_pin_socket),
        command<UnpinSocketCmd>("unpin socket", "PID:FD", "remove a socket pin", kDev,
                                {parsed("PID:FD", &UnpinSocketCmd::socket, parse_proc_fd)}, {}, cmd_unpin_socket),
        command<Common>("list sockets", "", "list socket pins (of every process)", kDev | kJson, {}, {},
                        cmd_list_sockets),
    };
}

}  // namespace srv6steer::cli
