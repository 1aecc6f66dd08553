// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Socket and cgroup pins through the C ABI: a real socket pinned, listed
// (its cookie and addresses against what the kernel says of it), steered
// (the frames captured on veth1, counted by the test) and unpinned; a
// cgroup's sockets steered; what is refused (not a socket, a closed fd, a
// bad target, bad struct sizes) with nothing changed; and the sized structs
// grown for them (attach's max_cgroups, status's socket and cgroup counts)
// as older and newer callers see them.
#include <fcntl.h>
#include <sys/un.h>

#include <tuple>

#include <srv6steer/srv6steer.hpp>

#include "capi_fixture.hpp"
#include "cgroup.hpp"

using ::testing::HasSubstr;
using namespace capitest;

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace {

constexpr int kSoCookie = 57;  // SO_COOKIE

// An owned fd.
struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
    Fd(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0)
            close(fd);
    }
};

uint64_t cookie_of(int fd) {
    uint64_t c = 0;
    socklen_t len = sizeof c;
    EXPECT_EQ(getsockopt(fd, SOL_SOCKET, kSoCookie, &c, &len), 0) << strerror(errno);
    return c;
}

inline constexpr const char* kHost4 = "10.0.1.10";
inline constexpr const char* kDest4 = "10.0.2.20";

// A UDP socket src:sport connected to dst:dport, of the addresses' family.
Fd udp(const char* src, uint16_t sport, const char* dst, uint16_t dport = 9000) {
    const int family = std::strchr(src, ':') ? AF_INET6 : AF_INET;
    Fd s(socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    EXPECT_GE(s.fd, 0) << strerror(errno);
    sockaddr_storage from{}, to{};
    socklen_t len = 0;
    for (auto [ss, addr, port] : {std::tuple{&from, src, sport}, std::tuple{&to, dst, dport}}) {
        if (family == AF_INET6) {
            auto* in6 = reinterpret_cast<sockaddr_in6*>(ss);
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons(port);
            inet_pton(AF_INET6, addr, &in6->sin6_addr);
            len = sizeof *in6;
        } else {
            auto* in = reinterpret_cast<sockaddr_in*>(ss);
            in->sin_family = AF_INET;
            in->sin_port = htons(port);
            inet_pton(AF_INET, addr, &in->sin_addr);
            len = sizeof *in;
        }
    }
    EXPECT_EQ(bind(s.fd, reinterpret_cast<sockaddr*>(&from), len), 0) << strerror(errno);
    EXPECT_EQ(connect(s.fd, reinterpret_cast<sockaddr*>(&to), len), 0) << strerror(errno);
    return s;
}
Fd udp6(uint16_t sport) { return udp(kHostAddr, sport, kDest); }
Fd udp4(uint16_t sport) { return udp(kHost4, sport, kDest4); }

// IPv4 on veth0 too: kHost4/24, a route to 10.0.2.0/24 through veth1's MAC.
void ipv4_here() {
    const std::string mac = sh("ip -br link show dev veth1 | awk '{print $3}'").substr(0, 17);
    sh(std::string("ip addr add ") + kHost4 + "/24 dev veth0");
    sh("ip neigh add 10.0.1.1 lladdr " + mac + " dev veth0 nud permanent");
    sh("ip route add 10.0.2.0/24 via 10.0.1.1 dev veth0");
}

// n datagrams of kPayloadLen bytes on a connected socket.
void send_n(int fd, int n) {
    const std::vector<char> payload(kPayloadLen, 'x');
    for (int i = 0; i < n; i++)
        ASSERT_EQ(send(fd, payload.data(), payload.size(), 0), ssize_t(payload.size())) << strerror(errno);
}

// What a list call gives its callback, collected.
template <class E, class List>
std::vector<E> collect(List list) {
    std::vector<E> out;
    const auto each = [](const E* e, void* ctx) {
        static_cast<std::vector<E>*>(ctx)->push_back(*e);
        return 0;
    };
    EXPECT_EQ(list(+each, &out), 0) << last_error();
    return out;
}
std::vector<srv6s_socket_entry> sockets(srv6s_handle* h) {
    return collect<srv6s_socket_entry>([h](srv6s_socket_fn fn, void* ctx) { return srv6s_list_sockets(h, fn, ctx); });
}
std::vector<srv6s_cgroup_entry> cgroups(srv6s_handle* h) {
    return collect<srv6s_cgroup_entry>([h](srv6s_cgroup_fn fn, void* ctx) { return srv6s_list_cgroups(h, fn, ctx); });
}

// Waits (bounded) until the socket of `cookie` is no longer listed: a closed
// socket's storage goes when the kernel frees the socket, which for UDP is
// after an RCU grace period.
bool unlisted_soon(srv6s_handle* h, uint64_t cookie, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        bool listed = false;
        for (const auto& e : sockets(h))
            listed |= e.cookie == cookie;
        if (!listed)
            return true;
        if (std::chrono::steady_clock::now() > until)
            return false;
        usleep(1000);  // a poll of the kernel's state, bounded by `until`
    }
}

}  // namespace

TEST_F(CApi, SocketPinSteersListsAndEndsWithTheSocket) {
    Handle h = attach();
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, kUsids1, 0), 0) << last_error();
    Fd pinned = udp6(41000);
    Fd other = udp6(41001);  // same destination, no pin
    ASSERT_EQ(srv6s_pin_socket(h.get(), pinned.fd, SRV6S_TARGET_PATH, 1, nullptr), 0) << last_error();
    ASSERT_EQ(srv6s_pin_socket(h.get(), pinned.fd, SRV6S_TARGET_PATH, 1, nullptr), 0) << "the same pin: a no-op";

    // As listed, against what the kernel says of the socket.
    auto list = sockets(h.get());
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].cookie, cookie_of(pinned.fd));
    EXPECT_EQ(list[0].family, uint32_t(AF_INET6));
    expect_pinned(list[0].flow, list[0].pin, udp_flow(41000, 9000), 1);
    srv6s_socket_entry one{};
    ASSERT_EQ(srv6s_get_socket_pin(h.get(), pinned.fd, &one), 0) << last_error();
    EXPECT_EQ(one.cookie, list[0].cookie);
    EXPECT_EQ(srv6s_get_socket_pin(h.get(), other.fd, &one), -ENOENT);
    EXPECT_EQ(status_of(h.get()).n_sockets, 1u);

    // Traffic: the pinned socket's datagrams leave encapsulated towards
    // path 1's container, the other socket's do not.
    Capture cap("veth1");
    send_n(pinned.fd, 3);
    send_n(other.fd, 2);
    const auto steered = cap.wait_for(kOuter1, 3);
    ASSERT_EQ(steered.size(), 3u);
    const auto plain = cap.wait_for(kDest, 2);
    EXPECT_EQ(plain.size(), 2u) << "the unpinned socket's datagrams go as they are";
    uint64_t bytes = 0;
    for (const Frame& f : steered) {
        EXPECT_EQ(f.len, kFrameLen + kEncapOneContainer);
        EXPECT_EQ(f.src, kHostAddr);
        bytes += f.len - kEncapOneContainer;  // the counters count before encapsulation
    }
    ASSERT_EQ(srv6s_get_socket_pin(h.get(), pinned.fd, &one), 0) << last_error();
    EXPECT_EQ(one.pin.packets, 3u);
    EXPECT_EQ(one.pin.bytes, bytes);
    EXPECT_EQ(sockets(h.get())[0].pin.packets, 3u);
    EXPECT_EQ(path_stats(h.get())[1].packets, 3u);

    // Unpinned: no pin, nothing steered any more.
    EXPECT_EQ(srv6s_unpin_socket(h.get(), pinned.fd), 0) << last_error();
    EXPECT_EQ(srv6s_unpin_socket(h.get(), pinned.fd), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("not pinned"));
    EXPECT_EQ(srv6s_get_socket_pin(h.get(), pinned.fd, &one), -ENOENT);
    EXPECT_TRUE(sockets(h.get()).empty());
    send_n(pinned.fd, 1);
    EXPECT_EQ(cap.wait_for(kDest, 1).size(), 1u);
    EXPECT_EQ(path_stats(h.get())[1].packets, 3u);

    // The pin ends with the socket.
    ASSERT_EQ(srv6s_pin_socket(h.get(), other.fd, SRV6S_TARGET_PATH, 1, nullptr), 0) << last_error();
    ASSERT_EQ(sockets(h.get()).size(), 1u);
    const uint64_t cookie = cookie_of(other.fd);
    close(other.fd);
    other.fd = -1;
    EXPECT_TRUE(unlisted_soon(h.get(), cookie)) << "a closed socket's pin is gone with it";
}

// A pin that follows its paths while they are down (what the agent's prober
// makes for its probe sockets, through the C++ API: the C ABI cannot make
// one) says so in srv6s_pin_info.flags, in the listing and for the one
// socket; every other pin's flags are 0.
TEST_F(CApi, APinThatIgnoresDownPathsSaysSoInItsFlags) {
    Handle h = attach();
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, kUsids1, 0), 0) << last_error();
    Fd probe = udp6(41000);
    Fd plain = udp6(41001);
    srv6steer::Steering cpp = srv6steer::Steering::open("veth0", bpffs);
    srv6steer::PinOptions ignoring;
    ignoring.ignore_down = true;
    cpp.pin_socket(probe.fd, srv6steer::Target::path(1), ignoring);
    ASSERT_EQ(srv6s_pin_socket(h.get(), plain.fd, SRV6S_TARGET_PATH, 1, nullptr), 0) << last_error();

    srv6s_socket_entry one{};
    ASSERT_EQ(srv6s_get_socket_pin(h.get(), probe.fd, &one), 0) << last_error();
    EXPECT_EQ(one.pin.flags, uint32_t(SRV6S_PIN_INFO_IGNORE_DOWN));
    EXPECT_EQ(one.pin.target_kind, uint32_t(SRV6S_TARGET_PATH)) << "the target as pinned, without the flag";
    EXPECT_EQ(one.pin.target_id, 1u);
    ASSERT_EQ(srv6s_get_socket_pin(h.get(), plain.fd, &one), 0) << last_error();
    EXPECT_EQ(one.pin.flags, 0u);
    const auto list = sockets(h.get());
    ASSERT_EQ(list.size(), 2u);
    for (const srv6s_socket_entry& e : list)
        EXPECT_EQ(e.pin.flags, e.cookie == cookie_of(probe.fd) ? uint32_t(SRV6S_PIN_INFO_IGNORE_DOWN) : 0u)
            << "socket " << e.cookie;
}

TEST_F(CApi, SocketPinsOfBothFamiliesAtOnce) {
    ipv4_here();
    Handle h = attach();
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, kUsids1, 0), 0) << last_error();
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 2, kBlock, kUsids2, 0), 0) << last_error();
    Fd v6 = udp6(42000);
    Fd v4 = udp4(42001);
    const srv6s_socket_pin batch[] = {{v6.fd, SRV6S_TARGET_PATH, 1}, {v4.fd, SRV6S_TARGET_PATH, 2}};
    size_t n_new = 99;
    ASSERT_EQ(srv6s_pin_sockets(h.get(), batch, 2, nullptr, &n_new), 0) << last_error();
    EXPECT_EQ(n_new, 2u);
    ASSERT_EQ(srv6s_pin_sockets(h.get(), batch, 2, nullptr, &n_new), 0) << last_error();
    EXPECT_EQ(n_new, 0u) << "pinned already, to the same targets";

    srv6s_socket_entry e4{};
    ASSERT_EQ(srv6s_get_socket_pin(h.get(), v4.fd, &e4), 0) << last_error();
    EXPECT_EQ(e4.family, uint32_t(AF_INET));
    EXPECT_STREQ(e4.flow.src, kHost4);
    EXPECT_STREQ(e4.flow.dst, kDest4);
    EXPECT_EQ(e4.cookie, cookie_of(v4.fd));
    EXPECT_EQ(e4.pin.target_id, 2u);

    Capture cap("veth1");
    send_n(v4.fd, 2);
    send_n(v6.fd, 1);
    const auto on2 = cap.wait_for(kOuter2, 2);
    ASSERT_EQ(on2.size(), 2u);
    for (const Frame& f : on2) {
        EXPECT_EQ(f.next_header, IPPROTO_IPIP) << "IPv4 in IPv6";
        EXPECT_EQ(f.len, 14u + 40 + 20 + 8 + kPayloadLen);
    }
    EXPECT_EQ(cap.wait_for(kOuter1, 1).size(), 1u);
    ASSERT_EQ(srv6s_get_socket_pin(h.get(), v4.fd, &e4), 0) << last_error();
    EXPECT_EQ(e4.pin.packets, 2u);
    EXPECT_EQ(e4.pin.bytes, 2 * (14u + 20 + 8 + kPayloadLen));

    // Another target needs replace.
    EXPECT_EQ(srv6s_pin_socket(h.get(), v4.fd, SRV6S_TARGET_PATH, 1, nullptr), -EEXIST);
    EXPECT_THAT(last_error(), HasSubstr("already pinned to path 2"));
    SRV6S_OPTS(srv6s_pin_opts, replace, .replace = 1);
    EXPECT_EQ(srv6s_pin_socket(h.get(), v4.fd, SRV6S_TARGET_PATH, 1, &replace), 0) << last_error();
    ASSERT_EQ(srv6s_get_socket_pin(h.get(), v4.fd, &e4), 0) << last_error();
    EXPECT_EQ(e4.pin.target_id, 1u);
}

TEST_F(CApi, WhatIsNotASocketOrNotPinnableIsRefused) {
    Handle h = attach();
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, kUsids1, 0), 0) << last_error();
    int p[2];
    ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
    Fd rd(p[0]), wr(p[1]);
    Fd unix_sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    Fd good = udp6(43000);

    EXPECT_EQ(srv6s_pin_socket(h.get(), rd.fd, SRV6S_TARGET_PATH, 1, nullptr), -ENOTSOCK);
    EXPECT_THAT(last_error(), HasSubstr("not a socket"));
    EXPECT_THAT(last_error(), HasSubstr("a pipe"));
    EXPECT_EQ(srv6s_pin_socket(h.get(), -1, SRV6S_TARGET_PATH, 1, nullptr), -EBADF);
    // A number no fd has (a freed low one could be taken again inside the call).
    EXPECT_EQ(srv6s_pin_socket(h.get(), INT32_MAX, SRV6S_TARGET_PATH, 1, nullptr), -EBADF);
    EXPECT_THAT(last_error(), HasSubstr("not an open file descriptor"));
    EXPECT_EQ(srv6s_pin_socket(h.get(), unix_sock.fd, SRV6S_TARGET_PATH, 1, nullptr), -EAFNOSUPPORT);
    EXPECT_THAT(last_error(), HasSubstr("unix"));
    Fd tcp(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));  // neither connected nor listening
    EXPECT_EQ(srv6s_pin_socket(h.get(), tcp.fd, SRV6S_TARGET_PATH, 1, nullptr), -ENOTCONN);
    EXPECT_THAT(last_error(), HasSubstr("neither connected nor listening"));
    Fd unbound(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(srv6s_pin_socket(h.get(), unbound.fd, SRV6S_TARGET_PATH, 1, nullptr), -ENOTCONN);
    EXPECT_EQ(srv6s_pin_socket(h.get(), good.fd, SRV6S_TARGET_PATH, 7, nullptr), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("path 7 does not exist"));
    EXPECT_EQ(srv6s_pin_socket(h.get(), good.fd, 5, 1, nullptr), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("invalid target kind 5"));
    EXPECT_EQ(srv6s_unpin_socket(h.get(), rd.fd), -ENOTSOCK);
    srv6s_socket_entry e{};
    EXPECT_EQ(srv6s_get_socket_pin(h.get(), good.fd, nullptr), -EINVAL);
    EXPECT_EQ(srv6s_get_socket_pin(h.get(), -1, &e), -EBADF);
    EXPECT_EQ(srv6s_list_sockets(h.get(), nullptr, nullptr), -EINVAL);

    // A batch is all or nothing: one bad element, and no pin at all.
    const srv6s_socket_pin not_a_socket[] = {{good.fd, SRV6S_TARGET_PATH, 1}, {rd.fd, SRV6S_TARGET_PATH, 1}};
    size_t n_new = 99;
    EXPECT_EQ(srv6s_pin_sockets(h.get(), not_a_socket, 2, nullptr, &n_new), -ENOTSOCK);
    EXPECT_EQ(n_new, 0u);
    const srv6s_socket_pin bad_kind[] = {{good.fd, SRV6S_TARGET_PATH, 1}, {good.fd, 9, 1}};
    EXPECT_EQ(srv6s_pin_sockets(h.get(), bad_kind, 2, nullptr, nullptr), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("socket 1 of the batch: invalid target kind 9"));
    EXPECT_THAT(last_error(), HasSubstr("nothing was pinned"));
    EXPECT_EQ(srv6s_pin_sockets(h.get(), nullptr, 1, nullptr, nullptr), -EINVAL);
    EXPECT_EQ(srv6s_pin_sockets(h.get(), nullptr, 0, nullptr, &n_new), 0) << "an empty batch";

    // Options: a bad size or owner, as for every pin call.
    srv6s_pin_opts no_sz{};
    EXPECT_EQ(srv6s_pin_socket(h.get(), good.fd, SRV6S_TARGET_PATH, 1, &no_sz), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("struct srv6s_pin_opts has sz 0"));
    struct {
        srv6s_pin_opts known;
        uint64_t future;
    } next{};
    next.known.sz = sizeof next;
    next.future = 1;
    EXPECT_EQ(srv6s_pin_socket(h.get(), good.fd, SRV6S_TARGET_PATH, 1, &next.known), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("newer srv6steer.h"));
    EXPECT_EQ(srv6s_pin_sockets(h.get(), not_a_socket, 1, &next.known, nullptr), -EINVAL);

    EXPECT_TRUE(sockets(h.get()).empty()) << "nothing pinned by a refused call";
    EXPECT_EQ(status_of(h.get()).n_sockets, 0u);
}

TEST_F(CApi, CgroupIdsFromPaths) {
    const std::string mount = testcg::mount_point().value_or("");
    if (mount.empty())
        GTEST_SKIP() << "no cgroup2 file system mounted";
    uint64_t id = 0;
    ASSERT_EQ(srv6s_cgroup_id(mount.c_str(), &id), 0) << last_error();
    EXPECT_EQ(id, testcg::inode(mount));
    ASSERT_EQ(srv6s_cgroup_id("id:77", &id), 0) << last_error();
    EXPECT_EQ(id, 77u);
    testcg::Cgroup child(mount, "capi");
    const std::string relative = child.path().substr(mount.size() + 1);
    ASSERT_EQ(srv6s_cgroup_id(relative.c_str(), &id), 0) << last_error();
    EXPECT_EQ(id, child.id()) << "relative to the cgroup2 mount";
    EXPECT_EQ(srv6s_cgroup_id((mount + "/no-such-cgroup").c_str(), &id), -ENOENT);
    EXPECT_EQ(id, 0u);
    EXPECT_EQ(srv6s_cgroup_id("id:x", &id), -EINVAL);
    EXPECT_EQ(srv6s_cgroup_id(nullptr, &id), -EINVAL);
    EXPECT_EQ(srv6s_cgroup_id("id:1", nullptr), -EINVAL);
}

TEST_F(CApi, CgroupPinSteersItsSocketsAfterSocketPins) {
    const std::string mount = testcg::mount_point().value_or("");
    if (mount.empty())
        GTEST_SKIP() << "no cgroup2 file system mounted";
    testcg::Cgroup child(mount, "capi");
    // Sockets belong to the cgroup their creator was in when it made them.
    child.join();
    Fd in_cgroup = udp6(44000);
    Fd socket_pinned = udp6(44001);
    child.leave();
    Fd outside = udp6(44002);

    SRV6S_OPTS(srv6s_attach_opts, o, .max_cgroups = 8);
    Handle h = attach(o);
    ASSERT_TRUE(h);
    EXPECT_EQ(map_sizes(status_of(h.get()).pin_dir).at("srv6s_cgroups"), 8u);
    EXPECT_EQ(status_of(h.get()).max_cgroups, 8u);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, kUsids1, 0), 0) << last_error();
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 2, kBlock, kUsids2, 0), 0) << last_error();
    const uint64_t id = child.id();
    ASSERT_EQ(srv6s_pin_cgroup(h.get(), id, SRV6S_TARGET_PATH, 2, nullptr), 0) << last_error();
    ASSERT_EQ(srv6s_pin_socket(h.get(), socket_pinned.fd, SRV6S_TARGET_PATH, 1, nullptr), 0) << last_error();
    auto list = cgroups(h.get());
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].id, id);
    EXPECT_EQ(list[0].pin.target_id, 2u);
    EXPECT_EQ(list[0].pin.owner_pid, uint32_t(getpid()));
    EXPECT_EQ(status_of(h.get()).n_cgroups, 1u);

    Capture cap("veth1");
    send_n(in_cgroup.fd, 3);
    send_n(socket_pinned.fd, 2);
    send_n(outside.fd, 1);
    EXPECT_EQ(cap.wait_for(kOuter2, 3).size(), 3u) << "the cgroup's socket follows the cgroup pin";
    EXPECT_EQ(cap.wait_for(kOuter1, 2).size(), 2u) << "a socket pin wins over its cgroup's";
    EXPECT_EQ(cap.wait_for(kDest, 1).size(), 1u) << "a socket of another cgroup is not steered";
    list = cgroups(h.get());
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].pin.packets, 3u);
    EXPECT_EQ(list[0].pin.bytes, 3 * kFrameLen);

    EXPECT_EQ(srv6s_pin_cgroup(h.get(), id, SRV6S_TARGET_PATH, 1, nullptr), -EEXIST);
    EXPECT_EQ(srv6s_pin_cgroup(h.get(), 0xfffffffffffull, SRV6S_TARGET_PATH, 1, nullptr), -ENOENT);
    EXPECT_EQ(srv6s_pin_cgroup(h.get(), id, SRV6S_TARGET_SET, 3, nullptr), -ENOENT);
    EXPECT_EQ(srv6s_unpin_cgroup(h.get(), id), 0) << last_error();
    EXPECT_EQ(srv6s_unpin_cgroup(h.get(), id), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("not pinned"));
    EXPECT_TRUE(cgroups(h.get()).empty());
    EXPECT_EQ(srv6s_list_cgroups(h.get(), nullptr, nullptr), -EINVAL);
    send_n(in_cgroup.fd, 1);
    EXPECT_EQ(cap.wait_for(kDest, 1).size(), 1u) << "unpinned: not steered";
}

TEST_F(CApi, GrownStructsKeepOlderCallersWorking) {
    // An attach_opts of before max_cgroups: the default size.
    SRV6S_OPTS(srv6s_attach_opts, old, .bpffs = bpffs.c_str(), .max_cgroups = 8);
    old.sz = offsetof(srv6s_attach_opts, max_cgroups);
    srv6s_handle* raw = nullptr;
    ASSERT_EQ(srv6s_attach("veth0", &old, &raw), 0) << last_error();
    Handle h(raw);
    const std::string pin_dir = status_of(h.get()).pin_dir;
    EXPECT_EQ(map_sizes(pin_dir).at("srv6s_cgroups"), SRV6S_DEFAULT_MAX_CGROUPS) << "max_cgroups lies past sz";

    // A status of before the socket counts: filled to its sz, not further.
    Fd s = udp6(45000);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, kUsids1, 0), 0) << last_error();
    ASSERT_EQ(srv6s_pin_socket(h.get(), s.fd, SRV6S_TARGET_PATH, 1, nullptr), 0) << last_error();
    srv6s_status st;
    std::memset(&st, 0xab, sizeof st);
    st.sz = offsetof(srv6s_status, n_sockets);
    ASSERT_EQ(srv6s_get_status(h.get(), &st), 0) << last_error();
    EXPECT_EQ(st.n_paths, 1u);
    EXPECT_EQ(st.n_sockets, 0xababababu) << "past the caller's sz";
    EXPECT_EQ(st.max_cgroups, 0xababababu);
    const srv6s_status now = status_of(h.get());
    EXPECT_EQ(now.n_sockets, 1u);
    EXPECT_EQ(now.n_cgroups, 0u);
    EXPECT_EQ(now.max_cgroups, SRV6S_DEFAULT_MAX_CGROUPS);
    EXPECT_EQ(now.reserved, 0u);
    h.reset();
    ASSERT_EQ(srv6s_detach("veth0", bpffs.c_str()), 0) << last_error();

    // reserved2 is not an option.
    SRV6S_OPTS(srv6s_attach_opts, bad, .bpffs = bpffs.c_str(), .reserved2 = 1);
    EXPECT_EQ(srv6s_attach("veth0", &bad, nullptr), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("srv6s_attach_opts.reserved2"));
}
