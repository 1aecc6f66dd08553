// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_pins: pins per second, srv6steer's map updates against the seed's
 * method of one kernel SRv6 route per destination, measured side by side in
 * one run. Goals: a batch of pins at 1,000,000 pins/s or more, and at least
 * 20x the route method.
 *
 * Cases. Every case runs --reps times, interleaved (round 1 runs every case
 * once, then round 2, ...) so machine noise and drift hit all of them alike;
 * each run starts from a fresh state (a new map, an empty route table) and the
 * median is reported, with min and max.
 *  single          Steering::pin(flow, target) one by one, default PinOptions
 *                  (as a caller writes it), on a load_unattached instance:
 *                  the maps alone, no TC attachment, no route MTUs.
 *  single_opts     the same with one PinOptions built once and reused (a
 *                  default PinOptions runs Owner::self(), which reads
 *                  /proc/self/cgroup, on every call).
 *  batch           Steering::pin_flows of --batch flows in one call (the call
 *                  timed; building the vector is not), maps alone as above.
 *  batch_map_only  reference: the kernel's share of a batch, one
 *                  bpf_map_update_batch of the same keys and values into a
 *                  fresh hash map of the flow map's shape, no user-space work;
 *                  batch / batch_map_only is the share of pin_flows's time the
 *                  kernel takes.
 *  route_netlink   the seed's method, as its PyTorch plugin did per pair and
 *                  `ip -6 route add DST/128 encap seg6 mode encap.red segs C
 *                  dev DEV` does: one RTM_NEWROUTE (RTA_ENCAP_TYPE seg6,
 *                  RTA_ENCAP/SEG6_IPTUNNEL_SRH {mode encap.red, SRH}) built by
 *                  hand on a raw NETLINK_ROUTE socket, one request and its ack
 *                  per route, from C++ (the plugin went through Python, so this
 *                  is the route method at its fastest one by one).
 *  route_netlink_pipelined  reference: the same messages, 256 per send, the
 *                  acks read afterwards (the best rtnetlink allows: it has no
 *                  batch route call). Sent this fast, the kernel refuses some
 *                  seg6 routes with ENOMEM (see kRetryUs below); they are
 *                  retried, the waits count, and the retries are reported.
 *  route_exec      reference: fork/exec of `ip -6 route add ...` per route,
 *                  literally what the seed plugin ran (small N).
 *  single_attached           Steering::pin on an instance attached (tcx) to a
 *                  veth, state pinned in a private bpffs, route_mtu off.
 *  single_attached_one_dst   route_mtu on, every pin to the same destination
 *                  (one route MTU, set by the first pin).
 *  single_attached_new_dst   route_mtu on, a new destination per pin: every
 *                  pin also adds a /128 route with the reduced MTU. The rates
 *                  of the first and the last tenth of the pins are figures of
 *                  their own: they show whether a pin's cost grows with the
 *                  number of routes already there.
 *  batch_attached  pin_flows of --batch flows over --batch-dsts destinations on
 *                  the attached instance, route_mtu on (a route MTU each).
 * Clean-up is timed too: routes deleted one by one over netlink (or 256 per
 * send), in routes per second; Steering::detach of the attached cases, in ms.
 *
 * Isolation: the process unshares its network and mount namespaces first, so
 * everything runs in a private network namespace (lo, a veth pair with
 * fcbb:0:800:1::1/64, fcbb:0:900::/40 routed out of it) and a private bpffs
 * mounted on a temporary directory; all of it disappears when the process
 * exits (the directory is removed at exit).
 *
 * Verification (a failure exits 2): before anything is timed, one route added
 * by `ip` and one by the hand-built message must come back from the kernel with
 * the same seg6 encapsulation; after each timed step, the flow map must hold
 * exactly the pinned flows with their target (pin_flows: every key compared),
 * the kernel must hold exactly N seg6 /128 routes with that encapsulation
 * (route cases) or N route MTUs of srv6steer (new_dst), and after clean-up none
 * of them. A missed goal is reported ("goal missed"), exit status 0.
 *
 * Output: a table on stderr; on stdout one JSON line per figure, e.g.
 *  {"bench":"pins_per_s","case":"batch","value":1.8e6,"unit":"pins/s","goal":1000000}
 * Run as root.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/lwtunnel.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/seg6.h>
#include <linux/seg6_iptunnel.h>
#include <linux/veth.h>
#include <sched.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <cxxopts.hpp>

#include "common.hpp"
#include "srv6steer/srv6steer.hpp"

extern char** environ;

using namespace srv6steer;

namespace {

constexpr double kGoalBatch = 1000000;  // pins/s
constexpr double kGoalRatio = 20;       // batch / route_netlink
constexpr const char* kDev = "srv6s-b0";
constexpr const char* kPeer = "srv6s-b1";
constexpr uint8_t kRouteProtocol = 94;  // srv6steer's routes (netlink.hpp)
constexpr uint8_t kSrhType = 4;         // IPV6_SRCRT_TYPE_4 (<linux/ipv6.h>, clashes with libc)

// A broken measurement (setup, verification): exit 2.
using benchutil::Failure;
using benchutil::json;

struct Options {
    uint32_t single = 20000;
    uint32_t batch = 1000000;
    uint32_t routes = 20000;
    uint32_t exec = 300;
    uint32_t attached = 2000;
    uint32_t batch_dsts = 256;
    uint32_t reps = 3;
    int cpu = -1;
    std::vector<std::string> only;
};

uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

std::string errstr(int err) { return strerror(err); }

// ---- addresses ------------------------------------------------------------------

const Ipv6 kHost = Ipv6::parse("fcbb:0:800:1::1");      // the veth's address
const Ipv6 kSrc = Ipv6::parse("fcbb:0:800:1::10");      // flows' source
const Ipv6 kDst = Ipv6::parse("fcbb:0:800:2::20");      // maps-only flows' destination
const Ipv6 kSeg = Ipv6::parse("fcbb:0:1004:1001:1006:fe06::");  // the one uSID container
const Ipv6 kSteerNet = Ipv6::parse("fcbb:0:900::");     // /40 out of the veth: attached dsts
const Ipv6 kRouteNet = Ipv6::parse("fcbb:0:a00::");     // route_netlink destinations
const Ipv6 kExecNet = Ipv6::parse("fcbb:0:b00::");      // route_exec destinations
const Ipv6 kProbeNet = Ipv6::parse("fcbb:0:c00::");     // the ip-vs-hand-built check

// net with the low 32 bits replaced by i.
Ipv6 host(const Ipv6& net, uint32_t i) {
    Ipv6 a = net;
    a.bytes[12] = static_cast<uint8_t>(i >> 24);
    a.bytes[13] = static_cast<uint8_t>(i >> 16);
    a.bytes[14] = static_cast<uint8_t>(i >> 8);
    a.bytes[15] = static_cast<uint8_t>(i);
    return a;
}

bool in_net(const uint8_t* a, const Ipv6& net, unsigned len_bytes) {
    return std::memcmp(a, net.bytes.data(), len_bytes) == 0;
}

// ---- raw rtnetlink ----------------------------------------------------------------

// One netlink message under construction: header, family header, attributes.
class Msg {
public:
    Msg(uint16_t type, uint16_t flags) : buf_(NLMSG_HDRLEN, 0) {
        hdr()->nlmsg_type = type;
        hdr()->nlmsg_flags = flags;
        hdr()->nlmsg_len = NLMSG_HDRLEN;
    }

    template <class T>
    void raw(const T& v) {
        append(&v, sizeof v);
    }
    void put(uint16_t type, const void* data, size_t len) {
        nlattr a{};
        a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
        a.nla_type = type;
        append(&a, sizeof a);
        append(data, len);
    }
    template <class T>
    void put(uint16_t type, const T& v) {
        put(type, &v, sizeof v);
    }
    void put_str(uint16_t type, const char* s) { put(type, s, std::strlen(s) + 1); }
    size_t begin(uint16_t type) {
        size_t off = buf_.size();
        nlattr a{};
        a.nla_type = static_cast<uint16_t>(type | NLA_F_NESTED);
        append(&a, sizeof a);
        return off;
    }
    void end(size_t off) {
        reinterpret_cast<nlattr*>(&buf_[off])->nla_len = static_cast<uint16_t>(buf_.size() - off);
    }

    nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
    const uint8_t* data() const { return buf_.data(); }
    size_t size() const { return buf_.size(); }

private:
    void append(const void* p, size_t n) {
        const size_t at = buf_.size();
        buf_.resize(at + NLMSG_ALIGN(n), 0);
        std::memcpy(&buf_[at], p, n);
        hdr()->nlmsg_len = static_cast<uint32_t>(buf_.size());
    }
    std::vector<uint8_t> buf_;
};

// Attributes of one message part, by type (the last of a type wins).
std::map<uint16_t, std::pair<const uint8_t*, size_t>> attrs(const uint8_t* p, size_t len) {
    std::map<uint16_t, std::pair<const uint8_t*, size_t>> out;
    while (len >= NLA_HDRLEN) {
        const auto* a = reinterpret_cast<const nlattr*>(p);
        if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
            break;
        out[a->nla_type & NLA_TYPE_MASK] = {p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN};
        const size_t step = NLA_ALIGN(a->nla_len);
        if (step >= len)
            break;
        p += step;
        len -= step;
    }
    return out;
}

// A NETLINK_ROUTE socket of the calling thread's network namespace.
class Rtnl {
public:
    Rtnl() : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)), rx_(1 << 18) {
        if (fd_ < 0)
            throw Failure("netlink socket: " + errstr(errno));
        int one = 1;
        setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);  // error texts
        int size = 4 << 20;
        setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        sockaddr_nl sa{};
        sa.nl_family = AF_NETLINK;
        if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa))
            throw Failure("binding the netlink socket: " + errstr(errno));
    }
    Rtnl(const Rtnl&) = delete;
    Rtnl& operator=(const Rtnl&) = delete;
    ~Rtnl() { close(fd_); }

    // Stamps a sequence number on m; returns it.
    uint32_t stamp(Msg& m) {
        m.hdr()->nlmsg_seq = ++seq_;
        return seq_;
    }

    void send(const uint8_t* p, size_t n) {
        sockaddr_nl sa{};
        sa.nl_family = AF_NETLINK;
        ssize_t r = sendto(fd_, p, n, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        if (r != static_cast<ssize_t>(n))
            throw Failure("netlink send: " + errstr(r < 0 ? errno : EMSGSIZE));
    }

    // Reads until `count` acks have come (sequence numbers first..first+count-1,
    // in order); the first error is returned as -errno with its text in *why,
    // and every failed request as (index from first, -errno) in *failed.
    int acks(uint32_t first, uint32_t count, std::string* why = nullptr,
             std::vector<std::pair<uint32_t, int>>* failed = nullptr) {
        int result = 0;
        uint32_t got = 0;
        while (got < count) {
            ssize_t n = recv(fd_, rx_.data(), rx_.size(), 0);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw Failure("netlink receive: " + errstr(errno));
            }
            size_t len = static_cast<size_t>(n);
            for (auto* h = reinterpret_cast<nlmsghdr*>(rx_.data()); NLMSG_OK(h, len);
                 h = NLMSG_NEXT(h, len)) {
                if (h->nlmsg_type != NLMSG_ERROR)
                    continue;
                if (h->nlmsg_seq != first + got)
                    throw Failure("netlink: ack " + std::to_string(h->nlmsg_seq) + " while waiting for " +
                                  std::to_string(first + got));
                const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
                if (e->error && failed)
                    failed->emplace_back(got, e->error);
                got++;
                if (e->error && !result) {
                    result = e->error;
                    if (why) {
                        *why = errstr(-e->error);
                        if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
                            size_t off = sizeof *e;
                            if (!(h->nlmsg_flags & NLM_F_CAPPED))
                                off += e->msg.nlmsg_len - sizeof(nlmsghdr);
                            const auto* base = reinterpret_cast<const uint8_t*>(e) + NLMSG_ALIGN(off);
                            const size_t tl = h->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(off);
                            auto a = attrs(base, tl);
                            if (auto it = a.find(NLMSGERR_ATTR_MSG); it != a.end())
                                *why += std::string(" (") +
                                        reinterpret_cast<const char*>(it->second.first) + ")";
                        }
                    }
                }
            }
        }
        return result;
    }

    // One request, one ack, as iproute2's rtnl_talk does.
    int talk(Msg& m, std::string* why = nullptr) {
        const uint32_t s = stamp(m);
        send(m.data(), m.size());
        return acks(s, 1, why);
    }

    void must(Msg& m, const std::string& what) {
        std::string why;
        if (talk(m, &why))
            throw Failure(what + ": " + why);
    }

    // A dump: f(header) for every message of the answer.
    void dump(Msg& m, const std::function<void(const nlmsghdr*)>& f) {
        const uint32_t s = stamp(m);
        send(m.data(), m.size());
        for (;;) {
            ssize_t n = recv(fd_, rx_.data(), rx_.size(), 0);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw Failure("netlink dump: " + errstr(errno));
            }
            size_t len = static_cast<size_t>(n);
            for (auto* h = reinterpret_cast<nlmsghdr*>(rx_.data()); NLMSG_OK(h, len);
                 h = NLMSG_NEXT(h, len)) {
                if (h->nlmsg_seq != s)
                    continue;
                if (h->nlmsg_type == NLMSG_DONE)
                    return;
                if (h->nlmsg_type == NLMSG_ERROR) {
                    const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
                    throw Failure("netlink dump: " + errstr(-e->error));
                }
                f(h);
            }
        }
    }

private:
    int fd_;
    uint32_t seq_ = 0;
    std::vector<uint8_t> rx_;
};

// ---- the private network ------------------------------------------------------------

int ifindex(const char* name) {
    const unsigned i = if_nametoindex(name);
    if (!i)
        throw Failure(std::string("no interface ") + name + ": " + errstr(errno));
    return static_cast<int>(i);
}

void link_up(Rtnl& nl, const char* name) {
    Msg m(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex(name);
    ifi.ifi_flags = IFF_UP;
    ifi.ifi_change = IFF_UP;
    m.raw(ifi);
    nl.must(m, std::string("setting ") + name + " up");
}

// A route to net/len out of dev, no encapsulation (what attached pins follow).
void plain_route(Rtnl& nl, const Ipv6& net, uint8_t len, int oif) {
    Msg m(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    rtmsg r{};
    r.rtm_family = AF_INET6;
    r.rtm_dst_len = len;
    r.rtm_table = RT_TABLE_MAIN;
    r.rtm_protocol = RTPROT_BOOT;
    r.rtm_scope = RT_SCOPE_UNIVERSE;
    r.rtm_type = RTN_UNICAST;
    m.raw(r);
    m.put(RTA_DST, net.bytes);
    m.put(RTA_OIF, static_cast<uint32_t>(oif));
    nl.must(m, "adding the route " + net.str() + "/" + std::to_string(len));
}

// lo up; veth pair kDev/kPeer, both up; kHost/64 on kDev (no DAD, so it is
// usable at once); kSteerNet/40 routed out of kDev.
int setup_network(Rtnl& nl) {
    link_up(nl, "lo");
    {
        Msg m(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        ifinfomsg ifi{};
        ifi.ifi_family = AF_UNSPEC;
        m.raw(ifi);
        m.put_str(IFLA_IFNAME, kDev);
        size_t info = m.begin(IFLA_LINKINFO);
        m.put_str(IFLA_INFO_KIND, "veth");
        size_t data = m.begin(IFLA_INFO_DATA);
        size_t peer = m.begin(VETH_INFO_PEER);
        ifinfomsg pi{};
        pi.ifi_family = AF_UNSPEC;
        m.raw(pi);
        m.put_str(IFLA_IFNAME, kPeer);
        m.end(peer);
        m.end(data);
        m.end(info);
        nl.must(m, std::string("creating the veth pair ") + kDev + "/" + kPeer);
    }
    link_up(nl, kDev);
    link_up(nl, kPeer);
    const int oif = ifindex(kDev);
    {
        Msg m(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        ifaddrmsg a{};
        a.ifa_family = AF_INET6;
        a.ifa_prefixlen = 64;
        a.ifa_flags = IFA_F_NODAD;
        a.ifa_scope = RT_SCOPE_UNIVERSE;
        a.ifa_index = static_cast<uint32_t>(oif);
        m.raw(a);
        m.put(IFA_LOCAL, kHost.bytes);
        m.put(IFA_ADDRESS, kHost.bytes);
        m.put(IFA_FLAGS, static_cast<uint32_t>(IFA_F_NODAD));
        nl.must(m, "adding " + kHost.str() + "/64 to " + kDev);
    }
    plain_route(nl, kSteerNet, 40, oif);
    return oif;
}

// ---- seg6 routes, as `ip -6 route add DST/128 encap seg6 mode encap.red segs C dev D` ----

// SEG6_IPTUNNEL_SRH's payload: struct seg6_iptunnel_encap {int mode; struct
// ipv6_sr_hdr srh[];} with the SRH iproute2 builds for encap.red and one
// segment: hdrlen 2, type 4, segments_left = last_entry = 0, segments[0] = C.
std::vector<uint8_t> seg6_encap(const Ipv6& seg) {
    std::vector<uint8_t> b(sizeof(int) + sizeof(ipv6_sr_hdr) + 16, 0);
    const int mode = SEG6_IPTUN_MODE_ENCAP_RED;
    std::memcpy(b.data(), &mode, sizeof mode);
    ipv6_sr_hdr srh{};
    srh.hdrlen = static_cast<uint8_t>((sizeof srh + 16) / 8 - 1);
    srh.type = kSrhType;
    srh.segments_left = 0;
    srh.first_segment = 0;
    std::memcpy(b.data() + sizeof mode, &srh, sizeof srh);
    std::memcpy(b.data() + sizeof mode + sizeof srh, seg.bytes.data(), 16);
    return b;
}

Msg seg6_route(bool add, const Ipv6& dst, int oif, const std::vector<uint8_t>& encap) {
    Msg m(add ? RTM_NEWROUTE : RTM_DELROUTE,
          add ? NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL : NLM_F_REQUEST | NLM_F_ACK);
    rtmsg r{};
    r.rtm_family = AF_INET6;
    r.rtm_dst_len = 128;
    r.rtm_table = RT_TABLE_MAIN;
    r.rtm_protocol = add ? RTPROT_BOOT : 0;
    r.rtm_scope = add ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE;
    r.rtm_type = RTN_UNICAST;
    m.raw(r);
    m.put(RTA_DST, dst.bytes);
    m.put(RTA_OIF, static_cast<uint32_t>(oif));
    if (add) {
        size_t nest = m.begin(RTA_ENCAP);
        m.put(SEG6_IPTUNNEL_SRH, encap.data(), encap.size());
        m.end(nest);
        m.put(RTA_ENCAP_TYPE, static_cast<uint16_t>(LWTUNNEL_ENCAP_SEG6));
    }
    return m;
}

struct RouteCount {
    size_t seg6_ok = 0;     // /128 in the net, seg6 encap == the expected one
    size_t seg6_other = 0;  // /128 in the net, any other encapsulation or none
    size_t ours = 0;        // /128 in the net with srv6steer's protocol
};

// The IPv6 /128 routes of the main table inside net/len_bytes*8.
RouteCount count_routes(Rtnl& nl, const Ipv6& net, unsigned len_bytes, const std::vector<uint8_t>& encap) {
    Msg m(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
    rtmsg r{};
    r.rtm_family = AF_INET6;
    m.raw(r);
    RouteCount c;
    nl.dump(m, [&](const nlmsghdr* h) {
        if (h->nlmsg_type != RTM_NEWROUTE)
            return;
        const auto* rt = static_cast<const rtmsg*>(NLMSG_DATA(h));
        if (rt->rtm_dst_len != 128)
            return;
        auto a = attrs(reinterpret_cast<const uint8_t*>(rt) + NLMSG_ALIGN(sizeof *rt),
                       h->nlmsg_len - NLMSG_LENGTH(sizeof *rt));
        auto dst = a.find(RTA_DST);
        if (dst == a.end() || dst->second.second != 16 || !in_net(dst->second.first, net, len_bytes))
            return;
        uint32_t table = rt->rtm_table;
        if (auto t = a.find(RTA_TABLE); t != a.end() && t->second.second == 4)
            std::memcpy(&table, t->second.first, 4);
        if (table != RT_TABLE_MAIN)
            return;
        if (rt->rtm_protocol == kRouteProtocol)
            c.ours++;
        auto type = a.find(RTA_ENCAP_TYPE);
        auto enc = a.find(RTA_ENCAP);
        uint16_t et = 0;
        if (type != a.end() && type->second.second == 2)
            std::memcpy(&et, type->second.first, 2);
        if (et == LWTUNNEL_ENCAP_SEG6 && enc != a.end()) {
            auto inner = attrs(enc->second.first, enc->second.second);
            auto srh = inner.find(SEG6_IPTUNNEL_SRH);
            if (srh != inner.end() && srh->second.second == encap.size() &&
                std::memcmp(srh->second.first, encap.data(), encap.size()) == 0) {
                c.seg6_ok++;
                return;
            }
        }
        c.seg6_other++;
    });
    return c;
}

// fork/exec of `ip -6 route add|del DST/128 encap seg6 mode encap.red segs C dev D`.
void ip_route(bool add, const Ipv6& dst, const Ipv6& seg) {
    const std::string d = dst.str() + "/128", s = seg.str();
    std::vector<std::string> args = {"ip", "-6", "route", add ? "add" : "del", d};
    if (add)
        args.insert(args.end(), {"encap", "seg6", "mode", "encap.red", "segs", s});
    args.insert(args.end(), {"dev", kDev});
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid;
    if (int err = posix_spawnp(&pid, "ip", nullptr, nullptr, argv.data(), environ))
        throw Failure("running ip: " + errstr(err));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            throw Failure("waiting for ip: " + errstr(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Failure("`ip -6 route " + std::string(add ? "add " : "del ") + d + " ...` failed (status " +
                      std::to_string(status) + ")");
}

bool have_ip() {
    const char* path = getenv("PATH");
    std::string p = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
    for (size_t pos = 0; pos <= p.size();) {
        size_t c = p.find(':', pos);
        if (c == std::string::npos)
            c = p.size();
        if (access((p.substr(pos, c - pos) + "/ip").c_str(), X_OK) == 0)
            return true;
        pos = c + 1;
    }
    return false;
}

// ---- namespaces and the private bpffs -----------------------------------------------

struct PrivateBpffs {
    std::string dir;
    ~PrivateBpffs() {
        if (dir.empty())
            return;
        umount2(dir.c_str(), MNT_DETACH);
        rmdir(dir.c_str());
    }
};

void enter_namespaces(PrivateBpffs& bpffs) {
    if (unshare(CLONE_NEWNET | CLONE_NEWNS))
        throw Failure("unshare(CLONE_NEWNET | CLONE_NEWNS): " + errstr(errno) + " (run as root)");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr))
        throw Failure("making / private in the new mount namespace: " + errstr(errno));
    char tmpl[] = "/tmp/srv6s-bench-pins.XXXXXX";
    if (!mkdtemp(tmpl))
        throw Failure("mkdtemp: " + errstr(errno));
    bpffs.dir = tmpl;
    if (mount("bpf", tmpl, "bpf", 0, nullptr)) {
        const int err = errno;
        rmdir(tmpl);
        bpffs.dir.clear();
        throw Failure(std::string("mounting a private bpffs on ") + tmpl + ": " + errstr(err));
    }
}

// ---- the cases ------------------------------------------------------------------------

// Items per second of one timed repetition, per case.
struct Timing {
    std::vector<double> rates;
    double median() const {
        std::vector<double> v = rates;
        std::sort(v.begin(), v.end());
        if (v.empty())
            return 0;
        return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    }
    double min() const { return rates.empty() ? 0 : *std::min_element(rates.begin(), rates.end()); }
    double max() const { return rates.empty() ? 0 : *std::max_element(rates.begin(), rates.end()); }
};

double rate(uint64_t n, uint64_t ns) {
    return ns ? static_cast<double>(n) * 1e9 / static_cast<double>(ns) : 0;
}

// What one case measured over all repetitions.
struct Result {
    Timing pins;
    Timing removal;                 // the timed clean-up: routes/s deleted, or ms of detach
    Timing first_tenth, last_tenth; // single_attached_new_dst: how the rate changes as routes grow
    std::vector<uint64_t> retries;  // route cases: ENOMEM retries per run
};

Path the_path() {
    Path p;
    p.id = 1;
    p.segments = {kSeg};
    p.mode = SrhMode::Reduced;
    return p;
}
const Target kTarget = Target::path(1);

// Maps-only flows: distinct sources, one destination.
Flow map_flow(uint32_t i) {
    Flow f;
    f.src = host(kSrc, 0x10000u + i);
    f.dst = kDst;
    f.proto = 6;
    f.sport = static_cast<uint16_t>(1024 + i % 60000);
    f.dport = 5201;
    return f;
}

// Attached flows: over n_dsts destinations in kSteerNet, or (0) one each.
Flow steer_flow(uint32_t i, uint32_t n_dsts) {
    Flow f;
    f.src = host(kSrc, 0x10000u + i);
    f.dst = host(kSteerNet, 1 + (n_dsts ? i % n_dsts : i));
    f.proto = 6;
    f.sport = static_cast<uint16_t>(1024 + i % 60000);
    f.dport = 5201;
    return f;
}

struct Batch {
    std::vector<Flow> flows;
    std::vector<std::pair<Flow, Target>> pins;
};

Batch make_batch(uint32_t n, const std::function<Flow(uint32_t)>& flow) {
    Batch b;
    b.flows.reserve(n);
    b.pins.reserve(n);
    for (uint32_t i = 0; i < n; i++) {
        b.flows.push_back(flow(i));
        b.pins.emplace_back(b.flows.back(), kTarget);
    }
    std::sort(b.flows.begin(), b.flows.end());  // as Steering::flows() lists them
    return b;
}

// The flow map must hold exactly `want` (sorted), each to kTarget.
void verify_flows(const Steering& s, const std::vector<Flow>& want, const std::string& what) {
    const auto got = s.flows();
    if (got.size() != want.size())
        throw Failure(what + ": the flow map holds " + std::to_string(got.size()) + " pins, expected " +
                      std::to_string(want.size()));
    for (size_t i = 0; i < got.size(); i++)
        if (!(got[i].key == want[i]) || !(got[i].target == kTarget))
            throw Failure(what + ": pin " + std::to_string(i) + " is " + got[i].key.str() + " -> " +
                          got[i].target.str() + ", expected " + want[i].str() + " -> " + kTarget.str());
}

Steering unattached(uint32_t max_flows) {
    AttachOptions o;
    o.ifname = kDev;
    o.source = kHost;
    o.max_flows = max_flows;
    Steering s = Steering::load_unattached(o);
    s.add_path(the_path());
    return s;
}

uint32_t room_for(uint32_t n) { return n + n / 16 + 1024; }

struct Net {
    Rtnl& nl;
    int oif;
    std::string bpffs;
};

// (a) single pins on the maps alone; reuse_opts: one PinOptions for all.
void run_single(const Batch& b, bool reuse_opts, const std::string& name, Result& res) {
    Steering s = unattached(room_for(static_cast<uint32_t>(b.pins.size())));
    const PinOptions opts;
    const uint64_t t0 = now_ns();
    if (reuse_opts)
        for (const auto& [f, t] : b.pins)
            s.pin(f, t, opts);
    else
        for (const auto& [f, t] : b.pins)
            s.pin(f, t);
    res.pins.rates.push_back(rate(b.pins.size(), now_ns() - t0));
    verify_flows(s, b.flows, name);
}

// (b) one pin_flows call on the maps alone.
void run_batch(const Batch& b, Result& res) {
    Steering s = unattached(room_for(static_cast<uint32_t>(b.pins.size())));
    const uint64_t t0 = now_ns();
    const size_t fresh = s.pin_flows(b.pins);
    res.pins.rates.push_back(rate(b.pins.size(), now_ns() - t0));
    if (fresh != b.pins.size())
        throw Failure("batch: pin_flows reported " + std::to_string(fresh) + " new pins, expected " +
                      std::to_string(b.pins.size()));
    verify_flows(s, b.flows, "batch");
}

// (b, reference) the kernel's part of a batch alone: bpf_map_update_batch of
// the same keys and values into a hash map of the flow map's shape (key 40 B,
// value 40 B, preallocated), no user-space work.
void run_batch_map_only(const Batch& b, Result& res) {
    std::vector<srv6s_flow_key> keys;
    std::vector<srv6s_pin> values;
    keys.reserve(b.pins.size());
    values.reserve(b.pins.size());
    for (const auto& [f, t] : b.pins) {
        keys.push_back(f.key());
        srv6s_pin v{};
        v.path_set = t.slot();
        values.push_back(v);
    }
    const uint32_t n = static_cast<uint32_t>(keys.size());
    const int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_flows", sizeof(srv6s_flow_key), sizeof(srv6s_pin),
                                  room_for(n), nullptr);
    if (fd < 0)
        throw Failure("batch_map_only: creating the hash map: " + errstr(errno));
    struct Close {
        int fd;
        ~Close() { close(fd); }
    } guard{fd};
    uint32_t count = n;
    const uint64_t t0 = now_ns();
    if (bpf_map_update_batch(fd, keys.data(), values.data(), &count, nullptr))
        throw Failure("batch_map_only: bpf_map_update_batch: " + errstr(errno));
    res.pins.rates.push_back(rate(n, now_ns() - t0));
    srv6s_flow_key k{}, next{};
    uint32_t seen = 0;
    for (const srv6s_flow_key* prev = nullptr; bpf_map_get_next_key(fd, prev, &next) == 0; prev = &k) {
        k = next;
        seen++;
    }
    if (count != n || seen != n)
        throw Failure("batch_map_only: " + std::to_string(seen) + " entries, expected " + std::to_string(n));
}

// Before timing routes: a route added by `ip` and one added by our message
// must come back from the kernel with the same encapsulation.
void check_route_message(Net& net, const std::vector<uint8_t>& encap, bool ip) {
    const Ipv6 mine = host(kProbeNet, 1), theirs = host(kProbeNet, 2);
    Msg m = seg6_route(true, mine, net.oif, encap);
    net.nl.must(m, "adding the probe route " + mine.str());
    size_t want = 1;
    if (ip) {
        ip_route(true, theirs, kSeg);
        want = 2;
    }
    const RouteCount c = count_routes(net.nl, kProbeNet, 6, encap);
    if (c.seg6_ok != want || c.seg6_other)
        throw Failure("probe routes: " + std::to_string(c.seg6_ok) + " with the expected seg6 encap.red "
                      "encapsulation and " + std::to_string(c.seg6_other) + " with another, expected " +
                      std::to_string(want) + " and 0 (the hand-built RTM_NEWROUTE differs from `ip`'s?)");
    Msg d = seg6_route(false, mine, net.oif, encap);
    net.nl.must(d, "deleting the probe route");
    if (ip)
        ip_route(false, theirs, kSeg);
    if (count_routes(net.nl, kProbeNet, 6, encap).seg6_ok)
        throw Failure("probe routes left behind");
}

struct RouteMsgs {
    std::vector<Msg> add, del;
};

RouteMsgs make_routes(uint32_t n, int oif) {
    RouteMsgs r;
    const auto encap = seg6_encap(kSeg);
    for (uint32_t i = 0; i < n; i++) {
        r.add.push_back(seg6_route(true, host(kRouteNet, i + 1), oif, encap));
        r.del.push_back(seg6_route(false, host(kRouteNet, i + 1), oif, encap));
    }
    return r;
}

// The kernel allocates each seg6 route's per-CPU dst_cache with GFP_ATOMIC,
// from a pool of populated per-CPU pages that a background worker refills:
// routes added faster than it refills fail with ENOMEM. The route method then
// has to wait and retry, and that time is part of its cost; the retries are
// counted and reported.
constexpr uint32_t kRetryUs = 50;
constexpr uint32_t kMaxRetries = 200000;  // per route: ~10 s

// One request + ack, retried on ENOMEM; returns the retries.
uint64_t talk_retrying(Rtnl& nl, Msg& m, const std::string& what) {
    std::string why;
    for (uint64_t retries = 0;; retries++) {
        const int err = nl.talk(m, &why);
        if (!err)
            return retries;
        if (err != -ENOMEM || retries >= kMaxRetries)
            throw Failure(what + ": " + why + (err == -ENOMEM ? " (still, after " + std::to_string(retries) +
                                                                    " retries)"
                                                              : ""));
        usleep(kRetryUs);
    }
}

// Sends msgs: one request + ack at a time (window 1), or `window` requests per
// send with their acks read afterwards (failed ones then retried one by one).
// Returns the ENOMEM retries.
uint64_t send_all(Rtnl& nl, std::vector<Msg>& msgs, uint32_t window, const char* what) {
    uint64_t retries = 0;
    if (window <= 1) {
        for (size_t i = 0; i < msgs.size(); i++)
            retries += talk_retrying(nl, msgs[i], std::string(what) + " route " + std::to_string(i));
        return retries;
    }
    std::vector<uint8_t> buf;
    std::vector<std::pair<uint32_t, int>> failed;
    std::string why;
    for (size_t i = 0; i < msgs.size(); i += window) {
        const size_t n = std::min<size_t>(window, msgs.size() - i);
        buf.clear();
        uint32_t first = 0;
        for (size_t k = 0; k < n; k++) {
            const uint32_t s = nl.stamp(msgs[i + k]);
            if (k == 0)
                first = s;
            buf.insert(buf.end(), msgs[i + k].data(), msgs[i + k].data() + msgs[i + k].size());
        }
        nl.send(buf.data(), buf.size());
        failed.clear();
        nl.acks(first, static_cast<uint32_t>(n), &why, &failed);
        for (const auto& [k, err] : failed) {
            const std::string name = std::string(what) + " route " + std::to_string(i + k);
            if (err != -ENOMEM)
                throw Failure(name + ": " + why);
            usleep(kRetryUs);
            retries += 1 + talk_retrying(nl, msgs[i + k], name);
        }
    }
    return retries;
}

// (c) one RTM_NEWROUTE per route, then (timed too) one RTM_DELROUTE per route.
void run_route_netlink(Net& net, RouteMsgs& m, uint32_t window, const std::string& name, Result& res) {
    const auto encap = seg6_encap(kSeg);
    const size_t n = m.add.size();
    uint64_t t0 = now_ns();
    res.retries.push_back(send_all(net.nl, m.add, window, "adding"));
    res.pins.rates.push_back(rate(n, now_ns() - t0));
    const RouteCount c = count_routes(net.nl, kRouteNet, 6, encap);
    if (c.seg6_ok != n || c.seg6_other)
        throw Failure(name + ": the kernel has " + std::to_string(c.seg6_ok) + " seg6 encap.red routes (+" +
                      std::to_string(c.seg6_other) + " others), expected " + std::to_string(n));
    t0 = now_ns();
    send_all(net.nl, m.del, window, "deleting");
    res.removal.rates.push_back(rate(n, now_ns() - t0));
    const RouteCount after = count_routes(net.nl, kRouteNet, 6, encap);
    if (after.seg6_ok || after.seg6_other)
        throw Failure(name + ": " + std::to_string(after.seg6_ok + after.seg6_other) +
                      " routes left after deleting them");
}

// (c, reference) fork/exec of `ip -6 route add` per route.
void run_route_exec(Net& net, uint32_t n, Result& res) {
    const auto encap = seg6_encap(kSeg);
    const uint64_t t0 = now_ns();
    for (uint32_t i = 0; i < n; i++)
        ip_route(true, host(kExecNet, i + 1), kSeg);
    res.pins.rates.push_back(rate(n, now_ns() - t0));
    const RouteCount c = count_routes(net.nl, kExecNet, 6, encap);
    if (c.seg6_ok != n || c.seg6_other)
        throw Failure("route_exec: the kernel has " + std::to_string(c.seg6_ok) + " seg6 encap.red routes (+" +
                      std::to_string(c.seg6_other) + " others), expected " + std::to_string(n));
    for (uint32_t i = 0; i < n; i++) {
        Msg d = seg6_route(false, host(kExecNet, i + 1), net.oif, encap);
        net.nl.must(d, "deleting an exec route");
    }
    if (count_routes(net.nl, kExecNet, 6, encap).seg6_ok)
        throw Failure("route_exec: routes left after deleting them");
}

// An instance attached to kDev with state in the private bpffs; detached at
// the end of scope whatever happened.
struct Attached {
    std::string bpffs;
    std::optional<Steering> s;
    Attached(const Net& net, bool route_mtu, uint32_t max_flows) : bpffs(net.bpffs) {
        AttachOptions a;
        a.ifname = kDev;
        a.bpffs = net.bpffs;
        a.route_mtu = route_mtu;
        a.max_flows = max_flows;
        s.emplace(Steering::attach(a));
        s->add_path(the_path());
    }
    // Timed detach (TC link, route MTUs and pins removed); returns ns.
    uint64_t detach() {
        s.reset();
        const uint64_t t0 = now_ns();
        if (!Steering::detach(kDev, bpffs))
            throw Failure("detach: srv6steer was not attached to " + std::string(kDev));
        const uint64_t ns = now_ns() - t0;
        bpffs.clear();
        return ns;
    }
    ~Attached() {
        if (bpffs.empty())
            return;
        s.reset();
        try {
            Steering::detach(kDev, bpffs);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "bench_pins: detach while unwinding: %s\n", e.what());
        }
    }
};

// What is left in the private bpffs (bpf_preload's own maps.debug and
// progs.debug aside).
std::vector<std::string> bpffs_entries(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it.depth() > 0 || (it->path().filename() != "maps.debug" && it->path().filename() != "progs.debug"))
            out.push_back(it->path().string());
    return out;
}

void verify_clean(Net& net, const std::string& what) {
    const RouteCount c = count_routes(net.nl, kSteerNet, 5, seg6_encap(kSeg));
    if (c.ours || c.seg6_ok || c.seg6_other)
        throw Failure(what + ": " + std::to_string(c.ours + c.seg6_ok + c.seg6_other) + " /128 routes left in " +
                      kSteerNet.str() + "/40 after detach");
    if (const auto left = bpffs_entries(net.bpffs); !left.empty()) {
        std::string msg = what + ": left in the private bpffs after detach:";
        for (const auto& p : left)
            msg += " " + p;
        throw Failure(msg);
    }
}

void verify_routes(Net& net, Steering& s, size_t want, const std::string& what) {
    const RouteCount c = count_routes(net.nl, kSteerNet, 5, seg6_encap(kSeg));
    const size_t owned = s.status().owned_routes.size();
    if (c.ours != want || owned != want)
        throw Failure(what + ": " + std::to_string(c.ours) + " srv6steer routes in the kernel and " +
                      std::to_string(owned) + " in its journal, expected " + std::to_string(want));
}

// (a') single pins on an attached instance; want_routes: route MTUs expected.
void run_single_attached(Net& net, const Batch& b, bool route_mtu, size_t want_routes, const std::string& name,
                         bool tenths, Result& res) {
    const size_t n = b.pins.size();
    Attached a(net, route_mtu, room_for(static_cast<uint32_t>(n)));
    const size_t tenth = std::max<size_t>(1, n / 10);
    uint64_t t_first = 0, t_last = 0;
    const uint64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++) {
        if (i == n - tenth)
            t_last = now_ns();
        a.s->pin(b.pins[i].first, b.pins[i].second);
        if (i + 1 == tenth)
            t_first = now_ns();
    }
    const uint64_t t1 = now_ns();
    res.pins.rates.push_back(rate(n, t1 - t0));
    if (tenths) {
        res.first_tenth.rates.push_back(rate(tenth, t_first - t0));
        res.last_tenth.rates.push_back(rate(tenth, t1 - t_last));
    }
    verify_flows(*a.s, b.flows, name);
    verify_routes(net, *a.s, want_routes, name);
    res.removal.rates.push_back(static_cast<double>(a.detach()) / 1e6);
    verify_clean(net, name);
}

// pin_flows on the attached instance, route_mtu on.
void run_batch_attached(Net& net, const Batch& b, size_t want_routes, Result& res) {
    Attached a(net, true, room_for(static_cast<uint32_t>(b.pins.size())));
    const uint64_t t0 = now_ns();
    const size_t fresh = a.s->pin_flows(b.pins);
    res.pins.rates.push_back(rate(b.pins.size(), now_ns() - t0));
    if (fresh != b.pins.size())
        throw Failure("batch_attached: pin_flows reported " + std::to_string(fresh) + " new pins");
    verify_flows(*a.s, b.flows, "batch_attached");
    verify_routes(net, *a.s, want_routes, "batch_attached");
    res.removal.rates.push_back(static_cast<double>(a.detach()) / 1e6);
    verify_clean(net, "batch_attached");
}

// ---- output ---------------------------------------------------------------------------

std::string goal_text(const std::optional<double>& goal, double v, const char* fmt) {
    if (!goal)
        return "";
    char b[96];
    std::snprintf(b, sizeof b, fmt, *goal);
    return std::string(b) + (v >= *goal ? "  ok" : "  goal missed");
}

struct CaseInfo {
    const char* name;
    const char* what;
};

const std::vector<CaseInfo> kCases = {
    {"single", "Steering::pin one by one, maps alone"},
    {"single_opts", "the same, one PinOptions reused"},
    {"batch", "Steering::pin_flows, one call, maps alone"},
    {"batch_map_only", "bpf_map_update_batch alone, same keys"},
    {"route_netlink", "RTM_NEWROUTE seg6 encap.red + ack each"},
    {"route_netlink_pipelined", "the same, 256 requests per send"},
    {"route_exec", "fork/exec `ip -6 route add ... encap seg6`"},
    {"single_attached", "pin, attached (tcx), route_mtu off"},
    {"single_attached_one_dst", "pin, attached, route_mtu on, 1 dst"},
    {"single_attached_new_dst", "pin, attached, route_mtu on, a dst each"},
    {"batch_attached", "pin_flows, attached, route_mtu on"},
};

bool selected(const std::string& name, const Options& o) {
    if (o.only.empty())
        return true;
    for (const std::string& tok : o.only) {
        if (!tok.empty() && tok.back() == '*') {
            if (name.compare(0, tok.size() - 1, tok, 0, tok.size() - 1) == 0)
                return true;
        } else if (name == tok) {
            return true;
        }
    }
    return false;
}

Options parse(int argc, char** argv) {
    cxxopts::Options spec("bench_pins",
                          "Pins per second: srv6steer's single and batch pins against one kernel "
                          "seg6 route per destination (netlink, and fork/exec of ip), side by side "
                          "in a private network namespace. Table on stderr, one JSON line per "
                          "figure on stdout.");
    Options o;
    std::string only;
    spec.add_options()
        ("single", "flows pinned one by one (single, single_opts)",
         cxxopts::value(o.single)->default_value("20000"))
        ("batch", "flows in the pin_flows call (batch, batch_map_only, batch_attached)",
         cxxopts::value(o.batch)->default_value("1000000"))
        ("routes", "routes added one by one over netlink (route_netlink*)",
         cxxopts::value(o.routes)->default_value("20000"))
        ("exec", "routes added by fork/exec of ip (route_exec)",
         cxxopts::value(o.exec)->default_value("300"))
        ("attached", "flows pinned one by one on the attached instance (single_attached*)",
         cxxopts::value(o.attached)->default_value("2000"))
        ("batch-dsts", "destinations of the batch_attached flows (a route MTU each)",
         cxxopts::value(o.batch_dsts)->default_value("256"))
        ("reps", "repetitions, interleaved (every case once per round); medians are reported",
         cxxopts::value(o.reps)->default_value("3"))
        ("cpu", "pin the benchmark to this CPU (-1: do not pin)",
         cxxopts::value(o.cpu)->default_value("-1"))
        ("only", "comma-separated case names to run (a trailing * matches a prefix)",
         cxxopts::value(only)->default_value(""))
        ("list", "list the cases and exit")
        ("h,help", "this help");
    // bench/run-all passes its arguments to every benchmark: options meant for
    // another one (e.g. --iterations) are ignored here, with a note.
    spec.allow_unrecognised_options();
    auto args = spec.parse(argc, argv);
    if (!args.unmatched().empty()) {
        std::string ignored;
        for (const std::string& a : args.unmatched())
            ignored += " " + a;
        std::fprintf(stderr, "# bench_pins: ignoring arguments meant for other benchmarks:%s\n", ignored.c_str());
    }
    if (args.count("help")) {
        std::fprintf(stderr, "%s", spec.help().c_str());
        std::exit(0);
    }
    if (args.count("list")) {
        for (const CaseInfo& c : kCases)
            std::printf("%-26s %s\n", c.name, c.what);
        std::exit(0);
    }
    if (!o.single || !o.batch || !o.routes || !o.exec || !o.attached || !o.batch_dsts || !o.reps)
        throw Failure("--single, --batch, --routes, --exec, --attached, --batch-dsts and --reps must be at least 1");
    if (o.batch > (1u << 28) || o.single > (1u << 28) || o.attached > (1u << 24) || o.routes > (1u << 24) ||
        o.exec > (1u << 24) || o.batch_dsts > (1u << 24))
        throw Failure("--batch/--single at most 2^28, the other counts at most 2^24");
    for (size_t pos = 0; pos <= only.size() && !only.empty();) {
        size_t comma = only.find(',', pos);
        if (comma == std::string::npos)
            comma = only.size();
        if (comma > pos)
            o.only.push_back(only.substr(pos, comma - pos));
        pos = comma + 1;
    }
    bool any = false;
    for (const CaseInfo& c : kCases)
        any = any || selected(c.name, o);
    if (!any)
        throw Failure("no case matches --only (see --list)");
    return o;
}

int bench(int argc, char** argv) {
    const Options o = parse(argc, argv);
    benchutil::pin_cpu(o.cpu);

    PrivateBpffs bpffs;
    enter_namespaces(bpffs);
    Rtnl nl;
    const int oif = setup_network(nl);
    Net net{nl, oif, bpffs.dir};
    const bool ip = have_ip();

    utsname u{};
    uname(&u);
    std::fprintf(stderr,
                 "# bench_pins: kernel %s, %u interleaved rounds (every case once per round, medians "
                 "reported), private netns with veth %s/%s, private bpffs on %s%s\n",
                 u.release, o.reps, kDev, kPeer, bpffs.dir.c_str(),
                 o.cpu >= 0 ? (", CPU " + std::to_string(o.cpu)).c_str() : "");

    check_route_message(net, seg6_encap(kSeg), ip);
    std::fprintf(stderr, "# route message check: %s\n",
                 ip ? "a route added by `ip -6 route add ... encap seg6 mode encap.red` and one added "
                      "by the hand-built RTM_NEWROUTE read back with the same encapsulation"
                    : "no `ip` in PATH: only the hand-built RTM_NEWROUTE read back (route_exec skipped)");

    // Inputs, built once (not timed).
    const Batch single = make_batch(o.single, map_flow);
    const Batch batch = make_batch(o.batch, map_flow);
    const Batch new_dst = make_batch(o.attached, [](uint32_t i) { return steer_flow(i, 0); });
    const Batch one_dst = make_batch(o.attached, [](uint32_t i) { return steer_flow(i, 1); });
    const Batch spread = make_batch(o.batch, [&](uint32_t i) { return steer_flow(i, o.batch_dsts); });
    RouteMsgs routes = make_routes(o.routes, oif);

    struct Case {
        std::string name, what;
        uint64_t n;
        std::optional<double> goal;
        std::function<void(Result&)> run;
        std::string removal_what;
        const char* removal_unit = "pins/s";
        Result res;
    };
    std::vector<Case> cases;
    auto what = [](const char* name) {
        for (const CaseInfo& c : kCases)
            if (std::string(c.name) == name)
                return std::string(c.what);
        return std::string();
    };
    auto add = [&](const char* name, uint64_t n, std::function<void(Result&)> run, std::optional<double> goal = {},
                   std::string removal = "", const char* removal_unit = "pins/s") {
        if (selected(name, o))
            cases.push_back({name, what(name), n, goal, std::move(run), std::move(removal), removal_unit, {}});
    };
    add("single", o.single, [&](Result& r) { run_single(single, false, "single", r); });
    add("single_opts", o.single, [&](Result& r) { run_single(single, true, "single_opts", r); });
    add("batch", o.batch, [&](Result& r) { run_batch(batch, r); }, kGoalBatch);
    add("batch_map_only", o.batch, [&](Result& r) { run_batch_map_only(batch, r); });
    add("route_netlink", o.routes, [&](Result& r) { run_route_netlink(net, routes, 1, "route_netlink", r); }, {},
        "RTM_DELROUTE + ack each", "routes/s");
    add("route_netlink_pipelined", o.routes,
        [&](Result& r) { run_route_netlink(net, routes, 256, "route_netlink_pipelined", r); }, {},
        "RTM_DELROUTE, 256 per send", "routes/s");
    if (ip)
        add("route_exec", o.exec, [&](Result& r) { run_route_exec(net, o.exec, r); });
    else if (selected("route_exec", o))
        std::fprintf(stderr, "# route_exec skipped: no `ip` in PATH\n");
    add("single_attached", o.attached,
        [&](Result& r) { run_single_attached(net, new_dst, false, 0, "single_attached", false, r); }, {},
        "Steering::detach, route_mtu off", "ms");
    add("single_attached_one_dst", o.attached,
        [&](Result& r) { run_single_attached(net, one_dst, true, 1, "single_attached_one_dst", false, r); }, {},
        "Steering::detach, 1 route", "ms");
    add("single_attached_new_dst", o.attached,
        [&](Result& r) {
            run_single_attached(net, new_dst, true, o.attached, "single_attached_new_dst", true, r);
        },
        {}, "Steering::detach, a route per pin", "ms");
    add("batch_attached", o.batch,
        [&](Result& r) { run_batch_attached(net, spread, std::min(o.batch_dsts, o.batch), r); }, {},
        "Steering::detach, " + std::to_string(std::min(o.batch_dsts, o.batch)) + " routes", "ms");
    for (Case& c : cases)
        if (c.name == "batch_attached")
            c.what += ", " + std::to_string(std::min(o.batch_dsts, o.batch)) + " dsts";

    for (uint32_t round = 0; round < o.reps; round++) {
        for (Case& c : cases) {
            c.run(c.res);
            std::fprintf(stderr, "# round %u %-26s %12.0f pins/s\n", round + 1, c.name.c_str(),
                         c.res.pins.rates.back());
        }
    }

    // Figures.
    auto find = [&](const std::string& name) -> const Case* {
        for (const Case& c : cases)
            if (c.name == name)
                return &c;
        return nullptr;
    };
    for (const Case& c : cases) {
        json("pins_per_s", c.name, c.res.pins.median(), "pins/s", c.goal);
        json("pin_us", c.name, 1e6 / c.res.pins.median(), "us", std::nullopt, 3);
        if (!c.res.first_tenth.rates.empty()) {
            json("pins_per_s", c.name + "_first_tenth", c.res.first_tenth.median(), "pins/s");
            json("pins_per_s", c.name + "_last_tenth", c.res.last_tenth.median(), "pins/s");
        }
        if (!c.res.removal.rates.empty())
            json(std::string(c.removal_unit) == "ms" ? "detach_ms" : "route_removals_per_s", c.name,
                 c.res.removal.median(), c.removal_unit);
        if (!c.res.retries.empty()) {
            uint64_t total = 0;
            for (uint64_t r : c.res.retries)
                total += r;
            json("route_enomem_retries", c.name, static_cast<double>(total), "retries");
        }
    }
    struct Ratio {
        std::string a, b;
        std::optional<double> goal;
        double value = 0;
    };
    std::vector<Ratio> ratios;
    for (const auto& [a, b, goal] : std::vector<std::tuple<std::string, std::string, std::optional<double>>>{
             {"batch", "route_netlink", kGoalRatio},
             {"batch", "single", std::nullopt},
             {"batch", "route_netlink_pipelined", std::nullopt},
             {"batch", "route_exec", std::nullopt},
             {"batch", "batch_map_only", std::nullopt},
             {"single", "route_netlink", std::nullopt},
             {"single_opts", "single", std::nullopt},
             {"single_attached_new_dst", "route_netlink", std::nullopt},
             {"single_attached_new_dst", "single_attached_one_dst", std::nullopt},
             {"batch_attached", "batch", std::nullopt}}) {
        const Case *ca = find(a), *cb = find(b);
        if (!ca || !cb || cb->res.pins.median() <= 0)
            continue;
        Ratio q{a, b, goal, ca->res.pins.median() / cb->res.pins.median()};
        json("pins_ratio", q.a + "_over_" + q.b, q.value, "x", q.goal, 3);
        ratios.push_back(q);
    }

    // Table.
    std::fprintf(stderr,
                 "\npins per second, median of %u interleaved rounds. \"maps alone\": a load_unattached "
                 "instance, BPF map updates only\n(no TC attachment, no route MTUs); \"attached\": tcx on "
                 "%s in the private netns, state pinned in a private bpffs.\n",
                 o.reps, kDev);
    std::fprintf(stderr, "%-26s %-46s %8s %12s %12s %12s %9s  %s\n", "case", "method", "N", "pins/s", "min",
                 "max", "us/pin", "goal");
    for (const Case& c : cases) {
        const Timing& t = c.res.pins;
        const double m = t.median();
        std::fprintf(stderr, "%-26s %-46s %8" PRIu64 " %12.0f %12.0f %12.0f %9.2f  %s\n", c.name.c_str(),
                     c.what.c_str(), c.n, m, t.min(), t.max(), 1e6 / m,
                     goal_text(c.goal, m, ">= %.0f pins/s").c_str());
        if (!c.res.first_tenth.rates.empty()) {
            const uint64_t tenth = std::max<uint64_t>(1, c.n / 10);
            const std::string first = "  first " + std::to_string(tenth) + " pins (0.." +
                                      std::to_string(tenth) + " routes)";
            const std::string last = "  last " + std::to_string(tenth) + " pins (" +
                                     std::to_string(c.n - tenth) + ".." + std::to_string(c.n) + " routes)";
            for (const auto& [label, tt] : {std::pair{first, &c.res.first_tenth}, std::pair{last, &c.res.last_tenth}})
                std::fprintf(stderr, "%-26s %-46s %8" PRIu64 " %12.0f %12.0f %12.0f %9.2f\n", "", label.c_str(),
                             tenth, tt->median(), tt->min(), tt->max(), 1e6 / tt->median());
        }
    }
    for (const Case& c : cases) {
        uint64_t total = 0;
        std::string per;
        for (uint64_t r : c.res.retries) {
            total += r;
            per += (per.empty() ? "" : ", ") + std::to_string(r);
        }
        if (total)
            std::fprintf(stderr,
                         "%s: the kernel refused routes with ENOMEM %" PRIu64 " times (per round: %s); each "
                         "was retried after %u us, included in the time\n  (a seg6 route's per-CPU "
                         "dst_cache is allocated GFP_ATOMIC from a pool refilled in the background)\n",
                         c.name.c_str(), total, per.c_str(), kRetryUs);
    }
    bool any_removal = false;
    for (const Case& c : cases)
        any_removal = any_removal || !c.res.removal.rates.empty();
    if (any_removal) {
        std::fprintf(stderr, "\nclean-up, timed (median): routes deleted per second, or the time of detach\n");
        for (const Case& c : cases)
            if (!c.res.removal.rates.empty())
                std::fprintf(stderr, "%-26s %-46s %8" PRIu64 " %12.*f %s\n", c.name.c_str(), c.removal_what.c_str(),
                             c.n, std::string(c.removal_unit) == "ms" ? 1 : 0, c.res.removal.median(),
                             c.removal_unit);
    }
    if (!ratios.empty()) {
        std::fprintf(stderr, "\nratios of the medians above, measured side by side in this run\n");
        for (const Ratio& q : ratios)
            std::fprintf(stderr, "%-60s %10.3gx  %s\n", (q.a + " / " + q.b).c_str(), q.value,
                         goal_text(q.goal, q.value, ">= %.0fx").c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return bench(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_pins: %s\n", e.what());
        return 2;
    }
}
