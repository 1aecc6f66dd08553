// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI of the receive side (srv6steer/receive.h) over srv6steer::Receive:
// attach, open, detach, local SIDs, settings and counters.
#include <iterator>
#include <memory>

#include "capi.hpp"
#include "text.hpp"

struct srv6s_rx_handle {
    srv6steer::Receive receive;
    explicit srv6s_rx_handle(srv6steer::Receive&& r) : receive(std::move(r)) {}
};

namespace srv6steer::capi {

template <>
struct Sized<srv6s_rx_attach_opts> {
    static constexpr size_t known = offsetof(srv6s_rx_attach_opts, reserved) + sizeof(uint32_t);
    static constexpr const char* name = "srv6s_rx_attach_opts";
};
template <>
struct Sized<srv6s_sid_opts> {
    static constexpr size_t known = offsetof(srv6s_sid_opts, no_path_stats) + sizeof(uint32_t);
    static constexpr const char* name = "srv6s_sid_opts";
};
template <>
struct Sized<srv6s_rx_settings> {
    static constexpr size_t known = offsetof(srv6s_rx_settings, reserved) + sizeof(uint32_t);
    static constexpr const char* name = "srv6s_rx_settings";
};
#if UINTPTR_MAX == UINT64_MAX
static_assert(Sized<srv6s_rx_attach_opts>::known == sizeof(srv6s_rx_attach_opts));
static_assert(Sized<srv6s_sid_opts>::known == sizeof(srv6s_sid_opts));
static_assert(Sized<srv6s_rx_settings>::known == sizeof(srv6s_rx_settings));
#endif

}  // namespace srv6steer::capi

using namespace srv6steer;
using namespace srv6steer::capi;

namespace {

Receive& receive_of(srv6s_rx_handle* h) {
    need(h != nullptr, "no receive handle (NULL): srv6s_rx_attach or srv6s_rx_open first");
    return h->receive;
}

RxMode mode_of(uint32_t v) {
    switch (v) {
    case SRV6S_RX_MODE_AUTO:
        return RxMode::Auto;
    case SRV6S_RX_MODE_NATIVE:
        return RxMode::Native;
    case SRV6S_RX_MODE_GENERIC:
        return RxMode::Generic;
    case SRV6S_RX_MODE_TC:
        return RxMode::Tc;
    default:
        throw Error("srv6s_rx_attach_opts.mode " + std::to_string(v) +
                    " is not an enum srv6s_rx_mode: SRV6S_RX_MODE_AUTO (0), SRV6S_RX_MODE_NATIVE (1), "
                    "SRV6S_RX_MODE_GENERIC (2) or SRV6S_RX_MODE_TC (3)");
    }
}

uint32_t c_toggle(bool on) { return on ? SRV6S_ON : SRV6S_OFF; }

// The handle for *out, or nothing when the caller wants none.
int hand_out(Receive&& r, srv6s_rx_handle** out) {
    if (out)
        *out = new srv6s_rx_handle(std::move(r));
    return 0;
}

}  // namespace

extern "C" {

int srv6s_rx_attach(const char* ifname, const struct srv6s_rx_attach_opts* opts, srv6s_rx_handle** out) {
    if (out)
        *out = nullptr;
    return guarded([&] {
        ReceiveAttachOptions o;
        o.ifname = text_arg(ifname, "no interface name (NULL)");
        if (const auto* in = checked_opts(opts)) {
            if (const char* bpffs = SRV6S_OPT(in, bpffs))
                o.bpffs = bpffs;
            o.mode = mode_of(SRV6S_OPT(in, mode));
        }
        return hand_out(Receive::attach(o), out);
    });
}

int srv6s_rx_open(const char* bpffs, srv6s_rx_handle** out) {
    if (out)
        *out = nullptr;
    return guarded([&] { return hand_out(Receive::open(bpffs_or_default(bpffs)), out); });
}

int srv6s_rx_detach(const char* ifname, const char* bpffs) {
    return guarded([&] {
        const char* name = text_arg(ifname, "no interface name (NULL)");
        if (!Receive::detach(name, bpffs_or_default(bpffs)))
            return fail(-ENOENT, text::cat({"the receive side is not attached to ", name}));
        return 0;
    });
}

void srv6s_rx_close(srv6s_rx_handle* h) { delete h; }

int srv6s_rx_interfaces(const char* bpffs, srv6s_text_fn fn, void* ctx) {
    return guarded([&] {
        need(fn != nullptr, "no callback (NULL)");
        for (const auto& name : Receive::attached(bpffs_or_default(bpffs)))
            if (int rc = fn(name.c_str(), ctx))
                return rc;
        return 0;
    });
}

int srv6s_rx_add_sid(srv6s_rx_handle* h, const char* prefix, const char* behavior, const struct srv6s_sid_opts* opts,
                     int* added) {
    if (added)
        *added = 0;
    return guarded([&] {
        auto& r = receive_of(h);
        LocalSid sid;
        sid.prefix = Prefix::parse(text_arg(prefix, "no SID prefix (NULL)"));
        sid.behavior = parse_sid_behavior(text_arg(behavior, "no SID behaviour (NULL)"));
        bool replace = false;
        if (const auto* in = checked_opts(opts)) {
            replace = SRV6S_OPT(in, replace) != 0;
            sid.path_stats = SRV6S_OPT(in, no_path_stats) == 0;
        }
        const bool is_new = r.add_sid(sid, replace);
        if (added)
            *added = is_new ? 1 : 0;
        return 0;
    });
}

int srv6s_rx_remove_sid(srv6s_rx_handle* h, const char* prefix) {
    return guarded([&] {
        auto& r = receive_of(h);
        const Prefix p = Prefix::parse(text_arg(prefix, "no SID prefix (NULL)"));
        if (!r.remove_sid(p))
            return fail(-ENOENT, text::cat({"no local SID ", p.str()}));
        return 0;
    });
}

int srv6s_rx_sids(srv6s_rx_handle* h, srv6s_rx_sid_fn fn, void* ctx) {
    return guarded([&] {
        auto& r = receive_of(h);
        need(fn != nullptr, "no callback (NULL)");
        for (const auto& sid : r.sids()) {
            srv6s_rx_sid c{};
            copy_text(c.prefix, sid.prefix.str(), "the SID's prefix");
            c.behavior = static_cast<uint32_t>(sid.behavior);
            c.path_stats = sid.path_stats ? 1 : 0;
            if (int rc = fn(&c, ctx))
                return rc;
        }
        return 0;
    });
}

const char* srv6s_sid_behavior_name(uint32_t behavior) {
    switch (behavior) {
    case SRV6S_SID_UDT6:
    case SRV6S_SID_UDT4:
    case SRV6S_SID_UDT46:
        return sid_behavior_name(static_cast<SidBehavior>(behavior));
    default:
        return "unknown";
    }
}

int srv6s_rx_config(srv6s_rx_handle* h, struct srv6s_rx_settings* out) {
    return guarded([&] {
        const ReceiveConfig c = receive_of(h).config();
        srv6s_rx_settings full{};
        full.sz = sizeof full;
        full.decap = c_toggle(c.enabled);
        full.ecn_drop = c_toggle(c.ecn_drop);
        full.path_stats = c_toggle(c.path_stats);
        fill_sized(out, full);
        return 0;
    });
}

int srv6s_rx_set_config(srv6s_rx_handle* h, const struct srv6s_rx_settings* settings) {
    return guarded([&] {
        auto& r = receive_of(h);
        // The settings this struct has, from the caller (SRV6S_DEFAULT: the
        // library's default); the probe responder's (not in it) as they are.
        const ReceiveConfig defaults;
        ReceiveConfig c = r.config();
        c.enabled = defaults.enabled;
        c.ecn_drop = defaults.ecn_drop;
        c.path_stats = defaults.path_stats;
        if (const auto* in = checked_opts(settings)) {
            c.enabled = toggle(SRV6S_OPT(in, decap), defaults.enabled, "srv6s_rx_settings.decap");
            c.ecn_drop = toggle(SRV6S_OPT(in, ecn_drop), defaults.ecn_drop, "srv6s_rx_settings.ecn_drop");
            c.path_stats = toggle(SRV6S_OPT(in, path_stats), defaults.path_stats, "srv6s_rx_settings.path_stats");
        }
        r.set_config(c);
        return 0;
    });
}

uint32_t srv6s_rx_reason_count(void) { return SRV6S_RX_R_MAX; }

const char* srv6s_rx_reason_name(uint32_t reason) { return rx_reason_name(reason); }

int srv6s_rx_stats_reasons(srv6s_rx_handle* h, struct srv6s_counter* out, size_t n, size_t* n_reasons) {
    if (n_reasons)
        *n_reasons = SRV6S_RX_R_MAX;
    return guarded([&] {
        auto& r = receive_of(h);
        need(n == 0 || out != nullptr, "nowhere to put the counters (out is NULL)");
        const ReceiveStats st = r.stats();
        for (size_t i = 0; i < n && i < st.reasons.size(); i++)
            out[i] = {st.reasons[i].packets, st.reasons[i].bytes};
        return 0;
    });
}

int srv6s_rx_stats_paths(srv6s_rx_handle* h, srv6s_rx_path_fn fn, void* ctx) {
    return guarded([&] {
        auto& r = receive_of(h);
        need(fn != nullptr, "no callback (NULL)");
        for (const auto& p : r.stats().paths) {
            srv6s_rx_path c{};
            copy_text(c.source, text::address(p.source), "the sender's address");
            c.path_id = p.path_id;
            c.packets = p.packets;
            c.bytes = p.bytes;
            c.ce_packets = p.ce_packets;
            if (int rc = fn(&c, ctx))
                return rc;
        }
        return 0;
    });
}

}  // extern "C"
