// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The Prober (srv6steer/probe.hpp, docs/design.md §16): targets, their
// sockets and outstanding probes, the health state machine
// (health_state.hpp), congestion levels (congestion_state.hpp), the
// adaptive flowlet gap (flowlet_gap.hpp), and the writes of path health
// (health.cpp).
#include <time.h>

#include <algorithm>
#include <deque>
#include <set>

#include "congestion_state.hpp"
#include "flowlet_gap.hpp"
#include "health_state.hpp"
#include "probe_socket.hpp"
#include "probe_targets.hpp"
#include "srv6steer/srv6steer.hpp"
#include "text.hpp"

namespace srv6steer {

namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::nanoseconds;

uint64_t realtime_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t ns_of(ProbeClock::time_point t) {
    return static_cast<uint64_t>(duration_cast<nanoseconds>(t.time_since_epoch()).count());
}

constexpr microseconds kMinInterval{1000};
constexpr microseconds kMaxInterval{10'000'000};
// Counters (not changes of state) are written at most this often.
constexpr std::chrono::milliseconds kFlushEvery{50};

}  // namespace

void check_probe_options(const ProberOptions& o) {
    if (o.interval < kMinInterval || o.interval > kMaxInterval)
        throw Error("the probe interval must be 1 ms .. 10 s, not " + std::to_string(o.interval.count()) + " us",
                    EINVAL);
    if (o.timeout.count() < 0 || o.timeout > std::chrono::seconds(60))
        throw Error("the probe timeout must be 0 (twice the interval) .. 60 s", EINVAL);
    if (o.policy.misses < 1 || o.policy.misses > 1000 || o.policy.recoveries < 1 || o.policy.recoveries > 1000)
        throw Error("probe misses and recoveries must be 1 .. 1000", EINVAL);
    if (o.policy.hold_down.count() < 0)
        throw Error("the probe hold-down must not be negative", EINVAL);
    if (o.refresh < std::chrono::milliseconds(10))
        throw Error("targets can be found again at most every 10 ms", EINVAL);
    const CongestionPolicy& c = o.congestion;
    if (c.window < std::chrono::milliseconds(1) || c.window > std::chrono::seconds(60) || c.min_packets < 1 ||
        c.step < 1 || c.step > SRV6S_CONGESTION_LEVELS || c.hold.count() < 0)
        throw Error("congestion windows must be 1 ms .. 60 s with at least one packet, steps 1 .. 16 levels, the "
                    "hold not negative",
                    EINVAL);
    if (c.mark_ppm < 1 || c.mark_ppm > 1'000'000 || c.clear_ppm >= c.mark_ppm)
        throw Error("the congestion mark must be 1 .. 1,000,000 parts per million, and the clear level below it",
                    EINVAL);
    const FlowletPolicy& f = o.flowlets;
    if (f.min.count() < 0 || f.min > f.max || f.max > std::chrono::seconds(1) || f.factor_pct < 100 ||
        f.factor_pct > 1000 || f.hold.count() < 0 || f.hold > std::chrono::hours(1))
        throw Error("the adaptive flowlet gap must lie within 0 .. 1 s (its least not above its most), follow 100 .. "
                    "1000 % of the skew, and hold 0 .. 1 h",
                    EINVAL);
    for (const auto& t : o.targets) {
        if (t.path >= SRV6S_MAX_PATHS)
            throw Error("probe target path " + std::to_string(t.path) + " is out of range", EINVAL);
        if (t.remote == Ipv6{} || t.port == 0)
            throw Error("a probe target needs a remote address and a port", EINVAL);
    }
}

namespace {

struct Outstanding {
    uint32_t seq;
    uint64_t sent_ns;  // CLOCK_MONOTONIC, echoed
    ProbeClock::time_point deadline;
};

struct TargetState {
    ProbeSocket sock;
    bool configured = false;  // from the options (kept across refreshes)
    uint32_t next_seq = 1;
    ProbeClock::time_point next_send;
    std::deque<Outstanding> outstanding;  // oldest first
};

}  // namespace

struct Prober::Impl {
    Steering* steering;
    ProberOptions o;
    microseconds timeout;
    HealthTracker tracker;
    CongestionTracker congestion;
    FlowletGapTracker gaps;
    std::vector<PathSet> sets;        // read once every refresh (targets and the gap) ...
    std::set<uint32_t> down_paths;    // ... as are, for the gap, the paths marked down (by the prober or by hand)
    FlowletGapState gap_state;        // of the last decision
    uint64_t gaps_restored = 0;        // gaps someone else wrote, put back ...
    microseconds gap_overwritten{0};  // ... the last of them
    std::map<ProbeTarget, TargetState> targets;
    std::map<uint32_t, srv6s_path_health> health;  // by path
    std::set<uint32_t> dirty;                      // counters to write
    ProbeClock::time_point next_refresh{}, next_flush{}, next_gap{};
    std::vector<ProbeEvent> events;

    Impl(Steering& s, ProberOptions opts)
        : steering(&s), o(std::move(opts)), timeout(o.timeout.count() ? o.timeout : 2 * o.interval),
          tracker(o.policy), congestion(o.congestion), gaps(o.flowlets) {}

    // Only a prober that writes (not a one-shot `probe`) keeps the gap.
    bool adapts_gap() const { return o.flowlets.adaptive && o.mark; }

    // Levels this prober set go back to 0 when it stops: no one would lower
    // them any more. (The flowlet gap stays: a prober made again starts from
    // it, and lowers it only through the hold.)
    ~Impl() {
        if (!o.mark)
            return;
        for (auto& [path, h] : health) {
            if (h.congestion == 0)
                continue;
            try {
                steering->set_path_congestion(path, 0);
            } catch (const Error&) {
                // The attachment went: so did its levels.
            }
        }
    }

    void add(const ProbeTarget& t, bool configured, ProbeClock::time_point now) {
        auto it = targets.find(t);
        if (it != targets.end()) {
            it->second.configured |= configured;
            return;
        }
        TargetState st{ProbeSocket(*steering, t), configured, 1, now, {}};
        targets.emplace(t, std::move(st));
        const auto changed_to = tracker.add(t, now);
        health[t.path].targets = static_cast<uint32_t>(tracker.targets(t.path));
        dirty.insert(t.path);
        changed(t.path, changed_to);
    }

    void remove(std::map<ProbeTarget, TargetState>::iterator it, ProbeClock::time_point now) {
        const ProbeTarget t = it->first;
        targets.erase(it);
        congestion.remove(t);
        gaps.remove(t);
        auto st = tracker.remove(t, now);
        health[t.path].targets = static_cast<uint32_t>(tracker.targets(t.path));
        changed(t.path, st);
        dirty.insert(t.path);
    }

    // Writes a change of a path's state (one transaction).
    void changed(uint32_t path, std::optional<srv6s_health_state> st) {
        if (!st)
            return;
        srv6s_path_health& h = health[path];
        h.state = *st;
        h.transitions++;
        h.since_ns = h.updated_ns = realtime_ns();
        write_change(path);
    }

    void write_change(uint32_t path) {
        if (!o.mark)
            return;
        srv6s_path_health& h = health[path];
        h.state = steering->record_health(path, h, true);
        dirty.erase(path);
    }

    // Closes the congestion windows due; writes the levels that changed.
    void congestion_windows(ProbeClock::time_point now) {
        if (!o.congestion.enabled)
            return;
        for (const auto& w : congestion.tick(now)) {
            srv6s_path_health& h = health[w.path];
            h.ce_ppm = w.ce_ppm;
            dirty.insert(w.path);
            // A level above 0 is written at every window, not only when
            // it changes: a path removed and added again (its byte 0) gets
            // it back within a window.
            if (!w.changed && w.level == 0)
                continue;
            h.congestion = w.level;
            if (o.mark && !steering->set_path_congestion(w.path, w.level))
                h.congestion = 0;
        }
    }

    // The paths down, which the gap does not follow; and a gap someone else
    // changed is put back (after `sets` was read).
    void refresh_gap() {
        down_paths.clear();
        for (const Path& p : steering->paths())
            if (p.down)
                down_paths.insert(p.id);
        if (!gaps.gap())
            return;
        if (const auto found = steering->flowlet_gap(); found != *gaps.gap()) {
            steering->set_flowlet_gap(*gaps.gap());
            gaps_restored++;
            gap_overwritten = found;
        }
    }

    // Decides the flowlet gap (every kFlushEvery at most); writes it when it changes.
    void flowlet_gap(ProbeClock::time_point now) {
        if (!adapts_gap() || now < next_gap)
            return;
        next_gap = now + kFlushEvery;
        gap_state = gaps.skew(sets, [&](uint32_t path) {
            auto h = health.find(path);
            return !down_paths.count(path) && (h == health.end() || h->second.state != SRV6S_HEALTH_DOWN);
        });
        if (auto g = gaps.decide(gap_state.skew, now))
            steering->set_flowlet_gap(*g);
        gap_state.gap = gaps.gap();
    }

    void refresh(ProbeClock::time_point now) {
        std::set<uint64_t> own;
        for (const auto& [t, st] : targets)
            own.insert(st.sock.cookie());
        const auto in_use = targets_in_use(*steering, sets, own);
        std::set<ProbeTarget> want;
        for (const auto& [path, remote] : in_use) {
            ProbeTarget t;
            t.path = path;
            t.remote = remote;
            t.port = o.port;
            if (auto r = o.returns.find(path); r != o.returns.end())
                t.ret = r->second;
            want.insert(t);
        }
        for (auto it = targets.begin(); it != targets.end();) {
            auto next = std::next(it);
            if (!it->second.configured && !want.count(it->first))
                remove(it, now);
            it = next;
        }
        for (const auto& t : want) {
            try {
                add(t, false, now);
            } catch (const Error&) {
                // No route to that host (or the path went meanwhile): tried again at the next refresh.
            }
        }
    }

    void on_reply(const ProbeTarget& t, TargetState& st, const ProbeMessage& m) {
        auto it = std::find_if(st.outstanding.begin(), st.outstanding.end(),
                               [&](const Outstanding& p) { return p.seq == m.seq && p.sent_ns == m.sent_ns; });
        if (it == st.outstanding.end())
            return;  // late (already lost), duplicated or not ours
        const auto now = ProbeClock::now();
        const nanoseconds rtt(static_cast<int64_t>(ns_of(now) - it->sent_ns));
        st.outstanding.erase(it);
        srv6s_path_health& h = health[t.path];
        const auto r = static_cast<__u64>(rtt.count());
        h.replies++;
        h.rtt_last_ns = r;
        h.rtt_min_ns = h.rtt_min_ns ? std::min(h.rtt_min_ns, r) : r;
        h.rtt_avg_ns = h.rtt_avg_ns ? h.rtt_avg_ns - h.rtt_avg_ns / 8 + r / 8 : r;
        if (adapts_gap())
            gaps.rtt(t, rtt);
        if (m.flags & SRV6S_PROBE_F_RX_COUNTS) {
            congestion.report(t, m.rx_packets, m.rx_ce_packets, now);
        } else {
            // No counts (any more): the far end says nothing of congestion
            // on the path, and its earlier reports no longer count.
            congestion.remove(t);
        }
        h.rx_packets = congestion.rx_packets(t.path);
        h.rx_ce_packets = congestion.rx_ce_packets(t.path);
        dirty.insert(t.path);
        if (o.keep_events)
            events.push_back({t, m.seq, rtt, m.rx_packets, m.rx_ce_packets, bool(m.flags & SRV6S_PROBE_F_RX_COUNTS),
                              bool(m.flags & SRV6S_PROBE_F_RETURNED)});
        changed(t.path, tracker.reply(t, now));
    }

    void on_lost(const ProbeTarget& t, uint32_t seq, ProbeClock::time_point now) {
        health[t.path].lost++;
        dirty.insert(t.path);
        if (o.keep_events)
            events.push_back({t, seq, std::nullopt, 0, 0, false, false});
        changed(t.path, tracker.lost(t, now));
    }

    bool done(const TargetState& st) const { return o.count && st.next_seq > o.count; }

    void send(const ProbeTarget& t, TargetState& st, ProbeClock::time_point now) {
        ProbeMessage m;
        m.type = SRV6S_PROBE_REQUEST;
        m.path = t.path;
        m.seq = st.next_seq++;
        m.ret = t.ret;
        m.sent_ns = ns_of(ProbeClock::now());
        health[t.path].sent++;
        dirty.insert(t.path);
        // A probe the kernel refused is lost when its time is up, as one the
        // network lost.
        st.sock.send(m);
        st.outstanding.push_back({m.seq, m.sent_ns, now + timeout});
        st.next_send += o.interval;
        if (st.next_send <= now)
            st.next_send = now + o.interval;  // called late: no burst to catch up
    }

    void flush(ProbeClock::time_point now) {
        if (dirty.empty() || now < next_flush)
            return;
        next_flush = now + kFlushEvery;
        if (!o.mark) {
            dirty.clear();
            return;
        }
        const uint64_t t = realtime_ns();
        for (uint32_t path : dirty) {
            srv6s_path_health& h = health[path];
            h.updated_ns = t;
            steering->record_health(path, h, false);
        }
        dirty.clear();
    }
};

Prober::Prober(Steering& steering, ProberOptions opts) {
    check_probe_options(opts);
    if (steering.remote())
        throw Error("probes are sent by the agent itself: a client of the agent cannot probe (ask the agent's stats)",
                    EPERM);
    // A prober starting afresh owns no level: one a predecessor left (it
    // crashed, or had congestion on) would otherwise stay.
    if (opts.mark)
        steering.clear_congestion();
    impl_ = std::make_unique<Impl>(steering, std::move(opts));
    const auto now = ProbeClock::now();
    for (const auto& t : impl_->o.targets)
        impl_->add(t, true, now);
    if (impl_->o.auto_targets || impl_->adapts_gap())
        impl_->sets = steering.sets();
    if (impl_->o.auto_targets)
        impl_->refresh(now);
    if (impl_->adapts_gap()) {
        impl_->refresh_gap();
        // From the gap in force (kept within the policy's bounds, at once).
        if (auto g = impl_->gaps.start(steering.flowlet_gap()))
            steering.set_flowlet_gap(*g);
        impl_->flowlet_gap(now);  // the first decision (next_gap is due)
    }
    impl_->next_refresh = now + impl_->o.refresh;
}

Prober::Prober(Prober&&) noexcept = default;
Prober& Prober::operator=(Prober&&) noexcept = default;
Prober::~Prober() = default;

std::vector<int> Prober::fds() const {
    std::vector<int> out;
    for (const auto& [t, st] : impl_->targets)
        out.push_back(st.sock.fd());
    return out;
}

ProbeClock::time_point Prober::next_deadline() const {
    auto d = impl_->o.auto_targets || impl_->adapts_gap() ? impl_->next_refresh : ProbeClock::time_point::max();
    for (const auto& [t, st] : impl_->targets) {
        if (!impl_->done(st))
            d = std::min(d, st.next_send);
        if (!st.outstanding.empty())
            d = std::min(d, st.outstanding.front().deadline);
    }
    if (!impl_->dirty.empty())
        d = std::min(d, impl_->next_flush);
    if (impl_->o.congestion.enabled)
        d = std::min(d, impl_->congestion.next_deadline());
    return d;
}

void Prober::service(ProbeClock::time_point now) {
    Impl& im = *impl_;
    for (auto& [t, st] : im.targets)
        while (auto m = st.sock.receive())
            if (m->type == SRV6S_PROBE_REPLY && m->path == t.path)
                im.on_reply(t, st, *m);
    for (auto& [t, st] : im.targets) {
        while (!st.outstanding.empty() && st.outstanding.front().deadline <= now) {
            const uint32_t seq = st.outstanding.front().seq;
            st.outstanding.pop_front();
            im.on_lost(t, seq, now);
        }
        if (st.next_send <= now && !im.done(st))
            im.send(t, st, now);
    }
    if ((im.o.auto_targets || im.adapts_gap()) && now >= im.next_refresh) {
        im.next_refresh = now + im.o.refresh;
        im.sets = im.steering->sets();
        if (im.o.auto_targets)
            im.refresh(now);
        if (im.adapts_gap())
            im.refresh_gap();
    }
    im.congestion_windows(now);
    im.flowlet_gap(now);
    im.flush(now);
}

std::vector<ProbeTarget> Prober::targets() const {
    std::vector<ProbeTarget> out;
    for (const auto& [t, st] : impl_->targets)
        out.push_back(t);
    return out;
}

std::vector<std::pair<uint32_t, srv6s_path_health>> Prober::health() const {
    return {impl_->health.begin(), impl_->health.end()};
}

std::vector<ProbeEvent> Prober::take_events() { return std::exchange(impl_->events, {}); }

FlowletGapState Prober::flowlet_gap() const {
    FlowletGapState st = impl_->gap_state;
    st.restored = impl_->gaps_restored;
    st.overwritten = impl_->gap_overwritten;
    return st;
}

}  // namespace srv6steer
