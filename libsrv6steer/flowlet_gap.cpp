// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "flowlet_gap.hpp"

#include <algorithm>
#include <vector>

namespace srv6steer {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

void FlowletGapTracker::rtt(const ProbeTarget& t, nanoseconds rtt) {
    Samples& s = rtts_[t];
    s.ring[s.n % kSamples] = rtt;
    s.n++;
}

void FlowletGapTracker::remove(const ProbeTarget& t) { rtts_.erase(t); }

std::optional<nanoseconds> FlowletGapTracker::median(const ProbeTarget& t) const {
    auto it = rtts_.find(t);
    if (it == rtts_.end() || it->second.n < kMinSamples)
        return std::nullopt;
    const size_t n = std::min(it->second.n, kSamples);
    std::array<nanoseconds, kSamples> v = it->second.ring;
    std::nth_element(v.begin(), v.begin() + n / 2, v.begin() + n);
    return v[n / 2];
}

FlowletGapState FlowletGapTracker::skew(std::span<const PathSet> sets, const std::function<bool(uint32_t)>& up) const {
    FlowletGapState best;  // gap and restored counts are the prober's
    // A path's least and most RTT towards one host, over its targets there.
    struct Span {
        uint32_t path = 0;
        nanoseconds least = nanoseconds::max(), most = nanoseconds::min();
    };
    for (const PathSet& set : sets) {
        std::map<Ipv6, std::vector<Span>> by_remote;
        for (uint32_t path : set.paths) {
            if (!up(path))
                continue;
            // The targets of a path, in order (ProbeTarget orders by path first).
            for (auto it = rtts_.lower_bound(ProbeTarget{path, Ipv6{}, std::nullopt, 0});
                 it != rtts_.end() && it->first.path == path; ++it) {
                const auto m = median(it->first);
                if (!m)
                    continue;
                auto& spans = by_remote[it->first.remote];
                auto s = std::find_if(spans.begin(), spans.end(), [&](const Span& x) { return x.path == path; });
                if (s == spans.end())
                    s = spans.insert(spans.end(), Span{path});
                s->least = std::min(s->least, *m);
                s->most = std::max(s->most, *m);
            }
        }
        // Flows move between two different paths: the slower one's most
        // against the faster one's least (a few paths a set: all pairs).
        for (const auto& [remote, spans] : by_remote)
            for (const Span& slow : spans)
                for (const Span& fast : spans)
                    if (slow.path != fast.path && slow.most - fast.least > best.skew) {
                        best.skew = slow.most - fast.least;
                        best.set = set.id;
                        best.remote = remote;
                        best.fast = fast.path;
                        best.slow = slow.path;
                    }
    }
    return best;
}

microseconds FlowletGapTracker::want(nanoseconds skew) const {
    // Skews are probe RTTs (at most the probe timeout, 60 s): no overflow.
    const int64_t ns = skew.count() * int64_t(policy_.factor_pct) / 100;
    const microseconds us((ns + 999) / 1000);
    return std::clamp(us, policy_.min, policy_.max);
}

std::optional<microseconds> FlowletGapTracker::start(microseconds in_force) {
    gap_ = std::clamp(in_force, policy_.min, policy_.max);
    lower_.reset();
    return *gap_ != in_force ? gap_ : std::nullopt;
}

std::optional<microseconds> FlowletGapTracker::decide(nanoseconds skew, time_point now) {
    const microseconds w = want(skew);
    if (!gap_ || w > *gap_) {
        gap_ = w;
        lower_.reset();
        return gap_;
    }
    if (w == *gap_) {
        lower_.reset();
        return std::nullopt;
    }
    if (!lower_)
        lower_ = Lower{now, w};
    else
        lower_->largest = std::max(lower_->largest, w);
    if (now - lower_->since < policy_.hold)
        return std::nullopt;
    gap_ = lower_->largest;
    lower_.reset();
    if (w < *gap_)
        lower_ = Lower{now, w};  // lower still: the next hold begins now
    return gap_;
}

}  // namespace srv6steer
