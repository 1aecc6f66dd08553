// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI (srv6steer.h) over the C++ API: every call catches what the C++
// side throws and turns it into a negative errno plus a per-thread message.
#include "srv6steer/srv6steer.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "srv6steer/srv6steer.hpp"

#ifndef SRV6S_VERSION_STRING
#error "SRV6S_VERSION_STRING must be defined by the build"
#endif

using namespace srv6steer;

struct srv6s_handle {
    Steering steering;
    explicit srv6s_handle(Steering&& s) : steering(std::move(s)) {}
};

namespace {

// The only state the library keeps besides handles: per thread, and only
// the message of the last failure.
thread_local std::string t_last_error;

int fail(int code, std::string message) {
    t_last_error = std::move(message);
    return code;
}

// Runs f; any exception becomes a negative errno and the thread's message.
template <class F>
int guarded(F&& f) noexcept {
    try {
        return f();
    } catch (const Error& e) {
        const int code = e.code() > 0 ? e.code() : e.code() < 0 ? -e.code() : EINVAL;
        return fail(-code, e.what());
    } catch (const std::bad_alloc&) {
        return fail(-ENOMEM, "out of memory");
    } catch (const std::system_error& e) {
        const int code = e.code().value();
        return fail(code > 0 ? -code : -EIO, e.what());
    } catch (const std::invalid_argument& e) {
        return fail(-EINVAL, e.what());
    } catch (const std::length_error& e) {
        return fail(-EINVAL, e.what());
    } catch (const std::out_of_range& e) {
        return fail(-EINVAL, e.what());
    } catch (const std::exception& e) {
        return fail(-EIO, std::string("internal error: ") + e.what());
    } catch (...) {
        return fail(-EIO, "internal error: unknown exception");
    }
}

// Validation of what C hands us; thrown so that guarded() reports it.
void need(bool ok, const char* what) {
    if (!ok)
        throw Error(what);
}

const char* text_arg(const char* s, const char* what) {
    need(s != nullptr, what);
    return s;
}

Steering& steering_of(srv6s_handle* h) {
    need(h != nullptr, "no handle (NULL): attach or open first");
    return h->steering;
}

std::string bpffs_or_default(const char* bpffs) { return bpffs ? bpffs : kDefaultBpffs; }

Target target_of(uint32_t kind, uint32_t id) {
    switch (kind) {
    case SRV6S_TARGET_PATH:
        return Target::path(id);
    case SRV6S_TARGET_SET:
        return Target::set(id);
    default:
        throw Error("invalid target kind " + std::to_string(kind) +
                    ": use SRV6S_TARGET_PATH (0) or SRV6S_TARGET_SET (1)");
    }
}

PinOptions pin_options(uint32_t flags, uint32_t owner_pid) {
    if (flags & ~uint32_t(SRV6S_PIN_REPLACE))
        throw Error("invalid pin flags 0x" + [&] {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%x", flags);
            return std::string(buf);
        }() + ": only SRV6S_PIN_REPLACE is defined");
    PinOptions o;
    o.replace = flags & SRV6S_PIN_REPLACE;
    if (owner_pid == SRV6S_OWNER_NONE)
        o.owner = Owner::none();
    else if (owner_pid == SRV6S_OWNER_SELF || owner_pid == static_cast<uint32_t>(getpid()))
        o.owner = Owner::self();
    else
        o.owner = Owner{owner_pid, 0};
    return o;
}

// Address text as users write it: IPv4-mapped addresses as dotted quads.
std::string addr_text(const Ipv6& a) {
    if (!a.is_v4_mapped())
        return a.str();
    return std::to_string(a.bytes[12]) + "." + std::to_string(a.bytes[13]) + "." +
           std::to_string(a.bytes[14]) + "." + std::to_string(a.bytes[15]);
}

template <size_t N>
void copy_text(char (&dst)[N], const std::string& src) {
    need(src.size() < N, "address text too long for the C struct");  // cannot happen
    std::memcpy(dst, src.c_str(), src.size() + 1);
}

Flow flow_of(uint8_t proto, const char* src, uint16_t sport, const char* dst, uint16_t dport) {
    Flow f;
    f.proto = proto;
    f.src = Ipv6::parse_any(text_arg(src, "no flow source address (NULL)"));
    f.dst = Ipv6::parse_any(text_arg(dst, "no flow destination address (NULL)"));
    f.sport = sport;
    f.dport = dport;
    return f;
}

// A C string from a fixed-size field: must be NUL-terminated inside it.
template <size_t N>
std::string_view field_text(const char (&s)[N], const char* what) {
    const void* nul = std::memchr(s, '\0', N);
    if (!nul)
        throw Error(std::string(what) + " is not NUL-terminated");
    return std::string_view(s, static_cast<size_t>(static_cast<const char*>(nul) - s));
}

Flow flow_of(const srv6s_flow& c) {
    Flow f;
    f.proto = c.proto;
    f.src = Ipv6::parse_any(field_text(c.src, "flow source address"));
    f.dst = Ipv6::parse_any(field_text(c.dst, "flow destination address"));
    f.sport = c.sport;
    f.dport = c.dport;
    return f;
}

srv6s_flow c_flow(const Flow& f) {
    srv6s_flow c{};
    copy_text(c.src, addr_text(f.src));
    copy_text(c.dst, addr_text(f.dst));
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
    c.created_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(i.created.time_since_epoch()).count());
    c.packets = i.packets;
    c.bytes = i.bytes;
    return c;
}

int not_pinned(const std::string& what, const std::string& ifname) {
    return fail(-ENOENT, what + " is not pinned on " + ifname);
}

}  // namespace

extern "C" {

const char* srv6s_version(void) { return SRV6S_VERSION_STRING; }

const char* srv6s_last_error(void) { return t_last_error.c_str(); }

const char* srv6s_reason_name(uint32_t reason) { return reason_name(reason); }

// ---- lifecycle ------------------------------------------------------------------

int srv6s_attach(const char* ifname, const char* source, const char* bpffs, uint32_t max_flows,
                 srv6s_handle** out) {
    if (out)
        *out = nullptr;
    return guarded([&] {
        AttachOptions o;
        o.ifname = text_arg(ifname, "no interface name (NULL)");
        if (source)
            o.source = Ipv6::parse(source);
        o.bpffs = bpffs_or_default(bpffs);
        if (max_flows)
            o.max_flows = max_flows;
        auto h = std::make_unique<srv6s_handle>(Steering::attach(o));
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

// ---- paths and path sets ----------------------------------------------------------

int srv6s_add_path_usids(srv6s_handle* h, uint32_t id, const char* block, const char* usids,
                         int full_srh) {
    return guarded([&] {
        auto& s = steering_of(h);
        const Block b = Block::parse(text_arg(block, "no uSID block (NULL)"));
        const auto u = parse_usids(text_arg(usids, "no uSIDs (NULL)"));
        s.add_path(Path::from_usids(id, b, u, full_srh ? SrhMode::Full : SrhMode::Reduced));
        return 0;
    });
}

int srv6s_add_path_segments(srv6s_handle* h, uint32_t id, const char* const* sids, size_t n,
                            int full_srh) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(n == 0 || sids != nullptr, "no segments (NULL)");
        Path p;
        p.id = id;
        p.mode = full_srh ? SrhMode::Full : SrhMode::Reduced;
        for (size_t i = 0; i < n; i++)
            p.segments.push_back(Ipv6::parse(text_arg(sids[i], "segment is NULL")));
        s.add_path(p);
        return 0;
    });
}

int srv6s_remove_path(srv6s_handle* h, uint32_t id) {
    return guarded([&] {
        steering_of(h).remove_path(id);
        return 0;
    });
}

int srv6s_set_path_down(srv6s_handle* h, uint32_t id, int down) {
    return guarded([&] {
        steering_of(h).set_path_down(id, down != 0);
        return 0;
    });
}

int srv6s_define_set(srv6s_handle* h, uint32_t id, const uint32_t* path_ids, size_t n) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(n == 0 || path_ids != nullptr, "no path ids (NULL)");
        PathSet set;
        set.id = id;
        if (n)
            set.paths.assign(path_ids, path_ids + n);
        s.define_set(set);
        return 0;
    });
}

int srv6s_remove_set(srv6s_handle* h, uint32_t id) {
    return guarded([&] {
        steering_of(h).remove_set(id);
        return 0;
    });
}

// ---- pins -----------------------------------------------------------------------------

int srv6s_pin_flow(srv6s_handle* h, uint8_t proto, const char* src, uint16_t sport, const char* dst,
                   uint16_t dport, uint32_t target_kind, uint32_t target_id, uint32_t flags,
                   uint32_t owner_pid) {
    return guarded([&] {
        auto& s = steering_of(h);
        s.pin(flow_of(proto, src, sport, dst, dport), target_of(target_kind, target_id),
              pin_options(flags, owner_pid));
        return 0;
    });
}

int srv6s_unpin_flow(srv6s_handle* h, uint8_t proto, const char* src, uint16_t sport, const char* dst,
                     uint16_t dport) {
    return guarded([&] {
        auto& s = steering_of(h);
        const Flow f = flow_of(proto, src, sport, dst, dport);
        return s.unpin(f) ? 0 : not_pinned("flow " + f.str(), s.ifname());
    });
}

int srv6s_pin_flows(srv6s_handle* h, const struct srv6s_flow_pin* pins, size_t n, uint32_t flags,
                    uint32_t owner_pid, size_t* n_added) {
    if (n_added)
        *n_added = 0;
    return guarded([&] {
        auto& s = steering_of(h);
        need(n == 0 || pins != nullptr, "no flows (NULL)");
        std::vector<std::pair<Flow, Target>> batch;
        batch.reserve(n);
        for (size_t i = 0; i < n; i++) {
            try {
                batch.emplace_back(flow_of(pins[i].flow),
                                   target_of(pins[i].target_kind, pins[i].target_id));
            } catch (const Error& e) {
                throw Error("flow " + std::to_string(i) + " of the batch: " + e.what() +
                                "; nothing was pinned",
                            e.code());
            }
        }
        const size_t added = s.pin_flows(batch, pin_options(flags, owner_pid));
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
                 uint32_t target_id, uint32_t flags, uint32_t owner_pid) {
    return guarded([&] {
        auto& s = steering_of(h);
        const Qp q{Ipv6::parse_any(text_arg(dst, "no queue pair destination (NULL)")), qp};
        s.pin(q, target_of(target_kind, target_id), pin_options(flags, owner_pid));
        return 0;
    });
}

int srv6s_unpin_qp(srv6s_handle* h, const char* dst, uint32_t qp) {
    return guarded([&] {
        auto& s = steering_of(h);
        const Qp q{Ipv6::parse_any(text_arg(dst, "no queue pair destination (NULL)")), qp};
        return s.unpin(q) ? 0 : not_pinned("queue pair " + q.str(), s.ifname());
    });
}

int srv6s_pin_prefix(srv6s_handle* h, const char* prefix, uint32_t target_kind, uint32_t target_id,
                     uint32_t flags, uint32_t owner_pid) {
    return guarded([&] {
        auto& s = steering_of(h);
        s.pin(Prefix::parse(text_arg(prefix, "no prefix (NULL)")), target_of(target_kind, target_id),
              pin_options(flags, owner_pid));
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
        need(fn != nullptr, "no callback (NULL)");
        for (const auto& p : s.flows()) {
            srv6s_flow_entry e{};
            e.flow = c_flow(p.key);
            e.pin = c_pin_info(p.target, p.info);
            if (int rc = fn(&e, ctx))
                return rc;
        }
        return 0;
    });
}

int srv6s_list_qps(srv6s_handle* h, srv6s_qp_fn fn, void* ctx) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(fn != nullptr, "no callback (NULL)");
        for (const auto& p : s.qps()) {
            srv6s_qp_entry e{};
            copy_text(e.dst, addr_text(p.key.dst));
            e.qp = p.key.qp;
            e.pin = c_pin_info(p.target, p.info);
            if (int rc = fn(&e, ctx))
                return rc;
        }
        return 0;
    });
}

int srv6s_list_prefixes(srv6s_handle* h, srv6s_prefix_fn fn, void* ctx) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(fn != nullptr, "no callback (NULL)");
        for (const auto& p : s.prefixes()) {
            srv6s_prefix_entry e{};
            copy_text(e.prefix, p.key.str());
            e.pin = c_pin_info(p.target, p.info);
            if (int rc = fn(&e, ctx))
                return rc;
        }
        return 0;
    });
}

// ---- statistics and housekeeping ----------------------------------------------------

int srv6s_get_stats(srv6s_handle* h, struct srv6s_stats* out, srv6s_path_stats_fn fn, void* ctx) {
    return guarded([&] {
        const Stats st = steering_of(h).stats();
        if (out) {
            *out = srv6s_stats{};
            for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
                out->reasons[r] = {st.reasons[r].packets, st.reasons[r].bytes};
        }
        if (fn) {
            for (const auto& [id, c] : st.paths) {
                const srv6s_counter counter{c.packets, c.bytes};
                if (int rc = fn(id, &counter, ctx))
                    return rc;
            }
        }
        return 0;
    });
}

int srv6s_gc(srv6s_handle* h, size_t* n_removed) {
    if (n_removed)
        *n_removed = 0;
    return guarded([&] {
        const size_t n = steering_of(h).gc();
        if (n_removed)
            *n_removed = n;
        return 0;
    });
}

}  // extern "C"
