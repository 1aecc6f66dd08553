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
    FlowletGapState best;  // restored counts are the prober's
    struct Extremes {
        nanoseconds least = nanoseconds::max(), most = nanoseconds::min();
        uint32_t fast = 0, slow = 0;
    };
    for (const PathSet& set : sets) {
        std::map<Ipv6, Extremes> by_remote;
        for (uint32_t path : set.paths) {
            if (!up(path))
                continue;
            // The targets of a path, in order (ProbeTarget orders by path first).
            for (auto it = rtts_.lower_bound(ProbeTarget{path, Ipv6{}, std::nullopt, 0});
                 it != rtts_.end() && it->first.path == path; ++it) {
                const auto m = median(it->first);
                if (!m)
                    continue;
                Extremes& e = by_remote[it->first.remote];
                if (*m < e.least)
                    e.least = *m, e.fast = path;
                if (*m > e.most)
                    e.most = *m, e.slow = path;
            }
        }
        for (const auto& [remote, e] : by_remote) {
            if (e.fast == e.slow || e.most - e.least <= best.skew)
                continue;  // one path measured (a path's own targets never skew it)
            best.skew = e.most - e.least;
            best.set = set.id;
            best.remote = remote;
            best.fast = e.fast;
            best.slow = e.slow;
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
