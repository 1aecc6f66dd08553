// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A small steered network for the socket and cgroup pin tests: this process
// (the host, srv6steer attached to veth0) -- a router -- a sink, each in a
// network namespace of its own (testns), with real sockets on both ends.
//
//   host veth0 fcbb:0:800:1::1 10.0.1.1 ---- veth1 router veth2 ---- veth3 sink
//                                             fcbb:0:800:2::20 10.0.2.20
//
// The router ends the paths like a leaf of the lab: End at fcbb:0:2::,
// End.DT6 at fcbb:0:1::6 and fcbb:0:3::6, End.DX4 (DT4 on the main table) at
// fcbb:0:1::4 and fcbb:0:3::4, so steered packets reach the sink's sockets.
// What arrives on the router's veth1 is captured (AF_PACKET) and decoded here,
// independently of the data plane: the outer IPv6 header, the SRH, the
// inner packet. Neighbours are static (fixed MACs): no packet waits for ND.
#pragma once

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fd.hpp"
#include "in_netns.hpp"
#include "packet.hpp"
#include "private_ns.hpp"
#include "shell.hpp"
#include "srv6steer/srv6steer.hpp"

namespace steernet {

using srv6steer::UniqueFd;
using testpkt::Addr6;
using testpkt::Bytes;

inline constexpr const char* kHost6 = "fcbb:0:800:1::1";
inline constexpr const char* kHost4 = "10.0.1.1";
inline constexpr const char* kSink6 = "fcbb:0:800:2::20";
inline constexpr const char* kSink4 = "10.0.2.20";

// SIDs the router serves.
inline constexpr const char* kEnd = "fcbb:0:2::";
inline constexpr const char* kDt6 = "fcbb:0:1::6";
inline constexpr const char* kDt6Other = "fcbb:0:3::6";
inline constexpr const char* kDx4 = "fcbb:0:1::4";
inline constexpr const char* kDx4Other = "fcbb:0:3::4";

// Paths: one container (no SRH), or End then the decap (an SRH of one segment).
inline srv6steer::Path path(uint32_t id, std::vector<const char*> sids) {
    srv6steer::Path p;
    p.id = id;
    for (const char* s : sids)
        p.segments.push_back(srv6steer::Ipv6::parse(s));
    return p;
}

using testns::in_netns;  // testing/in_netns.hpp

// The pid of a process that has exited and been reaped: an owner that is gone.
inline pid_t gone_pid() {
    const pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, nullptr, 0);
    return pid;
}

// ---- addresses and sockets -------------------------------------------------

inline sockaddr_storage sockaddr_of(int family, const char* addr, uint16_t port, socklen_t* len) {
    sockaddr_storage ss{};
    if (family == AF_INET) {
        auto* in = reinterpret_cast<sockaddr_in*>(&ss);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        inet_pton(AF_INET, addr, &in->sin_addr);
        *len = sizeof *in;
    } else {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        inet_pton(AF_INET6, addr, &in6->sin6_addr);
        *len = sizeof *in6;
    }
    return ss;
}

// The address as the data plane keys it (IPv4-mapped for IPv4).
inline Addr6 key_addr(int family, const char* addr) {
    return family == AF_INET ? testpkt::mapped(addr) : testpkt::a6(addr);
}

inline const char* host_addr(int family) { return family == AF_INET ? kHost4 : kHost6; }
inline const char* sink_addr(int family) { return family == AF_INET ? kSink4 : kSink6; }

inline uint16_t port_of(const sockaddr_storage& ss) {
    return ntohs(ss.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in&>(ss).sin_port
                                         : reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
}

inline uint16_t local_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    return port_of(ss);
}

inline uint16_t peer_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    return port_of(ss);
}

// A socket bound to addr:port (port 0: any), connected to peer:peer_port
// when peer is given. Failures fail the test (ADD_FAILURE) and give no fd.
// (made: a socket made elsewhere, to bind and connect instead of a new one)
inline UniqueFd open_socket(int family, int type, const char* addr, uint16_t port, const char* peer = nullptr,
                            uint16_t peer_port = 0, UniqueFd made = UniqueFd()) {
    UniqueFd fd = made ? std::move(made) : UniqueFd(socket(family, type | SOCK_CLOEXEC, 0));
    socklen_t len = 0;
    const sockaddr_storage local = sockaddr_of(family, addr, port, &len);
    if (!fd || bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), len) != 0) {
        ADD_FAILURE() << "socket/bind " << addr << " " << port << ": " << strerror(errno);
        return {};
    }
    if (peer) {
        const sockaddr_storage remote = sockaddr_of(family, peer, peer_port, &len);
        if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&remote), len) != 0) {
            ADD_FAILURE() << "connect " << peer << " " << peer_port << ": " << strerror(errno);
            return {};
        }
    }
    return fd;
}

inline UniqueFd listen_socket(int family, const char* addr, uint16_t port) {
    UniqueFd fd = open_socket(family, SOCK_STREAM, addr, port);
    if (fd && listen(fd.get(), 8) != 0)
        ADD_FAILURE() << "listen: " << strerror(errno);
    return fd;
}

inline UniqueFd accept_one(int listener, int timeout_ms = 5000) {
    pollfd p{listener, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) {
        ADD_FAILURE() << "no connection came within " << timeout_ms << " ms";
        return {};
    }
    return UniqueFd(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
}

// Reads until `bytes` bytes (stream) or `datagrams` datagrams arrived, each
// wait bounded by timeout_ms; returns what arrived (bytes or datagrams).
inline size_t receive(int fd, size_t want, bool stream, int timeout_ms = 5000) {
    size_t got = 0;
    std::vector<char> buf(1 << 16);
    while (got < want) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) != 1)
            break;
        const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0)
            break;
        got += stream ? size_t(n) : 1;
    }
    return got;
}

// Waits (bounded) until every segment a TCP socket sent was acknowledged
// (call once the peer has read everything): it then sends nothing more on
// its own.
inline bool all_acked(int fd, int timeout_ms = 5000) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < end) {
        tcp_info ti{};
        socklen_t len = sizeof ti;
        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_unacked == 0)
            return true;
        pollfd none{-1, 0, 0};
        poll(&none, 0, 5);
    }
    return false;
}

// ---- what the router receives ------------------------------------------------

// One frame as it arrived on the router, decoded here (not by srv6steer).
struct Frame {
    Bytes bytes;                 // as captured (maybe cut short)
    size_t wire_len = 0;         // as it was on the wire
    bool encapsulated = false;   // outer IPv6 carrying IPv6/IPv4, maybe with an SRH
    Addr6 outer_dst{};
    std::vector<Addr6> segs;     // SRH segments in wire order; empty: no SRH
    int segments_left = -1;
    size_t encap_len = 0;        // bytes before the inner IP header, past Ethernet
    // The inner (or only) packet:
    int family = 0;              // AF_INET or AF_INET6; 0: not IP
    Addr6 src{}, dst{};          // IPv4 as mapped
    uint8_t proto = 0;
    uint16_t sport = 0, dport = 0;
    bool fragment = false;
    // The length the TC program saw (Ethernet + inner packet): what pin
    // counters count.
    size_t sent_len() const { return wire_len - encap_len; }
};

inline uint16_t be16(const Bytes& b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }

// The inner packet at `at` (its IP header): addresses, protocol, ports.
inline bool decode_ip(const Bytes& b, size_t at, Frame& f) {
    if (at >= b.size())
        return false;
    const int version = b[at] >> 4;
    size_t l4 = 0;
    if (version == 4 && at + 20 <= b.size()) {
        f.family = AF_INET;
        f.src = Addr6{};
        f.dst = Addr6{};
        f.src[10] = f.src[11] = f.dst[10] = f.dst[11] = 0xff;
        std::memcpy(&f.src[12], &b[at + 12], 4);
        std::memcpy(&f.dst[12], &b[at + 16], 4);
        f.proto = b[at + 9];
        const uint16_t frag = be16(b, at + 6);
        f.fragment = (frag & 0x3fff) != 0;  // MF or an offset
        if ((frag & 0x1fff) != 0)
            return true;  // no L4 header in this one
        l4 = at + (b[at] & 0xf) * 4u;
    } else if (version == 6 && at + 40 <= b.size()) {
        f.family = AF_INET6;
        std::memcpy(f.src.data(), &b[at + 8], 16);
        std::memcpy(f.dst.data(), &b[at + 24], 16);
        f.proto = b[at + 6];
        l4 = at + 40;
        if (f.proto == 44 && l4 + 8 <= b.size()) {  // fragment header
            f.fragment = true;
            f.proto = b[l4];
            if ((be16(b, l4 + 2) & 0xfff8) != 0)
                return true;
            l4 += 8;
        }
    } else {
        return false;
    }
    if ((f.proto == 6 || f.proto == 17) && l4 + 4 <= b.size()) {
        f.sport = be16(b, l4);
        f.dport = be16(b, l4 + 2);
    }
    return true;
}

inline std::optional<Frame> decode(Bytes bytes, size_t wire_len) {
    Frame f;
    f.bytes = std::move(bytes);
    f.wire_len = wire_len;
    const Bytes& b = f.bytes;
    if (b.size() < 14)
        return std::nullopt;
    const uint16_t type = be16(b, 12);
    size_t at = 14;
    if (type == 0x86dd && b.size() >= 54) {
        uint8_t next = b[20];
        size_t after = 54;
        if (next == 43 && b.size() >= after + 8 && b[after + 2] == 4) {  // SRH
            const size_t len = 8 + 8u * b[after + 1];
            f.segments_left = b[after + 3];
            const size_t n = b[after + 4] + 1u;  // last entry + 1
            for (size_t i = 0; i < n && after + 8 + 16 * (i + 1) <= b.size(); i++) {
                Addr6 s{};
                std::memcpy(s.data(), &b[after + 8 + 16 * i], 16);
                f.segs.push_back(s);
            }
            next = b[after];
            after += len;
        }
        if (next == 41 || next == 4) {
            f.encapsulated = true;
            std::memcpy(f.outer_dst.data(), &b[38], 16);
            f.encap_len = after - 14;
            at = after;
        }
    } else if (type != 0x0800) {
        return std::nullopt;
    }
    if (!decode_ip(b, at, f))
        return std::nullopt;
    return f;
}

// Frames arriving on the router's veth1 (not those it sends), from the
// moment it is made. A TPACKET_V2 ring: the kernel copies each frame as it
// arrives, before the router's End rewrites the SRH and destination in
// place (a plain AF_PACKET socket copies at recv() time and can see that).
class Capture {
public:
    static constexpr unsigned kFrameSize = 1u << 17;  // a 64 KiB GSO packet and its headers
    static constexpr unsigned kFrames = 64;

    explicit Capture(pid_t router) {
        in_netns(router, [&] {
            fd_ = UniqueFd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
            const int v2 = TPACKET_V2, one = 1;
            tpacket_req req{kFrameSize, kFrames, kFrameSize, kFrames};
            sockaddr_ll ll{};
            ll.sll_family = AF_PACKET;
            ll.sll_protocol = htons(ETH_P_ALL);
            ll.sll_ifindex = static_cast<int>(if_nametoindex("veth1"));
            if (!fd_ || setsockopt(fd_.get(), SOL_PACKET, PACKET_VERSION, &v2, sizeof v2) != 0 ||
                setsockopt(fd_.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0 ||
                setsockopt(fd_.get(), SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0)
                throw std::runtime_error(std::string("capture ring on the router: ") + strerror(errno));
            void* ring = mmap(nullptr, size_t(kFrameSize) * kFrames, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
            if (ring == MAP_FAILED || bind(fd_.get(), reinterpret_cast<sockaddr*>(&ll), sizeof ll) != 0)
                throw std::runtime_error(std::string("capture on the router: ") + strerror(errno));
            ring_ = static_cast<uint8_t*>(ring);
        });
    }
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    ~Capture() {
        if (ring_)
            munmap(ring_, size_t(kFrameSize) * kFrames);
    }

    // Takes in frames until done(frames so far) says so, or nothing more
    // came for timeout_ms. Returns every frame taken in so far.
    const std::vector<Frame>& until(const std::function<bool(const std::vector<Frame>&)>& done,
                                    int timeout_ms = 3000) {
        while (!done(frames_)) {
            auto* h = reinterpret_cast<tpacket2_hdr*>(ring_ + size_t(next_) * kFrameSize);
            if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) {
                pollfd p{fd_.get(), POLLIN, 0};
                if (poll(&p, 1, timeout_ms) != 1)
                    break;
                continue;
            }
            const uint8_t* data = reinterpret_cast<const uint8_t*>(h) + h->tp_mac;
            if (h->tp_status & TP_STATUS_LOSING)
                ADD_FAILURE() << "the capture ring lost frames";
            if (auto f = decode(Bytes(data, data + h->tp_snaplen), h->tp_len))
                frames_.push_back(std::move(*f));
            __atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
            next_ = (next_ + 1) % kFrames;
        }
        return frames_;
    }

    // Frames of one flow (inner addresses, protocol and ports; fragments
    // after the first carry no ports: `fragments` takes them by addresses).
    static std::vector<Frame> of(const std::vector<Frame>& all, int family, const char* src, uint16_t sport,
                                 const char* dst, uint16_t dport, uint8_t proto, bool fragments = false) {
        const Addr6 s = key_addr(family, src), d = key_addr(family, dst);
        std::vector<Frame> out;
        for (const Frame& f : all)
            if (f.src == s && f.dst == d && f.proto == proto &&
                ((f.sport == sport && f.dport == dport) || (fragments && f.fragment)))
                out.push_back(f);
        return out;
    }

private:
    UniqueFd fd_;
    uint8_t* ring_ = nullptr;
    unsigned next_ = 0;
    std::vector<Frame> frames_;
};

// ---- paths and what they look like on the wire --------------------------------

// The paths of one address family (the router's decap differs: DT6, DX4).
struct Family {
    int af;
    const char* name;
    uint32_t plain;  // one container: DA = the decap SID, no SRH
    uint32_t srh;    // End, then the decap: DA = End, SRH [decap], SL 1
    uint32_t other;  // another decap SID: another DA, no SRH
    const char* decap;
    const char* decap_other;
    size_t ip_header;
};
inline const Family kV6{AF_INET6, "IPv6", 1, 2, 5, kDt6, kDt6Other, 40};
inline const Family kV4{AF_INET, "IPv4", 3, 4, 6, kDx4, kDx4Other, 20};

inline std::string name_of(const ::testing::TestParamInfo<Family>& i) { return i.param.name; }
inline void PrintTo(const Family& f, std::ostream* os) { *os << f.name; }

// The six paths of both families.
inline void add_paths(srv6steer::Steering& s) {
    for (const Family& f : {kV6, kV4}) {
        s.add_path(path(f.plain, {f.decap}));
        s.add_path(path(f.srh, {kEnd, f.decap}));
        s.add_path(path(f.other, {f.decap_other}));
    }
}

// What the router must see of a packet steered on path id.
inline void expect_on(const Frame& f, const Family& fam, uint32_t id) {
    ASSERT_TRUE(f.encapsulated) << "not encapsulated: " << testpkt::hex(f.bytes);
    if (id == fam.srh) {
        EXPECT_EQ(f.outer_dst, testpkt::a6(kEnd));
        ASSERT_EQ(f.segs.size(), 1u);
        EXPECT_EQ(f.segs[0], testpkt::a6(fam.decap));
        EXPECT_EQ(f.segments_left, 1);
        EXPECT_EQ(f.encap_len, 40u + 8 + 16);
    } else {
        EXPECT_EQ(f.outer_dst, testpkt::a6(id == fam.plain ? fam.decap : fam.decap_other));
        EXPECT_TRUE(f.segs.empty());
        EXPECT_EQ(f.encap_len, 40u);
    }
}

// Sends n datagrams of 100, 101, ... bytes on a connected socket; returns
// the bytes TC sees of them (Ethernet + IP + UDP + payload), computed here.
inline size_t send_datagrams(int fd, const Family& f, int n) {
    size_t seen = 0;
    for (int i = 0; i < n; i++) {
        const std::vector<char> payload(100 + i, 'x');
        EXPECT_EQ(send(fd, payload.data(), payload.size(), 0), ssize_t(payload.size())) << strerror(errno);
        seen += 14 + f.ip_header + 8 + payload.size();
    }
    return seen;
}

// ---- the network -----------------------------------------------------------------

class Network {
public:
    testns::PrivateNamespaces ns;
    testns::PeerNamespace router, sink;

    // Call from SetUp (gtest ASSERTs).
    void build(const char* tag) {
        using testsh::sh;
        ASSERT_NO_FATAL_FAILURE(ns.enter(tag));
        ASSERT_NO_FATAL_FAILURE(router.start());
        ASSERT_NO_FATAL_FAILURE(sink.start());
        const std::string R = router.nsenter(), S = sink.nsenter();
        const std::string rpid = std::to_string(router.pid()), spid = std::to_string(sink.pid());
        // MACs: 02:5e:00:00:<own>:<peer>, host 1, router 2, sink 3.
        sh("ip link set lo up && " + R + "ip link set lo up && " + S + "ip link set lo up");
        sh("ip link add veth0 address 02:5e:00:00:01:02 type veth peer name veth1 address 02:5e:00:00:02:01 netns " +
           rpid);
        sh(R + "ip link add veth2 address 02:5e:00:00:02:03 type veth peer name veth3 address 02:5e:00:00:03:02 netns " +
           spid);
        sh("ip addr add fcbb:0:800:1::1/64 dev veth0 nodad && ip addr add 10.0.1.1/24 dev veth0 && "
           "ip link set veth0 up");
        sh(R + "ip addr add fcbb:0:800:1::2/64 dev veth1 nodad && " + R + "ip addr add 10.0.1.2/24 dev veth1 && " + R +
           "ip addr add fcbb:0:800:2::1/64 dev veth2 nodad && " + R + "ip addr add 10.0.2.1/24 dev veth2 && " + R +
           "ip link set veth1 up && " + R + "ip link set veth2 up");
        sh(S + "ip addr add fcbb:0:800:2::20/64 dev veth3 nodad && " + S + "ip addr add 10.0.2.20/24 dev veth3 && " +
           S + "ip link set veth3 up");
        // Static neighbours, both ways on both links.
        sh("ip -6 neigh add fcbb:0:800:1::2 lladdr 02:5e:00:00:02:01 dev veth0 nud permanent && "
           "ip neigh add 10.0.1.2 lladdr 02:5e:00:00:02:01 dev veth0 nud permanent");
        sh(R + "ip -6 neigh add fcbb:0:800:1::1 lladdr 02:5e:00:00:01:02 dev veth1 nud permanent && " + R +
           "ip neigh add 10.0.1.1 lladdr 02:5e:00:00:01:02 dev veth1 nud permanent && " + R +
           "ip -6 neigh add fcbb:0:800:2::20 lladdr 02:5e:00:00:03:02 dev veth2 nud permanent && " + R +
           "ip neigh add 10.0.2.20 lladdr 02:5e:00:00:03:02 dev veth2 nud permanent");
        sh(S + "ip -6 neigh add fcbb:0:800:2::1 lladdr 02:5e:00:00:02:03 dev veth3 nud permanent && " + S +
           "ip neigh add 10.0.2.1 lladdr 02:5e:00:00:02:03 dev veth3 nud permanent");
        // Routes: the host reaches the sink's /64 and /24 through the router.
        sh("ip -6 route add fcbb:0:800:2::/64 via fcbb:0:800:1::2 dev veth0 && "
           "ip route add 10.0.2.0/24 via 10.0.1.2 dev veth0");
        sh(S + "ip -6 route add default via fcbb:0:800:2::1 && " + S + "ip route add default via 10.0.2.1");
        // The router forwards, and ends the paths.
        sh(R + "sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 "
               "net.ipv4.conf.veth1.rp_filter=0 net.ipv6.conf.all.seg6_enabled=1 net.ipv6.conf.veth1.seg6_enabled=1");
        sh(R + "ethtool -K veth1 gro off >/dev/null");  // one captured frame per packet sent
        sh(R + "ip -6 route add " + kEnd + "/128 encap seg6local action End dev veth1");
        for (const char* sid : {kDt6, kDt6Other})
            sh(R + "ip -6 route add " + sid + "/128 encap seg6local action End.DT6 table 254 dev veth1");
        for (const char* sid : {kDx4, kDx4Other})
            sh(R + "ip -6 route add " + sid + "/128 encap seg6local action End.DX4 nh4 0.0.0.0 dev veth1");
    }

    srv6steer::AttachOptions options() const {
        srv6steer::AttachOptions o;
        o.ifname = "veth0";
        o.bpffs = ns.bpffs();
        o.max_flows = 1024;
        o.max_qps = 16;
        o.max_prefixes = 16;
        o.max_cgroups = 16;
        return o;
    }

    // Sends one datagram on fd (UDP, connected from the host's address to
    // the sink's) and returns the frame the router received of it; the
    // datagram must reach sink_fd too. nullopt: nothing came.
    std::optional<Frame> send_one(int fd, const Family& f, int sink_fd) {
        Capture cap(router.pid());
        send_datagrams(fd, f, 1);
        EXPECT_EQ(receive(sink_fd, 1, false), 1u) << "the datagram reaches the sink";
        const uint16_t sport = local_port(fd), dport = peer_port(fd);
        auto mine = [&](const std::vector<Frame>& a) {
            return Capture::of(a, f.af, host_addr(f.af), sport, sink_addr(f.af), dport, 17);
        };
        const auto seen = mine(cap.until([&](const auto& a) { return !mine(a).empty(); }));
        if (seen.size() != 1)
            return std::nullopt;
        return seen[0];
    }

    // A socket in the sink's namespace (listening TCP, or bound UDP).
    UniqueFd sink_socket(int family, int type, uint16_t port) {
        UniqueFd fd;
        in_netns(sink.pid(), [&] {
            fd = type == SOCK_STREAM ? listen_socket(family, sink_addr(family), port)
                                     : open_socket(family, SOCK_DGRAM, sink_addr(family), port);
        });
        return fd;
    }
};

}  // namespace steernet
