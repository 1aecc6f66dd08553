// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "stack_report.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

namespace stack {

using benchutil::json;
using benchutil::median;

namespace {

// a / b, or (a / b) / (c / d) when c is set: taken per round (the cases of
// one round ran side by side), then the median and range over the rounds.
struct Ratio {
    const char* a;
    const char* b;
    const char* c;
    const char* d;
    const char* what;
    std::optional<double> goal;  // at most
};

const Ratio kRatios[] = {
    {"floor_v6", "plain_v6", nullptr, nullptr, "IPv6: floor / plain (the cost of encapsulating at TC)", {}},
    {"socket_pin_v6", "floor_v6", nullptr, nullptr, "IPv6: socket pin / floor", 1.05},
    {"flow_pin_v6", "floor_v6", nullptr, nullptr, "IPv6: flow pin / floor", {}},
    {"prefix_pin_v6", "floor_v6", nullptr, nullptr, "IPv6: prefix pin / floor", {}},
    {"miss_v6", "plain_v6", nullptr, nullptr, "IPv6: miss / plain", {}},
    {"kernel_route_v6", "floor_v6", nullptr, nullptr, "IPv6: kernel route / floor", {}},
    {"kernel_route_v6", "socket_pin_v6", nullptr, nullptr, "IPv6: kernel route / socket pin", {}},
    {"kernel_route_v6", "flow_pin_v6", nullptr, nullptr, "IPv6: kernel route / flow pin", {}},
    {"kernel_route_nosrc_v6", "flow_pin_v6", nullptr, nullptr, "IPv6: kernel route without tunsrc / flow pin", {}},
    {"floor_v4", "plain_v4", nullptr, nullptr, "IPv4: floor / plain", {}},
    {"socket_pin_v4", "floor_v4", nullptr, nullptr, "IPv4: socket pin / floor", 1.05},
    {"flow_pin_v4", "floor_v4", nullptr, nullptr, "IPv4: flow pin / floor", {}},
    {"prefix_pin_v4", "floor_v4", nullptr, nullptr, "IPv4: prefix pin / floor", {}},
    {"miss_v4", "plain_v4", nullptr, nullptr, "IPv4: miss / plain", {}},
    {"kernel_route_v4", "floor_v4", nullptr, nullptr, "IPv4: kernel route / floor", {}},
    {"kernel_route_v4", "socket_pin_v4", nullptr, nullptr, "IPv4: kernel route / socket pin", {}},
    {"kernel_route_v4", "flow_pin_v4", nullptr, nullptr, "IPv4: kernel route / flow pin", {}},
    {"kernel_route_nosrc_v4", "flow_pin_v4", nullptr, nullptr, "IPv4: kernel route without tunsrc / flow pin", {}},
    {"socket_many_one", "socket_1", nullptr, nullptr, "%u pinned sockets, sending from one / 1", {}},
    {"socket_many_rotate", "socket_1", nullptr, nullptr, "%u pinned sockets, each call the next / 1", {}},
    {"floor_many_rotate", "floor_socket_1", nullptr, nullptr, "control: unpinned sockets through the floor, each call the next / 1",
     {}},
    {"socket_many_rotate", "socket_1", "floor_many_rotate", "floor_socket_1",
     "%u pinned sockets vs 1, over the same for unpinned ones (the pins' own share)", 1.1},
    {"flow_many_one", "flow_1", nullptr, nullptr, "%u flow pins, sending to one / 1", {}},
    {"flow_many_rotate", "flow_1", nullptr, nullptr, "%u flow pins, each datagram the next / 1", {}},
    {"floor_flows_rotate", "floor_flow_1", nullptr, nullptr,
     "control: the same destinations through the floor, each datagram the next / 1", {}},
    {"flow_many_rotate", "flow_1", "floor_flows_rotate", "floor_flow_1",
     "%u flow pins vs 1, over the same destinations through the floor (the pins' own share)", 1.3},
};

const Case* find(const std::vector<Case>& cases, const char* name) {
    if (!name)
        return nullptr;
    for (const Case& c : cases)
        if (c.spec->name == std::string(name))
            return &c;
    return nullptr;
}

std::vector<double> ns_of(const Case& c) {
    std::vector<double> v;
    for (const Sample& s : c.samples)
        v.push_back(s.ns_per_packet());
    return v;
}

std::string ratio_name(const Ratio& r) {
    std::string n = std::string(r.a) + "/" + r.b;
    if (r.c)
        n = "(" + n + ")/(" + r.c + "/" + r.d + ")";
    return n;
}

}  // namespace

void report(const std::vector<Case>& cases, const Options& o) {
    std::optional<Group> group;
    std::fprintf(stderr, "\n%-22s %-50s %9s %9s %9s %7s %8s %5s%s\n", "case", "what", "ns/pkt", "min", "max",
                 "spread", "Mpkt/s", "cpu%", o.prog_time ? "  prog ns" : "");
    for (const Case& c : cases) {
        if (group != c.spec->group) {
            group = c.spec->group;
            std::fprintf(stderr, "-- %s\n", group_title(*group, o));
        }
        const std::vector<double> ns = ns_of(c);
        const double med = median(ns);
        const double lo = *std::min_element(ns.begin(), ns.end());
        const double hi = *std::max_element(ns.begin(), ns.end());
        std::vector<double> cpu;
        long preempted = 0;
        uint64_t late = 0;
        for (const Sample& s : c.samples) {
            cpu.push_back(s.wall_ns ? 100.0 * double(s.cpu_ns) / double(s.wall_ns) : 0);
            preempted += s.preempted;
            late += s.late;
        }
        std::vector<double> prog;
        for (const Sample& s : c.samples)
            prog.push_back(s.prog_ns());
        char prog_text[32] = "";
        if (o.prog_time && c.prog_fd >= 0)
            std::snprintf(prog_text, sizeof prog_text, "  %7.1f", median(prog));
        std::fprintf(stderr, "%-22s %-50s %9.1f %9.1f %9.1f %6.1f%% %8.3f %5.0f%s%s\n", c.spec->name,
                     describe(*c.spec, o).c_str(), med, lo, hi, med ? 100 * (hi - lo) / med : 0,
                     med ? 1000 / med : 0, median(cpu), prog_text, preempted || late ? " *" : "");
        if (o.prog_time && c.prog_fd >= 0)
            json("stack_prog_ns", c.spec->name, median(prog), "ns");
        json("stack_ns_per_packet", c.spec->name, med, "ns");
        json("stack_packets_per_s", c.spec->name, med ? 1e9 / med : 0, "packets/s", std::nullopt, 0);
        if (preempted || late)
            std::fprintf(stderr, "%-22s   preempted %ld times; %llu packets received after the sends returned\n", "",
                         preempted, static_cast<unsigned long long>(late));
        if (c.sender.enobufs())
            std::fprintf(stderr, "%-22s   %llu sendmmsg calls failed with ENOBUFS (retried)\n", "",
                         static_cast<unsigned long long>(c.sender.enobufs()));
    }

    bool header = false;
    for (const Ratio& r : kRatios) {
        const Case *a = find(cases, r.a), *b = find(cases, r.b), *c = find(cases, r.c), *d = find(cases, r.d);
        if (!a || !b || (r.c && (!c || !d)))
            continue;
        std::vector<double> per_round;
        for (size_t i = 0; i < a->samples.size(); i++) {
            double v = a->samples[i].ns_per_packet() / b->samples[i].ns_per_packet();
            if (c)
                v /= c->samples[i].ns_per_packet() / d->samples[i].ns_per_packet();
            per_round.push_back(v);
        }
        const double med = median(per_round);
        const double lo = *std::min_element(per_round.begin(), per_round.end());
        const double hi = *std::max_element(per_round.begin(), per_round.end());
        // The same ratio of every case's best (least disturbed) round: a
        // load that slows some rounds cannot raise it, only a real cost.
        auto best = [](const Case* x) {
            const std::vector<double> ns = ns_of(*x);
            return *std::min_element(ns.begin(), ns.end());
        };
        double of_best = best(a) / best(b);
        if (c)
            of_best /= best(c) / best(d);
        if (!header) {
            std::fprintf(stderr, "\nratios of ns/packet, per round (median [min..max] over %zu rounds; best: the "
                                 "same ratio of each case's fastest round):\n",
                         per_round.size());
            header = true;
        }
        std::string verdict;
        if (r.goal)
            verdict = std::string("  goal <= ") + std::to_string(*r.goal).substr(0, 4) + ": " +
                      (med <= *r.goal ? "PASS" : "MISS");
        char what[160];
        std::snprintf(what, sizeof what, r.what, o.many);
        std::fprintf(stderr, "  %-88s %5.3f [%5.3f..%5.3f] best %5.3f%s\n", what, med, lo, hi, of_best,
                     verdict.c_str());
        std::string rounds = "    rounds:";
        for (double v : per_round) {
            char buf[16];
            std::snprintf(buf, sizeof buf, " %.3f", v);
            rounds += buf;
        }
        std::fprintf(stderr, "%s\n", rounds.c_str());
        json("stack_ratio", ratio_name(r), med, "x", r.goal, 3);
        json("stack_ratio_min", ratio_name(r), lo, "x", std::nullopt, 3);
        json("stack_ratio_max", ratio_name(r), hi, "x", std::nullopt, 3);
        json("stack_ratio_best", ratio_name(r), of_best, "x", std::nullopt, 3);
    }
}

}  // namespace stack
