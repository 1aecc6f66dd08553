// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What the flow hash, the outer flow label and the path choice must be, written
// from their definitions and NOT from include/srv6steer/flowhash.h, so that
// tests comparing the data plane against this fail when the data plane's seed
// or mixing changes. tests/unit/flowhash_test.cpp checks this reference against
// the published MurmurHash3 vectors and both against a table of literal numbers.
//
// The definitions (the comments of include/srv6steer/flowhash.h and
// bpf/lib/classify.h):
//  - hash  = MurmurHash3_x86_32 (Austin Appleby, SMHasher) of the 40 bytes of
//            struct srv6s_flow_key as they lie in memory, seed 0x5256365f;
//  - label of a flow on path p = (h8 << 12) | (p & 0xfff), where h8 is the low
//            8 bits of the hash, 1 where those are 0 (so the label is never 0,
//            which means "no label"); the receiver reads p back as label & 0xfff;
//  - draw a of a flow in a set of n paths = fmix32(hash + a * 0x9e3779b9) % n
//            (fmix32: MurmurHash3's finaliser); draw 0 is the flow's home path.
//    A packet takes its home path if it is up, else the first up path among
//    draws 1 .. n-1, else the first up path in set order;
//  - congestion rank of a flow = the top 4 bits of its hash (hash >> 28); a
//    flow whose home path is up with congestion level L > 0 (of 16) moves when
//    its rank is below L, to the first path among draws 1 .. n-1, then in set
//    order, that is up with a level below L; with none it stays home.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "srv6steer/abi.h"

namespace testref {

// The seed, written out here on purpose (not SRV6S_HASH_SEED): "RV6_" in ASCII.
inline constexpr uint32_t kFlowHashSeed = 0x5256365fu;

inline constexpr uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

inline constexpr uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

// MurmurHash3_x86_32 of len bytes. Blocks are read little-endian, as the
// reference implementation does on the little-endian machines its published
// vectors come from.
inline uint32_t murmur3_32(const void* data, size_t len, uint32_t seed) {
    const auto* p = static_cast<const uint8_t*>(data);
    constexpr uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    auto scramble = [](uint32_t k) { return rotl32(k * c1, 15) * c2; };
    uint32_t h = seed;
    const size_t blocks = len / 4;
    for (size_t i = 0; i < blocks; i++) {
        const uint8_t* b = p + 4 * i;
        const uint32_t k = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
        h ^= scramble(k);
        h = rotl32(h, 13) * 5 + 0xe6546b64u;
    }
    const uint8_t* tail = p + 4 * blocks;
    uint32_t k = 0;
    switch (len & 3) {
    case 3:
        k ^= uint32_t(tail[2]) << 16;
        [[fallthrough]];
    case 2:
        k ^= uint32_t(tail[1]) << 8;
        [[fallthrough]];
    case 1:
        k ^= tail[0];
        h ^= scramble(k);
    }
    return fmix32(h ^ static_cast<uint32_t>(len));
}

// The flow key's bytes are hashed as they lie in memory: ports in host order.
// The literal expectations of the tests are those of a little-endian host.
static_assert(std::endian::native == std::endian::little,
              "the flow-hash expectations are written for little-endian hosts");

inline uint32_t flow_hash(const srv6s_flow_key& k) { return murmur3_32(&k, sizeof k, kFlowHashSeed); }

inline uint32_t flow_label(uint32_t hash, uint32_t path_id) {
    const uint32_t h8 = hash % 256u;
    return (h8 ? h8 : 1u) * 4096u + path_id % 4096u;
}

inline uint32_t path_draw(uint32_t hash, uint32_t attempt, uint32_t n) {
    return fmix32(hash + attempt * 0x9e3779b9u) % n;
}

// Index in the set (of n = up.size() paths) of the path a flow with this
// hash takes, given which paths are up; nullopt if none is.
inline std::optional<size_t> chosen_index(uint32_t hash, const std::vector<bool>& up) {
    const auto n = static_cast<uint32_t>(up.size());
    if (n == 0)
        return std::nullopt;
    for (uint32_t a = 0; a < n; a++)
        if (up[path_draw(hash, a, n)])
            return path_draw(hash, a, n);
    for (uint32_t i = 0; i < n; i++)
        if (up[i])
            return i;
    return std::nullopt;
}

// The same with congestion levels (levels.size() == up.size()).
inline std::optional<size_t> chosen_index(uint32_t hash, const std::vector<bool>& up,
                                          const std::vector<uint32_t>& levels) {
    const auto n = static_cast<uint32_t>(up.size());
    if (n == 0)
        return std::nullopt;
    const size_t home = path_draw(hash, 0, n);
    if (!up[home])
        return chosen_index(hash, up);
    const uint32_t level = levels[home];
    const uint32_t rank = hash / (1u << 28);
    if (n == 1 || level == 0 || rank >= level)
        return home;
    auto better = [&](size_t i) { return up[i] && levels[i] < level; };
    for (uint32_t a = 1; a < n; a++)
        if (better(path_draw(hash, a, n)))
            return path_draw(hash, a, n);
    for (uint32_t i = 0; i < n; i++)
        if (better(i))
            return i;
    return home;
}

// The outer flow label of a flow sent on path path_id.
inline uint32_t expected_label(const srv6s_flow_key& k, uint32_t path_id) {
    return flow_label(flow_hash(k), path_id);
}

}  // namespace testref
