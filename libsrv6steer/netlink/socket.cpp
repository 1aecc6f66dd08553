// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "netlink/socket.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <utility>

#include "netlink/attrs.hpp"
#include "srv6steer/error.hpp"

namespace srv6steer::nl {

namespace {

// Answers larger than this would be cut: the kernel makes dump datagrams of
// at most 32 KiB, and single answers (one route, link or address) are small.
constexpr size_t kRxSize = 64 * 1024;
// Room for the ACKs of a batch (capped by net.core.rmem_max).
constexpr int kRcvBuf = 1 << 20;
constexpr int kDumpTries = 5;

// The NLMSGERR_ATTR_MSG of an error or of a dump's NLMSG_DONE
// (NETLINK_EXT_ACK), if the kernel sent one; `payload` is what comes before
// the TLVs.
std::string ext_ack_text(const nlmsghdr* h, size_t payload) {
    if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
        return {};
    const size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(payload);
    if (h->nlmsg_len <= off)
        return {};
    return Attrs(reinterpret_cast<const uint8_t*>(h) + off, h->nlmsg_len - off)
        .str(NLMSGERR_ATTR_MSG)
        .value_or("");
}

// The kernel's answer in an NLMSG_ERROR message (error 0 is the ACK).
KernelError error_of(const nlmsghdr* h) {
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr)))
        return {EIO, "truncated netlink error message"};
    nlmsgerr e;
    std::memcpy(&e, NLMSG_DATA(h), sizeof e);
    if (!e.error)
        return {};
    size_t payload = sizeof(nlmsgerr);
    if (!(h->nlmsg_flags & NLM_F_CAPPED))
        payload += e.msg.nlmsg_len - NLMSG_HDRLEN;  // the request, echoed
    return {-e.error, ext_ack_text(h, payload)};
}

// A dump that failed in the kernel ends with NLMSG_DONE carrying -errno.
KernelError done_of(const nlmsghdr* h) {
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(int)))
        return {};
    int e = 0;
    std::memcpy(&e, NLMSG_DATA(h), sizeof e);
    if (e >= 0)
        return {};
    return {-e, ext_ack_text(h, sizeof(int))};
}

}  // namespace

// ---- Request -----------------------------------------------------------------

Request::Request(uint16_t type, uint16_t flags) : buf_(NLMSG_HDRLEN, 0) {
    hdr()->nlmsg_len = NLMSG_HDRLEN;
    hdr()->nlmsg_type = type;
    hdr()->nlmsg_flags = flags;
}

Request Request::copy_of(const nlmsghdr* h) {
    Request r;
    const auto* p = reinterpret_cast<const uint8_t*>(h);
    r.buf_.assign(p, p + NLMSG_ALIGN(h->nlmsg_len));
    r.hdr()->nlmsg_len = static_cast<uint32_t>(r.buf_.size());
    return r;
}

void Request::append(const void* p, size_t n) {
    const size_t at = buf_.size();
    buf_.resize(at + NLMSG_ALIGN(n), 0);
    if (n)
        std::memcpy(&buf_[at], p, n);
    hdr()->nlmsg_len = static_cast<uint32_t>(buf_.size());
}

void Request::put(uint16_t type, const void* data, size_t len) {
    if (len > 0xffff - NLA_HDRLEN)
        throw Error("a netlink attribute of " + std::to_string(len) +
                        " bytes does not fit (at most 65531)",
                    EMSGSIZE);
    nlattr a{};
    a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
    a.nla_type = type;
    append(&a, sizeof a);
    append(data, len);
}

void Request::put_str(uint16_t type, std::string_view s) {
    std::string z(s);
    put(type, z.c_str(), z.size() + 1);
}

size_t Request::begin_nest(uint16_t type) {
    const size_t at = buf_.size();
    nlattr a{};
    a.nla_type = static_cast<uint16_t>(type | NLA_F_NESTED);
    append(&a, sizeof a);
    return at;
}

void Request::end_nest(size_t at) {
    const size_t len = buf_.size() - at;
    if (len > 0xffff)
        throw Error("a nested netlink attribute of " + std::to_string(len) +
                        " bytes does not fit (at most 65535)",
                    EMSGSIZE);
    nlattr a;
    std::memcpy(&a, &buf_[at], sizeof a);
    a.nla_len = static_cast<uint16_t>(len);
    std::memcpy(&buf_[at], &a, sizeof a);
}

// ---- KernelError -------------------------------------------------------------

std::string KernelError::text() const {
    std::string s = std::strerror(err);
    if (!ext.empty())
        s += " (kernel: " + ext + ")";
    return s;
}

// ---- Socket ------------------------------------------------------------------

Socket::Socket()
    : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)), rx_(new uint8_t[kRxSize]) {
    if (fd_ < 0)
        throw_errno("cannot open a NETLINK_ROUTE socket (is this a Linux host with rtnetlink?)",
                    errno);
    // The kernel's reason for a refusal, without echoing our request back.
    // Older kernels ignore these.
    const int one = 1;
    setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kRcvBuf, sizeof kRcvBuf);
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    if (bind(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
        const int err = errno;
        close(fd_);
        throw_errno("cannot bind a NETLINK_ROUTE socket", err);
    }
}

Socket::Socket(Socket&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), seq_(o.seq_), rx_(std::move(o.rx_)), tx_(std::move(o.tx_)) {}

Socket& Socket::operator=(Socket&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0)
            close(fd_);
        fd_ = std::exchange(o.fd_, -1);
        seq_ = o.seq_;
        rx_ = std::move(o.rx_);
        tx_ = std::move(o.tx_);
    }
    return *this;
}

Socket::~Socket() {
    if (fd_ >= 0)
        close(fd_);
}

void Socket::send(std::span<Request> rs) {
    const uint8_t* p = nullptr;
    size_t n = 0;
    if (rs.size() == 1) {
        p = rs[0].bytes().data();
        n = rs[0].bytes().size();
    } else {
        tx_.clear();
        for (const Request& r : rs)
            tx_.insert(tx_.end(), r.bytes().begin(), r.bytes().end());
        p = tx_.data();
        n = tx_.size();
    }
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    for (;;) {
        const ssize_t r = sendto(fd_, p, n, 0, reinterpret_cast<const sockaddr*>(&kernel),
                                 sizeof kernel);
        if (r == static_cast<ssize_t>(n))
            return;
        if (r < 0 && errno == EINTR)
            continue;
        throw_errno("sending a netlink request to the kernel failed", r < 0 ? errno : EMSGSIZE);
    }
}

// One datagram from the kernel into rx_; its length.
size_t Socket::receive() {
    for (;;) {
        sockaddr_nl from{};
        iovec iov{rx_.get(), kRxSize};
        msghdr mh{};
        mh.msg_name = &from;
        mh.msg_namelen = sizeof from;
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        const ssize_t n = recvmsg(fd_, &mh, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw_errno(errno == ENOBUFS
                            ? "reading the kernel's netlink answer failed: answers were lost"
                            : "reading the kernel's netlink answer failed",
                        errno);
        }
        if (mh.msg_flags & MSG_TRUNC)
            throw Error("the kernel's netlink answer is larger than " + std::to_string(kRxSize) +
                            " bytes and was cut",
                        EMSGSIZE);
        if (from.nl_pid != 0)
            continue;  // not from the kernel
        return static_cast<size_t>(n);
    }
}

void Socket::exchange(std::span<Request> rs, std::span<KernelError> out, const OnMessage& on_msg,
                      bool* interrupted) {
    const uint32_t first = seq_ + 1;
    for (Request& r : rs) {
        nlmsghdr* h = r.hdr();
        h->nlmsg_seq = ++seq_;
        h->nlmsg_pid = 0;
        // A dump ends with NLMSG_DONE; anything else is asked for its ACK.
        // (NLM_F_DUMP's bits mean NLM_F_EXCL/NLM_F_CREATE in a new-request.)
        h->nlmsg_flags |= NLM_F_REQUEST | (interrupted ? NLM_F_DUMP : NLM_F_ACK);
    }
    send(rs);

    // The kernel handles the requests of a datagram in order and answers
    // each before it reads the next.
    uint32_t next = 0;  // the first request still without its answer
    std::exception_ptr exc;
    while (next < rs.size()) {
        size_t len = receive();
        for (auto* h = reinterpret_cast<const nlmsghdr*>(rx_.get()); NLMSG_OK(h, len);
             h = NLMSG_NEXT(h, len)) {
            const uint32_t i = h->nlmsg_seq - first;
            if (i >= rs.size() || i < next)
                continue;  // stale: an answer to an earlier exchange
            if (h->nlmsg_flags & NLM_F_DUMP_INTR && interrupted)
                *interrupted = true;
            KernelError e;
            switch (h->nlmsg_type) {
            case NLMSG_NOOP: continue;
            case NLMSG_OVERRUN: e = {EIO, "netlink overrun"}; break;
            case NLMSG_ERROR: e = error_of(h); break;
            case NLMSG_DONE: e = done_of(h); break;
            default:
                if (on_msg && !exc) {
                    try {
                        on_msg(h);
                    } catch (...) {
                        exc = std::current_exception();  // keep reading: stay in sync
                    }
                }
                continue;
            }
            if (i != next)
                throw Error("the kernel answered netlink request " + std::to_string(i + 1) + " of " +
                                std::to_string(rs.size()) + " before request " + std::to_string(next + 1),
                            EIO);
            out[i] = std::move(e);
            next = i + 1;
        }
    }
    if (exc)
        std::rethrow_exception(exc);
}

KernelError Socket::transact(Request& r, const OnMessage& on_msg) {
    KernelError e;
    exchange(std::span<Request>(&r, 1), std::span<KernelError>(&e, 1), on_msg, nullptr);
    return e;
}

std::vector<KernelError> Socket::transact_batch(std::span<Request> rs) {
    std::vector<KernelError> out(rs.size());
    if (!rs.empty())
        exchange(rs, out, {}, nullptr);
    return out;
}

void Socket::dump(Request& r, const std::string& what, const std::function<void()>& reset,
                  const OnMessage& on_msg) {
    for (int attempt = 1;; ++attempt) {
        reset();
        KernelError e;
        bool interrupted = false;
        exchange(std::span<Request>(&r, 1), std::span<KernelError>(&e, 1), on_msg, &interrupted);
        if (e)
            throw Error(what + " failed: " + e.text(), e.err);
        if (!interrupted)
            return;
        if (attempt == kDumpTries)
            throw Error(what + " kept changing under the dump (" + std::to_string(kDumpTries) +
                            " tries); try again",
                        EINTR);
    }
}

}  // namespace srv6steer::nl
