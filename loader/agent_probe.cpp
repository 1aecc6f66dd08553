// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "agent_probe.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "fd.hpp"
#include "text.hpp"

namespace srv6steer::cli {

ProbesConfig ProbeOverrides::apply(ProbesConfig file) const {
    using std::chrono::milliseconds;
    if (off)
        file.enabled = false;
    ProberOptions& o = file.options;
    if (interval_ms)
        o.interval = milliseconds(*interval_ms);
    if (timeout_ms)
        o.timeout = milliseconds(*timeout_ms);
    if (misses)
        o.policy.misses = *misses;
    if (recoveries)
        o.policy.recoveries = *recoveries;
    if (hold_down_ms)
        o.policy.hold_down = milliseconds(*hold_down_ms);
    CongestionPolicy& c = o.congestion;
    if (no_congestion)
        c.enabled = false;
    if (congestion_window_ms)
        c.window = milliseconds(*congestion_window_ms);
    if (congestion_mark_ppm)
        c.mark_ppm = *congestion_mark_ppm;
    if (congestion_clear_ppm)
        c.clear_ppm = *congestion_clear_ppm;
    if (congestion_hold_ms)
        c.hold = milliseconds(*congestion_hold_ms);
    if (fixed_flowlet_gap)
        o.flowlets.adaptive = false;
    return file;
}

namespace {

std::string us_text(std::chrono::microseconds us) {
    char b[32];
    if (us.count() >= 1000)
        std::snprintf(b, sizeof b, "%g ms", double(us.count()) / 1000.0);
    else
        std::snprintf(b, sizeof b, "%lld us", static_cast<long long>(us.count()));
    return b;
}

std::string describe(const ProberOptions& o) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%g", double(o.interval.count()) / 1000.0);
    std::string s = "every ";
    s += ms;
    s += " ms, down after ";
    s += std::to_string(o.policy.misses);
    s += " lost, up after ";
    s += std::to_string(o.policy.recoveries);
    s += " answered";
    if (o.congestion.enabled) {
        s += ", congestion from ";
        s += std::to_string(o.congestion.mark_ppm);
        s += " ppm CE per ";
        s += std::to_string(o.congestion.window.count());
        s += " ms";
    }
    if (o.flowlets.adaptive) {
        s += ", flowlet gap ";
        s += us_text(o.flowlets.min);
        s += " .. ";
        s += us_text(o.flowlets.max);
        s += " from ";
        s += std::to_string(o.flowlets.factor_pct);
        s += " % of the paths' RTT skew";
    }
    return s;
}

// A flowlet gap change and why, for the log.
std::string gap_change(std::optional<std::chrono::microseconds> was, const FlowletGapState& st) {
    std::string s = "flowlet gap ";
    if (was) {
        s += us_text(*was);
        s += " -> ";
    }
    s += us_text(*st.gap);
    // Lowered: to the most the skew called for over the hold, not the skew of now.
    if (was && *st.gap < *was)
        s += " after the hold, the most the skew called for in it; now";
    if (st.skew.count() == 0)
        return s + " (no set has paths of different delay)";
    char ms[64];
    std::snprintf(ms, sizeof ms, "%.3f ms", double(st.skew.count()) / 1e6);
    return s + text::cat({" (set ", std::to_string(st.set), " towards ", st.remote.str(), ": path ",
                          std::to_string(st.slow), " takes ", ms, " longer than path ", std::to_string(st.fast), ")"});
}

}  // namespace

void AgentProbe::stop(const std::string& why) {
    prober_.reset();
    logged_gap_.reset();
    logged_restored_ = 0;
    steering_.reset();
    attachment_.reset();  // made again at the next round
    log_(why);
}

void AgentProbe::update(const ProbesConfig& settings, std::pair<int64_t, uint32_t> attachment) {
    if (prober_ && settings_ == settings && attachment_ == attachment)
        return;
    const bool was = prober_.has_value();
    prober_.reset();
    steering_.reset();
    logged_gap_.reset();
    logged_restored_ = 0;
    settings_ = settings;
    attachment_.reset();
    if (!settings.enabled) {
        if (was)
            log_("probes off");
        // Nobody lowers a congestion level, or an adaptive flowlet gap, any
        // more: no level may stay, and the gap goes back to its floor.
        try {
            auto s = Steering::open(dev_, bpffs_);
            if (const size_t n = s.clear_congestion())
                log_(std::to_string(n) + " congestion level(s) cleared: probes are off");
            const FlowletPolicy& f = settings.options.flowlets;
            if (const auto gap = s.flowlet_gap(); f.adaptive && gap != f.min) {
                log_("flowlet gap " + us_text(gap) + " -> " + us_text(f.min) + ": probes are off, nothing adapts it");
                s.set_flowlet_gap(f.min);
            }
        } catch (const Error&) {
            // Not attached (yet): no levels.
        }
        return;
    }
    try {
        steering_ = Steering::open(dev_, bpffs_);
        prober_.emplace(*steering_, settings.options);
        attachment_ = attachment;
        log_("probing " + std::to_string(prober_->targets().size()) + " target(s) " + describe(settings.options));
    } catch (const Error& e) {
        stop(std::string("probes off until the next round: ") + e.what());
    }
}

std::vector<int> AgentProbe::fds() const { return prober_ ? prober_->fds() : std::vector<int>{}; }

std::chrono::steady_clock::time_point AgentProbe::deadline() const {
    return prober_ ? prober_->next_deadline() : std::chrono::steady_clock::time_point::max();
}

void AgentProbe::service() {
    if (!prober_)
        return;
    try {
        prober_->service();
        const FlowletGapState st = prober_->flowlet_gap();
        if (st.gap && st.gap != logged_gap_) {
            log_(gap_change(logged_gap_, st));
            logged_gap_ = st.gap;
        }
        if (st.restored != logged_restored_) {
            logged_restored_ = st.restored;
            log_("flowlet gap " + us_text(st.overwritten) + " set by someone else: back to " + us_text(*st.gap) +
                 " (the agent adapts the gap; --flowlet-gap US or \"probes\": {\"flowlets\": {\"adaptive\": "
                 "false}} in the config leave it fixed)");
        }
    } catch (const Error& e) {
        stop(std::string("probes off until the next round: ") + e.what());
    }
}

int AgentProbe::wait(std::chrono::steady_clock::time_point until, int signal_fd) {
    using Clock = std::chrono::steady_clock;
    std::vector<pollfd> p;
    while (true) {
        const auto now = Clock::now();
        if (now >= until)
            return 0;
        p.assign({{signal_fd, POLLIN, 0}});
        for (int fd : fds())
            p.push_back({fd, POLLIN, 0});
        const auto wake = std::min(until, deadline());
        const auto ms = std::max<int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(wake - now).count());
        if (::poll(p.data(), p.size(), int(std::min<int64_t>(ms, 60000))) < 0) {
            if (errno == EINTR)
                continue;
            throw_errno("waiting for probe replies and signals", errno);
        }
        if (std::any_of(p.begin() + 1, p.end(), [](const pollfd& f) { return f.revents != 0; }) ||
            Clock::now() >= deadline())
            service();
        if (p[0].revents & POLLIN) {
            signalfd_siginfo si{};
            if (::read(signal_fd, &si, sizeof si) == ssize_t(sizeof si))
                return int(si.ssi_signo);
        }
    }
}

}  // namespace srv6steer::cli
