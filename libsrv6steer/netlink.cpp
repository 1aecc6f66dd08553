// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// rtnetlink over libnl-route-3: links, addresses, FIB lookups and route MTUs.
//
// Every request runs as one transaction on the socket: send, then read until
// the kernel's ACK, error or NLMSG_DONE, so the socket never holds stale
// answers. Kernel errors keep their errno and the kernel's extended-ACK text.
//
// libnl 3.7 does not round-trip every route attribute, so what it drops is
// read from the raw message and put back by hand when a route is rewritten:
// RTA_NH_ID (nexthop objects), RTA_PREF, the expiry (RTA_CACHEINFO on dump,
// RTA_EXPIRES on input) and the metrics (kept as raw attributes, because
// libnl reads the RTAX_CC_ALGO string as a number). Routes whose
// encapsulation libnl cannot parse (seg6, seg6local, bpf, ...) are listed but
// never rewritten.
#include "netlink.hpp"

#include <arpa/inet.h>
#include <linux/lwtunnel.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/object.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <exception>
#include <functional>
#include <span>
#include <utility>

namespace srv6steer::nl {

namespace {

// ---- RAII for libnl objects ------------------------------------------------

struct MsgDeleter {
    void operator()(nl_msg* m) const { nlmsg_free(m); }
};
struct CbDeleter {
    void operator()(nl_cb* cb) const { nl_cb_put(cb); }
};
struct RouteDeleter {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct AddrDeleter {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct NexthopDeleter {
    void operator()(rtnl_nexthop* nh) const { rtnl_route_nh_free(nh); }
};
using MsgPtr = std::unique_ptr<nl_msg, MsgDeleter>;
using CbPtr = std::unique_ptr<nl_cb, CbDeleter>;
using RoutePtr = std::unique_ptr<rtnl_route, RouteDeleter>;
using AddrPtr = std::unique_ptr<nl_addr, AddrDeleter>;
using NexthopPtr = std::unique_ptr<rtnl_nexthop, NexthopDeleter>;

constexpr uint32_t kMainTable = RT_TABLE_MAIN;
constexpr uint32_t kIpv6DefaultMetric = 1024;  // IP6_RT_PRIO_USER
// Route and nexthop flags a request may carry; the rest (dead, linkdown,
// offload, trap, ...) are state the kernel reports and refuses on input.
constexpr unsigned kInputFlags = RTNH_F_ONLINK | RTNH_F_PERVASIVE;

// ---- errors ----------------------------------------------------------------

// libnl's own error codes (NLE_*) back to an errno, for Error::code().
int nle_errno(int nle) {
    switch (nle < 0 ? -nle : nle) {
    case NLE_NOMEM: return ENOMEM;
    case NLE_EXIST: return EEXIST;
    case NLE_INVAL: return EINVAL;
    case NLE_RANGE: return ERANGE;
    case NLE_MSGSIZE: return EMSGSIZE;
    case NLE_OPNOTSUPP: return EOPNOTSUPP;
    case NLE_AF_NOSUPPORT: return EAFNOSUPPORT;
    case NLE_OBJ_NOTFOUND: return ENOENT;
    case NLE_AGAIN: return EAGAIN;
    case NLE_INTR: return EINTR;
    case NLE_BUSY: return EBUSY;
    case NLE_NOACCESS: return EACCES;
    case NLE_PERM: return EPERM;
    case NLE_NODEV: return ENODEV;
    case NLE_DUMP_INTR: return EINTR;
    case NLE_BAD_SOCK: return EBADF;
    default: return EIO;
    }
}

[[noreturn]] void throw_nle(const std::string& what, int nle) {
    throw Error(what + ": " + nl_geterror(nle), nle_errno(nle));
}

// What the kernel said no with: errno plus its extended-ACK message, if any.
struct KernelError {
    int err = 0;
    std::string ext;
    std::string text() const {
        std::string s = std::strerror(err);
        if (!ext.empty())
            s += " (kernel: " + ext + ")";
        return s;
    }
};

std::string errno_hint(int err) {
    switch (err) {
    case EPERM:
    case EACCES: return "; changing routes needs CAP_NET_ADMIN (run as root)";
    case EEXIST: return "; another route for the prefix appeared meanwhile, try again";
    default: return "";
    }
}

// ---- addresses -------------------------------------------------------------

std::string v4_text(const Ipv6& a) {
    char buf[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &a.bytes[12], buf, sizeof buf) ? buf : "?";
}

std::string addr_text(const Ipv6& a) { return a.is_v4_mapped() ? v4_text(a) : a.str(); }

bool prefix_is_v4(const Prefix& p) { return p.addr.is_v4_mapped() && p.len >= 96; }

// Like `ip route`: host routes without a length, "default" for /0.
std::string prefix_text(const Prefix& p) {
    const bool v4 = prefix_is_v4(p);
    const unsigned len = v4 ? p.len - 96 : p.len;
    if (len == 0)
        return "default";
    std::string s = v4 ? v4_text(p.addr) : p.addr.str();
    if (len != (v4 ? 32u : 128u))
        s += "/" + std::to_string(len);
    return s;
}

// Validated, host bits cleared (the kernel stores routes that way).
Prefix canonical(const Prefix& p) {
    if (p.len > 128)
        throw Error("invalid prefix length /" + std::to_string(p.len) +
                    " (at most /128, or /32 for IPv4 prefixes)");
    Prefix out = p;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned keep = p.len > 8 * i ? std::min(8u, p.len - 8 * i) : 0;
        out.addr.bytes[i] &= static_cast<uint8_t>(0xff00u >> keep);
    }
    return out;
}

// Host-order bytes of an address as the kernel wants it for the family.
std::pair<int, std::span<const uint8_t>> family_bytes(const Ipv6& a, bool v4) {
    if (v4)
        return {AF_INET, std::span<const uint8_t>(a.bytes.data() + 12, 4)};
    return {AF_INET6, std::span<const uint8_t>(a.bytes.data(), 16)};
}

AddrPtr to_nl_addr(const Prefix& p) {
    const bool v4 = prefix_is_v4(p);
    auto [af, bytes] = family_bytes(p.addr, v4);
    AddrPtr a(nl_addr_build(af, bytes.data(), bytes.size()));
    if (!a)
        throw Error("out of memory building a netlink address", ENOMEM);
    nl_addr_set_prefixlen(a.get(), static_cast<int>(v4 ? p.len - 96 : p.len));
    return a;
}

std::optional<Ipv6> ip_from_bytes(int family, const void* data, size_t len) {
    Ipv6 a;
    if (family == AF_INET6 && len == 16) {
        std::memcpy(a.bytes.data(), data, 16);
        return a;
    }
    if (family == AF_INET && len == 4) {
        a.bytes[10] = a.bytes[11] = 0xff;
        std::memcpy(a.bytes.data() + 12, data, 4);
        return a;
    }
    return std::nullopt;
}

std::optional<Ipv6> ip_from_nl(nl_addr* a) {
    if (!a)
        return std::nullopt;
    return ip_from_bytes(nl_addr_get_family(a), nl_addr_get_binary_addr(a), nl_addr_get_len(a));
}

std::string if_name(int ifindex) {
    char buf[IF_NAMESIZE] = {};
    if (ifindex > 0 && if_indextoname(static_cast<unsigned>(ifindex), buf))
        return buf;
    return "if" + std::to_string(ifindex);
}

// ---- one request/answer exchange -------------------------------------------

struct Txn {
    std::function<void(nl_msg*)> on_msg;
    KernelError kernel;
    bool done = false;
    bool interrupted = false;  // a dump saw NLM_F_DUMP_INTR: run it again
    std::exception_ptr exc;
};

int on_valid(nl_msg* msg, void* arg) {
    auto* t = static_cast<Txn*>(arg);
    if (t->on_msg && !t->exc) {
        try {
            t->on_msg(msg);
        } catch (...) {
            t->exc = std::current_exception();  // keep reading: the socket stays in sync
        }
    }
    return NL_OK;
}

int on_finish(nl_msg* msg, void* arg) {
    auto* t = static_cast<Txn*>(arg);
    // A dump that failed in the kernel ends with NLMSG_DONE carrying -errno.
    const nlmsghdr* h = nlmsg_hdr(msg);
    if (h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
        int e = 0;
        std::memcpy(&e, NLMSG_DATA(h), sizeof e);
        if (e < 0 && !t->kernel.err)
            t->kernel.err = -e;
    }
    t->done = true;
    return NL_STOP;
}

int on_ack(nl_msg*, void* arg) {
    static_cast<Txn*>(arg)->done = true;
    return NL_STOP;
}

int on_dump_intr(nl_msg*, void* arg) {
    static_cast<Txn*>(arg)->interrupted = true;
    return NL_OK;
}

// The NLMSGERR_ATTR_MSG of an error (NETLINK_EXT_ACK), if the kernel sent one.
std::string ext_ack_text(const nlmsgerr* e) {
    // libnl hands us nlmsg_data() of the NLMSG_ERROR message itself.
    const auto* h = reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const char*>(e) -
                                                      NLMSG_HDRLEN);
    if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
        return {};
    size_t payload = sizeof(nlmsgerr);
    if (!(h->nlmsg_flags & NLM_F_CAPPED))
        payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
    const size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(payload);
    if (h->nlmsg_len <= off)
        return {};
    nlattr* tb[NLMSGERR_ATTR_MAX + 1] = {};
    auto* first = reinterpret_cast<nlattr*>(
        const_cast<char*>(reinterpret_cast<const char*>(h) + off));
    if (nla_parse(tb, NLMSGERR_ATTR_MAX, first, static_cast<int>(h->nlmsg_len - off), nullptr) < 0 ||
        !tb[NLMSGERR_ATTR_MSG])
        return {};
    const char* s = static_cast<const char*>(nla_data(tb[NLMSGERR_ATTR_MSG]));
    return std::string(s, strnlen(s, static_cast<size_t>(nla_len(tb[NLMSGERR_ATTR_MSG]))));
}

int on_error(sockaddr_nl*, nlmsgerr* e, void* arg) {
    auto* t = static_cast<Txn*>(arg);
    t->kernel.err = -e->error;
    try {  // called from C: must not throw
        t->kernel.ext = ext_ack_text(e);
    } catch (...) {
    }
    t->done = true;
    return NL_STOP;
}

// Sends msg and reads every answer to it. Kernel refusals come back in the
// result; failures of the socket itself throw.
struct Outcome {
    KernelError kernel;
    bool interrupted = false;
};

Outcome transact(nl_sock* sk, nl_msg* msg, std::function<void(nl_msg*)> on_msg) {
    Txn t;
    t.on_msg = std::move(on_msg);
    CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
    if (!cb)
        throw Error("out of memory allocating netlink callbacks", ENOMEM);
    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
    nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &t);
    nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &t);
    nl_cb_set(cb.get(), NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &t);
    nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &t);

    if (int r = nl_send_auto(sk, msg); r < 0)
        throw_nle("sending a netlink request to the kernel failed", r);
    while (!t.done) {
        const int r = nl_recvmsgs(sk, cb.get());
        if (t.kernel.err)
            break;
        if (r < 0)
            throw_nle("reading the kernel's netlink answer failed", r);
    }
    if (t.exc)
        std::rethrow_exception(t.exc);
    return {t.kernel, t.interrupted};
}

MsgPtr new_msg(int type, int flags, const void* hdr, size_t hdr_len) {
    MsgPtr m(nlmsg_alloc_simple(type, flags));
    if (!m || nlmsg_append(m.get(), const_cast<void*>(hdr), hdr_len, NLMSG_ALIGNTO) < 0)
        throw Error("out of memory building a netlink request", ENOMEM);
    return m;
}

// A dump, run again (results discarded) when the kernel says it was
// interrupted by a concurrent change.
void dump(nl_sock* sk, int type, const void* hdr, size_t hdr_len, const std::string& what,
          const std::function<void()>& reset, const std::function<void(nl_msg*)>& on_msg) {
    for (int attempt = 0;; ++attempt) {
        reset();
        MsgPtr m = new_msg(type, NLM_F_DUMP, hdr, hdr_len);
        Outcome o = transact(sk, m.get(), on_msg);
        if (o.kernel.err)
            throw Error(what + " failed: " + o.kernel.text(), o.kernel.err);
        if (!o.interrupted)
            return;
        if (attempt == 4)
            throw Error(what + " kept changing under the dump (5 tries); try again", EINTR);
    }
}

// ---- routes as the kernel sends them ----------------------------------------

// One route message: the libnl object (for rewriting) plus what libnl drops.
struct KRoute {
    RoutePtr obj;     // null when libnl cannot parse the route
    int parse_err = 0;
    Route view;
    int family = 0;
    uint8_t tos = 0;
    uint8_t scope = 0;
    uint32_t rtm_flags = 0;
    bool encap = false;
    std::optional<uint32_t> nh_id;
    std::optional<uint8_t> pref;
    uint32_t expires = 0;  // seconds left, 0 = permanent
    std::vector<std::pair<uint16_t, std::vector<uint8_t>>> metrics;  // raw RTA_METRICS
};

uint32_t attr_u32(nlattr* a) { return nla_get_u32(a); }

void parse_metrics(KRoute& k, nlattr* nest) {
    int rem = nla_len(nest);
    for (auto* a = static_cast<nlattr*>(nla_data(nest)); nla_ok(a, rem); a = nla_next(a, &rem)) {
        const auto* d = static_cast<const uint8_t*>(nla_data(a));
        const auto type = static_cast<uint16_t>(nla_type(a));
        k.metrics.emplace_back(type, std::vector<uint8_t>(d, d + nla_len(a)));
        if (type == RTAX_MTU && nla_len(a) >= 4)
            k.view.mtu = nla_get_u32(a);
    }
}

void parse_multipath(KRoute& k, nlattr* nest) {
    auto* nh = static_cast<rtnexthop*>(nla_data(nest));
    int left = nla_len(nest);
    while (left >= static_cast<int>(sizeof(rtnexthop)) && RTNH_OK(nh, left)) {
        Nexthop n;
        n.oif = nh->rtnh_ifindex;
        n.weight = nh->rtnh_hops + 1u;
        const int alen = nh->rtnh_len - static_cast<int>(RTNH_LENGTH(0));
        if (alen > 0) {
            nlattr* tb[RTA_MAX + 1] = {};
            if (nla_parse(tb, RTA_MAX, reinterpret_cast<nlattr*>(RTNH_DATA(nh)), alen, nullptr) == 0) {
                if (tb[RTA_GATEWAY])
                    n.gateway = ip_from_bytes(k.family, nla_data(tb[RTA_GATEWAY]),
                                              static_cast<size_t>(nla_len(tb[RTA_GATEWAY])));
                if (tb[RTA_ENCAP])
                    k.encap = true;
            }
        }
        k.view.nexthops.push_back(n);
        left -= RTNH_ALIGN(nh->rtnh_len);
        nh = RTNH_NEXT(nh);
    }
}

KRoute parse_route(nl_msg* msg) {
    nlmsghdr* h = nlmsg_hdr(msg);
    KRoute k;
    nlattr* tb[RTA_MAX + 1] = {};
    if (int r = nlmsg_parse(h, sizeof(rtmsg), tb, RTA_MAX, nullptr); r < 0)
        throw_nle("the kernel sent a route message that does not parse", r);
    const auto* rtm = static_cast<const rtmsg*>(nlmsg_data(h));
    k.family = rtm->rtm_family;
    k.tos = rtm->rtm_tos;
    k.scope = rtm->rtm_scope;
    k.rtm_flags = rtm->rtm_flags;
    Route& v = k.view;
    v.type = rtm->rtm_type;
    v.protocol = rtm->rtm_protocol;
    v.table = tb[RTA_TABLE] ? attr_u32(tb[RTA_TABLE]) : rtm->rtm_table;
    v.priority = tb[RTA_PRIORITY] ? attr_u32(tb[RTA_PRIORITY]) : 0;

    const bool v4 = k.family == AF_INET;
    Ipv6 zero;
    if (v4)
        zero.bytes[10] = zero.bytes[11] = 0xff;
    v.dst.addr = zero;
    if (tb[RTA_DST]) {
        if (auto a = ip_from_bytes(k.family, nla_data(tb[RTA_DST]),
                                   static_cast<size_t>(nla_len(tb[RTA_DST]))))
            v.dst.addr = *a;
    }
    v.dst.len = rtm->rtm_dst_len + (v4 ? 96u : 0u);

    if (tb[RTA_METRICS])
        parse_metrics(k, tb[RTA_METRICS]);
    if (tb[RTA_NH_ID])
        k.nh_id = attr_u32(tb[RTA_NH_ID]);
    if (tb[RTA_PREF] && nla_len(tb[RTA_PREF]) >= 1)
        k.pref = nla_get_u8(tb[RTA_PREF]);
    if (tb[RTA_ENCAP])
        k.encap = true;
    if (tb[RTA_CACHEINFO] && nla_len(tb[RTA_CACHEINFO]) >= static_cast<int>(sizeof(rta_cacheinfo))) {
        rta_cacheinfo ci;
        std::memcpy(&ci, nla_data(tb[RTA_CACHEINFO]), sizeof ci);
        const long hz = sysconf(_SC_CLK_TCK);  // rta_expires is in USER_HZ ticks
        if (ci.rta_expires > 0 && hz > 0)
            k.expires = std::max<uint32_t>(1, static_cast<uint32_t>(ci.rta_expires / hz));
    }
    if (tb[RTA_MULTIPATH]) {
        parse_multipath(k, tb[RTA_MULTIPATH]);
    } else if (tb[RTA_OIF] || tb[RTA_GATEWAY]) {
        Nexthop n;
        if (tb[RTA_OIF])
            n.oif = static_cast<int>(attr_u32(tb[RTA_OIF]));
        if (tb[RTA_GATEWAY])
            n.gateway = ip_from_bytes(k.family, nla_data(tb[RTA_GATEWAY]),
                                      static_cast<size_t>(nla_len(tb[RTA_GATEWAY])));
        v.nexthops.push_back(n);
    }
    if (!v.nexthops.empty()) {
        v.oif = v.nexthops.front().oif;
        v.gateway = v.nexthops.front().gateway;
    }

    rtnl_route* obj = nullptr;
    k.parse_err = rtnl_route_parse(h, &obj);
    if (k.parse_err >= 0) {
        k.parse_err = 0;
        k.obj.reset(obj);
    }
    return k;
}

// "route fcbb::/64 via ... dev veth0 metric 1024"
std::string quoted(const Route& r) { return "\"" + r.str() + "\""; }

std::string ip_cmd(bool v4) { return v4 ? "ip route" : "ip -6 route"; }

// Route types as `ip route` names them.
const char* type_name(uint8_t t) {
    switch (t) {
    case RTN_UNICAST: return "unicast";
    case RTN_LOCAL: return "local";
    case RTN_BROADCAST: return "broadcast";
    case RTN_ANYCAST: return "anycast";
    case RTN_MULTICAST: return "multicast";
    case RTN_BLACKHOLE: return "blackhole";
    case RTN_UNREACHABLE: return "unreachable";
    case RTN_PROHIBIT: return "prohibit";
    case RTN_THROW: return "throw";
    case RTN_NAT: return "nat";
    default: return "unknown";
    }
}

const char* proto_name(uint8_t p) {
    switch (p) {
    case RTPROT_UNSPEC: return "unspec";
    case RTPROT_REDIRECT: return "redirect";
    case RTPROT_KERNEL: return "kernel";
    case RTPROT_BOOT: return "boot";
    case RTPROT_STATIC: return "static";
    case RTPROT_RA: return "ra";
    case RTPROT_DHCP: return "dhcp";
    default: return nullptr;
    }
}

// Rewrites a parsed route in place into a request: state flags dropped,
// nexthops replaced by the nexthop object when it has one, and metrics
// taken over from the raw list with RTAX_MTU set to mtu (0 = none).
MsgPtr build_route_request(const KRoute& k, rtnl_route* r, int nl_flags, uint32_t mtu,
                           bool keep_expiry) {
    rtnl_route_unset_flags(r, ~kInputFlags);
    for (int i = 1; i <= RTAX_MAX; ++i)
        rtnl_route_unset_metric(r, i);
    if (k.nh_id) {
        // Compat-mode dumps describe the nexthop object's nexthops as well;
        // a request must name only the id.
        while (rtnl_route_get_nnexthops(r) > 0) {
            rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
            rtnl_route_remove_nexthop(r, nh);
            rtnl_route_nh_free(nh);
        }
    } else {
        for (int i = 0; i < rtnl_route_get_nnexthops(r); ++i) {
            rtnl_nexthop* nh = rtnl_route_nexthop_n(r, i);
            rtnl_route_nh_unset_flags(nh, ~kInputFlags);
        }
    }

    nl_msg* raw = nullptr;
    if (int e = rtnl_route_build_add_request(r, nl_flags, &raw); e < 0)
        throw_nle("building the route request failed", e);
    MsgPtr m(raw);
    bool ok = true;
    if (k.nh_id)
        ok = ok && nla_put_u32(m.get(), RTA_NH_ID, *k.nh_id) == 0;
    if (k.pref)
        ok = ok && nla_put_u8(m.get(), RTA_PREF, *k.pref) == 0;
    if (keep_expiry && k.expires)
        ok = ok && nla_put_u32(m.get(), RTA_EXPIRES, k.expires) == 0;
    bool any_metric = mtu != 0;
    for (const auto& [type, data] : k.metrics)
        any_metric = any_metric || type != RTAX_MTU;
    if (ok && any_metric) {
        nlattr* nest = nla_nest_start(m.get(), RTA_METRICS);
        ok = nest != nullptr;
        for (const auto& [type, data] : k.metrics)
            if (ok && type != RTAX_MTU)
                ok = nla_put(m.get(), type, static_cast<int>(data.size()), data.data()) == 0;
        if (ok && mtu)
            ok = nla_put_u32(m.get(), RTAX_MTU, mtu) == 0;
        ok = ok && nla_nest_end(m.get(), nest) == 0;
    }
    if (!ok)
        throw Error("building the route request failed: message too large", EMSGSIZE);
    return m;
}

bool leaves_through(const Route& r, int ifindex) {
    for (const Nexthop& nh : r.nexthops)
        if (nh.oif == ifindex)
            return true;
    return false;
}

std::string interfaces_of(const Route& r) {
    std::string s;
    for (const Nexthop& nh : r.nexthops) {
        const std::string n = if_name(nh.oif);
        if (s.find(n) == std::string::npos)
            s += (s.empty() ? "" : " and ") + n;
    }
    return s.empty() ? "no interface" : s;
}

}  // namespace

// ---- Route -------------------------------------------------------------------

std::string Route::str() const {
    std::string s;
    if (type != RTN_UNICAST)
        s += std::string(type_name(type)) + " ";
    s += prefix_text(dst);
    if (table != kMainTable)
        s += " table " + (table == RT_TABLE_LOCAL ? std::string("local") : std::to_string(table));
    if (nexthops.size() == 1) {
        if (gateway)
            s += " via " + addr_text(*gateway);
        if (oif)
            s += " dev " + if_name(oif);
    }
    if (protocol != RTPROT_BOOT) {
        const char* p = proto_name(protocol);
        s += " proto " + (p ? std::string(p) : std::to_string(protocol));
    }
    if (priority)
        s += " metric " + std::to_string(priority);
    if (mtu)
        s += " mtu " + std::to_string(mtu);
    if (nexthops.size() > 1) {
        for (const Nexthop& nh : nexthops) {
            s += " nexthop";
            if (nh.gateway)
                s += " via " + addr_text(*nh.gateway);
            if (nh.oif)
                s += " dev " + if_name(nh.oif);
            s += " weight " + std::to_string(nh.weight);
        }
    }
    return s;
}

// ---- Netlink -------------------------------------------------------------------

void Netlink::SockDeleter::operator()(nl_sock* sock) const { nl_socket_free(sock); }

Netlink::Netlink() : sock_(nl_socket_alloc()) {
    if (!sock_)
        throw Error("cannot allocate a netlink socket: out of memory", ENOMEM);
    if (int r = nl_connect(sock_.get(), NETLINK_ROUTE); r < 0)
        throw_nle("cannot open a NETLINK_ROUTE socket (is this a Linux host with rtnetlink?)", r);
    // Whole dump datagrams, however large.
    nl_socket_enable_msg_peek(sock_.get());
    // The kernel's reason for a refusal ("Nexthop device is not up", ...),
    // without echoing our request back. Older kernels ignore these.
    const int fd = nl_socket_get_fd(sock_.get());
    const int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
}

Netlink::Netlink(Netlink&&) noexcept = default;
Netlink& Netlink::operator=(Netlink&&) noexcept = default;
Netlink::~Netlink() = default;

namespace {

Link link_from_msg(nl_msg* msg) {
    Link out;
    bool got = false;
    auto cb = [](nl_object* obj, void* arg) {  // called from C: must not throw
        auto* l = reinterpret_cast<rtnl_link*>(obj);
        auto* p = static_cast<std::pair<Link*, bool*>*>(arg);
        try {
            const char* name = rtnl_link_get_name(l);
            p->first->name = name ? name : "";
        } catch (...) {
            return;
        }
        p->first->ifindex = rtnl_link_get_ifindex(l);
        p->first->mtu = rtnl_link_get_mtu(l);
        p->first->up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
        *p->second = true;
    };
    std::pair<Link*, bool*> arg{&out, &got};
    if (int r = nl_msg_parse(msg, cb, &arg); r < 0)
        throw_nle("the kernel's interface description does not parse", r);
    if (!got)
        throw Error("the kernel answered with no interface", EIO);
    return out;
}

Link get_link(nl_sock* sk, int ifindex, const char* name, const std::string& who) {
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    MsgPtr m = new_msg(RTM_GETLINK, 0, &ifi, sizeof ifi);
    if (name && nla_put_string(m.get(), IFLA_IFNAME, name) < 0)
        throw Error("out of memory building a netlink request", ENOMEM);
    if (nla_put_u32(m.get(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
        throw Error("out of memory building a netlink request", ENOMEM);
    std::optional<Link> got;
    Outcome o = transact(sk, m.get(), [&](nl_msg* msg) {
        if (nlmsg_hdr(msg)->nlmsg_type == RTM_NEWLINK)
            got = link_from_msg(msg);
    });
    if (o.kernel.err == ENODEV)
        throw Error("no network interface " + who +
                        " in this network namespace (`ip link` lists the ones there)",
                    ENODEV);
    if (o.kernel.err)
        throw Error("looking up network interface " + who + " failed: " + o.kernel.text(),
                    o.kernel.err);
    if (!got)
        throw Error("looking up network interface " + who + ": the kernel sent no answer", EIO);
    return *got;
}

}  // namespace

Link Netlink::link(std::string_view name) {
    const std::string n(name);
    if (n.empty() || n.size() >= IF_NAMESIZE || n.find_first_of("/ \t\n") != std::string::npos ||
        n.find('\0') != std::string::npos)
        throw Error("\"" + n + "\" is not a network interface name (1 to " +
                    std::to_string(IF_NAMESIZE - 1) + " characters, no '/' or spaces)");
    return get_link(sock_.get(), 0, n.c_str(), "\"" + n + "\"");
}

Link Netlink::link(int ifindex) {
    if (ifindex <= 0)
        throw Error("invalid interface index " + std::to_string(ifindex) + " (must be positive)");
    return get_link(sock_.get(), ifindex, nullptr, "with index " + std::to_string(ifindex));
}

std::optional<Ipv6> Netlink::global_ipv6(int ifindex) {
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET6;
    ifa.ifa_index = static_cast<uint32_t>(ifindex);
    std::optional<Ipv6> best, deprecated;
    struct Pick {
        int ifindex;
        std::optional<Ipv6>* best;
        std::optional<Ipv6>* deprecated;
    } pick{ifindex, &best, &deprecated};
    auto reset = [&] { best.reset(); deprecated.reset(); };
    dump(sock_.get(), RTM_GETADDR, &ifa, sizeof ifa,
         "listing the IPv6 addresses of " + if_name(ifindex), reset, [&](nl_msg* msg) {
             if (nlmsg_hdr(msg)->nlmsg_type != RTM_NEWADDR)
                 return;
             auto cb = [](nl_object* obj, void* arg) {
                 auto* a = reinterpret_cast<rtnl_addr*>(obj);
                 auto* p = static_cast<Pick*>(arg);
                 const unsigned flags = rtnl_addr_get_flags(a);
                 if (rtnl_addr_get_family(a) != AF_INET6 || rtnl_addr_get_ifindex(a) != p->ifindex ||
                     rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE ||
                     (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
                     return;
                 auto ip = ip_from_nl(rtnl_addr_get_local(a));
                 if (!ip)
                     return;
                 auto& slot = (flags & IFA_F_DEPRECATED) ? *p->deprecated : *p->best;
                 if (!slot)
                     slot = ip;
             };
             if (int r = nl_msg_parse(msg, cb, &pick); r < 0)
                 throw_nle("an IPv6 address message from the kernel does not parse", r);
         });
    return best ? best : deprecated;
}

namespace {

// FIB lookup (RTM_F_FIB_MATCH): the route entry itself, not a cloned /128.
KRoute fib_lookup(nl_sock* sk, const Ipv6& dst, KernelError& err) {
    const bool v4 = dst.is_v4_mapped();
    rtmsg rtm{};
    rtm.rtm_family = v4 ? AF_INET : AF_INET6;
    rtm.rtm_dst_len = v4 ? 32 : 128;
    rtm.rtm_flags = RTM_F_FIB_MATCH;
    MsgPtr m = new_msg(RTM_GETROUTE, 0, &rtm, sizeof rtm);
    auto [af, bytes] = family_bytes(dst, v4);
    (void)af;
    if (nla_put(m.get(), RTA_DST, static_cast<int>(bytes.size()), bytes.data()) < 0)
        throw Error("out of memory building a netlink request", ENOMEM);
    std::optional<KRoute> got;
    Outcome o = transact(sk, m.get(), [&](nl_msg* msg) {
        if (nlmsg_hdr(msg)->nlmsg_type == RTM_NEWROUTE && !got)
            got = parse_route(msg);
    });
    err = o.kernel;
    if (err.err)
        return {};
    if (!got) {
        err.err = EIO;
        err.ext = "no route in the answer";
        return {};
    }
    return std::move(*got);
}

// What a failed FIB lookup means: RTM_GETROUTE cannot return reject routes,
// it answers with their error instead (verified for IPv4 and IPv6).
std::string lookup_failure(const Ipv6& dst, const KernelError& err) {
    const std::string a = addr_text(dst);
    const std::string get = "`" + ip_cmd(dst.is_v4_mapped()) + " get " + a + "`";
    switch (err.err) {
    case ENETUNREACH: return "there is no route to " + a + " in this network namespace";
    case EHOSTUNREACH:
        return a + " has an unreachable route (the kernel's lookup answers \"" + err.text() +
               "\"; see " + get + ")";
    case EINVAL:
        return a + " has a blackhole route (the kernel's lookup answers \"" + err.text() +
               "\"; see " + get + ")";
    case EACCES:
        return a + " has a prohibit route (the kernel's lookup answers \"" + err.text() +
               "\"; see " + get + ")";
    default: return "route lookup for " + a + " failed: " + err.text();
    }
}

std::vector<KRoute> dump_routes(nl_sock* sk, int family) {
    rtmsg rtm{};
    rtm.rtm_family = static_cast<unsigned char>(family);
    std::vector<KRoute> out;
    dump(sk, RTM_GETROUTE, &rtm, sizeof rtm,
         std::string("listing the ") + (family == AF_INET ? "IPv4" : "IPv6") + " routes",
         [&] { out.clear(); },
         [&](nl_msg* msg) {
             if (nlmsg_hdr(msg)->nlmsg_type != RTM_NEWROUTE)
                 return;
             KRoute k = parse_route(msg);
             if (k.family == family && !(k.rtm_flags & RTM_F_CLONED))
                 out.push_back(std::move(k));
         });
    return out;
}

// The route keyed (dst, table[, priority]), tos 0; the lowest metric when no
// priority is given (the one the kernel uses).
std::optional<KRoute> find_exact(nl_sock* sk, const Prefix& dst, uint32_t table,
                                 std::optional<uint32_t> priority) {
    std::optional<KRoute> best;
    for (KRoute& k : dump_routes(sk, prefix_is_v4(dst) ? AF_INET : AF_INET6)) {
        if (k.view.dst != dst || k.view.table != table || k.tos != 0)
            continue;
        if (priority && k.view.priority != *priority)
            continue;
        if (!best || k.view.priority < best->view.priority)
            best = std::move(k);
    }
    return best;
}

}  // namespace

Route Netlink::lookup(const Ipv6& dst) {
    KernelError err;
    KRoute k = fib_lookup(sock_.get(), dst, err);
    if (err.err == ENETUNREACH)
        throw Error("no route to " + addr_text(dst) + " in this network namespace (`" +
                        ip_cmd(dst.is_v4_mapped()) + " get " + addr_text(dst) +
                        "` says the same; add a route for it)",
                    err.err);
    if (err.err)
        throw Error(lookup_failure(dst, err), err.err);
    return k.view;
}

RouteChange Netlink::set_route_mtu(const Prefix& dst_in, int ifindex, uint32_t mtu) {
    const Prefix dst = canonical(dst_in);
    const bool v4 = prefix_is_v4(dst);
    const std::string what = "setting route MTU " + std::to_string(mtu) + " for " +
                             prefix_text(dst);
    const Link out = link(ifindex);
    const uint32_t min_mtu = v4 ? 68 : 1280;
    if (mtu < min_mtu || mtu > out.mtu)
        throw Error(what + ": the MTU must be between " + std::to_string(min_mtu) + " (" +
                    (v4 ? "IPv4" : "IPv6") + " minimum) and " + out.name + "'s MTU " +
                    std::to_string(out.mtu));

    KernelError err;
    KRoute found = fib_lookup(sock_.get(), dst.addr, err);
    if (err.err == ENETUNREACH)
        throw Error(what + ": there is no route to " + prefix_text(dst) +
                        " in this network namespace; add one through " + out.name +
                        " first (e.g. `" + ip_cmd(v4) + " add " + prefix_text(dst) +
                        " via <gateway> dev " + out.name + "`)",
                    err.err);
    if (err.err)
        throw Error(what + ": " + lookup_failure(dst.addr, err) +
                        ", so no packets to it leave through " + out.name +
                        "; route it through " + out.name + " first",
                    err.err);

    // The exact route: the one the kernel uses, else the lowest-metric one
    // for dst/len in the table the lookup went to (the main table, unless
    // policy rules send dst elsewhere).
    // Longest-prefix match means an exact route can only hide behind a more
    // specific one; when the lookup found a shorter prefix there is none to
    // find, and no table dump is needed (that dump made adding N pinned
    // destinations quadratic).
    std::optional<KRoute> exact;
    if (found.view.dst == dst)
        exact = std::move(found);
    else if (found.view.dst.len > dst.len)
        exact = find_exact(sock_.get(), dst, found.view.table, std::nullopt);
    const KRoute& base = exact ? *exact : found;

    if (base.view.type != RTN_UNICAST)
        throw Error(what + ": the route " + quoted(base.view) + " is a " +
                    type_name(base.view.type) + " route, not one that sends packets out of " +
                    out.name + "; route " + prefix_text(dst) + " through " + out.name + " first");
    if (base.nh_id && base.view.nexthops.empty())
        throw Error(what + ": the route " + quoted(base.view) + " uses nexthop object " +
                    std::to_string(*base.nh_id) +
                    " and the kernel does not say where it leaves (net.ipv4.nexthop_compat_mode=0); "
                    "set the MTU by hand with `" + ip_cmd(v4) + " change`");
    if (!leaves_through(base.view, ifindex))
        throw Error(what + ": the route " + quoted(base.view) + " leaves through " +
                    interfaces_of(base.view) + ", not " + out.name + ", so srv6steer's TC program on " +
                    out.name + " would never see these packets; steer on " +
                    interfaces_of(base.view) + " instead, or route " + prefix_text(dst) +
                    " through " + out.name);
    if (!base.obj)
        throw Error(what + ": the route " + quoted(base.view) + " has " +
                    (base.encap ? "an encapsulation" : "attributes") +
                    " that libnl-route-3 cannot copy (" + nl_geterror(base.parse_err) +
                    "); set the MTU by hand with `" + ip_cmd(v4) + " change ... mtu " +
                    std::to_string(mtu) + "`",
                    nle_errno(base.parse_err));

    if (exact) {
        const RouteChange change{false, exact->view.mtu, exact->view.table, exact->view.priority};
        MsgPtr m = build_route_request(*exact, exact->obj.get(), NLM_F_REPLACE, mtu, true);
        Outcome o = transact(sock_.get(), m.get(), {});
        if (o.kernel.err)
            throw Error(what + ": replacing " + quoted(exact->view) + " failed: " +
                            o.kernel.text() + errno_hint(o.kernel.err),
                        o.kernel.err);
        return change;
    }

    if (found.view.dst.len > dst.len)
        throw Error(what + ": the kernel routes " + addr_text(dst.addr) +
                    " by the more specific route " + quoted(found.view) +
                    ", so a route for the whole prefix would not be used there; pin and set the "
                    "MTU for the more specific prefixes instead");

    // A new route: the looked-up route's nexthops, scope, source, metrics and
    // metric, for exactly dst, marked as ours.
    RoutePtr r(rtnl_route_alloc());
    if (!r)
        throw Error("out of memory building a route", ENOMEM);
    AddrPtr a = to_nl_addr(dst);
    const uint32_t table = found.view.table;
    uint32_t priority = found.view.priority;
    if (!v4 && priority == 0)
        priority = kIpv6DefaultMetric;
    rtnl_route_set_family(r.get(), static_cast<uint8_t>(v4 ? AF_INET : AF_INET6));
    if (int e = rtnl_route_set_dst(r.get(), a.get()); e < 0)
        throw_nle(what + ": building the route failed", e);
    rtnl_route_set_table(r.get(), table);
    rtnl_route_set_protocol(r.get(), kRouteProtocol);
    rtnl_route_set_type(r.get(), RTN_UNICAST);
    rtnl_route_set_scope(r.get(), found.scope);
    rtnl_route_set_priority(r.get(), priority);
    rtnl_route_set_flags(r.get(), rtnl_route_get_flags(found.obj.get()) & kInputFlags);
    if (nl_addr* src = rtnl_route_get_pref_src(found.obj.get()))
        rtnl_route_set_pref_src(r.get(), src);
    if (!found.nh_id) {
        for (int i = 0; i < rtnl_route_get_nnexthops(found.obj.get()); ++i) {
            NexthopPtr nh(rtnl_route_nh_clone(rtnl_route_nexthop_n(found.obj.get(), i)));
            if (!nh)
                throw Error("out of memory copying a nexthop", ENOMEM);
            rtnl_route_add_nexthop(r.get(), nh.release());
        }
    }
    KRoute shape;  // what of `found` the request carries besides the libnl object
    shape.nh_id = found.nh_id;
    shape.pref = found.pref;
    shape.metrics = found.metrics;
    MsgPtr m = build_route_request(shape, r.get(), NLM_F_EXCL, mtu, false);
    Outcome o = transact(sock_.get(), m.get(), {});
    if (o.kernel.err)
        throw Error(what + ": adding a route for it through " + interfaces_of(found.view) +
                        " (copied from " + quoted(found.view) + ") failed: " + o.kernel.text() +
                        errno_hint(o.kernel.err),
                    o.kernel.err);
    return RouteChange{true, 0, table, priority};
}

bool Netlink::undo_route_mtu(const Prefix& dst_in, const RouteChange& change) {
    const Prefix dst = canonical(dst_in);
    const bool v4 = prefix_is_v4(dst);
    const std::string what = "restoring the route for " + prefix_text(dst);

    if (change.added) {
        // Delete keyed by (dst, table, metric) and, atomically, only while it
        // still carries our protocol: the kernel matches RTA protocol on delete.
        RoutePtr r(rtnl_route_alloc());
        AddrPtr a = to_nl_addr(dst);
        if (!r)
            throw Error("out of memory building a route", ENOMEM);
        rtnl_route_set_family(r.get(), static_cast<uint8_t>(v4 ? AF_INET : AF_INET6));
        if (int e = rtnl_route_set_dst(r.get(), a.get()); e < 0)
            throw_nle(what + ": building the request failed", e);
        rtnl_route_set_table(r.get(), change.table);
        rtnl_route_set_protocol(r.get(), kRouteProtocol);
        rtnl_route_set_scope(r.get(), RT_SCOPE_NOWHERE);  // any scope
        rtnl_route_set_priority(r.get(), change.priority);
        nl_msg* raw = nullptr;
        if (int e = rtnl_route_build_del_request(r.get(), 0, &raw); e < 0)
            throw_nle(what + ": building the request failed", e);
        MsgPtr m(raw);
        Outcome o = transact(sock_.get(), m.get(), {});
        if (o.kernel.err == ESRCH || o.kernel.err == ENOENT)
            return false;
        if (o.kernel.err)
            throw Error(what + ": deleting the route srv6steer added failed: " + o.kernel.text() +
                            errno_hint(o.kernel.err),
                        o.kernel.err);
        return true;
    }

    std::optional<KRoute> k = find_exact(sock_.get(), dst, change.table, change.priority);
    if (!k)
        return false;
    if (!k->obj)
        throw Error(what + ": the route " + quoted(k->view) +
                        " now has attributes libnl-route-3 cannot copy (" +
                        nl_geterror(k->parse_err) + "); put its MTU back by hand with `" +
                        ip_cmd(v4) + " change`",
                    nle_errno(k->parse_err));
    MsgPtr m = build_route_request(*k, k->obj.get(), NLM_F_REPLACE, change.old_mtu, true);
    Outcome o = transact(sock_.get(), m.get(), {});
    if (o.kernel.err)
        throw Error(what + ": putting MTU " +
                        (change.old_mtu ? std::to_string(change.old_mtu) : std::string("(none)")) +
                        " back on " + quoted(k->view) + " failed: " + o.kernel.text() +
                        errno_hint(o.kernel.err),
                    o.kernel.err);
    return true;
}

std::vector<Route> Netlink::routes(int family, std::optional<uint8_t> protocol) {
    if (family != AF_INET && family != AF_INET6)
        throw Error("routes(): family must be AF_INET or AF_INET6, not " + std::to_string(family));
    std::vector<Route> out;
    for (KRoute& k : dump_routes(sock_.get(), family))
        if (!protocol || k.view.protocol == *protocol)
            out.push_back(std::move(k.view));
    return out;
}

// ---- namespaces ----------------------------------------------------------------

std::string netns_name() {
    struct stat self{};
    if (stat("/proc/thread-self/ns/net", &self) != 0 && stat("/proc/self/ns/net", &self) != 0)
        throw_errno("cannot read this thread's network namespace (/proc/self/ns/net); is /proc "
                    "mounted?",
                    errno);
    // Recent kernels give the initial namespace a fixed inode (NET_NS_INIT_INO,
    // 0xEFFFFFF9; dynamic ones start at 0xF0000000), which also answers when
    // /proc/1/ns/net may not be read (EACCES in some containers, seen here).
    constexpr ino_t kInitNetIno = 0xEFFFFFF9;
    if (self.st_ino == kInitNetIno)
        return "";
    struct stat init{};
    if (stat("/proc/1/ns/net", &init) == 0 && init.st_dev == self.st_dev &&
        init.st_ino == self.st_ino)
        return "";
    if (DIR* d = opendir("/run/netns")) {
        std::string name;
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.')
                continue;
            struct stat st{};
            const std::string path = std::string("/run/netns/") + e->d_name;
            if (stat(path.c_str(), &st) == 0 && st.st_dev == self.st_dev &&
                st.st_ino == self.st_ino) {
                name = e->d_name;
                break;
            }
        }
        closedir(d);
        if (!name.empty())
            return name;
    }
    return "ns" + std::to_string(self.st_ino);
}

}  // namespace srv6steer::nl
