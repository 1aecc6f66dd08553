// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI's lifecycle: attach (srv6s_attach_opts), open, detach, close,
// connect (remote mode, through the agent), and removing the state of dead
// attachments.
#include <memory>
#include <string_view>
#include <vector>

#include "capi.hpp"

using namespace srv6steer;
using namespace srv6steer::capi;

static_assert(std::string_view(SRV6S_DEFAULT_AGENT_SOCKET) == srv6steer::kDefaultAgentSocket,
              "srv6steer.h and srv6steer.hpp name the same agent socket");

namespace {

std::string field(const char* name) { return std::string("srv6s_attach_opts.") + name; }

Hook hook_of(uint32_t v) {
    switch (v) {
    case SRV6S_HOOK_AUTO:
        return Hook::Auto;
    case SRV6S_HOOK_TCX:
        return Hook::Tcx;
    case SRV6S_HOOK_CLSACT:
        return Hook::Clsact;
    default:
        throw Error(field("hook") + " " + std::to_string(v) +
                    " is not an enum srv6s_hook: SRV6S_HOOK_AUTO (0), SRV6S_HOOK_TCX (1) or "
                    "SRV6S_HOOK_CLSACT (2)");
    }
}

// Zero keeps the default; anything else replaces it.
void set_nonzero(uint32_t& dst, uint32_t v) {
    if (v)
        dst = v;
}

AttachOptions attach_options(const char* ifname, const srv6s_attach_opts* opts) {
    AttachOptions o;
    o.ifname = text_arg(ifname, "no interface name (NULL)");
    const srv6s_attach_opts* in = checked_opts(opts);
    if (!in)
        return o;
    if (const char* source = SRV6S_OPT(in, source))
        o.source = Ipv6::parse(source);
    if (const char* bpffs = SRV6S_OPT(in, bpffs))
        o.bpffs = bpffs;
    o.hook = hook_of(SRV6S_OPT(in, hook));
    if (const uint32_t hop = SRV6S_OPT(in, hop_limit)) {
        need(hop <= 255, field("hop_limit") + " " + std::to_string(hop) +
                             " is out of range: 1 to 255 (0: the default, 64)");
        o.hop_limit = static_cast<uint8_t>(hop);
    }
    o.mtu = SRV6S_OPT(in, mtu);
    o.fixed_gso = toggle(SRV6S_OPT(in, fixed_gso), o.fixed_gso, field("fixed_gso"));
    o.route_mtu = toggle(SRV6S_OPT(in, route_mtu), o.route_mtu, field("route_mtu"));
    o.drop_oversize = toggle(SRV6S_OPT(in, drop_oversize), o.drop_oversize, field("drop_oversize"));
    set_nonzero(o.max_flows, SRV6S_OPT(in, max_flows));
    set_nonzero(o.max_qps, SRV6S_OPT(in, max_qps));
    set_nonzero(o.max_prefixes, SRV6S_OPT(in, max_prefixes));
    set_nonzero(o.max_cgroups, SRV6S_OPT(in, max_cgroups));
    need(SRV6S_OPT(in, reserved) == 0, field("reserved") + " is not zero: no option is defined there");
    need(SRV6S_OPT(in, reserved2) == 0, field("reserved2") + " is not zero: no option is defined there");
    return o;
}

}  // namespace

extern "C" {

int srv6s_attach(const char* ifname, const struct srv6s_attach_opts* opts, srv6s_handle** out) {
    if (out)
        *out = nullptr;
    return guarded([&] {
        auto h = std::make_unique<srv6s_handle>(Steering::attach(attach_options(ifname, opts)));
        if (out)
            *out = h.release();
        return 0;
    });
}

int srv6s_open(const char* ifname, const char* bpffs, srv6s_handle** out) {
    if (out)
        *out = nullptr;
    return guarded([&] {
        need(out != nullptr, "nowhere to put the handle (out is NULL)");
        *out = new srv6s_handle(
            Steering::open(text_arg(ifname, "no interface name (NULL)"), bpffs_or_default(bpffs)));
        return 0;
    });
}

int srv6s_detach(const char* ifname, const char* bpffs) {
    return guarded([&] {
        const char* name = text_arg(ifname, "no interface name (NULL)");
        if (!Steering::detach(name, bpffs_or_default(bpffs)))
            return fail(-ENOENT, std::string("srv6steer is not attached to ") + name);
        return 0;
    });
}

void srv6s_close(srv6s_handle* h) { delete h; }

int srv6s_connect(const char* socket_path, const char* ifname, srv6s_handle** out) {
    if (out)
        *out = nullptr;
    return guarded([&] {
        need(out != nullptr, "nowhere to put the handle (out is NULL)");
        *out = new srv6s_handle(
            Steering::connect(socket_path ? socket_path : kDefaultAgentSocket, ifname ? ifname : ""));
        return 0;
    });
}

int srv6s_is_remote(srv6s_handle* h) {
    return guarded([&] { return steering_of(h).remote() ? 1 : 0; });
}

int srv6s_remove_dead(const char* bpffs, size_t* n_removed, srv6s_text_fn fn, void* ctx) {
    if (n_removed)
        *n_removed = 0;
    return guarded([&] {
        const std::vector<std::string> dirs = Steering::remove_dead(bpffs_or_default(bpffs));
        if (n_removed)
            *n_removed = dirs.size();
        if (fn)
            for (const auto& dir : dirs)
                if (int rc = fn(dir.c_str(), ctx))
                    return rc;
        return 0;
    });
}

}  // extern "C"
