// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// How bench_stack sends: small UDP datagrams with sendmmsg from one thread,
// from one socket or rotating over many, to the socket's peer (connected) or
// to a rotating list of destinations (unconnected), and the timing of one
// run of a case (wall clock on a pinned CPU, with what could distort it).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <vector>

#include "fd.hpp"
#include "srv6steer/sid.hpp"
#include "srv6steer/types.hpp"

namespace stack {

using srv6steer::Ipv6;
using srv6steer::UniqueFd;

// An address (IPv4 as IPv4-mapped IPv6: an AF_INET socket) and a port.
struct Endpoint {
    Ipv6 addr;
    uint16_t port = 0;
};

// The socket address of e (sockaddr_in for IPv4-mapped addresses).
sockaddr_storage sockaddr_of(const Endpoint& e, socklen_t& len);

// A UDP socket bound to local; connected to peer unless peer is null.
UniqueFd udp_socket(const Endpoint& local, const Endpoint* peer);

// The UDP flow of local -> peer, as srv6steer pins it.
srv6steer::Flow udp_flow(const Endpoint& local, const Endpoint& peer);

class Sender {
public:
    // socks (held by the caller): used in turn, one sendmmsg call of `batch`
    // datagrams each. dests: empty when the sockets are connected; else
    // datagram k goes to dests[k % dests.size()] (an unconnected socket).
    Sender(std::vector<int> socks, const std::vector<Endpoint>& dests, uint32_t batch, uint32_t payload);
    Sender(Sender&&) = default;

    // Sends at least `packets` datagrams (whole calls); returns how many the
    // kernel took. Failure on an error other than ENOBUFS (counted, retried).
    uint64_t send(uint64_t packets);
    uint64_t enobufs() const { return enobufs_; }

private:
    std::vector<int> socks_;
    std::vector<sockaddr_storage> dests_;
    socklen_t dest_len_ = 0;
    std::vector<char> payload_;
    std::vector<iovec> iov_;
    std::vector<mmsghdr> msgs_;
    size_t next_sock_ = 0, next_dest_ = 0;
    uint64_t enobufs_ = 0;
};

// One timed run, or the sum of several.
struct Sample {
    uint64_t packets = 0;
    uint64_t wall_ns = 0;   // CLOCK_MONOTONIC_RAW around the sends
    uint64_t cpu_ns = 0;    // this thread's CPU time in that interval
    long preempted = 0;     // involuntary context switches in it
    uint64_t late = 0;      // packets the peer had not yet received when the sends returned
    uint64_t prog_run_ns = 0, prog_runs = 0;  // the TC program's run time, runs (--prog-time)
    double ns_per_packet() const { return packets ? double(wall_ns) / double(packets) : 0; }
    double prog_ns() const { return prog_runs ? double(prog_run_ns) / double(prog_runs) : 0; }
    Sample& operator+=(const Sample& o);
};

Sample timed_send(Sender& s, uint64_t packets);

// SCHED_FIFO priority 1 for this thread, so other tasks on the benchmark's
// CPU do not run in the middle of a timed run. False (and nothing changed)
// when the kernel refuses.
bool realtime();

// Sleeps a third of wall_ns, the time just spent sending, so that a
// SCHED_FIFO thread is busy at most 75% of any stretch of time and stays
// under the kernel's RT throttling limit (sched_rt_runtime_us, 95% of each
// second by default): throttling would stop it in the middle of a run.
void rest_after(uint64_t wall_ns);

}  // namespace stack
