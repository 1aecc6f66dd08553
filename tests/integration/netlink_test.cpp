// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// srv6steer::nl (libsrv6steer/netlink/) against the real kernel, checked
// against what `ip` shows. Every test starts in a network namespace of its
// own (unshare(CLONE_NEWNET) in SetUp): ctest runs each test in its own
// process, so the namespace, its veths and routes vanish when the process
// exits, even on failure; the host is never touched. Run by hand, all tests
// share one process and each SetUp simply unshares a fresh namespace.
//
// Topology in each namespace (addresses as in the lab, tools/README.md):
//   veth0 (fcbb:0:800:1::10/64, 10.0.1.10/24) -- veth0p
//   veth1 (fcbb:0:800:3::10/64, 10.0.3.10/24) -- veth1p
//   fcbb:0:800:2::/64 via fcbb:0:800:1::1 dev veth0
//   10.0.2.0/24       via 10.0.1.1        dev veth0
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "netlink/netlink.hpp"
#include "netlink/attrs.hpp"
#include "netlink/socket.hpp"
#include "shell.hpp"
#include "skip.hpp"
#include "spawn.hpp"

namespace srv6steer::nl {
namespace {

// "fcbb:0:800:2::/64", "10.0.2.0/24", or an address alone. Local on purpose:
// the test must not depend on Prefix::parse.
Prefix pfx(const std::string& text) {
    const auto slash = text.find('/');
    const std::string addr = text.substr(0, slash);
    Prefix p;
    p.addr = Ipv6::parse_any(addr);
    const bool v4 = addr.find(':') == std::string::npos;
    const unsigned len = slash == std::string::npos ? (v4 ? 32u : 128u)
                                                    : static_cast<unsigned>(std::stoul(text.substr(slash + 1)));
    p.len = v4 ? 96 + len : len;
    return p;
}

Ipv6 ip(const std::string& text) { return Ipv6::parse_any(text); }

// A shell command run in this namespace (children inherit it): its exit
// code, or (out) what it printed, stderr included.
int sh(const std::string& cmd) { return testproc::spawn({"sh", "-c", cmd}).code; }
std::string out(const std::string& cmd) { return testsh::sh(cmd, false); }

bool has(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

// The route(s) of the family with exactly this destination in the main table.
std::vector<Route> routes_for(Netlink& nl, const Prefix& dst) {
    std::vector<Route> r;
    for (Route& x : nl.routes(dst.is_v4() ? AF_INET : AF_INET6))
        if (x.dst == dst && x.table == RT_TABLE_MAIN)
            r.push_back(x);
    return r;
}

std::set<std::string> gateways(const Route& r) {
    std::set<std::string> g;
    for (const Nexthop& nh : r.nexthops)
        if (nh.gateway)
            g.insert(nh.gateway->str());
    return g;
}

class NetlinkTest : public ::testing::Test {
protected:
    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        if (unshare(CLONE_NEWNET) != 0)
            SRV6S_SKIP_OR_FAIL("unshare(CLONE_NEWNET) failed: " << std::strerror(errno));
        const char* setup[] = {
            "ip link set lo up",
            "ip link add veth0 type veth peer name veth0p",
            "ip link add veth1 type veth peer name veth1p",
            "ip link set veth0 up",
            "ip link set veth0p up",
            "ip link set veth1 up",
            "ip link set veth1p up",
            "ip addr add fcbb:0:800:1::10/64 dev veth0 nodad",
            "ip addr add fcbb:0:800:3::10/64 dev veth1 nodad",
            "ip addr add 10.0.1.10/24 dev veth0",
            "ip addr add 10.0.3.10/24 dev veth1",
            "ip -6 route add fcbb:0:800:2::/64 via fcbb:0:800:1::1 dev veth0",
            "ip route add 10.0.2.0/24 via 10.0.1.1 dev veth0",
        };
        for (const char* cmd : setup)
            ASSERT_EQ(sh(cmd), 0) << cmd;
        nl.emplace();  // after unshare: the socket lives in the private namespace
        veth0 = nl->link("veth0").ifindex;
        veth1 = nl->link("veth1").ifindex;
    }

    std::optional<Netlink> nl;
    int veth0 = 0;
    int veth1 = 0;
};

TEST_F(NetlinkTest, LinkByNameAndIndex) {
    const Link a = nl->link("veth0");
    EXPECT_GT(a.ifindex, 0);
    EXPECT_EQ(a.name, "veth0");
    EXPECT_EQ(a.mtu, 1500u);
    EXPECT_TRUE(a.up);

    const Link b = nl->link(a.ifindex);
    EXPECT_EQ(b.ifindex, a.ifindex);
    EXPECT_EQ(b.name, "veth0");
    EXPECT_EQ(b.mtu, 1500u);

    ASSERT_EQ(sh("ip link set veth1 mtu 1400 down"), 0);
    const Link c = nl->link("veth1");
    EXPECT_FALSE(c.up);
    EXPECT_EQ(c.mtu, 1400u);

    Netlink moved = std::move(*nl);  // move-only RAII keeps working
    EXPECT_EQ(moved.link("lo").ifindex, 1);
}

TEST_F(NetlinkTest, UnknownInterfaceSaysWhatAndWhere) {
    try {
        nl->link("eth9");
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ENODEV);
        EXPECT_TRUE(has(e.what(), "no network interface \"eth9\" in this network namespace"))
            << e.what();
        EXPECT_TRUE(has(e.what(), "ip link")) << e.what();
    }
    try {
        nl->link(9999);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ENODEV);
        EXPECT_TRUE(has(e.what(), "no network interface with index 9999")) << e.what();
    }
    EXPECT_THROW(nl->link("a-name-longer-than-15"), Error);
    EXPECT_THROW(nl->link(""), Error);
}

TEST_F(NetlinkTest, GlobalIpv6SkipsLinkLocalAndTentative) {
    EXPECT_EQ(nl->global_ipv6(veth0), ip("fcbb:0:800:1::10"));
    // veth0p has only its link-local address.
    EXPECT_EQ(nl->global_ipv6(nl->link("veth0p").ifindex), std::nullopt);
    // Without nodad the address stays tentative until DAD is done, which
    // here takes an hour (the retransmit time); the kernel lists it first
    // (newest first within a scope), so it must be skipped.
    ASSERT_EQ(sh("sysctl -qw net.ipv6.neigh.veth1.retrans_time_ms=3600000"), 0);
    ASSERT_EQ(sh("ip addr add fcbb:0:800:3::11/64 dev veth1"), 0);
    ASSERT_TRUE(has(out("ip -6 addr show dev veth1"), "tentative"));
    EXPECT_EQ(nl->global_ipv6(veth1), ip("fcbb:0:800:3::10"));
    // IPv4 addresses and loopback do not count.
    EXPECT_EQ(nl->global_ipv6(1), std::nullopt);
}

TEST_F(NetlinkTest, LookupIpv6AndIpv4) {
    const Route r6 = nl->lookup(ip("fcbb:0:800:2::5"));
    EXPECT_EQ(r6.dst, pfx("fcbb:0:800:2::/64"));
    EXPECT_EQ(r6.table, RT_TABLE_MAIN);
    EXPECT_EQ(r6.type, RTN_UNICAST);
    EXPECT_EQ(r6.priority, 1024u);
    EXPECT_EQ(r6.oif, veth0);
    EXPECT_EQ(r6.gateway, ip("fcbb:0:800:1::1"));
    EXPECT_EQ(r6.mtu, 0u);
    // str() reads like `ip route` (which adds "pref medium").
    EXPECT_EQ(r6.str(), "fcbb:0:800:2::/64 via fcbb:0:800:1::1 dev veth0 metric 1024");
    EXPECT_TRUE(has(out("ip -6 route show fcbb:0:800:2::/64"), r6.str()));

    const Route r4 = nl->lookup(ip("10.0.2.9"));
    EXPECT_EQ(r4.dst, pfx("10.0.2.0/24"));
    EXPECT_EQ(r4.oif, veth0);
    EXPECT_EQ(r4.gateway, ip("10.0.1.1"));
    EXPECT_EQ(r4.str(), "10.0.2.0/24 via 10.0.1.1 dev veth0");

    const Route connected = nl->lookup(ip("10.0.1.77"));
    EXPECT_EQ(connected.dst, pfx("10.0.1.0/24"));
    EXPECT_EQ(connected.protocol, RTPROT_KERNEL);
    EXPECT_EQ(connected.gateway, std::nullopt);

    try {
        nl->lookup(ip("2001:db8::1"));
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ENETUNREACH);
        EXPECT_TRUE(has(e.what(), "no route to 2001:db8::1")) << e.what();
    }
    EXPECT_THROW(nl->lookup(ip("192.0.2.1")), Error);
}

TEST_F(NetlinkTest, SetRouteMtuAddsHostRoute) {
    const Prefix dst = pfx("fcbb:0:800:2::5/128");
    const RouteChange c = nl->set_route_mtu(dst, veth0, 1460);
    EXPECT_TRUE(c.added);
    EXPECT_EQ(c.old_mtu, 0u);
    EXPECT_EQ(c.table, RT_TABLE_MAIN);
    EXPECT_EQ(c.priority, 1024u);

    const auto ours = nl->routes(AF_INET6, kRouteProtocol);
    ASSERT_EQ(ours.size(), 1u);
    EXPECT_EQ(ours[0].dst, dst);
    EXPECT_EQ(ours[0].mtu, 1460u);
    EXPECT_EQ(ours[0].oif, veth0);
    EXPECT_EQ(ours[0].gateway, ip("fcbb:0:800:1::1"));
    EXPECT_EQ(ours[0].priority, 1024u);

    const std::string text = out("ip -6 route show fcbb:0:800:2::5/128");
    EXPECT_TRUE(has(text, "mtu 1460")) << text;
    EXPECT_TRUE(has(text, "proto 94")) << text;
    EXPECT_TRUE(has(text, "via fcbb:0:800:1::1 dev veth0")) << text;
    EXPECT_TRUE(has(text, ours[0].str())) << text << " vs " << ours[0].str();

    // The /64 is untouched, and the kernel now uses the new route.
    EXPECT_EQ(nl->lookup(ip("fcbb:0:800:2::6")).mtu, 0u);
    EXPECT_EQ(nl->lookup(ip("fcbb:0:800:2::5")).mtu, 1460u);

    EXPECT_TRUE(nl->undo_route_mtu(dst, c));
    EXPECT_TRUE(nl->routes(AF_INET6, kRouteProtocol).empty());
    EXPECT_FALSE(nl->undo_route_mtu(dst, c));  // nothing left to undo
}

TEST_F(NetlinkTest, SetRouteMtuOnExistingRouteKeepsItAndUndoRestoresIt) {
    const Prefix dst = pfx("fcbb:0:800:4::/64");
    ASSERT_EQ(sh("ip -6 route add fcbb:0:800:4::/64 via fcbb:0:800:1::1 dev veth0 proto static "
                 "metric 512 mtu 1400 hoplimit 10 congctl reno pref high"),
              0);
    const RouteChange c = nl->set_route_mtu(dst, veth0, 1460);
    EXPECT_EQ(c, (RouteChange{false, 1400, RT_TABLE_MAIN, 512}));

    auto now = routes_for(*nl, dst);
    ASSERT_EQ(now.size(), 1u);  // replaced, not added next to it
    EXPECT_EQ(now[0].mtu, 1460u);
    EXPECT_EQ(now[0].protocol, RTPROT_STATIC);
    EXPECT_EQ(now[0].priority, 512u);
    std::string text = out("ip -6 route show fcbb:0:800:4::/64");
    for (const char* want : {"via fcbb:0:800:1::1 dev veth0", "proto static", "metric 512",
                             "mtu 1460", "hoplimit 10", "congctl reno", "pref high"})
        EXPECT_TRUE(has(text, want)) << want << " missing in: " << text;

    EXPECT_TRUE(nl->undo_route_mtu(dst, c));
    now = routes_for(*nl, dst);
    ASSERT_EQ(now.size(), 1u);
    EXPECT_EQ(now[0].mtu, 1400u);
    EXPECT_EQ(now[0].protocol, RTPROT_STATIC);
    EXPECT_EQ(now[0].priority, 512u);
    text = out("ip -6 route show fcbb:0:800:4::/64");
    for (const char* want : {"proto static", "metric 512", "mtu 1400", "hoplimit 10",
                             "congctl reno", "pref high"})
        EXPECT_TRUE(has(text, want)) << want << " missing in: " << text;
}

TEST_F(NetlinkTest, UndoRemovesAnMtuTheRouteDidNotHave) {
    const Prefix dst = pfx("fcbb:0:800:2::/64");
    const RouteChange c = nl->set_route_mtu(dst, veth0, 1460);
    EXPECT_EQ(c, (RouteChange{false, 0, RT_TABLE_MAIN, 1024}));
    EXPECT_TRUE(has(out("ip -6 route show fcbb:0:800:2::/64"), "mtu 1460"));
    EXPECT_TRUE(nl->undo_route_mtu(dst, c));
    const std::string text = out("ip -6 route show fcbb:0:800:2::/64");
    EXPECT_FALSE(has(text, "mtu")) << text;
    EXPECT_TRUE(has(text, "via fcbb:0:800:1::1 dev veth0 metric 1024")) << text;
}

TEST_F(NetlinkTest, MultipathRouteCopiedWithBothNexthops) {
    ASSERT_EQ(sh("ip -6 route add fcbb:0:800:5::/64 nexthop via fcbb:0:800:1::1 dev veth0 "
                 "nexthop via fcbb:0:800:1::2 dev veth0"),
              0);
    const std::set<std::string> both{"fcbb:0:800:1::1", "fcbb:0:800:1::2"};

    const Prefix host = pfx("fcbb:0:800:5::7/128");
    const RouteChange c = nl->set_route_mtu(host, veth0, 1460);
    EXPECT_TRUE(c.added);
    auto r = routes_for(*nl, host);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].nexthops.size(), 2u);
    EXPECT_EQ(gateways(r[0]), both);
    EXPECT_EQ(r[0].mtu, 1460u);
    EXPECT_EQ(r[0].protocol, kRouteProtocol);
    std::string text = out("ip -6 route show fcbb:0:800:5::7");
    EXPECT_TRUE(has(text, "nexthop via fcbb:0:800:1::1 dev veth0")) << text;
    EXPECT_TRUE(has(text, "nexthop via fcbb:0:800:1::2 dev veth0")) << text;
    EXPECT_TRUE(has(text, "mtu 1460")) << text;
    EXPECT_TRUE(nl->undo_route_mtu(host, c));
    EXPECT_TRUE(routes_for(*nl, host).empty());  // both nexthops gone

    // The multipath route itself: replaced as a whole, both nexthops kept.
    const Prefix net = pfx("fcbb:0:800:5::/64");
    const RouteChange m = nl->set_route_mtu(net, veth0, 1460);
    EXPECT_FALSE(m.added);
    r = routes_for(*nl, net);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(gateways(r[0]), both);
    EXPECT_EQ(r[0].mtu, 1460u);
    EXPECT_TRUE(nl->undo_route_mtu(net, m));
    r = routes_for(*nl, net);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(gateways(r[0]), both);
    EXPECT_EQ(r[0].mtu, 0u);
}

TEST_F(NetlinkTest, Ipv4Destination) {
    const Prefix host = pfx("10.0.2.7");
    const RouteChange c = nl->set_route_mtu(host, veth0, 1460);
    EXPECT_TRUE(c.added);
    EXPECT_EQ(c.table, RT_TABLE_MAIN);
    const auto ours = nl->routes(AF_INET, kRouteProtocol);
    ASSERT_EQ(ours.size(), 1u);
    EXPECT_EQ(ours[0].dst, host);
    EXPECT_EQ(ours[0].gateway, ip("10.0.1.1"));
    EXPECT_EQ(ours[0].mtu, 1460u);
    const std::string text = out("ip route show 10.0.2.7");
    EXPECT_TRUE(has(text, "via 10.0.1.1 dev veth0")) << text;
    EXPECT_TRUE(has(text, "proto 94")) << text;
    EXPECT_TRUE(has(text, "mtu 1460")) << text;
    EXPECT_EQ(ours[0].str(), "10.0.2.7 via 10.0.1.1 dev veth0 proto 94 mtu 1460");
    EXPECT_TRUE(nl->undo_route_mtu(host, c));
    EXPECT_TRUE(nl->routes(AF_INET, kRouteProtocol).empty());

    // The exact /24 is modified in place (IPv4 routes have metric 0 here).
    const Prefix net = pfx("10.0.2.0/24");
    const RouteChange m = nl->set_route_mtu(net, veth0, 1400);
    EXPECT_EQ(m, (RouteChange{false, 0, RT_TABLE_MAIN, 0}));
    EXPECT_TRUE(has(out("ip route show 10.0.2.0/24"), "mtu 1400"));
    EXPECT_TRUE(nl->undo_route_mtu(net, m));
    EXPECT_FALSE(has(out("ip route show 10.0.2.0/24"), "mtu"));

    // A host in a connected subnet: the copy keeps scope link and the source.
    const Prefix onlink = pfx("10.0.1.20");
    const RouteChange o = nl->set_route_mtu(onlink, veth0, 1460);
    EXPECT_TRUE(o.added);
    const std::string t2 = out("ip route show 10.0.1.20");
    EXPECT_TRUE(has(t2, "dev veth0 proto 94 scope link src 10.0.1.10")) << t2;
    EXPECT_TRUE(nl->undo_route_mtu(onlink, o));
}

TEST_F(NetlinkTest, KeepsIpv4AttributesAndCopesWithLinkDownRoutes) {
    ASSERT_EQ(sh("ip route add 10.0.4.0/24 via 10.0.1.1 dev veth0 src 10.0.1.10 mtu lock 1400 "
                 "advmss 1300"),
              0);
    // Carrier off: the kernel now reports the routes "linkdown" (RTNH_F_LINKDOWN),
    // a flag it refuses on input, so it must not be echoed back.
    ASSERT_EQ(sh("ip link set veth0p down"), 0);
    // The carrier change reaches the routes through the kernel's deferred
    // link watch (up to a second later under load): wait for it, bounded.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!has(out("ip route show 10.0.4.0/24"), "linkdown") && std::chrono::steady_clock::now() < until) {
        pollfd none{-1, 0, 0};
        poll(&none, 0, 20);
    }
    ASSERT_TRUE(has(out("ip route show 10.0.4.0/24"), "linkdown"));
    const Prefix net = pfx("10.0.4.0/24");
    const RouteChange m = nl->set_route_mtu(net, veth0, 1450);
    EXPECT_EQ(m, (RouteChange{false, 1400, RT_TABLE_MAIN, 0}));
    std::string text = out("ip route show 10.0.4.0/24");
    for (const char* want : {"via 10.0.1.1 dev veth0", "src 10.0.1.10", "mtu lock 1450", "advmss 1300"})
        EXPECT_TRUE(has(text, want)) << want << " missing in: " << text;
    EXPECT_TRUE(nl->undo_route_mtu(net, m));
    EXPECT_TRUE(has(out("ip route show 10.0.4.0/24"), "mtu lock 1400"));

    const Prefix host = pfx("10.0.4.4");
    const RouteChange a = nl->set_route_mtu(host, veth0, 1450);
    EXPECT_TRUE(a.added);
    text = out("ip route show 10.0.4.4");
    for (const char* want : {"via 10.0.1.1 dev veth0", "proto 94", "src 10.0.1.10", "mtu lock 1450", "advmss 1300"})
        EXPECT_TRUE(has(text, want)) << want << " missing in: " << text;
    EXPECT_TRUE(nl->undo_route_mtu(host, a));
}

TEST_F(NetlinkTest, UsesTheTableAndMetricTheKernelUses) {
    // Two metrics for one prefix: the kernel uses the lower one.
    ASSERT_EQ(sh("ip -6 route add fcbb:0:800:f::/64 via fcbb:0:800:1::1 dev veth0 metric 100"), 0);
    ASSERT_EQ(sh("ip -6 route add fcbb:0:800:f::/64 via fcbb:0:800:1::2 dev veth0 metric 200"), 0);
    const RouteChange m = nl->set_route_mtu(pfx("fcbb:0:800:f::/64"), veth0, 1450);
    EXPECT_EQ(m, (RouteChange{false, 0, RT_TABLE_MAIN, 100}));
    for (const Route& r : routes_for(*nl, pfx("fcbb:0:800:f::/64")))
        EXPECT_EQ(r.mtu, r.priority == 100 ? 1450u : 0u) << r.str();
    EXPECT_TRUE(nl->undo_route_mtu(pfx("fcbb:0:800:f::/64"), m));

    // A policy rule sends fcbb:0:800:2::/64 to table 100: that is where it goes.
    ASSERT_EQ(sh("ip -6 rule add to fcbb:0:800:2::/64 lookup 100 pref 100"), 0);
    ASSERT_EQ(sh("ip -6 route add fcbb:0:800:2::/64 via fcbb:0:800:1::3 dev veth0 table 100"), 0);
    const Prefix host = pfx("fcbb:0:800:2::5/128");
    const RouteChange a = nl->set_route_mtu(host, veth0, 1450);
    EXPECT_EQ(a, (RouteChange{true, 0, 100, 1024}));
    EXPECT_EQ(nl->lookup(ip("fcbb:0:800:2::5")).mtu, 1450u);
    EXPECT_EQ(nl->lookup(ip("fcbb:0:800:2::5")).table, 100u);
    EXPECT_TRUE(nl->undo_route_mtu(host, a));
    EXPECT_EQ(nl->lookup(ip("fcbb:0:800:2::5")).dst, pfx("fcbb:0:800:2::/64"));
}

TEST_F(NetlinkTest, RefusesRouteLeavingThroughAnotherInterface) {
    ASSERT_EQ(sh("ip -6 route add fcbb:0:800:6::/64 via fcbb:0:800:3::1 dev veth1"), 0);
    for (const char* d : {"fcbb:0:800:6::/64", "fcbb:0:800:6::9/128"}) {
        try {
            nl->set_route_mtu(pfx(d), veth0, 1460);
            FAIL() << "expected an Error for " << d;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), 0);
            EXPECT_TRUE(has(e.what(), "leaves through veth1, not veth0")) << e.what();
            EXPECT_TRUE(has(e.what(), "never see")) << e.what();
        }
    }
    EXPECT_TRUE(nl->routes(AF_INET6, kRouteProtocol).empty());
    EXPECT_EQ(nl->lookup(ip("fcbb:0:800:6::9")).mtu, 0u);

    // The same prefix steered on the interface it leaves through is fine.
    const RouteChange c = nl->set_route_mtu(pfx("fcbb:0:800:6::/64"), veth1, 1460);
    EXPECT_TRUE(nl->undo_route_mtu(pfx("fcbb:0:800:6::/64"), c));
}

TEST_F(NetlinkTest, RefusesMissingRoutesBadMtusAndWhatLibnlCannotCopy) {
    try {
        nl->set_route_mtu(pfx("2001:db8::/64"), veth0, 1460);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ENETUNREACH);
        EXPECT_TRUE(has(e.what(), "no route to 2001:db8::/64")) << e.what();
        EXPECT_TRUE(has(e.what(), "ip -6 route add 2001:db8::/64 via <gateway> dev veth0"))
            << e.what();
    }
    EXPECT_THROW(nl->set_route_mtu(pfx("fcbb:0:800:2::/64"), veth0, 1501), Error);
    EXPECT_THROW(nl->set_route_mtu(pfx("fcbb:0:800:2::/64"), veth0, 1279), Error);
    EXPECT_THROW(nl->set_route_mtu(pfx("fcbb:0:800:2::/64"), 9999, 1460), Error);

    // An SRv6 (seg6) encap route: libnl 3.7 cannot parse it, so it is refused,
    // never rewritten without its encapsulation.
    ASSERT_EQ(sh("ip -6 route add fcbb:0:800:8::/64 encap seg6 mode encap segs fcbb:0:1004:: "
                 "dev veth0"),
              0);
    for (const char* d : {"fcbb:0:800:8::/64", "fcbb:0:800:8::1/128"}) {
        try {
            nl->set_route_mtu(pfx(d), veth0, 1460);
            FAIL() << "expected an Error for " << d;
        } catch (const Error& e) {
            EXPECT_TRUE(has(e.what(), "cannot copy")) << e.what();
        }
    }
    const std::string text = out("ip -6 route show fcbb:0:800:8::/64");
    EXPECT_TRUE(has(text, "encap seg6")) << text;
    EXPECT_FALSE(has(text, "mtu")) << text;
    // It is still listed.
    EXPECT_EQ(routes_for(*nl, pfx("fcbb:0:800:8::/64")).size(), 1u);

    // Reject routes: RTM_GETROUTE answers with their error instead of the route.
    ASSERT_EQ(sh("ip -6 route add blackhole fcbb:0:800:b::/64"), 0);
    try {
        nl->set_route_mtu(pfx("fcbb:0:800:b::/64"), veth0, 1460);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), EINVAL);
        EXPECT_TRUE(has(e.what(), "blackhole route")) << e.what();
    }

    // A more specific route for the prefix's first address.
    ASSERT_EQ(sh("ip -6 route add fcbb:0:900::/64 via fcbb:0:800:1::1 dev veth0"), 0);
    try {
        nl->set_route_mtu(pfx("fcbb:0:900::/48"), veth0, 1460);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_TRUE(has(e.what(), "more specific route \"fcbb:0:900::/64")) << e.what();
    }
}

TEST_F(NetlinkTest, KeepsNexthopObjects) {
    if (sh("ip nexthop add id 7 via fcbb:0:800:1::1 dev veth0") != 0)
        SRV6S_SKIP_OR_FAIL("this kernel has no nexthop objects");
    ASSERT_EQ(sh("ip -6 route add fcbb:0:800:7::/64 nhid 7"), 0);
    const Prefix net = pfx("fcbb:0:800:7::/64");
    const RouteChange m = nl->set_route_mtu(net, veth0, 1460);
    EXPECT_FALSE(m.added);
    std::string text = out("ip -6 route show fcbb:0:800:7::/64");
    EXPECT_TRUE(has(text, "nhid 7")) << text;
    EXPECT_TRUE(has(text, "mtu 1460")) << text;
    EXPECT_TRUE(nl->undo_route_mtu(net, m));

    const Prefix host = pfx("fcbb:0:800:7::3/128");
    const RouteChange a = nl->set_route_mtu(host, veth0, 1460);
    EXPECT_TRUE(a.added);
    text = out("ip -6 route show fcbb:0:800:7::3");
    EXPECT_TRUE(has(text, "nhid 7")) << text;
    EXPECT_TRUE(has(text, "proto 94")) << text;
    EXPECT_TRUE(nl->undo_route_mtu(host, a));
}

TEST_F(NetlinkTest, UndoOfSomethingAlreadyRemovedReturnsFalse) {
    // Added, then deleted by someone else.
    const Prefix host = pfx("fcbb:0:800:2::5/128");
    const RouteChange a = nl->set_route_mtu(host, veth0, 1460);
    ASSERT_EQ(sh("ip -6 route del fcbb:0:800:2::5/128"), 0);
    EXPECT_FALSE(nl->undo_route_mtu(host, a));

    // Added, then taken over (protocol changed): not ours any more, left alone.
    const RouteChange b = nl->set_route_mtu(host, veth0, 1460);
    ASSERT_EQ(sh("ip -6 route replace fcbb:0:800:2::5/128 via fcbb:0:800:1::1 dev veth0 "
                 "proto static metric 1024"),
              0);
    EXPECT_FALSE(nl->undo_route_mtu(host, b));
    EXPECT_EQ(routes_for(*nl, host).size(), 1u);

    // Modified, then the route deleted.
    const Prefix net = pfx("10.0.2.0/24");
    const RouteChange m = nl->set_route_mtu(net, veth0, 1400);
    ASSERT_EQ(sh("ip route del 10.0.2.0/24"), 0);
    EXPECT_FALSE(nl->undo_route_mtu(net, m));
}

// ---- the socket engine (netlink/socket.hpp), used by the library and bench/ ----

// RTM_NEWROUTE of net/64 out of oif, as `ip -6 route add NET/64 dev IF` sends it.
Request route_add(const std::string& net, int oif) {
    Request m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    rtmsg r{};
    r.rtm_family = AF_INET6;
    r.rtm_dst_len = 64;
    r.rtm_table = RT_TABLE_MAIN;
    r.rtm_protocol = RTPROT_STATIC;
    r.rtm_scope = RT_SCOPE_UNIVERSE;
    r.rtm_type = RTN_UNICAST;
    m.header(r);
    m.put(RTA_DST, ip(net).bytes);
    m.put(RTA_OIF, static_cast<uint32_t>(oif));
    return m;
}

TEST_F(NetlinkTest, SocketRefusalKeepsErrnoAndTheKernelsReason) {
    ASSERT_EQ(sh("ip link set veth1 down"), 0);
    Socket sk;
    Request m = route_add("fcbb:0:800:9::", veth1);
    const KernelError e = sk.transact(m);
    EXPECT_EQ(e.err, ENETDOWN);
    ASSERT_FALSE(e.ext.empty());
    // `ip` prints the same reason for the same request.
    const std::string said = out("ip -6 route add fcbb:0:800:9::/64 dev veth1 proto static");
    EXPECT_TRUE(has(said, "Error: " + e.ext)) << said << " vs " << e.ext;
    EXPECT_TRUE(has(e.text(), "(kernel: " + e.ext + ")")) << e.text();
}

TEST_F(NetlinkTest, SocketBatchAnswersEachRequestInOrder) {
    Socket sk;
    std::vector<Request> rs;
    rs.push_back(route_add("fcbb:0:800:20::", veth0));
    rs.push_back(route_add("fcbb:0:800:20::", veth0));  // again: EEXIST
    rs.push_back(route_add("fcbb:0:800:21::", veth1));
    const std::vector<KernelError> answers = sk.transact_batch(rs);
    ASSERT_EQ(answers.size(), 3u);
    EXPECT_EQ(answers[0].err, 0);
    EXPECT_EQ(answers[1].err, EEXIST);
    EXPECT_EQ(answers[2].err, 0);
    EXPECT_TRUE(has(out("ip -6 route show fcbb:0:800:20::/64"), "dev veth0 proto static"));
    EXPECT_TRUE(has(out("ip -6 route show fcbb:0:800:21::/64"), "dev veth1 proto static"));
    // The socket is in step: the next request gets its own answer.
    Request again = route_add("fcbb:0:800:21::", veth1);
    EXPECT_EQ(sk.transact(again).err, EEXIST);
}

TEST_F(NetlinkTest, SocketStaysInStepWhenACallbackThrows) {
    Socket sk;
    Request dump(RTM_GETLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    dump.header(ifi);
    int calls = 0;
    EXPECT_THROW(sk.dump(dump, "listing the links", [] {},
                         [&](const nlmsghdr*) {
                             ++calls;
                             throw std::runtime_error("callback failed");
                         }),
                 std::runtime_error);
    EXPECT_EQ(calls, 1);  // the rest of the dump was read, not handed on
    // The next exchange on the socket sees its own answer, not the dump's rest.
    Request get(RTM_GETLINK, 0);
    ifi.ifi_index = veth1;
    get.header(ifi);
    std::vector<std::string> names;
    EXPECT_FALSE(sk.transact(get, [&](const nlmsghdr* h) {
        names.push_back(Attrs::of(h, sizeof(ifinfomsg)).str(IFLA_IFNAME).value_or("?"));
    }));
    EXPECT_EQ(names, std::vector<std::string>{"veth1"});
}

TEST(NetlinkAttrs, ReadBackWhatARequestCarries) {
    Request m(RTM_NEWROUTE, 0);
    rtmsg r{};
    m.header(r);
    m.put(RTA_TABLE, uint32_t{100});
    m.put_str(RTA_TABLE + 100, "veth0");
    const size_t nest = m.begin_nest(RTA_METRICS);
    m.put(RTAX_MTU, uint32_t{1460});
    m.put(RTAX_HOPLIMIT, uint32_t{10});
    m.end_nest(nest);
    m.put(RTA_PREF, uint8_t{1});
    m.put(RTA_TABLE, uint32_t{200});  // a later one of a type wins

    const Attrs a = Attrs::of(m.hdr(), sizeof r);
    EXPECT_EQ(a.u32(RTA_TABLE), 200u);
    EXPECT_EQ(a.str(RTA_TABLE + 100), "veth0");
    EXPECT_EQ(a.u8(RTA_PREF), 1);
    EXPECT_EQ(a.u32(RTA_PREF), std::nullopt);  // one byte is not a u32
    EXPECT_EQ(a.u32(RTA_OIF), std::nullopt);
    const Attrs metrics = a.nested(RTA_METRICS);
    ASSERT_EQ(metrics.all().size(), 2u);
    EXPECT_EQ(metrics.u32(RTAX_MTU), 1460u);
    EXPECT_EQ(metrics.u32(RTAX_HOPLIMIT), 10u);
    EXPECT_TRUE(a.nested(RTA_MULTIPATH).all().empty());

    // A message cut inside its last attribute: what precedes it still reads.
    Request cut = m;
    cut.hdr()->nlmsg_len -= 2;
    const Attrs c = Attrs::of(cut.hdr(), sizeof r);
    EXPECT_EQ(c.u8(RTA_PREF), 1);
    EXPECT_EQ(c.u32(RTA_TABLE), 100u);  // the cut second RTA_TABLE is not there
}

}  // namespace
}  // namespace srv6steer::nl
