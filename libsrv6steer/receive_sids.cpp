// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Local SIDs: the host's own SRv6 SIDs the receive program decapsulates
// (map srv6s_local_sids, longest match on the outer destination), and their
// behaviours' names.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>

#include "receive_impl.hpp"
#include "text.hpp"

namespace srv6steer {

namespace {

srv6s_local_sid to_abi(const LocalSid& s) {
    return {static_cast<uint32_t>(s.behavior), s.path_stats ? 0u : uint32_t(SRV6S_SID_NO_PATH_STATS)};
}

bool valid_behavior(uint32_t b) { return b == SRV6S_SID_UDT6 || b == SRV6S_SID_UDT4 || b == SRV6S_SID_UDT46; }

// The longest prefix of up to 64 bits that every SID lies in (0: none).
unsigned common_bits(const std::vector<Prefix>& sids) {
    if (sids.empty())
        return 0;
    unsigned n = 64;
    for (const Prefix& p : sids) {
        n = std::min(n, p.len);
        for (unsigned bit = 0; bit < n; bit++) {
            const uint8_t m = static_cast<uint8_t>(0x80 >> (bit % 8));
            if ((p.addr.bytes[bit / 8] & m) != (sids[0].addr.bytes[bit / 8] & m)) {
                n = bit;
                break;
            }
        }
    }
    return n;
}

std::vector<Prefix> prefixes_of(const Map<srv6s_prefix_key, srv6s_local_sid>& map) {
    std::vector<Prefix> out;
    for (const auto& k : map.keys())
        out.push_back(Prefix::from_key(k));
    return out;
}

}  // namespace

void Receive::Impl::sync_block(const std::vector<Prefix>& sids) {
    auto map = fds[rxmaps::config];
    srv6s_rx_config v = map.lookup(0).value_or(srv6s_rx_config{});
    srv6s_rx_config want = v;
    std::memset(want.block, 0, sizeof want.block);
    std::memset(want.block_mask, 0, sizeof want.block_mask);
    want.flags &= ~uint32_t(SRV6S_RX_CFG_BLOCK);
    if (const unsigned bits = common_bits(sids)) {
        want.flags |= SRV6S_RX_CFG_BLOCK;
        for (unsigned bit = 0; bit < bits; bit++)
            want.block_mask[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
        for (size_t i = 0; i < sizeof want.block; i++)
            want.block[i] = sids[0].addr.bytes[i] & want.block_mask[i];
    }
    if (std::memcmp(&v, &want, sizeof v) == 0)
        return;
    // An array element is rewritten with a plain copy a reader may see half
    // done: first the flag off, then the block with the flag still off, then
    // the flag on. No reader ever filters with a block that is neither.
    if (v.flags & SRV6S_RX_CFG_BLOCK) {
        v.flags &= ~uint32_t(SRV6S_RX_CFG_BLOCK);
        map.update(0, v);
    }
    v = want;
    v.flags &= ~uint32_t(SRV6S_RX_CFG_BLOCK);
    map.update(0, v);
    if (want.flags & SRV6S_RX_CFG_BLOCK)
        map.update(0, want);
}

void Receive::Impl::sync_block() { sync_block(prefixes_of(fds[rxmaps::sids])); }

bool Receive::add_sid(const LocalSid& sid, bool replace) {
    check_local_sid(sid);
    auto guard = impl_->lock();
    auto map = impl_->fds[rxmaps::sids];
    const srv6s_prefix_key key = sid.prefix.key();
    const srv6s_local_sid value = to_abi(sid);
    if (const auto old = map.lookup(key)) {
        if (old->behavior == value.behavior && old->flags == value.flags)
            return false;
        if (!replace) {
            const bool stats = !(old->flags & SRV6S_SID_NO_PATH_STATS);
            std::string was = sid_behavior_name(static_cast<SidBehavior>(old->behavior));
            if (stats != sid.path_stats)
                was += stats ? ", with path counters" : ", without path counters";
            throw Error("local SID " + sid.prefix.str() + " is there already (" + was +
                            "): remove it first, or add it with replace",
                        EEXIST);
        }
        map.update(key, value, BPF_EXIST);
        return false;
    }
    std::vector<Prefix> after = prefixes_of(map);
    const size_t there = after.size();
    if (there >= SRV6S_MAX_LOCAL_SIDS)
        throw Error("the local SID table is full: " + std::to_string(there) + " SIDs are there, at most " +
                        std::to_string(SRV6S_MAX_LOCAL_SIDS) + " fit; remove some first",
                    E2BIG);
    after.push_back(sid.prefix);
    impl_->sync_block(after);  // widened first: the new SID is inside the filter before it is a SID
    try {
        map.update(key, value, BPF_NOEXIST);
    } catch (const Error& e) {
        impl_->sync_block();
        if (e.code() == E2BIG || e.code() == ENOSPC)
            throw Error("the local SID table is full (" + std::to_string(SRV6S_MAX_LOCAL_SIDS) +
                            " SIDs): remove some first",
                        E2BIG);
        throw;
    }
    return true;
}

bool Receive::remove_sid(const Prefix& prefix) {
    auto guard = impl_->lock();
    const bool removed = impl_->fds[rxmaps::sids].erase(prefix.key());
    impl_->sync_block();  // narrowed after: the SID is gone first
    return removed;
}

std::vector<LocalSid> Receive::sids() const {
    auto guard = impl_->lock();
    std::vector<LocalSid> out;
    for (const auto& [k, v] : impl_->fds[rxmaps::sids].entries()) {
        if (!valid_behavior(v.behavior))
            continue;  // not a SID this build knows: the data plane treats it as not ours
        out.push_back({Prefix::from_key(k), static_cast<SidBehavior>(v.behavior), !(v.flags & SRV6S_SID_NO_PATH_STATS)});
    }
    std::sort(out.begin(), out.end(), [](const LocalSid& a, const LocalSid& b) { return a.prefix < b.prefix; });
    return out;
}

}  // namespace srv6steer
