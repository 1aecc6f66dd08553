// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI's pins: flows, queue pairs, prefixes, sockets and cgroups
// (srv6s_pin_opts), their lists, and parsing a flow and a cgroup.
#include <unistd.h>

#include <chrono>
#include <climits>
#include <vector>

#include "capi.hpp"
#include "text.hpp"

using namespace srv6steer;
using namespace srv6steer::capi;

namespace {

PinOptions pin_options(const srv6s_pin_opts* opts) {
    PinOptions o;  // owned by the calling process, no replacing
    const srv6s_pin_opts* in = checked_opts(opts);
    if (!in)
        return o;
    const uint32_t pid = SRV6S_OPT(in, owner_pid);
    const uint64_t cgroup = SRV6S_OPT(in, owner_cgroup);
    switch (const uint32_t owner = SRV6S_OPT(in, owner)) {
    case SRV6S_OWNER_SELF:
    case SRV6S_OWNER_NONE:
        need(pid == 0 && cgroup == 0,
             std::string("srv6s_pin_opts.owner_pid/owner_cgroup are set, but owner is ") +
                 (owner == SRV6S_OWNER_SELF ? "SRV6S_OWNER_SELF" : "SRV6S_OWNER_NONE") +
                 ": set owner to SRV6S_OWNER_PID to name another process");
        o.owner = owner == SRV6S_OWNER_SELF ? Owner::self() : Owner::none();
        break;
    case SRV6S_OWNER_PID:
        need(pid > 0 && pid <= INT_MAX, "srv6s_pin_opts.owner_pid " + std::to_string(pid) +
                                            " is not a process id (SRV6S_OWNER_PID needs one)");
        if (pid == static_cast<uint32_t>(getpid()) && cgroup == 0)
            o.owner = Owner::self();  // also records our cgroup
        else
            o.owner = Owner{pid, cgroup};
        break;
    default:
        throw Error("srv6s_pin_opts.owner " + std::to_string(owner) +
                    " is not an enum srv6s_owner: SRV6S_OWNER_SELF (0), SRV6S_OWNER_NONE (1) or "
                    "SRV6S_OWNER_PID (2)");
    }
    o.replace = SRV6S_OPT(in, replace) != 0;
    need(SRV6S_OPT(in, reserved) == 0, "srv6s_pin_opts.reserved is not zero: no option is defined there");
    return o;
}

Flow flow_of(const srv6s_flow* c) {
    need(c != nullptr, "no flow (NULL)");
    Flow f;
    f.proto = c->proto;
    f.src = Ipv6::parse_any(field_text(c->src, "flow source address"));
    f.dst = Ipv6::parse_any(field_text(c->dst, "flow destination address"));
    f.sport = c->sport;
    f.dport = c->dport;
    return f;
}

srv6s_flow c_flow(const Flow& f) {
    srv6s_flow c{};
    copy_text(c.src, text::address(f.src), "the flow's source address");
    copy_text(c.dst, text::address(f.dst), "the flow's destination address");
    c.sport = f.sport;
    c.dport = f.dport;
    c.proto = f.proto;
    return c;
}

srv6s_pin_info c_pin_info(const Target& t, const PinInfo& i) {
    srv6s_pin_info c{};
    c.target_kind = t.kind == Target::Kind::Set ? SRV6S_TARGET_SET : SRV6S_TARGET_PATH;
    c.target_id = t.id;
    c.owner_pid = i.owner.pid;
    c.owner_cgroup = i.owner.cgroup;
    c.flags = i.ignore_down ? uint32_t(SRV6S_PIN_INFO_IGNORE_DOWN) : 0U;
    c.created_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(i.created.time_since_epoch()).count());
    c.packets = i.packets;
    c.bytes = i.bytes;
    return c;
}

Qp qp_of(const char* dst, uint32_t qp) {
    return Qp{Ipv6::parse_any(text_arg(dst, "no queue pair destination (NULL)")), qp};
}

srv6s_socket_entry c_socket(const PinnedSocket& p) {
    srv6s_socket_entry e{};
    e.cookie = p.cookie;
    e.family = static_cast<uint32_t>(p.family);
    e.flow = c_flow(p.flow);
    e.pin = c_pin_info(p.target, p.info);
    return e;
}

// A batch's elements, converted one by one; a bad one names its index.
template <class In, class Convert>
auto batch_of(const In* in, size_t n, const char* what, Convert convert) {
    need(n == 0 || in != nullptr, std::string("no ") + what + "s (NULL)");
    std::vector<decltype(convert(in[0]))> out;
    out.reserve(n);
    for (size_t i = 0; i < n; i++) {
        try {
            out.push_back(convert(in[i]));
        } catch (const Error& e) {
            throw Error(std::string(what) + " " + std::to_string(i) + " of the batch: " + e.what() +
                            "; nothing was pinned",
                        e.code());
        }
    }
    return out;
}

int not_pinned(const std::string& what, const std::string& ifname) {
    return fail(-ENOENT, what + " is not pinned on " + ifname);
}

// Calls fn with the C form of every pin list() returns.
template <class Fn, class List, class ToC>
int walk(Fn fn, void* ctx, List list, ToC to_c) {
    need(fn != nullptr, "no callback (NULL)");
    for (const auto& p : list()) {
        const auto e = to_c(p);
        if (int rc = fn(&e, ctx))
            return rc;
    }
    return 0;
}

}  // namespace

extern "C" {

int srv6s_pin_flow(srv6s_handle* h, const struct srv6s_flow* flow, uint32_t target_kind,
                   uint32_t target_id, const struct srv6s_pin_opts* opts) {
    return guarded([&] {
        auto& s = steering_of(h);
        s.pin(flow_of(flow), target_of(target_kind, target_id), pin_options(opts));
        return 0;
    });
}

int srv6s_unpin_flow(srv6s_handle* h, const struct srv6s_flow* flow) {
    return guarded([&] {
        auto& s = steering_of(h);
        const Flow f = flow_of(flow);
        return s.unpin(f) ? 0 : not_pinned("flow " + f.str(), s.ifname());
    });
}

int srv6s_pin_flows(srv6s_handle* h, const struct srv6s_flow_pin* pins, size_t n,
                    const struct srv6s_pin_opts* opts, size_t* n_added) {
    if (n_added)
        *n_added = 0;
    return guarded([&] {
        auto& s = steering_of(h);
        const auto batch = batch_of(pins, n, "flow", [](const srv6s_flow_pin& p) {
            return std::pair{flow_of(&p.flow), target_of(p.target_kind, p.target_id)};
        });
        const size_t added = s.pin_flows(batch, pin_options(opts));
        if (n_added)
            *n_added = added;
        return 0;
    });
}

int srv6s_flow_parse(const char* text, struct srv6s_flow* out) {
    return guarded([&] {
        need(out != nullptr, "nowhere to put the flow (out is NULL)");
        *out = c_flow(Flow::parse(text_arg(text, "no flow text (NULL)")));
        return 0;
    });
}

int srv6s_pin_qp(srv6s_handle* h, const char* dst, uint32_t qp, uint32_t target_kind,
                 uint32_t target_id, const struct srv6s_pin_opts* opts) {
    return guarded([&] {
        auto& s = steering_of(h);
        s.pin(qp_of(dst, qp), target_of(target_kind, target_id), pin_options(opts));
        return 0;
    });
}

int srv6s_unpin_qp(srv6s_handle* h, const char* dst, uint32_t qp) {
    return guarded([&] {
        auto& s = steering_of(h);
        const Qp q = qp_of(dst, qp);
        return s.unpin(q) ? 0 : not_pinned("queue pair " + q.str(), s.ifname());
    });
}

int srv6s_pin_prefix(srv6s_handle* h, const char* prefix, uint32_t target_kind,
                     uint32_t target_id, const struct srv6s_pin_opts* opts) {
    return guarded([&] {
        auto& s = steering_of(h);
        s.pin(Prefix::parse(text_arg(prefix, "no prefix (NULL)")), target_of(target_kind, target_id),
              pin_options(opts));
        return 0;
    });
}

int srv6s_unpin_prefix(srv6s_handle* h, const char* prefix) {
    return guarded([&] {
        auto& s = steering_of(h);
        const Prefix p = Prefix::parse(text_arg(prefix, "no prefix (NULL)"));
        return s.unpin(p) ? 0 : not_pinned("prefix " + p.str(), s.ifname());
    });
}

int srv6s_list_flows(srv6s_handle* h, srv6s_flow_fn fn, void* ctx) {
    return guarded([&] {
        auto& s = steering_of(h);
        return walk(fn, ctx, [&] { return s.flows(); }, [](const Pinned<Flow>& p) {
            return srv6s_flow_entry{c_flow(p.key), c_pin_info(p.target, p.info)};
        });
    });
}

int srv6s_list_qps(srv6s_handle* h, srv6s_qp_fn fn, void* ctx) {
    return guarded([&] {
        auto& s = steering_of(h);
        return walk(fn, ctx, [&] { return s.qps(); }, [](const Pinned<Qp>& p) {
            srv6s_qp_entry e{};
            copy_text(e.dst, text::address(p.key.dst), "the queue pair's destination");
            e.qp = p.key.qp;
            e.pin = c_pin_info(p.target, p.info);
            return e;
        });
    });
}

int srv6s_list_prefixes(srv6s_handle* h, srv6s_prefix_fn fn, void* ctx) {
    return guarded([&] {
        auto& s = steering_of(h);
        return walk(fn, ctx, [&] { return s.prefixes(); }, [](const Pinned<Prefix>& p) {
            srv6s_prefix_entry e{};
            copy_text(e.prefix, p.key.str(), "the prefix");
            e.pin = c_pin_info(p.target, p.info);
            return e;
        });
    });
}

// ---- sockets ---------------------------------------------------------------------------

int srv6s_pin_socket(srv6s_handle* h, int fd, uint32_t target_kind, uint32_t target_id,
                     const struct srv6s_pin_opts* opts) {
    return guarded([&] {
        auto& s = steering_of(h);
        s.pin_socket(fd, target_of(target_kind, target_id), pin_options(opts));
        return 0;
    });
}

int srv6s_pin_sockets(srv6s_handle* h, const struct srv6s_socket_pin* pins, size_t n,
                      const struct srv6s_pin_opts* opts, size_t* n_new) {
    if (n_new)
        *n_new = 0;
    return guarded([&] {
        auto& s = steering_of(h);
        const auto batch = batch_of(pins, n, "socket", [](const srv6s_socket_pin& p) {
            return std::pair<int, Target>{p.fd, target_of(p.target_kind, p.target_id)};
        });
        const size_t added = s.pin_sockets(batch, pin_options(opts));
        if (n_new)
            *n_new = added;
        return 0;
    });
}

int srv6s_unpin_socket(srv6s_handle* h, int fd) {
    return guarded([&] {
        auto& s = steering_of(h);
        return s.unpin_socket(fd) ? 0 : not_pinned("socket fd " + std::to_string(fd), s.ifname());
    });
}

int srv6s_get_socket_pin(srv6s_handle* h, int fd, struct srv6s_socket_entry* out) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(out != nullptr, "nowhere to put the socket's pin (out is NULL)");
        const auto p = s.socket_pin(fd);
        if (!p)
            return not_pinned("socket fd " + std::to_string(fd), s.ifname());
        *out = c_socket(*p);
        return 0;
    });
}

int srv6s_list_sockets(srv6s_handle* h, srv6s_socket_fn fn, void* ctx) {
    return guarded([&] {
        auto& s = steering_of(h);
        return walk(fn, ctx, [&] { return s.sockets(); }, c_socket);
    });
}

// ---- cgroups ---------------------------------------------------------------------------

int srv6s_cgroup_id(const char* path, uint64_t* out) {
    if (out)
        *out = 0;
    return guarded([&] {
        need(out != nullptr, "nowhere to put the cgroup id (out is NULL)");
        *out = Cgroup::parse(text_arg(path, "no cgroup path (NULL)")).id;
        return 0;
    });
}

int srv6s_pin_cgroup(srv6s_handle* h, uint64_t cgroup_id, uint32_t target_kind, uint32_t target_id,
                     const struct srv6s_pin_opts* opts) {
    return guarded([&] {
        auto& s = steering_of(h);
        s.pin(Cgroup{cgroup_id}, target_of(target_kind, target_id), pin_options(opts));
        return 0;
    });
}

int srv6s_unpin_cgroup(srv6s_handle* h, uint64_t cgroup_id) {
    return guarded([&] {
        auto& s = steering_of(h);
        const Cgroup c{cgroup_id};
        return s.unpin(c) ? 0 : not_pinned("cgroup " + c.str(), s.ifname());
    });
}

int srv6s_list_cgroups(srv6s_handle* h, srv6s_cgroup_fn fn, void* ctx) {
    return guarded([&] {
        auto& s = steering_of(h);
        return walk(fn, ctx, [&] { return s.cgroups(); }, [](const Pinned<Cgroup>& p) {
            return srv6s_cgroup_entry{p.key.id, c_pin_info(p.target, p.info)};
        });
    });
}

}  // extern "C"
