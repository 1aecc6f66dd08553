// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The NETLINK_ROUTE socket and its request/answer engine: the one place that
// sends rtnetlink requests and reads the kernel's answers, for the library
// (netlink.hpp) and the benchmarks (bench/). Plain sockets, no libnl.
//
// Every exchange reads until the kernel has answered each of its requests
// (ACK, error or NLMSG_DONE), so the socket never holds stale answers.
// Kernel refusals come back as KernelError (errno plus the kernel's
// extended-ACK text); failures of the socket itself throw srv6steer::Error.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace srv6steer::nl {

// One request under construction: the netlink header, the family header
// (rtmsg, ifinfomsg, ...), then attributes. The socket adds NLM_F_REQUEST,
// NLM_F_ACK (not to dumps) and the sequence number when it sends it.
class Request {
public:
    Request(uint16_t type, uint16_t flags);
    // A copy of a whole message built elsewhere (libnl's route requests).
    static Request copy_of(const nlmsghdr* h);

    template <class T>
        requires std::is_trivially_copyable_v<T>
    void header(const T& h) {
        append(&h, sizeof h);
    }
    void put(uint16_t type, const void* data, size_t len);
    template <class T>
        requires std::is_trivially_copyable_v<T>
    void put(uint16_t type, const T& v) {
        put(type, &v, sizeof v);
    }
    void put_str(uint16_t type, std::string_view s);  // NUL-terminated
    // A nested attribute: begin_nest, its attributes, end_nest(what begin returned).
    size_t begin_nest(uint16_t type);
    void end_nest(size_t at);

    nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
    const nlmsghdr* hdr() const { return reinterpret_cast<const nlmsghdr*>(buf_.data()); }
    std::span<const uint8_t> bytes() const { return buf_; }

private:
    Request() = default;
    void append(const void* p, size_t n);
    std::vector<uint8_t> buf_;
};

// What the kernel said to one request: 0, or the errno it refused with and
// its extended-ACK message ("Nexthop device is not up"), if it sent one.
struct KernelError {
    int err = 0;
    std::string ext;
    explicit operator bool() const { return err != 0; }
    std::string text() const;  // "Network is unreachable (kernel: ...)"
};

// RAII over one NETLINK_ROUTE socket (move-only). It belongs to the network
// namespace the calling thread was in when it was constructed, for its whole
// life. Not thread-safe: one thread at a time per object.
class Socket {
public:
    using OnMessage = std::function<void(const nlmsghdr*)>;

    Socket();
    Socket(Socket&&) noexcept;
    Socket& operator=(Socket&&) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket();

    // One request, read to its end; every answer message other than the
    // ACK/error goes to on_msg. An exception from on_msg is rethrown once the
    // answer has been read in full.
    KernelError transact(Request& r, const OnMessage& on_msg = {});

    // Several requests (answered by an ACK alone: adds, deletes) in one
    // datagram, then their ACKs: the kernel's answer to each, in order.
    std::vector<KernelError> transact_batch(std::span<Request> rs);

    // A dump (NLM_F_DUMP is added): reset(), then on_msg for every message of
    // the answer; run again from reset() when the kernel says a concurrent
    // change interrupted it. Error naming `what` when the kernel refuses, or
    // when it is interrupted five times in a row.
    void dump(Request& r, const std::string& what, const std::function<void()>& reset,
              const OnMessage& on_msg);

private:
    // Sends rs and reads until each has its answer in out. A dump when
    // interrupted is given: it is set when the kernel flags NLM_F_DUMP_INTR.
    void exchange(std::span<Request> rs, std::span<KernelError> out, const OnMessage& on_msg,
                  bool* interrupted);
    void send(std::span<Request> rs);
    size_t receive();

    int fd_ = -1;
    uint32_t seq_ = 0;
    std::unique_ptr<uint8_t[]> rx_;
    std::vector<uint8_t> tx_;  // batches, joined
};

}  // namespace srv6steer::nl
