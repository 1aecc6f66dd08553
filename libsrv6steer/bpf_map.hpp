// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Typed views of BPF maps. A view does not own the fd (the DataPlane or a
// pinned-map handle does); every failed kernel call throws Error naming the
// map, the operation and what to do.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "srv6steer/error.hpp"

namespace srv6steer {

[[noreturn]] void throw_map_error(const std::string& map, const char* op, int err);

template <class K, class V>
class Map {
public:
    Map(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

    int fd() const { return fd_; }
    const std::string& name() const { return name_; }

    // BPF_ANY, BPF_NOEXIST or BPF_EXIST; a full map throws with E2BIG.
    void update(const K& key, const V& value, uint64_t flags = BPF_ANY) {
        if (bpf_map_update_elem(fd_, &key, &value, flags))
            throw_map_error(name_, "update", errno);
    }

    std::optional<V> lookup(const K& key) const {
        V value{};
        if (bpf_map_lookup_elem(fd_, &key, &value) == 0)
            return value;
        if (errno == ENOENT)
            return std::nullopt;
        throw_map_error(name_, "lookup", errno);
    }

    // False when the key was not there.
    bool erase(const K& key) {
        if (bpf_map_delete_elem(fd_, &key) == 0)
            return true;
        if (errno == ENOENT)
            return false;
        throw_map_error(name_, "delete", errno);
    }

    // Whether the map has no entry (one syscall).
    bool empty() const {
        K first{};
        if (bpf_map_get_next_key(fd_, nullptr, &first) == 0)
            return false;
        if (errno != ENOENT)
            throw_map_error(name_, "iterate", errno);
        return true;
    }

    std::vector<K> keys() const {
        std::vector<K> out;
        K key{}, next{};
        const K* prev = nullptr;
        while (bpf_map_get_next_key(fd_, prev, &next) == 0) {
            out.push_back(next);
            key = next;
            prev = &key;
        }
        if (errno != ENOENT)
            throw_map_error(name_, "iterate", errno);
        return out;
    }

    // Every entry: batched (one syscall per 4096 entries) where the map type
    // supports it, key by key otherwise (LPM tries).
    std::vector<std::pair<K, V>> entries() const {
        std::vector<std::pair<K, V>> out;
        constexpr uint32_t kChunk = 4096;
        std::vector<K> ks(kChunk);
        std::vector<V> vs(kChunk);
        K in{}, next{};
        bool first = true;
        for (;;) {
            uint32_t n = kChunk;
            int rc = bpf_map_lookup_batch(fd_, first ? nullptr : &in, &next, ks.data(), vs.data(), &n,
                                          nullptr);
            int err = rc ? errno : 0;
            if (rc && err != ENOENT) {
                if (first && (err == EINVAL || err == ENOTSUP || err == EOPNOTSUPP))
                    break;  // no batch support: fall back below
                throw_map_error(name_, "batch lookup", err);
            }
            for (uint32_t i = 0; i < n; i++)
                out.emplace_back(ks[i], vs[i]);
            if (err == ENOENT)
                return out;
            in = next;
            first = false;
        }
        for (const K& k : keys())
            if (auto v = lookup(k))
                out.emplace_back(k, *v);
        return out;
    }

    void clear() {
        for (const K& k : keys())
            erase(k);
    }

private:
    int fd_;
    std::string name_;
};

// A per-CPU array of counters (struct srv6s_counter-like: packets, bytes),
// read as the sum over CPUs.
template <class V>
class PerCpuArray {
public:
    PerCpuArray(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

    int fd() const { return fd_; }

    std::vector<V> per_cpu(uint32_t index) const {
        int ncpu = libbpf_num_possible_cpus();
        if (ncpu < 0)
            throw_map_error(name_, "count CPUs for", -ncpu);
        std::vector<V> values(static_cast<size_t>(ncpu));
        if (bpf_map_lookup_elem(fd_, &index, values.data()))
            throw_map_error(name_, "lookup", errno);
        return values;
    }

    V sum(uint32_t index) const {
        V total{};
        for (const V& v : per_cpu(index)) {
            total.packets += v.packets;
            total.bytes += v.bytes;
        }
        return total;
    }

    void reset(uint32_t index) {
        std::vector<V> zeros(per_cpu(index).size());
        if (bpf_map_update_elem(fd_, &index, zeros.data(), BPF_ANY))
            throw_map_error(name_, "reset", errno);
    }

private:
    int fd_;
    std::string name_;
};

}  // namespace srv6steer
