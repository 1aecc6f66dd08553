// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Interfaces (RTM_GETLINK) and their IPv6 addresses (RTM_GETADDR).
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>

#include "netlink/attrs.hpp"
#include "netlink/format.hpp"
#include "netlink/netlink.hpp"
#include "text.hpp"

namespace srv6steer::nl {

namespace {

Link link_from_msg(const nlmsghdr* h) {
    const auto m = message<ifinfomsg>(h);
    if (!m)
        throw Error("the kernel's interface description does not parse (too short)", EIO);
    Link out;
    out.ifindex = m->hdr.ifi_index;
    out.name = m->attrs.str(IFLA_IFNAME).value_or("");
    out.mtu = m->attrs.u32(IFLA_MTU).value_or(0);
    out.up = (m->hdr.ifi_flags & IFF_UP) != 0;
    return out;
}

Link get_link(Socket& sk, int ifindex, const char* name, const std::string& who) {
    Request m(RTM_GETLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    m.header(ifi);
    if (name)
        m.put_str(IFLA_IFNAME, name);
    m.put(IFLA_EXT_MASK, static_cast<uint32_t>(RTEXT_FILTER_SKIP_STATS));
    std::optional<Link> got;
    const KernelError e = sk.transact(m, [&](const nlmsghdr* h) {
        if (h->nlmsg_type == RTM_NEWLINK)
            got = link_from_msg(h);
    });
    if (e.err == ENODEV)
        throw Error("no network interface " + who +
                        " in this network namespace (`ip link` lists the ones there)",
                    ENODEV);
    if (e)
        throw Error("looking up network interface " + who + " failed: " + e.text(), e.err);
    if (!got)
        throw Error("looking up network interface " + who + ": the kernel sent no answer", EIO);
    return *got;
}

}  // namespace

Link Netlink::link(std::string_view name) {
    const std::string n(name);
    if (n.empty() || n.size() >= IF_NAMESIZE || n.find_first_of("/ \t\n") != std::string::npos ||
        n.find('\0') != std::string::npos)
        throw Error(text::quote(n) + " is not a network interface name (1 to " +
                    std::to_string(IF_NAMESIZE - 1) + " characters, no '/' or spaces)");
    return get_link(sock_, 0, n.c_str(), text::quote(n));
}

Link Netlink::link(int ifindex) {
    if (ifindex <= 0)
        throw Error("invalid interface index " + std::to_string(ifindex) + " (must be positive)");
    return get_link(sock_, ifindex, nullptr, "with index " + std::to_string(ifindex));
}

std::optional<Ipv6> Netlink::global_ipv6(int ifindex) {
    Request m(RTM_GETADDR, 0);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET6;
    ifa.ifa_index = static_cast<uint32_t>(ifindex);
    m.header(ifa);
    std::optional<Ipv6> best, deprecated;
    sock_.dump(
        m, "listing the IPv6 addresses of " + if_name(ifindex),
        [&] {
            best.reset();
            deprecated.reset();
        },
        [&](const nlmsghdr* h) {
            const auto m = message<ifaddrmsg>(h);
            if (h->nlmsg_type != RTM_NEWADDR || !m)
                return;
            const ifaddrmsg& got = m->hdr;
            const Attrs& a = m->attrs;
            const uint32_t flags = a.u32(IFA_FLAGS).value_or(got.ifa_flags);
            if (got.ifa_family != AF_INET6 || static_cast<int>(got.ifa_index) != ifindex ||
                got.ifa_scope != RT_SCOPE_UNIVERSE || (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
                return;
            // IFA_LOCAL only comes with a peer address; else IFA_ADDRESS is ours.
            auto ip = a.ip(IFA_LOCAL, AF_INET6);
            if (!ip)
                ip = a.ip(IFA_ADDRESS, AF_INET6);
            if (!ip)
                return;
            auto& slot = (flags & IFA_F_DEPRECATED) ? deprecated : best;
            if (!slot)
                slot = ip;
        });
    return best ? best : deprecated;
}

}  // namespace srv6steer::nl
