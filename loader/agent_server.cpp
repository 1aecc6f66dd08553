// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "agent_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace srv6steer::cli {

namespace fs = std::filesystem;
using namespace remote;

namespace {

// A directory where nobody but root (or this user) can replace the socket.
void check_directory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);  // 0755 under the usual umask
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0)
        throw_errno("the agent socket's directory " + dir, errno);
    if (!S_ISDIR(st.st_mode))
        throw Error("the agent socket's directory " + dir + " is not a directory", ENOTDIR);
    const bool others_write = (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX);
    if ((st.st_uid != 0 && st.st_uid != geteuid()) || others_write)
        throw Error("the agent socket's directory " + dir + " can be changed by other users (owner uid " +
                        std::to_string(st.st_uid) + ", mode " + [&] {
                            char m[8];
                            std::snprintf(m, sizeof m, "%04o", st.st_mode & 07777);
                            return std::string(m);
                        }() + "), who could replace the socket: use a directory of root's, not writable by others",
                    EPERM);
}

// As many fds as the hard limit allows: each request may bring 4096.
void raise_fd_limit() {
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

}  // namespace

Server::Server(ServerOptions o, Clients& clients, Clients::Log log)
    : o_(std::move(o)), clients_(clients), log_(std::move(log)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string tmp = o_.path + ".new";
    if (tmp.size() >= sizeof addr.sun_path)
        throw Error("the agent socket path " + o_.path + " is too long for a Unix socket (at most " +
                        std::to_string(sizeof addr.sun_path - 5) + " bytes)",
                    ENAMETOOLONG);
    const std::string dir = fs::path(o_.path).parent_path().string();
    check_directory(dir.empty() ? "." : dir);
    raise_fd_limit();
    reserve_ = UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));

    // One agent per path: the lock lives as long as this agent does.
    const std::string lock = o_.path + ".lock";
    lock_ = UniqueFd(::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lock_)
        throw_errno("opening " + lock, errno);
    if (flock(lock_.get(), LOCK_EX | LOCK_NB) != 0)
        throw Error("another srv6steer agent serves " + o_.path + " (it holds " + lock +
                        "): stop it, or give this agent another socket path",
                    EADDRINUSE);

    // Made under a temporary name with its mode and group, then renamed into
    // place: nobody ever connects to a socket that is not ready.
    ::unlink(tmp.c_str());
    listen_ = UniqueFd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!listen_)
        throw_errno("creating the agent socket", errno);
    std::memcpy(addr.sun_path, tmp.c_str(), tmp.size());
    const mode_t old = umask(0177);
    const int bound = ::bind(listen_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int bind_errno = errno;
    umask(old);
    if (bound != 0)
        throw_errno("binding the agent socket " + tmp, bind_errno);
    if (o_.group && ::chown(tmp.c_str(), uid_t(-1), *o_.group) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        std::string what = "giving " + tmp + " to group " + std::to_string(*o_.group);
        if (err == EPERM)
            what += " (needs CAP_CHOWN, or that the agent is a member of the group)";
        throw_errno(what, err);
    }
    if (::chmod(tmp.c_str(), o_.mode) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw_errno("setting the mode of " + tmp, err);
    }
    if (::listen(listen_.get(), 128) != 0 || ::rename(tmp.c_str(), o_.path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw_errno("serving " + o_.path, err);
    }
    struct stat st {};
    if (::lstat(o_.path.c_str(), &st) == 0)
        inode_ = st.st_ino;
}

Server::~Server() {
    struct stat st {};
    if (::lstat(o_.path.c_str(), &st) == 0 && st.st_ino == inode_)
        ::unlink(o_.path.c_str());
}

// ---- the loop -----------------------------------------------------------------------------

int Server::serve_until(std::chrono::steady_clock::time_point until, int signal_fd, Pollable* extra) {
    using Clock = std::chrono::steady_clock;
    std::vector<pollfd> p;
    std::vector<uint64_t> ids;
    while (true) {
        const auto now = Clock::now();
        if (now >= until)
            return 0;
        p.assign({{signal_fd, POLLIN, 0}, {listen_.get(), POLLIN, 0}});
        ids.clear();
        auto wake = until;
        for (auto& [id, c] : conns_) {
            p.push_back({c.fd.get(), short(!c.out.empty() ? POLLOUT : POLLIN), 0});
            ids.push_back(id);
            if (c.linger_until)
                wake = std::min(wake, *c.linger_until);
        }
        const size_t first_extra = p.size();
        if (extra) {
            for (int fd : extra->fds())
                p.push_back({fd, POLLIN, 0});
            wake = std::min(wake, extra->deadline());
        }
        const auto ms = std::max<int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(wake - now).count());
        if (::poll(p.data(), p.size(), int(std::min<int64_t>(ms, 60000))) < 0) {
            if (errno == EINTR)
                continue;
            throw_errno("waiting for clients and signals", errno);
        }
        if (extra) {
            const bool readable = std::any_of(p.begin() + long(first_extra), p.end(),
                                              [](const pollfd& f) { return f.revents != 0; });
            if (readable || Clock::now() >= extra->deadline())
                extra->service();
            p.resize(first_extra);
        }
        if (p[1].revents & POLLIN)
            accept_all();
        for (size_t i = 0; i < ids.size(); i++) {
            auto it = conns_.find(ids[i]);
            if (it == conns_.end())
                continue;
            Conn& c = it->second;
            const short ev = p[i + 2].revents;
            if (c.linger_until) {
                if (linger(c, ev))
                    drop(ids[i]);
                continue;
            }
            if (ev & POLLOUT)
                write(c);
            if (ev & POLLIN)
                read(c);
            else if (ev & (POLLHUP | POLLERR | POLLNVAL))
                c.closing = true, c.out.clear();
            if (c.closing && c.out.empty() && (!c.refused || linger(c, 0)))
                drop(ids[i]);
        }
        // Last: what was ready with it is handled first.
        if (p[0].revents & POLLIN) {
            signalfd_siginfo si{};
            if (::read(signal_fd, &si, sizeof si) == ssize_t(sizeof si))
                return int(si.ssi_signo);
        }
    }
}

void Server::accept_all() {
    while (true) {
        UniqueFd fd(::accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno == EMFILE || errno == ENFILE) {
                // Refused, not left waiting: a waiting client would keep
                // poll saying "ready" for ever. The spare fd makes room.
                reserve_.reset();
                UniqueFd(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
                reserve_ = UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
                log_("out of file descriptors: refused a client");
                return;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                log_(std::string("accepting a client failed: ") + std::strerror(errno));
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return;
        }
        ucred cred{};
        socklen_t len = sizeof cred;
        if (getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
            log_(std::string("a client without credentials (SO_PEERCRED failed: ") + std::strerror(errno) +
                 "): closed");
            continue;
        }
        const uint64_t id = next_++;
        Conn& c = conns_[id];
        c.fd = std::move(fd);
        c.session = &clients_.open(uint32_t(cred.pid), uint32_t(cred.uid), uint32_t(cred.gid));
        log_(c.session->who() + ": connected (gid " + std::to_string(cred.gid) + ")");
        if (conns_.size() > o_.max_clients)
            refuse(c, {}, "the agent serves " + std::to_string(o_.max_clients) + " clients at once already");
        else if (cred.pid == 0)
            // The kernel says 0 for a peer in a pid namespace the agent's is
            // not an ancestor of: its pins could have no owner, so none.
            refuse(c, {},
                   "the agent cannot see the client's process (its pid namespace is not below the agent's), so it "
                   "cannot own pins: run the agent in the host's pid namespace");
    }
}

void Server::read(Conn& c) {
    // A bounded number of packets per turn, so that one client cannot keep
    // the others waiting; none while an answer is still being sent.
    for (int i = 0; i < 64 && c.out.empty() && !c.closing; i++) {
        Received r;
        try {
            r = recv_packet(c.fd.get(), buf_);
        } catch (const ProtocolError& e) {
            refuse(c, {}, e.what());
            return;
        } catch (const Error& e) {
            c.closing = true;  // the socket failed: nothing to say it on
            return;
        }
        if (r.kind == Received::Kind::Again)
            return;
        if (r.kind == Received::Kind::Closed) {
            c.closing = true;
            return;
        }
        const Header h = r.packet.header;
        std::optional<Message> m;
        try {
            m = c.in.add(std::move(r.packet));
        } catch (const VersionMismatch& e) {
            refuse(c, h, "protocol version " + std::to_string(e.theirs) + " is not spoken here: this agent speaks "
                         "version " + std::to_string(kVersion) + "; use a libsrv6steer of that version");
            return;
        } catch (const ProtocolError& e) {
            refuse(c, h, e.what());
            return;
        }
        if (!m)
            continue;
        const Answer a = clients_.handle(*c.session, *m);
        const Header request = m->header;
        m.reset();  // closes the fds that came with it: a pin ends with the client's socket
        answer(c, request, a);
        if (a.fatal)
            c.closing = true;
    }
}

void Server::answer(Conn& c, const Header& request, const Answer& a) {
    Header h;
    h.type = request.type;
    h.seq = request.seq;
    h.flags = uint8_t(kReply | (a.error ? kError : 0));
    for (auto& p : packetize(h, a.payload))
        c.out.push_back(std::move(p.bytes));
    write(c);
}

void Server::refuse(Conn& c, const Header& request, const std::string& why) {
    log_(c.session->who() + ": refused, closing the connection: " + why);
    answer(c, request, Answer{true, true, encode(ErrorReply{why, EPROTO})});
    c.closing = true;
    c.refused = true;
}

bool Server::linger(Conn& c, short events) {
    using Clock = std::chrono::steady_clock;
    if (!c.linger_until) {
        ::shutdown(c.fd.get(), SHUT_WR);  // the client reads the refusal, then the end
        c.linger_until = Clock::now() + std::chrono::seconds(2);
        return false;
    }
    if (events & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
        for (int i = 0; i < 64; i++) {  // bounded, as read() is
            Received r;
            try {
                r = recv_packet(c.fd.get(), buf_);
            } catch (const std::exception&) {
                continue;  // a broken packet: discarded all the same
            }
            if (r.kind == Received::Kind::Closed)
                return true;
            if (r.kind == Received::Kind::Again)
                break;
        }
    return Clock::now() >= *c.linger_until;
}

void Server::write(Conn& c) {
    try {
        while (!c.out.empty()) {
            if (!send_packet(c.fd.get(), OutPacket{c.out.front(), {}}))
                return;  // full: poll says when there is room
            c.out.pop_front();
        }
    } catch (const Error&) {
        c.out.clear();  // the client is gone
        c.closing = true;
    }
}

void Server::drop(uint64_t id) {
    auto it = conns_.find(id);
    if (it == conns_.end())
        return;
    log_(it->second.session->who() + ": disconnected");
    clients_.close(*it->second.session);
    conns_.erase(it);
}

}  // namespace srv6steer::cli
