// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side's counters: what happened to every frame (by reason), and
// what each sender's path delivered (outer source, path id), summed over CPUs.
#include <algorithm>
#include <cstring>
#include <iterator>

#include "receive_impl.hpp"

namespace srv6steer {

namespace {

// Every per-CPU value of a per-CPU hash of srv6s_rx_path_stats, summed: in
// batches where the kernel has them, key by key otherwise.
std::vector<RxPathCounter> read_rx_paths(int fd) {
    const int ncpu = libbpf_num_possible_cpus();
    if (ncpu < 0)
        throw_map_error(rxmaps::paths.pin, "count CPUs for", -ncpu);
    const size_t n = static_cast<size_t>(ncpu);
    std::vector<RxPathCounter> out;
    auto add = [&](const srv6s_rx_path_key& k, const srv6s_rx_path_stats* per_cpu) {
        RxPathCounter c;
        std::memcpy(c.source.bytes.data(), k.src, 16);
        c.path_id = k.path_id;
        for (size_t i = 0; i < n; i++) {
            c.packets += per_cpu[i].packets;
            c.bytes += per_cpu[i].bytes;
            c.ce_packets += per_cpu[i].ce_packets;
        }
        out.push_back(c);
    };
    static_assert(sizeof(srv6s_rx_path_stats) % 8 == 0, "per-CPU values are 8-byte aligned");
    constexpr uint32_t kChunk = 1024;
    std::vector<srv6s_rx_path_key> keys(kChunk);
    std::vector<srv6s_rx_path_stats> values(kChunk * n);
    srv6s_rx_path_key in{}, next{};
    for (bool first = true;; first = false) {
        uint32_t count = kChunk;
        const int rc =
            bpf_map_lookup_batch(fd, first ? nullptr : &in, &next, keys.data(), values.data(), &count, nullptr);
        const int err = rc ? errno : 0;
        if (rc && err != ENOENT) {
            if (first && (err == EINVAL || err == ENOTSUP || err == EOPNOTSUPP))
                break;  // no batches: key by key below
            throw_map_error(rxmaps::paths.pin, "batch lookup", err);
        }
        for (uint32_t i = 0; i < count; i++)
            add(keys[i], &values[i * n]);
        if (err == ENOENT)
            return out;
        in = next;
    }
    out.clear();
    for (const auto& k : Map<srv6s_rx_path_key, uint64_t>(fd, rxmaps::paths.pin).keys())
        if (bpf_map_lookup_elem(fd, &k, values.data()) == 0)  // an evicted key is skipped
            add(k, values.data());
    return out;
}

}  // namespace

const char* rx_reason_name(uint32_t reason) {
    static constexpr const char* names[] = {
        "decapsulated", "disabled",  "not_ipv6",   "not_ours",  "not_encap",    "ext_hdr",        "segments_left",
        "mismatch",     "truncated", "bad_header", "bad_inner", "ecn_drop",     "adjust_failed",  "write_failed",
        "probe_answered", "probe_refused"};
    static_assert(std::size(names) == SRV6S_RX_R_MAX, "a name for every receive reason");
    return reason < SRV6S_RX_R_MAX ? names[reason] : "unknown";
}

ReceiveStats Receive::stats() const {
    auto guard = impl_->lock();
    ReceiveStats s;
    auto reasons = impl_->fds[rxmaps::reasons];
    for (uint32_t r = 0; r < SRV6S_RX_R_MAX; r++) {
        const auto c = reasons.sum(r);
        s.reasons[r] = {c.packets, c.bytes};
    }
    s.paths = read_rx_paths(impl_->fds.fd(rxmaps::paths.index));
    std::sort(s.paths.begin(), s.paths.end(), [](const RxPathCounter& a, const RxPathCounter& b) {
        return a.source.bytes != b.source.bytes ? a.source.bytes < b.source.bytes : a.path_id < b.path_id;
    });
    return s;
}

}  // namespace srv6steer
