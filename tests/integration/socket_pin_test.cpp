// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Socket pins on real sockets (libsrv6steer/sockets.cpp, bpf/lib/classify.h):
// a host steers through a router that ends the paths to a sink
// (steered_net.hpp). What the pinned socket sends arrives on the router
// encapsulated on its path (decoded by the test) and reaches the sink; what
// other sockets send is untouched. Counters are compared with what was sent,
// the listing with the sockets' own addresses, and the pin ends with the
// socket. Each test in private network namespaces with a private bpffs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/un.h>

#include <numeric>

#include "kernel_state.hpp"
#include "skip.hpp"
#include "steered_net.hpp"

using namespace srv6steer;
using namespace steernet;
using ::testing::HasSubstr;

namespace {

uint64_t cookie_of(int fd) {
    uint64_t c = 0;
    socklen_t len = sizeof c;
    EXPECT_EQ(getsockopt(fd, SOL_SOCKET, 57 /* SO_COOKIE */, &c, &len), 0);
    return c;
}

class SocketPins : public ::testing::Test {
protected:
    Network net;
    std::optional<Steering> s;

    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        ASSERT_NO_FATAL_FAILURE(net.build("sockpin"));
        s.emplace(Steering::attach(net.options()));
        add_paths(*s);
    }

    const OwnedRoute* route_to(const std::vector<OwnedRoute>& routes, const Family& f) {
        for (const auto& r : routes)
            if (r.dst == Prefix::parse(sink_addr(f.af)))
                return &r;
        return nullptr;
    }
};

class SocketPinsByFamily : public SocketPins, public ::testing::WithParamInterface<Family> {};

TEST_P(SocketPinsByFamily, UdpSocketPinSteersThatSocketOnly) {
    const Family& f = GetParam();
    UniqueFd sink = net.sink_socket(f.af, SOCK_DGRAM, 9000);
    UniqueFd pinned = open_socket(f.af, SOCK_DGRAM, host_addr(f.af), 0, sink_addr(f.af), 9000);
    UniqueFd other = open_socket(f.af, SOCK_DGRAM, host_addr(f.af), 0, sink_addr(f.af), 9000);
    ASSERT_TRUE(sink && pinned && other);
    s->pin_socket(pinned.get(), Target::path(f.srh));

    Capture cap(net.router.pid());
    const size_t bytes = send_datagrams(pinned.get(), f, 5);
    send_datagrams(other.get(), f, 3);
    EXPECT_EQ(receive(sink.get(), 8, false), 8u) << "every datagram reaches the sink, steered or not";

    const uint16_t ps = local_port(pinned.get()), os = local_port(other.get());
    auto mine = [&](const std::vector<Frame>& all) {
        return Capture::of(all, f.af, host_addr(f.af), ps, sink_addr(f.af), 9000, 17);
    };
    auto theirs = [&](const std::vector<Frame>& all) {
        return Capture::of(all, f.af, host_addr(f.af), os, sink_addr(f.af), 9000, 17);
    };
    const auto& all = cap.until([&](const auto& a) { return mine(a).size() >= 5 && theirs(a).size() >= 3; });
    ASSERT_EQ(mine(all).size(), 5u);
    ASSERT_EQ(theirs(all).size(), 3u);
    size_t captured = 0;
    for (const Frame& fr : mine(all)) {
        expect_on(fr, f, f.srh);
        captured += fr.sent_len();
    }
    for (const Frame& fr : theirs(all))
        EXPECT_FALSE(fr.encapsulated) << "an unpinned socket's packet was steered";
    EXPECT_EQ(captured, bytes);

    const auto pin = s->socket_pin(pinned.get());
    ASSERT_TRUE(pin);
    EXPECT_EQ(pin->target, Target::path(f.srh));
    EXPECT_EQ(pin->info.packets, 5u);
    EXPECT_EQ(pin->info.bytes, bytes);
    EXPECT_EQ(pin->info.owner.pid, uint32_t(getpid()));
    EXPECT_FALSE(s->socket_pin(other.get()));

    // The peer got a route MTU with room for one SRH segment (1500 - 64).
    const OwnedRoute* r = route_to(s->status().owned_routes, f);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->mtu, 1436u);
    EXPECT_EQ(r->pins, 1u);
}

TEST_P(SocketPinsByFamily, TcpSocketPinSteersThatConnectionOnly) {
    const Family& f = GetParam();
    UniqueFd listener = net.sink_socket(f.af, SOCK_STREAM, 5201);
    ASSERT_TRUE(listener);
    UniqueFd pinned = open_socket(f.af, SOCK_STREAM, host_addr(f.af), 0, sink_addr(f.af), 5201);
    UniqueFd peer1 = accept_one(listener.get());
    UniqueFd other = open_socket(f.af, SOCK_STREAM, host_addr(f.af), 0, sink_addr(f.af), 5201);
    UniqueFd peer2 = accept_one(listener.get());
    ASSERT_TRUE(pinned && other && peer1 && peer2);
    s->pin_socket(pinned.get(), Target::path(f.plain));

    Capture cap(net.router.pid());  // from here on: only what follows the pin
    const std::vector<char> data(200000, 'd');
    for (int fd : {pinned.get(), other.get()})
        ASSERT_EQ(send(fd, data.data(), data.size(), 0), ssize_t(data.size()));
    EXPECT_EQ(receive(peer1.get(), data.size(), true), data.size()) << "the steered connection delivers";
    EXPECT_EQ(receive(peer2.get(), data.size(), true), data.size());
    ASSERT_TRUE(all_acked(pinned.get()) && all_acked(other.get()));

    const auto pin = s->socket_pin(pinned.get());
    ASSERT_TRUE(pin);
    const uint16_t ps = local_port(pinned.get()), os = local_port(other.get());
    auto mine = [&](const std::vector<Frame>& all) {
        return Capture::of(all, f.af, host_addr(f.af), ps, sink_addr(f.af), 5201, 6);
    };
    const auto& all = cap.until([&](const auto& a) { return mine(a).size() >= pin->info.packets; });
    ASSERT_GT(pin->info.packets, 0u);
    ASSERT_EQ(mine(all).size(), pin->info.packets) << "every packet of the socket was counted, once";
    uint64_t bytes = 0;
    for (const Frame& fr : mine(all)) {
        expect_on(fr, f, f.plain);
        bytes += fr.sent_len();
    }
    EXPECT_EQ(bytes, pin->info.bytes);
    const auto theirs = Capture::of(all, f.af, host_addr(f.af), os, sink_addr(f.af), 5201, 6);
    EXPECT_FALSE(theirs.empty());
    for (const Frame& fr : theirs)
        EXPECT_FALSE(fr.encapsulated);
    // Segments were sized for the route MTU it took: none left unencapsulated.
    EXPECT_EQ(s->stats().reasons[SRV6S_R_MTU_PASSED].packets, 0u);
    const OwnedRoute* r = route_to(s->status().owned_routes, f);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->mtu, 1460u);
}

// Fragments carry no ports, but the socket is known: they follow its pin.
TEST_P(SocketPinsByFamily, FragmentsFollowTheSocketPin) {
    const Family& f = GetParam();
    UniqueFd sink = net.sink_socket(f.af, SOCK_DGRAM, 9000);
    UniqueFd pinned = open_socket(f.af, SOCK_DGRAM, host_addr(f.af), 0, sink_addr(f.af), 9000);
    ASSERT_TRUE(sink && pinned);
    s->pin_socket(pinned.get(), Target::path(f.plain));
    Capture cap(net.router.pid());
    const std::vector<char> big(4000, 'f');
    ASSERT_EQ(send(pinned.get(), big.data(), big.size(), 0), ssize_t(big.size()));
    char buf[8000];
    pollfd p{sink.get(), POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 5000), 1);
    EXPECT_EQ(recv(sink.get(), buf, sizeof buf, 0), ssize_t(big.size())) << "reassembled at the sink";
    auto frags = [&](const std::vector<Frame>& all) {
        std::vector<Frame> out;
        for (const Frame& fr : Capture::of(all, f.af, host_addr(f.af), 0, sink_addr(f.af), 0, 17, true))
            if (fr.fragment)
                out.push_back(fr);
        return out;
    };
    const auto& all = cap.until([&](const auto& a) { return frags(a).size() >= 3; });
    ASSERT_EQ(frags(all).size(), 3u) << "4000 bytes in fragments of at most 1460";
    for (const Frame& fr : frags(all)) {
        expect_on(fr, f, f.plain);
        EXPECT_LE(fr.bytes.size() - 14, 1500u);
    }
    EXPECT_EQ(s->socket_pin(pinned.get())->info.packets, 3u);
    EXPECT_EQ(s->stats().reasons[SRV6S_R_FRAGMENT].packets, 0u);
}

INSTANTIATE_TEST_SUITE_P(Families, SocketPinsByFamily, ::testing::Values(kV6, kV4), name_of);

// socket -> ... -> flow -> ... -> prefix: the socket pin wins over a flow pin
// of its own 5-tuple and over a prefix pin; unpinned, the flow pin is back.
TEST_F(SocketPins, SocketPinBeatsFlowAndPrefixPins) {
    const Family& f = kV6;
    UniqueFd sink = net.sink_socket(f.af, SOCK_DGRAM, 9000);
    UniqueFd sock = open_socket(f.af, SOCK_DGRAM, kHost6, 40001, kSink6, 9000);
    ASSERT_TRUE(sink && sock);
    s->pin(Prefix::parse("fcbb:0:800:2::/64"), Target::path(f.srh));
    s->pin(Flow::parse(std::string("udp ") + kHost6 + " 40001 " + kSink6 + " 9000"), Target::path(f.other));
    auto next_path = [&](uint32_t want) {
        const auto frame = net.send_one(sock.get(), f, sink.get());
        ASSERT_TRUE(frame);
        expect_on(*frame, f, want);
    };
    ASSERT_NO_FATAL_FAILURE(next_path(f.other)) << "the flow pin beats the prefix pin";
    s->pin_socket(sock.get(), Target::path(f.plain));
    ASSERT_NO_FATAL_FAILURE(next_path(f.plain)) << "the socket pin beats the flow pin";
    EXPECT_TRUE(s->unpin_socket(sock.get()));
    EXPECT_FALSE(s->unpin_socket(sock.get()));
    ASSERT_NO_FATAL_FAILURE(next_path(f.other)) << "unpinned: the flow pin again";
    EXPECT_EQ(s->flows()[0].info.packets, 2u);
}

TEST_F(SocketPins, PinEndsWithTheSocketAndGcGivesTheRouteBack) {
    UniqueFd sock = open_socket(AF_INET6, SOCK_DGRAM, kHost6, 0, kSink6, 9000);
    ASSERT_TRUE(sock);
    s->pin_socket(sock.get(), Target::path(kV6.srh));
    EXPECT_EQ(s->sockets().size(), 1u);
    EXPECT_EQ(s->status().n_sockets, 1u);
    EXPECT_FALSE(s->status().config.flags & SRV6S_CFG_NO_SOCKETS);
    ASSERT_EQ(s->status().owned_routes.size(), 1u);
    const std::string route = testsh::sh(std::string("ip -6 route show ") + kSink6 + "/128");
    EXPECT_THAT(route, HasSubstr("mtu 1436"));

    sock.reset();
    // The kernel frees the storage with the socket (after an RCU grace
    // period): wait for it, bounded.
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!s->sockets().empty() && std::chrono::steady_clock::now() < end) {
        pollfd none{-1, 0, 0};
        poll(&none, 0, 10);
    }
    EXPECT_TRUE(s->sockets().empty()) << "the pin went with its socket";
    EXPECT_EQ(s->status().n_sockets, 0u);
    EXPECT_EQ(s->status().owned_routes.size(), 1u) << "until gc, the route MTU stays";

    EXPECT_EQ(s->gc(), 0u) << "no pin removed: it was gone already";
    EXPECT_TRUE(s->status().owned_routes.empty());
    EXPECT_EQ(testsh::sh(std::string("ip -6 route show ") + kSink6 + "/128"), "") << "the route we added is gone";
    EXPECT_TRUE(s->status().config.flags & SRV6S_CFG_NO_SOCKETS) << "no socket pin left: the lookup is skipped";
}

// A socket pin's route MTU follows its set: redefining the set with a longer
// path lowers the MTU towards the peer first (libsrv6steer/paths.cpp,
// destinations_of), and a shorter one gives it back. Link MTU 1500: 40 bytes
// of outer header, plus an SRH of 8 + 16 for the second container.
TEST_F(SocketPins, RedefiningTheSetMovesTheSocketsRouteMtu) {
    UniqueFd sock = open_socket(AF_INET6, SOCK_DGRAM, kHost6, 0, kSink6, 9000);
    ASSERT_TRUE(sock);
    s->define_set({40, {kV6.plain}});
    s->pin_socket(sock.get(), Target::set(40));
    const std::string show = std::string("ip -6 route show ") + kSink6 + "/128";
    EXPECT_THAT(testsh::sh(show), HasSubstr("mtu 1460"));
    s->define_set({40, {kV6.plain, kV6.srh}});
    EXPECT_THAT(testsh::sh(show), HasSubstr("mtu 1436")) << "the longer path's MTU";
    ASSERT_EQ(s->status().owned_routes.size(), 1u);
    EXPECT_EQ(s->status().owned_routes[0].pins, 1u);
    s->define_set({40, {kV6.plain}});
    EXPECT_THAT(testsh::sh(show), HasSubstr("mtu 1460")) << "back with the shorter set";
    EXPECT_EQ(s->gc(), 0u);
    EXPECT_THAT(testsh::sh(show), HasSubstr("mtu 1460")) << "gc's recount agrees";
}

// gc never removes the pin of a live socket, whoever made it.
TEST_F(SocketPins, GcKeepsLiveSocketPinsOfGoneOwners) {
    UniqueFd sock = open_socket(AF_INET6, SOCK_DGRAM, kHost6, 0, kSink6, 9000);
    const pid_t child = gone_pid();
    PinOptions gone;
    gone.owner = Owner{static_cast<uint32_t>(child), 0};
    s->pin_socket(sock.get(), Target::path(kV6.plain), gone);
    s->pin(Flow::parse("udp fcbb:0:800:1::1 1 fcbb:0:800:2::20 2"), Target::path(kV6.plain), gone);
    EXPECT_EQ(s->gc(), 1u) << "the flow pin of the gone owner";
    ASSERT_TRUE(s->socket_pin(sock.get()));
    EXPECT_EQ(s->socket_pin(sock.get())->info.owner.pid, uint32_t(child));
    ASSERT_EQ(s->status().owned_routes.size(), 1u);
    EXPECT_EQ(s->status().owned_routes[0].pins, 1u) << "the socket's route MTU stays, counted once";
}

// The listing shows each socket's current 5-tuple, family and target, from
// the kernel's socket (not from what was pinned).
TEST_F(SocketPins, ListingShowsCurrentAddressesAndFamilies) {
    UniqueFd l6 = net.sink_socket(AF_INET6, SOCK_STREAM, 5201), l4 = net.sink_socket(AF_INET, SOCK_STREAM, 5202);
    ASSERT_TRUE(l6 && l4);
    UniqueFd t6 = open_socket(AF_INET6, SOCK_STREAM, kHost6, 41006, kSink6, 5201);
    UniqueFd t4 = open_socket(AF_INET, SOCK_STREAM, kHost4, 41004, kSink4, 5202);
    UniqueFd u6 = open_socket(AF_INET6, SOCK_DGRAM, kHost6, 42006, kSink6, 9006);
    UniqueFd u4 = open_socket(AF_INET, SOCK_DGRAM, kHost4, 42004);  // bound, not connected
    UniqueFd tl = listen_socket(AF_INET6, "::", 43000);             // listening
    ASSERT_TRUE(t6 && t4 && u6 && u4 && tl);
    const std::vector<std::pair<int, Target>> batch{{t6.get(), Target::path(1)}, {t4.get(), Target::path(3)},
                                                    {u6.get(), Target::path(2)}, {u4.get(), Target::path(4)},
                                                    {tl.get(), Target::path(5)}};
    EXPECT_EQ(s->pin_sockets(batch), 5u);
    EXPECT_EQ(s->pin_sockets(batch), 0u) << "pinned to the same targets: nothing new";

    struct Want {
        int fd, family;
        uint8_t proto;
        const char* src;
        uint16_t sport;
        const char* dst;
        uint16_t dport;
        uint32_t path;
    };
    const std::vector<Want> want{{t6.get(), AF_INET6, 6, kHost6, 41006, kSink6, 5201, 1},
                                 {t4.get(), AF_INET, 6, kHost4, 41004, kSink4, 5202, 3},
                                 {u6.get(), AF_INET6, 17, kHost6, 42006, kSink6, 9006, 2},
                                 {u4.get(), AF_INET, 17, kHost4, 42004, "0.0.0.0", 0, 4},
                                 {tl.get(), AF_INET6, 6, "::", 43000, "::", 0, 5}};
    const auto listed = s->sockets();
    ASSERT_EQ(listed.size(), want.size());
    for (const Want& w : want) {
        SCOPED_TRACE("fd " + std::to_string(w.fd));
        const uint64_t cookie = cookie_of(w.fd);
        auto it = std::find_if(listed.begin(), listed.end(), [&](const auto& p) { return p.cookie == cookie; });
        ASSERT_NE(it, listed.end());
        EXPECT_EQ(it->family, w.family);
        EXPECT_EQ(it->flow.proto, w.proto);
        EXPECT_EQ(it->flow.src, Ipv6::parse_any(w.src));
        EXPECT_EQ(it->flow.sport, w.sport);
        EXPECT_EQ(it->flow.dst, Ipv6::parse_any(w.dst));
        EXPECT_EQ(it->flow.dport, w.dport);
        EXPECT_EQ(it->target, Target::path(w.path));
        // The socket's own view agrees.
        const auto one = s->socket_pin(w.fd);
        ASSERT_TRUE(one);
        EXPECT_EQ(one->cookie, cookie);
        EXPECT_EQ(one->flow, it->flow);
        EXPECT_EQ(one->family, w.family);
    }
    // Connecting later changes what is listed (the socket is read, not a copy).
    socklen_t len = 0;
    const sockaddr_storage to = sockaddr_of(AF_INET, kSink4, 9999, &len);
    ASSERT_EQ(connect(u4.get(), reinterpret_cast<const sockaddr*>(&to), len), 0);
    bool seen = false;
    for (const auto& p : s->sockets())
        if (p.cookie == cookie_of(u4.get())) {
            seen = true;
            EXPECT_EQ(p.flow.dst, Ipv6::parse_any(kSink4));
            EXPECT_EQ(p.flow.dport, 9999);
        }
    EXPECT_TRUE(seen);
    EXPECT_EQ(s->status().n_sockets, 5u);
}

// Only sockets the kernel lists can be pinned: connected or listening TCP,
// bound UDP.
TEST_F(SocketPins, RefusesSocketsNotYetBoundOrConnected) {
    UniqueFd udp(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    UniqueFd tcp = open_socket(AF_INET, SOCK_STREAM, kHost4, 0);  // bound only
    for (int fd : {udp.get(), tcp.get()}) {
        try {
            s->pin_socket(fd, Target::path(1));
            ADD_FAILURE() << "fd " << fd << " was pinned";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ENOTCONN);
            EXPECT_THAT(e.what(), HasSubstr(fd == udp.get() ? "is not bound" : "is neither connected nor listening"));
        }
    }
    EXPECT_TRUE(s->status().config.flags & SRV6S_CFG_NO_SOCKETS);
}

TEST_F(SocketPins, SameTargetIsANoOpOtherTargetNeedsReplace) {
    UniqueFd sock = open_socket(AF_INET6, SOCK_DGRAM, kHost6, 0, kSink6, 9000);
    s->pin_socket(sock.get(), Target::path(kV6.plain));
    s->pin_socket(sock.get(), Target::path(kV6.plain));  // no-op
    try {
        s->pin_socket(sock.get(), Target::path(kV6.srh));
        FAIL() << "re-pinned without replace";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), EEXIST);
        EXPECT_THAT(e.what(), HasSubstr("already pinned to path 1"));
        EXPECT_THAT(e.what(), HasSubstr("replace"));
    }
    ASSERT_EQ(s->status().owned_routes.size(), 1u);
    EXPECT_EQ(s->status().owned_routes[0].mtu, 1460u);
    PinOptions replace;
    replace.replace = true;
    s->pin_socket(sock.get(), Target::path(kV6.srh), replace);
    EXPECT_EQ(s->socket_pin(sock.get())->target, Target::path(kV6.srh));
    ASSERT_EQ(s->status().owned_routes.size(), 1u);
    EXPECT_EQ(s->status().owned_routes[0].mtu, 1436u) << "the route MTU moved with the pin's level";
    EXPECT_EQ(s->status().owned_routes[0].pins, 1u);
    EXPECT_TRUE(s->unpin_socket(sock.get()));
    EXPECT_TRUE(s->status().owned_routes.empty()) << "unpin gives the route back";
}

// What cannot be pinned is refused with a message naming the fd and why.
TEST_F(SocketPins, RefusesWhatIsNotATcpOrUdpSocket) {
    auto refused = [&](int fd, int code, const std::string& text) {
        SCOPED_TRACE(text);
        try {
            s->pin_socket(fd, Target::path(1));
            ADD_FAILURE() << "fd " << fd << " was pinned";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), code) << e.what();
            EXPECT_THAT(e.what(), HasSubstr(text));
        }
    };
    int pipefd[2];
    ASSERT_EQ(pipe2(pipefd, O_CLOEXEC), 0);
    UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    refused(rd.get(), ENOTSOCK, "fd " + std::to_string(rd.get()) + " is not a socket (it is a pipe)");
    UniqueFd file(open("/proc/self/status", O_RDONLY | O_CLOEXEC));
    refused(file.get(), ENOTSOCK, "is not a socket (it is a regular file)");
    refused(1000, EBADF, "fd 1000 is not an open file descriptor");
    UniqueFd unix_sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    refused(unix_sock.get(), EAFNOSUPPORT, "fd " + std::to_string(unix_sock.get()) + " is a unix socket");
    UniqueFd raw(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP));
    refused(raw.get(), EPROTONOSUPPORT, "is a raw IPv4 socket");
    UniqueFd netlink(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0));
    refused(netlink.get(), EAFNOSUPPORT, "is a netlink socket");
    // A socket of another network namespace never sends through veth0.
    UniqueFd elsewhere;
    in_netns(net.sink.pid(), [&] { elsewhere = UniqueFd(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)); });
    refused(elsewhere.get(), EXDEV, "is a socket of another network namespace");

    UniqueFd sock = open_socket(AF_INET6, SOCK_DGRAM, kHost6, 0, kSink6, 9000);
    try {
        s->pin_socket(sock.get(), Target::path(9));
        ADD_FAILURE() << "pinned to a path that does not exist";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_THAT(e.what(), HasSubstr("path 9 does not exist"));
    }
    try {
        s->pin_socket(sock.get(), Target::set(3));
        ADD_FAILURE() << "pinned to a set that does not exist";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("set 3 does not exist"));
    }
    EXPECT_FALSE(s->socket_pin(sock.get()));
    EXPECT_THROW(s->unpin_socket(rd.get()), Error);
    EXPECT_TRUE(s->status().owned_routes.empty());
    EXPECT_TRUE(s->status().config.flags & SRV6S_CFG_NO_SOCKETS);
}

// A batch is all or nothing: a bad entry, or a route that cannot be set
// late in the batch, leaves no pin and no route behind.
TEST_F(SocketPins, BatchIsAllOrNothing) {
    UniqueFd a = open_socket(AF_INET6, SOCK_DGRAM, kHost6, 0, kSink6, 9000);
    UniqueFd b = open_socket(AF_INET, SOCK_DGRAM, kHost4, 0, kSink4, 9000);
    UniqueFd loop = open_socket(AF_INET6, SOCK_DGRAM, "::1", 0, "::1", 9000);  // leaves through lo
    UniqueFd file(open("/proc/self/status", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(a && b && loop && file);
    auto nothing_left = [&] {
        EXPECT_FALSE(s->socket_pin(a.get()));
        EXPECT_FALSE(s->socket_pin(b.get()));
        EXPECT_TRUE(s->sockets().empty());
        EXPECT_TRUE(s->status().owned_routes.empty());
        EXPECT_TRUE(s->status().config.flags & SRV6S_CFG_NO_SOCKETS);
    };
    const std::vector<std::pair<int, Target>> bad_fd{{a.get(), Target::path(1)}, {file.get(), Target::path(1)}};
    EXPECT_THROW(s->pin_sockets(bad_fd), Error);
    nothing_left();
    const std::vector<std::pair<int, Target>> twice{{a.get(), Target::path(1)}, {a.get(), Target::path(2)}};
    try {
        s->pin_sockets(twice);
        ADD_FAILURE() << "one socket, two targets";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("listed twice"));
        EXPECT_THAT(e.what(), HasSubstr("nothing was pinned"));
    }
    nothing_left();
    const std::vector<std::pair<int, Target>> late{
        {a.get(), Target::path(1)}, {b.get(), Target::path(3)}, {loop.get(), Target::path(1)}};
    try {
        s->pin_sockets(late);
        ADD_FAILURE() << "pinned a socket whose peer is not behind veth0";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("udp socket fd " + std::to_string(loop.get())));
        EXPECT_THAT(e.what(), HasSubstr("nothing was pinned"));
    }
    nothing_left();
    const std::vector<std::pair<int, Target>> good{{a.get(), Target::path(1)}, {b.get(), Target::path(3)}};
    EXPECT_EQ(s->pin_sockets(good), 2u);
    EXPECT_EQ(s->status().owned_routes.size(), 2u);
}

// Detach removes the socket pins with their map, and the route MTUs.
TEST_F(SocketPins, DetachTakesSocketPinsAndRoutes) {
    UniqueFd sock = open_socket(AF_INET6, SOCK_DGRAM, kHost6, 0, kSink6, 9000);
    s->pin_socket(sock.get(), Target::path(kV6.plain));
    s.reset();
    EXPECT_TRUE(Steering::detach("veth0", net.ns.bpffs()));
    EXPECT_EQ(testsh::sh(std::string("ip -6 route show ") + kSink6 + "/128"), "");
    EXPECT_EQ(testkernel::bpf_objects_under(net.ns.bpffs() + "/srv6steer"), "");
    s.emplace(Steering::attach(net.options()));
    EXPECT_FALSE(s->socket_pin(sock.get())) << "a new attachment has a new, empty storage";
    EXPECT_TRUE(s->sockets().empty());
}

}  // namespace
