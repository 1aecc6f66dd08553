// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "stack_send.hpp"

#include <netinet/in.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "common.hpp"

namespace stack {

using benchutil::Failure;

namespace {

std::string errstr() { return std::strerror(errno); }

uint64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

long involuntary_switches() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_nivcsw;
}

}  // namespace

sockaddr_storage sockaddr_of(const Endpoint& e, socklen_t& len) {
    sockaddr_storage ss{};
    if (e.addr.is_v4_mapped()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(e.port);
        std::memcpy(&sin->sin_addr, e.addr.bytes.data() + 12, 4);
        len = sizeof(sockaddr_in);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(e.port);
        std::memcpy(&sin6->sin6_addr, e.addr.bytes.data(), 16);
        len = sizeof(sockaddr_in6);
    }
    return ss;
}

UniqueFd udp_socket(const Endpoint& local, const Endpoint* peer) {
    const int family = local.addr.is_v4_mapped() ? AF_INET : AF_INET6;
    UniqueFd fd(socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd)
        throw Failure("socket(UDP): " + errstr() + (errno == EMFILE ? " (too many open files)" : ""));
    socklen_t len = 0;
    sockaddr_storage ss = sockaddr_of(local, len);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len))
        throw Failure("binding a UDP socket to [" + local.addr.str() + "]:" + std::to_string(local.port) + ": " +
                      errstr());
    if (peer) {
        ss = sockaddr_of(*peer, len);
        if (connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len))
            throw Failure("connecting a UDP socket to [" + peer->addr.str() + "]:" + std::to_string(peer->port) +
                          ": " + errstr());
    }
    return fd;
}

srv6steer::Flow udp_flow(const Endpoint& local, const Endpoint& peer) {
    srv6steer::Flow f;
    f.src = local.addr;
    f.dst = peer.addr;
    f.proto = 17;
    f.sport = local.port;
    f.dport = peer.port;
    return f;
}

Sender::Sender(std::vector<int> socks, const std::vector<Endpoint>& dests, uint32_t batch, uint32_t payload)
    : socks_(std::move(socks)), payload_(payload, 'x'), iov_(batch), msgs_(batch) {
    if (socks_.empty() || batch == 0)
        throw Failure("a sender needs a socket and a batch of at least 1");
    for (const Endpoint& d : dests)
        dests_.push_back(sockaddr_of(d, dest_len_));
    for (uint32_t i = 0; i < batch; i++) {
        iov_[i] = {payload_.data(), payload_.size()};
        msgs_[i].msg_hdr = {};
        msgs_[i].msg_hdr.msg_iov = &iov_[i];
        msgs_[i].msg_hdr.msg_iovlen = 1;
        if (!dests_.empty()) {
            msgs_[i].msg_hdr.msg_name = &dests_[0];
            msgs_[i].msg_hdr.msg_namelen = dest_len_;
        }
    }
}

uint64_t Sender::send(uint64_t packets) {
    const size_t nsock = socks_.size(), ndest = dests_.size();
    const unsigned batch = static_cast<unsigned>(msgs_.size());
    uint64_t sent = 0;
    while (sent < packets) {
        if (ndest > 1) {
            for (unsigned i = 0; i < batch; i++) {
                msgs_[i].msg_hdr.msg_name = &dests_[next_dest_];
                if (++next_dest_ == ndest)
                    next_dest_ = 0;
            }
        }
        const int fd = socks_[next_sock_];
        if (++next_sock_ == nsock)
            next_sock_ = 0;
        const int n = sendmmsg(fd, msgs_.data(), batch, 0);
        if (n > 0) {
            sent += unsigned(n);
        } else if (errno == ENOBUFS) {
            enobufs_++;
        } else {
            throw Failure("sendmmsg: " + errstr());
        }
    }
    return sent;
}

Sample timed_send(Sender& s, uint64_t packets) {
    Sample r;
    const long sw0 = involuntary_switches();
    const uint64_t cpu0 = thread_cpu_ns();
    const uint64_t t0 = benchutil::now_ns();
    r.packets = s.send(packets);
    r.wall_ns = benchutil::now_ns() - t0;
    r.cpu_ns = thread_cpu_ns() - cpu0;
    r.preempted = involuntary_switches() - sw0;
    return r;
}

bool realtime() {
    sched_param p{};
    p.sched_priority = 1;
    return sched_setscheduler(0, SCHED_FIFO, &p) == 0;
}

Sample& Sample::operator+=(const Sample& o) {
    packets += o.packets;
    wall_ns += o.wall_ns;
    cpu_ns += o.cpu_ns;
    preempted += o.preempted;
    late += o.late;
    prog_run_ns += o.prog_run_ns;
    prog_runs += o.prog_runs;
    return *this;
}

void rest_after(uint64_t wall_ns) {
    const uint64_t ns = wall_ns / 3;
    timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

}  // namespace stack
