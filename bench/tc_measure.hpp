// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// How bench_tc_encap times a TC program (bench/tc_encap.cpp explains the
// method): one BPF_PROG_TEST_RUN, ABBA blocks of fresh calls of the
// passthrough and the srv6steer program side by side, and the check of the
// kernel's timer at start-up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "packet.hpp"
#include "srv6steer/abi.h"

namespace tcbench {

using testpkt::Bytes;

// One BPF_PROG_TEST_RUN of the program fd on `in`.
struct Run {
    uint32_t duration;  // ns per repetition, as the kernel measured it
    uint32_t out_len;
    int verdict;
};
Run run_prog(int fd, const Bytes& in, Bytes& out, int repeat = 1);

// What is measured: packets in turn, and the bytes srv6steer must add to
// each (0: it must pass them untouched) or take off (shrink: decapsulation,
// bench/xdp_decap.cpp). Both programs must answer every call with their
// verdict, SRV6S_TC_CONTINUE unless said (Failure otherwise, naming the case).
struct Measured {
    std::string name;
    const std::vector<Bytes>& pkts;
    uint32_t grow;
    uint32_t shrink = 0;
    int pass_verdict = SRV6S_TC_CONTINUE;
    int steer_verdict = SRV6S_TC_CONTINUE;
};

// How many calls, in blocks of how many, after how many unmeasured ones.
struct Blocks {
    uint64_t iterations;
    uint32_t block;
    uint32_t warmup;
};

struct Result {
    double pass_ns = 0, steer_ns = 0;           // kernel duration (or wall clock), mean per call
    double pass_wall_ns = 0, steer_wall_ns = 0;  // wall clock per call (incl. syscall)
    double added_ns = 0, added_median_ns = 0, ratio = 0, wall_added_ns = 0;
    uint64_t calls = 0;  // per program, warm-up included
};

// ABBA blocks of the two programs; wall_primary: time by the wall clock
// around blocks instead of the kernel's per-call duration.
Result measure(const Measured& c, int pass_fd, int steer_fd, const Blocks& o, bool wall_primary);

struct TimerCheck {
    uint64_t step = 0;       // gcd of all observed durations: the resolution seen
    double zero_frac = 0;    // share of calls that read 0 ns
    double p50 = 0, mean = 0, min = 0;  // passthrough, repeat = 1
    double amortized = 0;    // passthrough, repeat = K: the clock read amortised away
    double steer_repeat = 0; // srv6steer, repeat = K: reruns an encapsulated skb
    int repeat = 10000;
    bool dominated = false;
};

// `samples` passthrough calls on pkt, then repeat = K runs of both programs.
TimerCheck check_timer(int pass_fd, int steer_fd, const Bytes& pkt, uint32_t samples);

}  // namespace tcbench
