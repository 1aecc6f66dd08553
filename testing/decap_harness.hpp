// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Runs the receive-side programs (bpf/srv6steer_decap.bpf.c: XDP and TC
// ingress) with BPF_PROG_TEST_RUN on a freshly loaded object, and sets their
// maps up in the vocabulary of the tests. Users link srv6steer_decap_bpf_skel.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bpf_map.hpp"
#include "packet.hpp"
#include "srv6steer/decap_abi.h"
#include "srv6steer_decap_bpf.skel.h"

namespace testpkt {

enum class Hook { Xdp, Tc };

inline const char* hook_name(Hook h) { return h == Hook::Xdp ? "xdp" : "tc"; }
inline void PrintTo(Hook h, std::ostream* os) { *os << hook_name(h); }  // gtest parameter names

// What each hook answers for a frame it passes and for one it drops.
inline int pass_verdict(Hook h) { return h == Hook::Xdp ? 2 /* XDP_PASS */ : SRV6S_TC_CONTINUE; }
inline int drop_verdict(Hook h) { return h == Hook::Xdp ? 1 /* XDP_DROP */ : SRV6S_TC_DROP; }
// ... and for a probe reply it sends back out where the request came in.
inline int send_verdict(Hook h) { return h == Hook::Xdp ? 3 /* XDP_TX */ : 7 /* TC_ACT_REDIRECT */; }

struct DecapRun {
    int verdict;
    Bytes out;
};

class DecapHarness {
public:
    // max_rx_paths: the size of the per-path LRU (preallocated, per CPU: a
    // small one loads much faster than the default 2^16).
    explicit DecapHarness(uint32_t max_rx_paths = 1024) : skel_(srv6steer_decap_bpf__open()) {
        if (!skel_)
            throw std::runtime_error("opening bpf/srv6steer_decap.bpf.c: " + std::string(strerror(errno)));
        if (int err = bpf_map__set_max_entries(skel_->maps.srv6s_rx_paths, max_rx_paths))
            throw std::runtime_error("sizing srv6s_rx_paths: " + std::string(strerror(-err)));
        if (int err = srv6steer_decap_bpf__load(skel_.get()))
            throw std::runtime_error("loading bpf/srv6steer_decap.bpf.c: " + std::string(strerror(-err)) +
                                     " (run as root)");
    }

    int prog_fd(Hook h) const {
        return bpf_program__fd(h == Hook::Xdp ? skel_->progs.srv6s_xdp_decap : skel_->progs.srv6s_tc_decap);
    }

    DecapRun run(Hook h, const Bytes& in) const {
        DecapRun r;
        if (int err = try_run(h, in, r))
            throw std::runtime_error(std::string("BPF_PROG_TEST_RUN (") + hook_name(h) +
                                     ") failed: " + strerror(err));
        return r;
    }

    // 0, or the errno with which the kernel refused to run the program.
    int try_run(Hook h, const Bytes& in, DecapRun& result) const {
        Bytes out(in.size() + 512);
        LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(), .data_out = out.data(),
                    .data_size_in = static_cast<__u32>(in.size()),
                    .data_size_out = static_cast<__u32>(out.size()), .repeat = 1);
        if (int err = bpf_prog_test_run_opts(prog_fd(h), &opts))
            return -err;
        out.resize(opts.data_size_out);
        result = {static_cast<int>(opts.retval), out};
        return 0;
    }

    // block_len bits of block: the SID block (used with SRV6S_RX_CFG_BLOCK).
    void config(uint32_t flags = SRV6S_RX_CFG_DEFAULT, const Addr6& block = {}, uint32_t block_len = 0) {
        srv6s_rx_config c{};
        c.flags = flags;
        for (uint32_t i = 0; i < 8; i++) {
            const uint32_t bits = block_len > 8 * i ? std::min(8u, block_len - 8 * i) : 0;
            c.block_mask[i] = static_cast<uint8_t>(0xff00u >> bits);
            c.block[i] = block[i] & c.block_mask[i];
        }
        config_map().update(0, c);
    }

    // The whole config, as written (probes: docs/design.md §15).
    void config(const srv6s_rx_config& c) { config_map().update(0, c); }

    // Per-CPU counters of (outer source, path id) as they stand before a
    // run: cpu i gets per_cpu[i % size] (every possible CPU gets a value).
    void seed_path(const Addr6& src, uint32_t path_id, const std::vector<srv6s_rx_path_stats>& per_cpu) {
        srv6s_rx_path_key k{};
        std::memcpy(k.src, src.data(), 16);
        k.path_id = path_id;
        std::vector<srv6s_rx_path_stats> v(static_cast<size_t>(libbpf_num_possible_cpus()));
        for (size_t i = 0; i < v.size(); i++)
            v[i] = per_cpu[i % per_cpu.size()];
        if (bpf_map_update_elem(paths_fd(), &k, v.data(), BPF_ANY))
            throw std::runtime_error("seeding srv6s_rx_paths: " + std::string(strerror(errno)));
    }

    void sid(const Addr6& addr, uint32_t prefixlen, uint32_t behavior, uint32_t flags = 0) {
        srv6s_prefix_key k{};
        k.prefixlen = prefixlen;
        std::memcpy(k.addr, addr.data(), 16);
        srv6s_local_sid v{};
        v.behavior = behavior;
        v.flags = flags;
        srv6steer::Map<srv6s_prefix_key, srv6s_local_sid>(bpf_map__fd(skel_->maps.srv6s_local_sids),
                                                            "local_sids")
            .update(k, v);
    }

    std::array<srv6s_counter, SRV6S_RX_R_MAX> reasons() const {
        std::array<srv6s_counter, SRV6S_RX_R_MAX> out{};
        srv6steer::PerCpuArray<srv6s_counter> map(bpf_map__fd(skel_->maps.srv6s_rx_reasons), "rx_reasons");
        for (uint32_t r = 0; r < SRV6S_RX_R_MAX; r++)
            out[r] = map.sum(r);
        return out;
    }

    // The per-path counters of (outer source, path id), summed over CPUs:
    // its slots (include/srv6steer/decap_abi.h, struct srv6s_rx_path_slot)
    // where it holds one, and its LRU entry. Read here with the ABI alone,
    // not with the library's reader (libsrv6steer/receive_stats.cpp).
    std::optional<srv6s_rx_path_stats> path(const Addr6& src, uint32_t path_id) const {
        srv6s_rx_path_key k{};
        std::memcpy(k.src, src.data(), 16);
        k.path_id = path_id;
        bool found = false;
        srv6s_rx_path_stats sum{};
        auto add = [&](const srv6s_rx_path_stats& s) {
            sum.packets += s.packets;
            sum.bytes += s.bytes;
            sum.ce_packets += s.ce_packets;
            found = true;
        };
        std::vector<srv6s_rx_path_stats> v(ncpu());
        if (bpf_map_lookup_elem(paths_fd(), &k, v.data()) == 0)
            for (const auto& s : v)
                add(s);
        for (const auto& [key, stats] : slotted())
            if (std::memcmp(&key, &k, sizeof k) == 0)
                add(stats);
        if (!found)
            return std::nullopt;
        return sum;
    }

    // Distinct sender paths counted, in slots or in the LRU.
    size_t path_count() const {
        std::vector<std::array<uint8_t, sizeof(srv6s_rx_path_key)>> keys;
        auto note = [&](const srv6s_rx_path_key& k) {
            std::array<uint8_t, sizeof k> b;
            std::memcpy(b.data(), &k, sizeof k);
            keys.push_back(b);
        };
        for (const auto& k : lru_keys())
            note(k);
        for (const auto& [key, stats] : slotted())
            note(key);
        std::sort(keys.begin(), keys.end());
        return static_cast<size_t>(std::unique(keys.begin(), keys.end()) - keys.begin());
    }

    // Entries of the LRU alone, and every used slot of every CPU.
    size_t lru_paths() const { return lru_keys().size(); }
    std::vector<std::pair<srv6s_rx_path_key, srv6s_rx_path_stats>> slotted() const {
        std::vector<std::pair<srv6s_rx_path_key, srv6s_rx_path_stats>> out;
        std::vector<srv6s_rx_path_slot> v(ncpu());
        const int fd = bpf_map__fd(skel_->maps.srv6s_rx_path_slots);
        for (uint32_t i = 0; i < SRV6S_RX_PATH_SLOTS; i++) {
            if (bpf_map_lookup_elem(fd, &i, v.data()))
                throw std::runtime_error("reading srv6s_rx_path_slots: " + std::string(strerror(errno)));
            for (const auto& s : v)
                if (s.used)
                    out.emplace_back(s.key, s.stats);
        }
        return out;
    }

private:
    struct Deleter {
        void operator()(srv6steer_decap_bpf* s) const { srv6steer_decap_bpf__destroy(s); }
    };

    srv6steer::Map<uint32_t, srv6s_rx_config> config_map() const {
        return {bpf_map__fd(skel_->maps.srv6s_rx_config), "rx_config"};
    }
    int paths_fd() const { return bpf_map__fd(skel_->maps.srv6s_rx_paths); }
    static size_t ncpu() { return static_cast<size_t>(libbpf_num_possible_cpus()); }
    std::vector<srv6s_rx_path_key> lru_keys() const {
        std::vector<srv6s_rx_path_key> out;
        srv6s_rx_path_key k{}, next{};
        for (const void* prev = nullptr; bpf_map_get_next_key(paths_fd(), prev, &next) == 0; prev = &k) {
            k = next;
            out.push_back(k);
        }
        return out;
    }

    std::unique_ptr<srv6steer_decap_bpf, Deleter> skel_;
};

}  // namespace testpkt
