// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// ReceiveConfig <-> struct srv6s_rx_config (include/srv6steer/decap_abi.h),
// and what a config must be before it is written: probe port not 0, a
// return block of at most 64 bits (the program compares the first 8 bytes)
// with a reply source to send returned replies from (docs/design.md §15).
// The SID block filter is not the user's: receive.cpp keeps it.
#include <algorithm>
#include <cstring>
#include <string>

#include "receive_impl.hpp"
#include "text.hpp"

namespace srv6steer {

void check_receive_config(const ReceiveConfig& c) {
    if (c.probe_port == 0)
        throw Error(text::cat({"probe port 0: give a UDP port from 1 to 65535 (the default is ",
                               std::to_string(SRV6S_PROBE_PORT), ")"}));
    if (c.reply_source) {
        const Ipv6& a = *c.reply_source;
        if (a == Ipv6{} || a.is_v4_mapped() || a.bytes[0] == 0xff)
            throw Error(text::cat({"reply source ", a.str(),
                                   ": give one of this host's unicast IPv6 addresses (the outer source of "
                                   "returned probe replies)"}));
    }
    if (c.return_block) {
        const Prefix& b = *c.return_block;
        if (b.is_v4())
            throw Error(text::cat({"return block ", b.str(), ": an IPv6 prefix (the SRv6 block return "
                                                             "containers lie in)"}));
        if (b.len > 64)
            throw Error(text::cat({"return block ", b.str(),
                                   ": at most /64 (return containers are matched on their first 64 bits)"}));
        if (b.len == 0)
            throw Error("return block ::/0: that would accept every return container; give the SRv6 block "
                        "the probing hosts' return SIDs lie in, e.g. fcbb:0::/32");
        if (!c.reply_source)
            throw Error(text::cat({"return block ", b.str(),
                                   " without a reply source: returned replies need an outer source address"}));
    }
}

srv6s_rx_config rx_config_to_abi(const ReceiveConfig& c) {
    srv6s_rx_config v{};
    v.flags = (c.enabled ? SRV6S_RX_CFG_ENABLED : 0) | (c.ecn_drop ? SRV6S_RX_CFG_ECN_DROP_NOT_ECT : 0) |
              (c.path_stats ? 0 : SRV6S_RX_CFG_NO_PATH_STATS) | (c.probes ? SRV6S_RX_CFG_PROBES : 0);
    v.probe_port = c.probe_port == SRV6S_PROBE_PORT ? 0 : c.probe_port;
    if (c.reply_source)
        std::memcpy(v.src, c.reply_source->bytes.data(), sizeof v.src);
    if (c.return_block) {
        for (unsigned i = 0; i < 8; i++) {
            const unsigned bits = c.return_block->len > 8 * i ? std::min(8u, c.return_block->len - 8 * i) : 0;
            v.ret_block_mask[i] = static_cast<uint8_t>(0xff00u >> bits);
            v.ret_block[i] = c.return_block->addr.bytes[i] & v.ret_block_mask[i];
        }
    }
    return v;
}

ReceiveConfig rx_config_from_abi(const srv6s_rx_config& v) {
    ReceiveConfig c;
    c.enabled = v.flags & SRV6S_RX_CFG_ENABLED;
    c.ecn_drop = v.flags & SRV6S_RX_CFG_ECN_DROP_NOT_ECT;
    c.path_stats = !(v.flags & SRV6S_RX_CFG_NO_PATH_STATS);
    c.probes = v.flags & SRV6S_RX_CFG_PROBES;
    c.probe_port = v.probe_port ? v.probe_port : SRV6S_PROBE_PORT;
    Ipv6 src;
    std::memcpy(src.bytes.data(), v.src, sizeof v.src);
    if (src != Ipv6{})
        c.reply_source = src;
    Prefix b;
    b.len = 0;
    for (unsigned i = 0; i < 8; i++) {
        b.addr.bytes[i] = v.ret_block[i];
        b.len += static_cast<unsigned>(__builtin_popcount(v.ret_block_mask[i]));
    }
    if (b.len)
        c.return_block = b;
    return c;
}

}  // namespace srv6steer
