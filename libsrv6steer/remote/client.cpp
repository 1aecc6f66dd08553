// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The client side of the agent protocol (client.hpp, docs/agent-protocol.md).
#include "remote/client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace srv6steer::remote {

void ClientDelete::operator()(Client* c) const noexcept { delete c; }

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

#ifndef SRV6S_VERSION_STRING
#define SRV6S_VERSION_STRING "unknown"
#endif
constexpr const char* kClientName = "libsrv6steer " SRV6S_VERSION_STRING;

// How long a reply may take, and how long a lost agent may take to come back.
constexpr auto kReplyTimeout = 60s;
constexpr auto kReconnectFor = 5s;

// The connection is gone (the agent exited or restarted): connect again.
struct Lost : Error {
    explicit Lost(const std::string& what) : Error(what, ECONNRESET) {}
};

bool lost(int code) { return code == EPIPE || code == ECONNRESET || code == ENOTCONN || code == ECONNABORTED; }

void check_fd(int fd) {
    if (fd < 0 || fcntl(fd, F_GETFD) < 0)
        throw Error("fd " + std::to_string(fd) + " is not an open file descriptor of this process", EBADF);
}

// check_fd of each, in one poll() (it says POLLNVAL of an fd that is not
// open) rather than one fcntl per fd; one by one when poll cannot take them
// all (more than RLIMIT_NOFILE).
void check_fds(std::span<const int> fds) {
    std::vector<pollfd> p(fds.size());
    for (size_t i = 0; i < fds.size(); i++)
        p[i] = {fds[i], 0, 0};
    int n;
    do
        n = ::poll(p.data(), p.size(), 0);
    while (n < 0 && errno == EINTR);
    for (size_t i = 0; i < fds.size(); i++)
        if (n < 0 || fds[i] < 0 || (p[i].revents & POLLNVAL))
            check_fd(fds[i]);
}

}  // namespace

Client::Client(std::string socket_path, std::string ifname)
    : path_(socket_path.empty() ? kDefaultAgentSocket : std::move(socket_path)), want_ifname_(std::move(ifname)) {
    std::lock_guard lk(mu_);
    connect(false);
}

// ---- the connection ---------------------------------------------------------------------

void Client::connect(bool wait) {
    fd_.reset();
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof addr.sun_path)
        throw Error("the agent socket path " + path_ + " is longer than a Unix socket path may be (" +
                        std::to_string(sizeof addr.sun_path - 1) + " bytes)",
                    ENAMETOOLONG);
    std::memcpy(addr.sun_path, path_.c_str(), path_.size());
    const auto until = Clock::now() + (wait ? kReconnectFor : 0s);
    auto pause = 10ms;
    while (true) {
        UniqueFd s(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
        if (!s)
            throw_errno("creating a Unix socket for the agent", errno);
        if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
            fd_ = std::move(s);
            break;
        }
        const int err = errno;
        // The agent restarting: its socket is missing or nobody listens yet.
        if ((err == ENOENT || err == ECONNREFUSED || err == EAGAIN) && Clock::now() < until) {
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::milliseconds(250));
            continue;
        }
        const char* hint = err == EACCES || err == EPERM ? ": this user may not open it (the agent's socket group and "
                                                            "mode say who may)"
                           : err == ENOENT || err == ECONNREFUSED ? ": is the srv6steer agent running?"
                                                                  : "";
        throw Error("cannot connect to the srv6steer agent at " + path_ + ": " + std::strerror(err) + hint, err);
    }
    hello_ = exchange<HelloReply>(Type::Hello, HelloRequest{want_ifname_, kClientName}, {});
    // Define again what this client defined (content gives the same ids).
    try {
        for (const auto& [id, p] : paths_)
            exchange<OkReply>(Type::AddPath, AddPathRequest{p}, {});
        for (const auto& [id, s] : sets_)
            exchange<OkReply>(Type::DefineSet, DefineSetRequest{s}, {});
    } catch (const Lost&) {
        throw;
    } catch (const Error& e) {
        fd_.reset();  // the next call tries again
        throw Error(std::string("connected to the srv6steer agent again, but defining this client's paths and sets "
                                "there again failed: ") +
                        e.what(),
                    e.code());
    }
}

void Client::send(Type type, const std::string& payload, std::span<const int> fds) {
    Header h;
    h.type = static_cast<uint8_t>(type);
    h.seq = seq_;
    try {
        for (const auto& p : packetize(h, payload, fds))
            send_packet(fd_.get(), p);
    } catch (const Error& e) {
        if (lost(e.code())) {
            check_pending_refusal();
            throw Lost(e.what());
        }
        throw;
    }
}

void Client::check_refusal(const Message& m) {
    if (m.header.type != 0 || m.header.seq != 0 || (m.header.flags & (kReply | kError)) != (kReply | kError))
        return;
    fd_.reset();
    std::string why = "(no reason given)";
    int code = EPROTO;
    try {
        const auto e = decode<ErrorReply>(m.payload, "the refusal");
        why = e.message;
        code = e.code;
    } catch (const BadMessage& e) {
        why = e.what();
    }
    throw Error("the srv6steer agent at " + path_ + " refused this client: " + why, code);
}

void Client::check_pending_refusal() {
    if (!fd_)
        return;
    Assembler in(kMaxReplyPayload, 0);
    for (int i = 0; i < 16; i++) {  // a refusal is one packet; bounded all the same
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0)
            return;
        Received r;
        try {
            r = recv_packet(fd_.get(), buf_);
        } catch (const std::exception&) {
            return;
        }
        if (r.kind != Received::Kind::Packet)
            return;
        try {
            if (auto m = in.add(std::move(r.packet)))
                check_refusal(*m);
        } catch (const ProtocolError&) {  // a VersionMismatch too: nothing to read
            return;
        }
    }
}

Message Client::receive(Type type, uint32_t seq) {
    Assembler in(kMaxReplyPayload, 0);
    const auto until = Clock::now() + kReplyTimeout;
    try {
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
            pollfd p{fd_.get(), POLLIN, 0};
            const int n = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                throw Error(std::string("the srv6steer agent did not answer ") + type_name(type) + " within " +
                                std::to_string(kReplyTimeout.count()) + " s",
                            ETIMEDOUT);
            Received r = recv_packet(fd_.get(), buf_);
            if (r.kind == Received::Kind::Again)
                continue;
            if (r.kind == Received::Kind::Closed)
                throw Lost("the agent closed the connection");
            auto m = in.add(std::move(r.packet));
            if (!m)
                continue;
            check_refusal(*m);
            if (!(m->header.flags & kReply) || m->header.seq != seq || m->header.type != static_cast<uint8_t>(type))
                throw ProtocolError(std::string("the agent answered ") + type_name(type) + " (" +
                                    std::to_string(seq) + ") with message type " + std::to_string(m->header.type) +
                                    " (" + std::to_string(m->header.seq) + ")");
            return std::move(*m);
        }
    } catch (const VersionMismatch& e) {
        fd_.reset();
        throw Error("the srv6steer agent at " + path_ + " speaks protocol version " + std::to_string(e.theirs) +
                        ", this libsrv6steer speaks version " + std::to_string(kVersion) +
                        ": use a libsrv6steer of the agent's version",
                    EPROTO);
    } catch (const Lost&) {
        throw;
    } catch (const ProtocolError& e) {
        fd_.reset();
        throw Error("the srv6steer agent at " + path_ + " sent a malformed reply: " + e.what(), EPROTO);
    } catch (const Error& e) {
        if (lost(e.code()))
            throw Lost(e.what());
        fd_.reset();  // a late reply would answer the next request
        throw;
    }
}

template <class Reply, class Request>
Reply Client::exchange(Type type, const Request& req, std::span<const int> fds) {
    ++seq_;
    send(type, encode(req), fds);
    const Message m = receive(type, seq_);
    try {
        if (m.header.flags & kError) {
            const auto e = decode<ErrorReply>(m.payload, type_name(type));
            throw Error(e.message, e.code);
        }
        return decode<Reply>(m.payload, type_name(type));
    } catch (const BadMessage& e) {
        fd_.reset();
        throw Error("the srv6steer agent at " + path_ + " sent a malformed reply: " + e.what(), EPROTO);
    }
}

template <class Reply, class Request>
Reply Client::call(Type type, const Request& req, std::span<const int> fds) {
    std::lock_guard lk(mu_);
    for (int attempt = 0;; attempt++) {
        try {
            if (!fd_)
                connect(true);
            return exchange<Reply>(type, req, fds);
        } catch (const Lost& e) {
            fd_.reset();
            if (attempt > 0)
                throw Error("lost the connection to the srv6steer agent at " + path_ + " (" + e.what() +
                                ") and could not get it back",
                            ECONNRESET);
        }
    }
}

// ---- the API ------------------------------------------------------------------------------

void Client::refuse(const char* kind) {
    throw Error(std::string(kind) + " pins are not possible through the srv6steer agent: a client pins only its own "
                                    "sockets, by passing them (pin_socket); a " +
                    kind + " pin could steer another process's traffic",
                EPERM);
}

void Client::lock() {
    throw Error("through the srv6steer agent there is no lock across calls: the agent runs each request whole, one "
                "at a time, under the interface's lock",
                ENOTSUP);
}

Status Client::status() { return call<StatusReply>(Type::Status, Empty{}).status; }

void Client::add_path(const Path& p) {
    call<OkReply>(Type::AddPath, AddPathRequest{p});
    std::lock_guard lk(mu_);
    paths_[p.id] = p;
}

void Client::remove_path(uint32_t id) {
    call<OkReply>(Type::RemovePath, IdRequest{id});
    std::lock_guard lk(mu_);
    paths_.erase(id);
}

void Client::set_path_down(uint32_t id, bool) {
    throw Error("path " + std::to_string(id) + " cannot be taken down or up through the srv6steer agent: clients "
                "share identical paths, so it would change them for the others too; define the set again without it",
                ENOTSUP);
}

std::vector<Path> Client::paths() { return call<PathsReply>(Type::Paths, Empty{}).paths; }

void Client::define_set(const PathSet& s) {
    call<OkReply>(Type::DefineSet, DefineSetRequest{s});
    std::lock_guard lk(mu_);
    sets_[s.id] = s;
}

void Client::remove_set(uint32_t id) {
    call<OkReply>(Type::RemoveSet, IdRequest{id});
    std::lock_guard lk(mu_);
    sets_.erase(id);
}

std::vector<PathSet> Client::sets() { return call<SetsReply>(Type::Sets, Empty{}).sets; }

void Client::pin_socket(int fd, Target target, const PinOptions& opts) {
    const std::pair<int, Target> one{fd, target};
    pin_sockets(std::span(&one, 1), opts);
}

size_t Client::pin_sockets(std::span<const std::pair<int, Target>> sockets, const PinOptions& opts) {
    if (sockets.size() > kMaxRequestFds)
        throw Error("at most " + std::to_string(kMaxRequestFds) + " sockets can be pinned in one call through the "
                    "srv6steer agent, not " + std::to_string(sockets.size()) + ": pin them in several calls",
                    E2BIG);
    // The option of path probes, which only the agent sends (srv6steer/probe.hpp):
    // a client's pins always fail over.
    if (opts.ignore_down)
        throw Error("a client of the srv6steer agent cannot pin with ignore_down: that is for the agent's own path "
                    "probes; pin without it (the pins then fail over when a path is down)",
                    EPERM);
    if (sockets.empty())
        return 0;
    PinSocketsRequest req;
    req.replace = opts.replace;  // the owner is always this process (the agent asks the kernel)
    std::vector<int> fds;
    fds.reserve(sockets.size());
    req.targets.reserve(sockets.size());
    for (const auto& [fd, target] : sockets) {
        fds.push_back(fd);
        req.targets.push_back(target);
    }
    check_fds(fds);
    return call<CountReply>(Type::PinSockets, req, fds).count;
}

bool Client::unpin_socket(int fd) {
    check_fd(fd);
    return call<RemovedReply>(Type::UnpinSocket, Empty{}, std::span(&fd, 1)).removed;
}

std::optional<PinnedSocket> Client::socket_pin(int fd) {
    check_fd(fd);
    return call<SocketPinReply>(Type::SocketPin, Empty{}, std::span(&fd, 1)).pin;
}

std::vector<PinnedSocket> Client::sockets() { return call<SocketsReply>(Type::Sockets, Empty{}).sockets; }

Stats Client::stats() { return call<StatsReply>(Type::Stats, Empty{}).stats; }

}  // namespace srv6steer::remote
