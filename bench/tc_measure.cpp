// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "tc_measure.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cstring>
#include <numeric>

#include "common.hpp"
#include "srv6steer/abi.h"

namespace tcbench {

using benchutil::Failure;
using benchutil::median;
using benchutil::now_ns;

Run run_prog(int fd, const Bytes& in, Bytes& out, int repeat) {
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.data(), .data_out = out.data(),
                .data_size_in = static_cast<__u32>(in.size()),
                .data_size_out = static_cast<__u32>(out.size()), .repeat = repeat);
    if (int err = bpf_prog_test_run_opts(fd, &o))
        throw Failure("BPF_PROG_TEST_RUN failed: " + std::string(strerror(-err)));
    return {o.duration, o.data_size_out, static_cast<int>(o.retval)};
}

Result measure(const Measured& c, int pass_fd, int steer_fd, const Blocks& o, bool wall_primary) {
    size_t max_len = 0;
    for (const Bytes& p : c.pkts)
        max_len = std::max(max_len, p.size());
    Bytes out(max_len + 512);
    Result res;

    // K calls of one program from packet `start` on; adds the kernel's
    // durations to *ksum, returns the wall-clock ns of the whole block.
    auto block = [&](int fd, bool steering, size_t start, uint32_t k, uint64_t* ksum) {
        uint64_t sum = 0;
        uint64_t t0 = now_ns();
        for (uint32_t i = 0; i < k; i++) {
            const Bytes& p = c.pkts[(start + i) % c.pkts.size()];
            Run r = run_prog(fd, p, out);
            uint32_t want = static_cast<uint32_t>(p.size());
            if (steering)
                want = want + c.grow - c.shrink;
            int verdict = steering ? c.steer_verdict : c.pass_verdict;
            if (r.verdict != verdict || r.out_len != want)
                throw Failure(c.name + ": " + (steering ? "srv6steer" : "passthrough") +
                              " returned verdict " + std::to_string(r.verdict) + " with " +
                              std::to_string(r.out_len) + " bytes (expected " +
                              std::to_string(verdict) + ", " + std::to_string(want) +
                              ") during measurement");
            sum += r.duration;
        }
        uint64_t wall = now_ns() - t0;
        *ksum += sum;
        return wall;
    };

    uint64_t ignore = 0;
    block(pass_fd, false, 0, o.warmup, &ignore);
    block(steer_fd, true, 0, o.warmup, &ignore);

    const uint64_t blocks = std::max<uint64_t>(1, (o.iterations + o.block - 1) / o.block);
    std::vector<double> diffs;
    diffs.reserve(blocks);
    uint64_t kp = 0, ks = 0, wp = 0, ws = 0;
    for (uint64_t b = 0; b < blocks; b++) {
        const size_t start = static_cast<size_t>(b * o.block);
        uint64_t bkp = 0, bks = 0, bwp, bws;
        if (b % 2 == 0) {
            bwp = block(pass_fd, false, start, o.block, &bkp);
            bws = block(steer_fd, true, start, o.block, &bks);
        } else {
            bws = block(steer_fd, true, start, o.block, &bks);
            bwp = block(pass_fd, false, start, o.block, &bkp);
        }
        kp += bkp;
        ks += bks;
        wp += bwp;
        ws += bws;
        double d = wall_primary ? static_cast<double>(bws) - static_cast<double>(bwp)
                                : static_cast<double>(bks) - static_cast<double>(bkp);
        diffs.push_back(d / o.block);
    }
    const double n = static_cast<double>(blocks * o.block);
    res.calls = blocks * o.block + o.warmup;
    res.pass_wall_ns = static_cast<double>(wp) / n;
    res.steer_wall_ns = static_cast<double>(ws) / n;
    res.wall_added_ns = res.steer_wall_ns - res.pass_wall_ns;
    if (wall_primary) {
        res.pass_ns = res.pass_wall_ns;
        res.steer_ns = res.steer_wall_ns;
    } else {
        res.pass_ns = static_cast<double>(kp) / n;
        res.steer_ns = static_cast<double>(ks) / n;
    }
    res.added_ns = res.steer_ns - res.pass_ns;
    res.added_median_ns = median(diffs);
    res.ratio = res.pass_ns > 0 ? res.steer_ns / res.pass_ns : 0;
    return res;
}

TimerCheck check_timer(int pass_fd, int steer_fd, const Bytes& pkt, uint32_t samples) {
    TimerCheck t;
    Bytes out(pkt.size() + 512);
    std::vector<uint32_t> d(samples);
    for (uint32_t i = 0; i < 2000; i++)
        run_prog(pass_fd, pkt, out);
    for (uint32_t i = 0; i < samples; i++)
        d[i] = run_prog(pass_fd, pkt, out).duration;
    uint64_t zeros = 0, sum = 0;
    for (uint32_t v : d) {
        t.step = std::gcd(t.step, static_cast<uint64_t>(v));
        zeros += v == 0;
        sum += v;
    }
    std::vector<uint32_t> sorted = d;
    std::sort(sorted.begin(), sorted.end());
    t.p50 = sorted[sorted.size() / 2];
    t.min = sorted.front();
    t.mean = static_cast<double>(sum) / samples;
    t.zero_frac = static_cast<double>(zeros) / samples;
    t.dominated = t.step > 5 || t.step == 0 || t.zero_frac > 0.01;

    std::vector<double> am, st;
    for (int i = 0; i < 21; i++) {
        am.push_back(run_prog(pass_fd, pkt, out, t.repeat).duration);
        st.push_back(run_prog(steer_fd, pkt, out, t.repeat).duration);
    }
    t.amortized = median(am);
    t.steer_repeat = median(st);
    return t;
}

}  // namespace tcbench
