// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "stack_rounds.hpp"

#include <bpf/bpf.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <string>
#include <utility>

namespace stack {

using benchutil::Failure;

namespace {

uint64_t reason_packets(const srv6steer::Steering& s, uint32_t reason) {
    return s.stats().reasons.at(reason).packets;
}

// The kernel's run-time totals of a program (BPF_STATS_RUN_TIME enabled).
std::pair<uint64_t, uint64_t> prog_stats(int fd) {
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
        return {0, 0};
    return {info.run_time_ns, info.run_cnt};
}

uint64_t counted(const Shapes& now, const Shapes& before) {
    uint64_t n = 0;
    for (unsigned i = 0; i < BENCH_SHAPE_MAX; i++)
        if (i != BENCH_SHAPE_OTHER)
            n += now[i] - before[i];
    return n;
}

// One turn of c: `packets` datagrams, timed and checked.
Sample turn(Env& env, Case& c, uint64_t packets, bool check_reason) {
    const Shapes before = env.shapes();
    const uint64_t reason0 = check_reason && c.steering ? reason_packets(*c.steering, c.reason) : 0;
    const auto prog0 = prog_stats(c.prog_fd);
    if (c.auto_tunsrc)
        env.tunsrc(false);
    Sample s = timed_send(c.sender, packets);
    if (c.auto_tunsrc)
        env.tunsrc(true);
    const auto prog1 = prog_stats(c.prog_fd);
    s.prog_run_ns = prog1.first - prog0.first;
    s.prog_runs = prog1.second - prog0.second;

    Shapes after = env.shapes();
    s.late = s.packets - std::min(s.packets, counted(after, before));
    for (int waited_ms = 0; counted(after, before) < s.packets && waited_ms < 1000; waited_ms++) {
        timespec ms{0, 1000000};
        nanosleep(&ms, nullptr);
        after = env.shapes();
    }
    bool ok = true;
    std::string seen;
    for (unsigned i = 0; i < BENCH_SHAPE_MAX; i++) {
        const uint64_t got = after[i] - before[i];
        // Other packets (neighbour discovery, MLD) may come at any time.
        ok = ok && (i == BENCH_SHAPE_OTHER || got == (i == c.shape ? s.packets : 0));
        if (got)
            seen += std::string(seen.empty() ? "" : ", ") + std::to_string(got) + " " + shape_name(i);
    }
    if (!ok)
        throw Failure(std::string(c.spec->name) + ": sent " + std::to_string(s.packets) + " packets of which all " +
                      "should have reached the peer as " + shape_name(c.shape) + "; it saw " +
                      (seen.empty() ? "none" : seen));
    if (check_reason && c.steering) {
        // The device's own packets (MLD, neighbour discovery) pass the
        // program too: under no_match, and at the sinks as "other". So a
        // reason may count more than the case sent, never more than the
        // case plus the others the sinks saw meanwhile.
        const uint64_t got = reason_packets(*c.steering, c.reason) - reason0;
        uint64_t others = env.shapes()[BENCH_SHAPE_OTHER] - before[BENCH_SHAPE_OTHER];
        for (int waited_ms = 0; got > s.packets + others && waited_ms < 1000; waited_ms++) {
            timespec ms{0, 1000000};
            nanosleep(&ms, nullptr);
            others = env.shapes()[BENCH_SHAPE_OTHER] - before[BENCH_SHAPE_OTHER];
        }
        if (got < s.packets || got > s.packets + others)
            throw Failure(std::string(c.spec->name) + ": srv6steer counted " + std::to_string(got) + " of " +
                          std::to_string(s.packets) + " packets under \"" + srv6steer::reason_name(c.reason) +
                          "\" (and the sinks saw " + std::to_string(others) + " other packets meanwhile)");
    }
    return s;
}

}  // namespace

void warm_up(Env& env, std::vector<Case>& cases, const Options& o) {
    for (Case& c : cases) {
        const Sample s = turn(env, c, o.slice, true);
        rest_after(s.wall_ns);
    }
}

void run_rounds(Env& env, std::vector<Case>& cases, const Options& o) {
    const uint64_t turns = (o.packets + o.slice - 1) / o.slice;
    std::vector<size_t> order(cases.size());
    uint64_t t = 0;
    for (uint32_t r = 0; r < o.rounds; r++) {
        std::vector<Sample> round(cases.size());
        for (uint64_t k = 0; k < turns; k++, t++) {
            std::iota(order.begin(), order.end(), 0);
            std::rotate(order.begin(), order.begin() + static_cast<long>(t % cases.size()), order.end());
            if (t % 2)
                std::reverse(order.begin(), order.end());
            for (size_t i : order) {
                const Sample s = turn(env, cases[i], std::min<uint64_t>(o.slice, o.packets - k * o.slice), false);
                round[i] += s;
                rest_after(s.wall_ns);
            }
        }
        for (size_t i = 0; i < cases.size(); i++)
            cases[i].samples.push_back(round[i]);
        std::fprintf(stderr, "# round %u of %u done\n", r + 1, o.rounds);
    }
}

}  // namespace stack
