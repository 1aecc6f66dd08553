// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "pins_report.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <utility>

#include "common.hpp"
#include "pins_env.hpp"
#include "pins_routes.hpp"

namespace pins {

using benchutil::json;

namespace {

struct Ratio {
    std::string a, b;
    std::optional<double> goal;
    double value = 0;
};

// The ratios of medians worth a figure, among the cases that ran.
std::vector<Ratio> ratios(const std::vector<Outcome>& cases) {
    auto find = [&](const std::string& name) -> const Outcome* {
        for (const Outcome& c : cases)
            if (c.name == name)
                return &c;
        return nullptr;
    };
    const std::vector<Ratio> wanted = {
        {"batch", "route_netlink", kGoalRatio},
        {"batch", "single", std::nullopt},
        {"batch", "route_netlink_pipelined", std::nullopt},
        {"batch", "route_exec", std::nullopt},
        {"batch", "batch_map_only", std::nullopt},
        {"single", "route_netlink", std::nullopt},
        {"single_opts", "single", std::nullopt},
        {"single_attached_new_dst", "route_netlink", std::nullopt},
        {"single_attached_new_dst", "single_attached_one_dst", std::nullopt},
        {"batch_attached", "batch", std::nullopt},
    };
    std::vector<Ratio> out;
    for (Ratio q : wanted) {
        const Outcome *ca = find(q.a), *cb = find(q.b);
        if (!ca || !cb || cb->res.pins.median() <= 0)
            continue;
        q.value = ca->res.pins.median() / cb->res.pins.median();
        out.push_back(q);
    }
    return out;
}

uint64_t total(const std::vector<uint64_t>& v) {
    uint64_t t = 0;
    for (uint64_t x : v)
        t += x;
    return t;
}

bool is_ms(const Outcome& c) { return std::string(c.removal_unit) == "ms"; }

std::string goal_text(const std::optional<double>& goal, double v, const char* fmt) {
    if (!goal)
        return "";
    char b[96];
    std::snprintf(b, sizeof b, fmt, *goal);
    return std::string(b) + (v >= *goal ? "  ok" : "  goal missed");
}

void row(const char* name, const std::string& what, uint64_t n, const Timing& t, const std::string& goal) {
    const double m = t.median();
    std::fprintf(stderr, "%-26s %-46s %8" PRIu64 " %12.0f %12.0f %12.0f %9.2f  %s\n", name, what.c_str(), n, m,
                 t.min(), t.max(), 1e6 / m, goal.c_str());
}

}  // namespace

void print_json(const std::vector<Outcome>& cases) {
    for (const Outcome& c : cases) {
        json("pins_per_s", c.name, c.res.pins.median(), "pins/s", c.goal);
        json("pin_us", c.name, 1e6 / c.res.pins.median(), "us", std::nullopt, 3);
        if (!c.res.first_tenth.rates.empty()) {
            json("pins_per_s", c.name + "_first_tenth", c.res.first_tenth.median(), "pins/s");
            json("pins_per_s", c.name + "_last_tenth", c.res.last_tenth.median(), "pins/s");
        }
        if (!c.res.removal.rates.empty())
            json(is_ms(c) ? "detach_ms" : "route_removals_per_s", c.name, c.res.removal.median(),
                 c.removal_unit);
        if (!c.res.retries.empty())
            json("route_enomem_retries", c.name, static_cast<double>(total(c.res.retries)), "retries");
    }
    for (const Ratio& q : ratios(cases))
        json("pins_ratio", q.a + "_over_" + q.b, q.value, "x", q.goal, 3);
}

void print_table(const std::vector<Outcome>& cases, uint32_t reps) {
    std::fprintf(stderr,
                 "\npins per second, median of %u interleaved rounds. \"maps alone\": a load_unattached "
                 "instance, BPF map updates only\n(no TC attachment, no route MTUs); \"attached\": tcx on "
                 "%s in the private netns, state pinned in a private bpffs.\n",
                 reps, kDev);
    std::fprintf(stderr, "%-26s %-46s %8s %12s %12s %12s %9s  %s\n", "case", "method", "N", "pins/s", "min",
                 "max", "us/pin", "goal");
    for (const Outcome& c : cases) {
        row(c.name.c_str(), c.what, c.n, c.res.pins, goal_text(c.goal, c.res.pins.median(), ">= %.0f pins/s"));
        if (c.res.first_tenth.rates.empty())
            continue;
        const uint64_t tenth = std::max<uint64_t>(1, c.n / 10);
        row("", "  first " + std::to_string(tenth) + " pins (0.." + std::to_string(tenth) + " routes)", tenth,
            c.res.first_tenth, "");
        row("", "  last " + std::to_string(tenth) + " pins (" + std::to_string(c.n - tenth) + ".." +
                    std::to_string(c.n) + " routes)",
            tenth, c.res.last_tenth, "");
    }
    for (const Outcome& c : cases) {
        std::string per;
        for (uint64_t r : c.res.retries)
            per += (per.empty() ? "" : ", ") + std::to_string(r);
        if (const uint64_t t = total(c.res.retries))
            std::fprintf(stderr,
                         "%s: the kernel refused routes with ENOMEM %" PRIu64 " times (per round: %s); each "
                         "was retried after %u us, included in the time\n  (a seg6 route's per-CPU "
                         "dst_cache is allocated GFP_ATOMIC from a pool refilled in the background)\n",
                         c.name.c_str(), t, per.c_str(), kRetryUs);
    }
    if (std::any_of(cases.begin(), cases.end(), [](const Outcome& c) { return !c.res.removal.rates.empty(); })) {
        std::fprintf(stderr, "\nclean-up, timed (median): routes deleted per second, or the time of detach\n");
        for (const Outcome& c : cases)
            if (!c.res.removal.rates.empty())
                std::fprintf(stderr, "%-26s %-46s %8" PRIu64 " %12.*f %s\n", c.name.c_str(), c.removal_what.c_str(),
                             c.n, is_ms(c) ? 1 : 0, c.res.removal.median(), c.removal_unit);
    }
    const std::vector<Ratio> qs = ratios(cases);
    if (!qs.empty()) {
        std::fprintf(stderr, "\nratios of the medians above, measured side by side in this run\n");
        for (const Ratio& q : qs)
            std::fprintf(stderr, "%-60s %10.3gx  %s\n", (q.a + " / " + q.b).c_str(), q.value,
                         goal_text(q.goal, q.value, ">= %.0fx").c_str());
    }
}

}  // namespace pins
