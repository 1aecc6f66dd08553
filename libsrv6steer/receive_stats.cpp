// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side's counters: what happened to every frame (by reason), and
// what each sender's path delivered (outer source, path id), summed over CPUs.
#include <algorithm>
#include <array>
#include <map>
#include <cstring>
#include <iterator>

#include "receive_impl.hpp"

namespace srv6steer {

namespace {

using PathTotals = std::map<std::pair<std::array<uint8_t, 16>, uint32_t>, RxPathCounter>;

void add_to(PathTotals& totals, const srv6s_rx_path_key& k, const srv6s_rx_path_stats& s) {
    std::array<uint8_t, 16> src;
    std::memcpy(src.data(), k.src, 16);
    RxPathCounter& c = totals[{src, k.path_id}];
    std::memcpy(c.source.bytes.data(), k.src, 16);
    c.path_id = k.path_id;
    c.packets += s.packets;
    c.bytes += s.bytes;
    c.ce_packets += s.ce_packets;
}

size_t cpu_count() {
    const int ncpu = libbpf_num_possible_cpus();
    if (ncpu < 0)
        throw_map_error(rxmaps::paths.pin, "count CPUs for", -ncpu);
    return static_cast<size_t>(ncpu);
}

// Every per-CPU value of a per-CPU map, in batches where the kernel has
// them, key by key otherwise: f(key, values of every CPU).
template <class K, class V, class F>
void read_per_cpu(int fd, const char* pin, F&& f) {
    static_assert(sizeof(V) % 8 == 0, "per-CPU values are 8-byte aligned");
    const size_t n = cpu_count();
    constexpr uint32_t kChunk = 1024;
    std::vector<K> keys(kChunk);
    std::vector<V> values(kChunk * n);
    K in{}, next{};
    for (bool first = true;; first = false) {
        uint32_t count = kChunk;
        const int rc =
            bpf_map_lookup_batch(fd, first ? nullptr : &in, &next, keys.data(), values.data(), &count, nullptr);
        const int err = rc ? errno : 0;
        if (rc && err != ENOENT) {
            if (first && (err == EINVAL || err == ENOTSUP || err == EOPNOTSUPP))
                break;  // no batches: key by key below
            throw_map_error(pin, "batch lookup", err);
        }
        for (uint32_t i = 0; i < count; i++)
            f(keys[i], &values[i * n], n);
        if (err == ENOENT)
            return;
        in = next;
    }
    for (const auto& k : Map<K, uint64_t>(fd, pin).keys())
        if (bpf_map_lookup_elem(fd, &k, values.data()) == 0)  // an evicted key is skipped
            f(k, values.data(), n);
}

// Each sender path's counters: its slots on every CPU where it holds one,
// plus its LRU entry (include/srv6steer/decap_abi.h, struct
// srv6s_rx_path_slot).
std::vector<RxPathCounter> read_rx_paths(int lru_fd, int slots_fd) {
    PathTotals totals;
    read_per_cpu<srv6s_rx_path_key, srv6s_rx_path_stats>(
        lru_fd, rxmaps::paths.pin, [&](const srv6s_rx_path_key& k, const srv6s_rx_path_stats* per_cpu, size_t n) {
            for (size_t i = 0; i < n; i++)
                add_to(totals, k, per_cpu[i]);
        });
    read_per_cpu<uint32_t, srv6s_rx_path_slot>(
        slots_fd, rxmaps::path_slots.pin, [&](uint32_t, const srv6s_rx_path_slot* per_cpu, size_t n) {
            for (size_t i = 0; i < n; i++)
                if (per_cpu[i].used)
                    add_to(totals, per_cpu[i].key, per_cpu[i].stats);
        });
    std::vector<RxPathCounter> out;
    out.reserve(totals.size());
    for (auto& [k, c] : totals)
        out.push_back(c);
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
    s.paths = read_rx_paths(impl_->fds.fd(rxmaps::paths.index), impl_->fds.fd(rxmaps::path_slots.index));
    std::sort(s.paths.begin(), s.paths.end(), [](const RxPathCounter& a, const RxPathCounter& b) {
        return a.source.bytes != b.source.bytes ? a.source.bytes < b.source.bytes : a.path_id < b.path_id;
    });
    return s;
}

}  // namespace srv6steer
