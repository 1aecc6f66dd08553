// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI's statistics (by reason, by path; no reason count in any
// layout), path health (filled to the caller's size) and garbage collection.
#include <algorithm>
#include <cstring>

#include "capi.hpp"

using namespace srv6steer;
using namespace srv6steer::capi;

namespace {

srv6s_counter c_counter(const Counter& c) { return {c.packets, c.bytes}; }

}  // namespace

extern "C" {

int srv6s_stats_reason(srv6s_handle* h, uint32_t reason, struct srv6s_counter* out) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(out != nullptr, "nowhere to put the counter (out is NULL)");
        need(reason < SRV6S_R_MAX, "reason " + std::to_string(reason) +
                                       " is out of range: this libsrv6steer counts reasons 0 to " +
                                       std::to_string(SRV6S_R_MAX - 1) + " (srv6s_reason_count())");
        *out = c_counter(s.stats().reasons[reason]);
        return 0;
    });
}

int srv6s_stats_reasons(srv6s_handle* h, struct srv6s_counter* out, size_t n, size_t* n_reasons) {
    if (n_reasons)
        *n_reasons = SRV6S_R_MAX;
    return guarded([&] {
        auto& s = steering_of(h);
        need(n == 0 || out != nullptr, "nowhere to put the counters (out is NULL)");
        const Stats st = s.stats();
        for (size_t r = 0; r < n && r < st.reasons.size(); r++)
            out[r] = c_counter(st.reasons[r]);
        return 0;
    });
}

int srv6s_stats_paths(srv6s_handle* h, srv6s_path_stats_fn fn, void* ctx) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(fn != nullptr, "no callback (NULL)");
        for (const auto& [id, c] : s.stats().paths) {
            const srv6s_counter counter = c_counter(c);
            if (int rc = fn(id, &counter, ctx))
                return rc;
        }
        return 0;
    });
}

int srv6s_set_flowlet_gap(srv6s_handle* h, uint32_t gap_us) {
    return guarded([&] {
        steering_of(h).set_flowlet_gap(std::chrono::microseconds(gap_us));
        return 0;
    });
}

int srv6s_get_flowlet_gap(srv6s_handle* h, uint32_t* gap_us) {
    return guarded([&] {
        need(gap_us != nullptr, "gap_us must not be NULL");
        *gap_us = static_cast<uint32_t>(steering_of(h).flowlet_gap().count());
        return 0;
    });
}

int srv6s_get_path_health(srv6s_handle* h, uint32_t id, struct srv6s_path_health* out, size_t out_size) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(out != nullptr && out_size > 0, "no place for the health (out is NULL or out_size 0)");
        const Stats st = s.stats();
        for (size_t i = 0; i < st.paths.size(); i++) {
            if (st.paths[i].first != id)
                continue;
            const srv6s_path_health health = i < st.health.size() ? st.health[i] : srv6s_path_health{};
            std::memset(out, 0, out_size);
            std::memcpy(out, &health, std::min(out_size, sizeof health));
            return 0;
        }
        throw Error("path " + std::to_string(id) + " does not exist", ENOENT);
    });
}

int srv6s_gc(srv6s_handle* h, size_t* n_removed) {
    if (n_removed)
        *n_removed = 0;
    return guarded([&] {
        const size_t n = steering_of(h).gc();
        if (n_removed)
            *n_removed = n;
        return 0;
    });
}

}  // extern "C"
