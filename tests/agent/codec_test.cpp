// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The agent protocol's codec (libsrv6steer/remote/wire.hpp, messages.hpp)
// without an agent: headers against a byte layout written out here (the one
// docs/agent-protocol.md draws), packets cut and put back together, payloads
// against JSON written by hand, round trips of random values (rapidcheck),
// and random or mutated input, which must be refused with BadMessage or
// ProtocolError and nothing else. A socketpair carries real packets and fds:
// a refused packet's fds are closed (a pipe's write end then sees EPIPE).
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <rapidcheck/gtest.h>

#include "remote/json_in.hpp"
#include "remote/messages.hpp"
#include "remote/wire.hpp"

namespace rc {
using namespace srv6steer;
template <>
struct Arbitrary<Ipv6> {
    static Gen<Ipv6> arbitrary() {
        return gen::map(gen::container<std::vector<uint8_t>>(16, gen::arbitrary<uint8_t>()), [](const auto& v) {
            Ipv6 a;
            std::copy(v.begin(), v.end(), a.bytes.begin());
            return a;
        });
    }
};
}  // namespace rc

namespace srv6steer::remote {
namespace {

using nlohmann::json;

// A container of lo to hi-1 elements.
template <class C, class G>
rc::Gen<C> sized(size_t lo, size_t hi, G g) {
    return rc::gen::mapcat(rc::gen::inRange<size_t>(lo, hi), [g](size_t n) { return rc::gen::container<C>(n, g); });
}
template <class C, class K, class V>
rc::Gen<C> sized(size_t lo, size_t hi, K k, V v) {
    return rc::gen::mapcat(rc::gen::inRange<size_t>(lo, hi),
                           [k, v](size_t n) { return rc::gen::container<C>(n, k, v); });
}

// Printable ASCII: what survives JSON unchanged (the codec replaces invalid UTF-8).
rc::Gen<std::string> text(size_t max = 40) {
    return sized<std::string>(0, max, rc::gen::inRange<char>(' ', '~' + 1));
}
template <class T>
rc::Gen<T> below(uint64_t n) {
    return rc::gen::inRange<T>(0, static_cast<T>(n));
}

rc::Gen<Target> target() {
    return rc::gen::oneOf(rc::gen::map(below<uint32_t>(SRV6S_MAX_PATHS), Target::path),
                          rc::gen::map(below<uint32_t>(kMaxUserSets), Target::set));
}

rc::Gen<Path> path() {
    return rc::gen::build<Path>(rc::gen::set(&Path::id, below<uint32_t>(SRV6S_MAX_PATHS)),
                                rc::gen::set(&Path::segments, sized<std::vector<Ipv6>>(0, 10, rc::gen::arbitrary<Ipv6>())),
                                rc::gen::set(&Path::mode, rc::gen::element(SrhMode::Reduced, SrhMode::Full)),
                                rc::gen::set(&Path::down));
}

rc::Gen<PathSet> path_set() {
    return rc::gen::build<PathSet>(
        rc::gen::set(&PathSet::id, below<uint32_t>(kMaxUserSets)),
        rc::gen::set(&PathSet::paths, sized<std::vector<uint32_t>>(0, 17, below<uint32_t>(SRV6S_MAX_PATHS))));
}

PinnedSocket pinned_socket() {
    PinnedSocket p;
    p.cookie = *rc::gen::arbitrary<uint64_t>();
    p.family = *rc::gen::element(AF_INET, AF_INET6);
    p.flow.src = *rc::gen::arbitrary<Ipv6>();
    p.flow.dst = *rc::gen::arbitrary<Ipv6>();
    p.flow.proto = *rc::gen::arbitrary<uint8_t>();
    p.flow.sport = *rc::gen::arbitrary<uint16_t>();
    p.flow.dport = *rc::gen::arbitrary<uint16_t>();
    p.target = *target();
    p.info.path_set = p.target.slot();
    p.info.owner.pid = *rc::gen::arbitrary<uint32_t>();
    p.info.owner.cgroup = *rc::gen::arbitrary<uint64_t>();
    p.info.created = std::chrono::system_clock::time_point(std::chrono::nanoseconds(*below<uint64_t>(1ull << 62)));
    p.info.packets = *rc::gen::arbitrary<uint64_t>();
    p.info.bytes = *rc::gen::arbitrary<uint64_t>();
    return p;
}

Status status() {
    Status s;
    s.ifname = *text(15);
    s.ifindex = *below<int>(INT32_MAX);
    s.attach_mode = *rc::gen::element<std::string>("tcx", "clsact", "none");
    s.prog_id = *rc::gen::arbitrary<uint32_t>();
    s.link_id = *rc::gen::arbitrary<uint32_t>();
    s.route_mtu = *rc::gen::arbitrary<bool>();
    s.attached = std::chrono::system_clock::time_point(std::chrono::nanoseconds(*below<uint64_t>(1ull << 62)));
    const Ipv6 src = *rc::gen::arbitrary<Ipv6>();
    std::copy(src.bytes.begin(), src.bytes.end(), s.config.src);
    s.config.flags = *rc::gen::arbitrary<uint32_t>();
    s.config.mtu = *rc::gen::arbitrary<uint32_t>();
    s.config.hop_limit = *rc::gen::arbitrary<uint8_t>();
    for (size_t* n : {&s.n_paths, &s.n_sets, &s.n_flows, &s.n_qps, &s.n_prefixes, &s.n_sockets, &s.n_cgroups})
        *n = *rc::gen::arbitrary<uint32_t>();
    for (uint32_t* n : {&s.max_flows, &s.max_qps, &s.max_prefixes, &s.max_cgroups})
        *n = *rc::gen::arbitrary<uint32_t>();
    s.netns = *text();
    s.netns_cookie = *rc::gen::arbitrary<uint64_t>();
    const size_t np = *rc::gen::inRange<size_t>(0, 4);
    for (size_t i = 0; i < np; i++)
        s.problems.push_back({*rc::gen::element(Problem::Kind::InterfaceGone, Problem::Kind::IfindexChanged,
                                                Problem::Kind::LinkMissing, Problem::Kind::ProgramNotAttached,
                                                Problem::Kind::NetnsGone),
                              *text()});
    return s;
}

Stats stats() {
    Stats s;
    for (auto& c : s.reasons)
        c = {*rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>()};
    const size_t n = *rc::gen::inRange<size_t>(0, 20);
    for (size_t i = 0; i < n; i++) {
        s.paths.push_back({*below<uint32_t>(SRV6S_MAX_PATHS),
                           {*rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>()}});
        // Every path with its health (the agent sends both for each).
        srv6s_path_health h{};
        h.state = *rc::gen::inRange<uint32_t>(0, SRV6S_HEALTH_DOWN + 1);
        h.targets = *rc::gen::arbitrary<uint32_t>();
        for (__u64* f : {&h.sent, &h.replies, &h.lost, &h.rtt_last_ns, &h.rtt_min_ns, &h.rtt_avg_ns, &h.since_ns,
                         &h.transitions, &h.rx_ce_packets, &h.updated_ns})
            *f = *rc::gen::arbitrary<uint64_t>();
        s.health.push_back(h);
        s.down.push_back(*rc::gen::arbitrary<bool>());
    }
    return s;
}

// Encoding what decoding gave returns the same bytes: nothing is lost.
template <class T>
T round_trip(const T& m) {
    const std::string once = encode(m);
    const T back = decode<T>(once, "test");
    RC_ASSERT(encode(back) == once);
    return back;
}

// ---- headers -------------------------------------------------------------------------------

// The layout, byte by byte, as docs/agent-protocol.md draws it.
std::vector<uint8_t> header_bytes(uint16_t version, uint8_t type, uint8_t flags, uint32_t length, uint32_t seq) {
    return {'S',
            '6',
            'S',
            'A',
            uint8_t(version & 0xff),
            uint8_t(version >> 8),
            type,
            flags,
            uint8_t(length),
            uint8_t(length >> 8),
            uint8_t(length >> 16),
            uint8_t(length >> 24),
            uint8_t(seq),
            uint8_t(seq >> 8),
            uint8_t(seq >> 16),
            uint8_t(seq >> 24)};
}

RC_GTEST_PROP(Header, EncodesAsTheDocumentSays, (uint16_t version, uint8_t type, uint8_t flags, uint32_t length,
                                                  uint32_t seq)) {
    const Header h{version, type, flags, length, seq};
    const auto b = encode_header(h);
    RC_ASSERT(std::vector<uint8_t>(b.begin(), b.end()) == header_bytes(version, type, flags, length, seq));
    RC_ASSERT(decode_header(b) == h);
}

RC_GTEST_PROP(Header, RandomBytesDecodeOnlyWithMagic, (const std::vector<uint8_t>& bytes)) {
    try {
        const Header h = decode_header(bytes);
        RC_ASSERT(bytes.size() >= kHeaderSize);
        RC_ASSERT(std::equal(kMagic.begin(), kMagic.end(), bytes.begin()));
        RC_ASSERT(h.type == bytes[6]);
    } catch (const ProtocolError&) {
        const bool short_or_no_magic =
            bytes.size() < kHeaderSize || !std::equal(kMagic.begin(), kMagic.end(), bytes.begin());
        RC_ASSERT(short_or_no_magic);
    }
}

// ---- packets --------------------------------------------------------------------------------

// n files with an inode each (memfd), so that order and identity can be checked.
std::vector<int> memfds(size_t n) {
    std::vector<int> out;
    for (size_t i = 0; i < n; i++)
        out.push_back(memfd_create("codec_test", MFD_CLOEXEC));
    return out;
}
ino_t inode(int fd) {
    struct stat st {};
    return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

// What the wire would deliver for an OutPacket: its header and payload, and a
// copy of each fd.
Packet delivered(const OutPacket& o) {
    Packet p;
    p.header = decode_header(std::span(reinterpret_cast<const uint8_t*>(o.bytes.data()), o.bytes.size()));
    p.payload = o.bytes.substr(kHeaderSize);
    for (int fd : o.fds)
        p.fds.emplace_back(fcntl(fd, F_DUPFD_CLOEXEC, 0));
    return p;
}

RC_GTEST_PROP(Packets, CutAndPutBackTogether, ()) {
    const size_t len = *rc::gen::inRange<size_t>(0, 4 * kMaxPacketPayload + 10);
    const size_t nfds = *rc::gen::inRange<size_t>(0, 3 * kMaxPacketFds + 2);
    std::string payload(len, '\0');
    for (size_t i = 0; i < len; i++)
        payload[i] = char(i * 131 + len);
    const std::vector<int> fds = memfds(nfds);
    const Header h{kVersion, *rc::gen::inRange<uint8_t>(1, 14), 0, 0, *rc::gen::arbitrary<uint32_t>()};
    const auto packets = packetize(h, payload, fds);
    const size_t want = std::max<size_t>({1, (len + kMaxPacketPayload - 1) / kMaxPacketPayload,
                                          (nfds + kMaxPacketFds - 1) / kMaxPacketFds});
    RC_ASSERT(packets.size() == want);
    Assembler a(kMaxRequestPayload, kMaxRequestFds);
    std::optional<Message> m;
    for (size_t i = 0; i < packets.size(); i++) {
        RC_ASSERT(packets[i].bytes.size() <= kMaxPacket);
        RC_ASSERT(packets[i].fds.size() <= kMaxPacketFds);
        RC_ASSERT(bool(packets[i].bytes[7] & kMore) == (i + 1 < packets.size()));
        RC_ASSERT(!m);
        m = a.add(delivered(packets[i]));
    }
    RC_ASSERT(m.has_value());
    RC_ASSERT(a.idle());
    RC_ASSERT(m->payload == payload);
    RC_ASSERT(m->header.type == h.type);
    RC_ASSERT(m->header.seq == h.seq);
    RC_ASSERT(m->header.length == len);
    RC_ASSERT(m->fds.size() == nfds);
    for (size_t i = 0; i < nfds; i++)
        RC_ASSERT(inode(m->fds[i].get()) == inode(fds[i]));
    for (int fd : fds)
        close(fd);
}

TEST(Packets, AssemblerRefusesWhatDoesNotBelong) {
    auto packet = [](uint16_t version, uint8_t type, uint8_t flags, uint32_t seq, std::string payload = "x") {
        Packet p;
        p.header = {version, type, flags, uint32_t(payload.size()), seq};
        p.payload = std::move(payload);
        return p;
    };
    auto refusal = [](Assembler& a, Packet p) -> std::string {
        try {
            a.add(std::move(p));
        } catch (const ProtocolError& e) {
            EXPECT_TRUE(a.idle());
            return e.what();
        }
        return "(accepted)";
    };
    Assembler a(100, 2);
    EXPECT_EQ(refusal(a, packet(2, 1, 0, 1)), "a packet of protocol version 2");
    EXPECT_EQ(refusal(a, packet(1, 1, 0x10, 1)), "a packet with unknown flags 0x10");
    ASSERT_FALSE(a.add(packet(1, 3, kMore, 7)));
    EXPECT_EQ(refusal(a, packet(1, 4, 0, 8)),
              "a packet of message 8 (type 4) came while message 7 (type 3) was not complete");
    ASSERT_FALSE(a.add(packet(1, 3, kMore, 7)));
    EXPECT_EQ(refusal(a, packet(1, 3, kMore | kReply, 7)),
              "a packet of message 7 (type 3) came while message 7 (type 3) was not complete");
    EXPECT_EQ(refusal(a, packet(1, 3, 0, 9, std::string(101, 'x'))), "a message of more than 100 bytes");
    // Fds over the limit: refused, and every fd of the message closed.
    const auto fds = memfds(3);
    Packet p = packet(1, 9, kMore, 10);
    p.fds.emplace_back(fds[0]);
    p.fds.emplace_back(fds[1]);
    ASSERT_FALSE(a.add(std::move(p)));
    Packet q = packet(1, 9, 0, 10);
    q.fds.emplace_back(fds[2]);
    EXPECT_EQ(refusal(a, std::move(q)), "a message with more than 2 file descriptors");
    for (int fd : fds)
        EXPECT_EQ(fcntl(fd, F_GETFD), -1) << "fd " << fd << " was left open";
    // After a refusal the next message starts afresh.
    auto m = a.add(packet(1, 2, 0, 11, "{}"));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->payload, "{}");
}

// ---- packets on a real socket ---------------------------------------------------------------

class Wire : public ::testing::Test {
protected:
    int fds_[2] = {-1, -1};
    std::vector<uint8_t> buf_;
    void SetUp() override {
        signal(SIGPIPE, SIG_IGN);
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds_), 0);
        int big = 1 << 20;
        setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    }
    void TearDown() override {
        close(fds_[0]);
        close(fds_[1]);
    }
    void raw(const std::string& bytes, std::span<const int> fds = {}) {
        ASSERT_TRUE(send_packet(fds_[0], OutPacket{bytes, fds}));
    }
    std::string refusal() {
        try {
            recv_packet(fds_[1], buf_);
        } catch (const ProtocolError& e) {
            return e.what();
        }
        return "(accepted)";
    }
    static std::string head(uint32_t length, uint8_t flags = 0) {
        const auto h = header_bytes(1, 2, flags, length, 5);
        return std::string(h.begin(), h.end());
    }
};

TEST_F(Wire, PacketsAndFdsArrive) {
    int pipe_fds[2];
    ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
    for (const auto& p : packetize({kVersion, 9, 0, 0, 42}, "{\"targets\":[]}", std::span(pipe_fds, 1)))
        ASSERT_TRUE(send_packet(fds_[0], p));
    Received r = recv_packet(fds_[1], buf_);
    ASSERT_EQ(r.kind, Received::Kind::Packet);
    EXPECT_EQ(r.packet.header, (Header{1, 9, 0, 14, 42}));
    EXPECT_EQ(r.packet.payload, "{\"targets\":[]}");
    ASSERT_EQ(r.packet.fds.size(), 1u);
    EXPECT_EQ(inode(r.packet.fds[0].get()), inode(pipe_fds[0]));
    EXPECT_TRUE(fcntl(r.packet.fds[0].get(), F_GETFD) & FD_CLOEXEC);
    EXPECT_EQ(recv_packet(fds_[1], buf_).kind, Received::Kind::Again);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

TEST_F(Wire, MalformedPacketsAreRefusedAndTheirFdsClosed) {
    int pipe_fds[2];
    ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
    // The fd rides on a packet that is refused: the receiver's copy must be
    // closed, so with ours closed too the pipe has no reader left.
    raw("S6SA" + std::string(4, '\0'), std::span(pipe_fds, 1));
    close(pipe_fds[0]);
    EXPECT_EQ(refusal(), "a packet of 8 bytes is shorter than the 16-byte header");
    EXPECT_EQ(write(pipe_fds[1], "x", 1), -1);
    EXPECT_EQ(errno, EPIPE) << "the refused packet's fd was not closed";
    close(pipe_fds[1]);

    raw("XXXX" + head(0).substr(4));
    EXPECT_EQ(refusal(), "not a packet of the srv6steer agent protocol (it does not start with \"S6SA\")");
    raw(head(5) + "abc");
    EXPECT_EQ(refusal(), "a packet of 19 bytes whose header says 5 payload bytes (expected 3)");
    raw(head(0) + std::string(kMaxPacket, 'x'));
    EXPECT_EQ(refusal(), "a packet larger than 65536 bytes");
    // An empty packet reads as the end of the connection.
    raw("");
    EXPECT_EQ(recv_packet(fds_[1], buf_).kind, Received::Kind::Closed);
    close(fds_[0]);
    fds_[0] = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    EXPECT_EQ(recv_packet(fds_[1], buf_).kind, Received::Kind::Closed);
}

// ---- payloads --------------------------------------------------------------------------------

RC_GTEST_PROP(Messages, RequestsRoundTrip, ()) {
    const Path p = *path();
    RC_ASSERT(round_trip(AddPathRequest{p}).path == p);
    const PathSet s = *path_set();
    RC_ASSERT(round_trip(DefineSetRequest{s}).set == s);
    PinSocketsRequest pin;
    pin.targets = *sized<std::vector<Target>>(0, 300, target());
    pin.replace = *rc::gen::arbitrary<bool>();
    const auto back = round_trip(pin);
    RC_ASSERT(back.targets == pin.targets);
    RC_ASSERT(back.replace == pin.replace);
    const HelloRequest h{*text(15), *text()};
    const auto hb = round_trip(h);
    RC_ASSERT(hb.ifname == h.ifname);
    RC_ASSERT(hb.client == h.client);
    const uint32_t id = *rc::gen::arbitrary<uint32_t>();
    RC_ASSERT(round_trip(IdRequest{id}).id == id);
}

RC_GTEST_PROP(Messages, RepliesRoundTrip, ()) {
    PathsReply paths;
    paths.paths = *sized<std::vector<Path>>(0, 10, path());
    RC_ASSERT(round_trip(paths).paths == paths.paths);
    SetsReply sets;
    sets.sets = *sized<std::vector<PathSet>>(0, 10, path_set());
    RC_ASSERT(round_trip(sets).sets == sets.sets);
    SocketsReply socks;
    const size_t n = *rc::gen::inRange<size_t>(0, 20);
    for (size_t i = 0; i < n; i++)
        socks.sockets.push_back(pinned_socket());
    const auto sb = round_trip(socks);
    RC_ASSERT(sb.sockets.size() == n);
    for (size_t i = 0; i < n; i++) {
        RC_ASSERT(sb.sockets[i].flow == socks.sockets[i].flow);
        RC_ASSERT(sb.sockets[i].target == socks.sockets[i].target);
        RC_ASSERT(sb.sockets[i].info.owner == socks.sockets[i].info.owner);
        RC_ASSERT(sb.sockets[i].info.created == socks.sockets[i].info.created);
    }
    SocketPinReply one;
    if (*rc::gen::arbitrary<bool>())
        one.pin = pinned_socket();
    RC_ASSERT(round_trip(one).pin.has_value() == one.pin.has_value());
    round_trip(StatusReply{status()});
    round_trip(StatsReply{stats()});
    round_trip(HelloReply{*text(), *text(15), *rc::gen::arbitrary<uint32_t>(), *rc::gen::arbitrary<uint32_t>(),
                          *rc::gen::arbitrary<uint32_t>(), *rc::gen::arbitrary<uint64_t>(),
                          *rc::gen::arbitrary<uint32_t>(), *rc::gen::arbitrary<uint32_t>()});
    const ErrorReply e{*text(200), *below<int>(4096)};
    const auto eb = round_trip(e);
    RC_ASSERT(eb.message == e.message);
    RC_ASSERT(eb.code == e.code);
    RC_ASSERT(round_trip(CountReply{*rc::gen::arbitrary<uint64_t>()}).count >= 0u);
    round_trip(RemovedReply{*rc::gen::arbitrary<bool>()});
}

// Payloads written by hand, as docs/agent-protocol.md shows them.
TEST(Messages, DecodeWhatTheDocumentShows) {
    const auto add = decode<AddPathRequest>(
        R"({"path": {"id": 1, "segments": ["fcbb:0:1004:1001:1006:fe06::"], "srh": "reduced"}})", "add_path");
    EXPECT_EQ(add.path.id, 1u);
    ASSERT_EQ(add.path.segments.size(), 1u);
    EXPECT_EQ(add.path.segments[0].str(), "fcbb:0:1004:1001:1006:fe06::");
    EXPECT_EQ(add.path.mode, SrhMode::Reduced);
    EXPECT_FALSE(add.path.down);

    const auto pin = decode<PinSocketsRequest>(R"({"targets": [{"path": 1}, {"set": 10}], "replace": true})",
                                               "pin_sockets");
    EXPECT_EQ(pin.targets, (std::vector<Target>{Target::path(1), Target::set(10)}));
    EXPECT_TRUE(pin.replace);
    EXPECT_FALSE(decode<PinSocketsRequest>(R"({"targets": []})", "pin_sockets").replace);
    decode<Empty>("", "status");  // an empty payload is {}

    const auto sock = decode<SocketPinReply>(R"({"pin": {"cookie": 4099, "family": 2,
        "flow": {"proto": 17, "src": "10.0.1.10", "sport": 5000, "dst": "::ffff:10.0.2.10", "dport": 6000},
        "target": {"set": 2050}, "owner_pid": 77, "owner_cgroup": 9, "created_ns": 1000000000,
        "packets": 3, "bytes": 300, "added_by_a_newer_agent": true}})",
                                             "socket_pin");
    ASSERT_TRUE(sock.pin);
    EXPECT_EQ(sock.pin->cookie, 4099u);
    EXPECT_EQ(sock.pin->flow.str(), "udp 10.0.1.10 5000 10.0.2.10 6000");
    EXPECT_EQ(sock.pin->target, Target::set(2050));
    EXPECT_EQ(sock.pin->info.path_set, 2050u);
    EXPECT_EQ(sock.pin->info.owner, (Owner{77, 9}));
    EXPECT_EQ(sock.pin->info.created.time_since_epoch(), std::chrono::seconds(1));
    EXPECT_FALSE(decode<SocketPinReply>(R"({"pin": null})", "socket_pin").pin);

    const auto err = decode<ErrorReply>(R"({"error": "path 9 does not exist", "code": 2})", "add_path");
    EXPECT_EQ(err.message, "path 9 does not exist");
    EXPECT_EQ(err.code, 2);

    // What encode writes, compared as JSON values.
    EXPECT_EQ(json::parse(encode(PinSocketsRequest{{Target::path(3)}, false})),
              json::parse(R"({"targets": [{"path": 3}], "replace": false})"));
    Path p;
    p.id = 2;
    p.segments = {Ipv6::parse("fcbb:0:1004:1002:1006:fe06::")};
    p.mode = SrhMode::Full;
    EXPECT_EQ(json::parse(encode(AddPathRequest{p})),
              json::parse(R"({"path": {"id": 2, "segments": ["fcbb:0:1004:1002:1006:fe06::"], "srh": "full",
                              "down": false}})"));
}

template <class T>
std::string refusal(const std::string& payload, const char* what = "m") {
    try {
        decode<T>(payload, what);
    } catch (const BadMessage& e) {
        EXPECT_EQ(e.code(), EINVAL);
        return e.what();
    }
    return "(accepted)";
}

TEST(Messages, EveryRefusalNamesTheField) {
    EXPECT_EQ(refusal<Empty>("{", "stats"),
              "stats: the payload is not JSON: parse error at line 1, column 2: syntax error while parsing object "
              "key - unexpected end of input; expected string literal");
    EXPECT_EQ(refusal<Empty>("[1]", "stats"), "stats: expected a JSON object, got array");
    EXPECT_EQ(refusal<Empty>(R"({"x": 1})", "stats"), "stats: unknown key \"x\"");
    EXPECT_EQ(refusal<IdRequest>(R"({"id": 1, "id": 2})", "remove_path"),
              "remove_path: key \"id\" given twice in one object");
    EXPECT_EQ(refusal<IdRequest>(R"({})", "remove_path"), "remove_path: missing key \"id\"");
    EXPECT_EQ(refusal<IdRequest>(R"({"id": -1})", "remove_path"),
              "remove_path.id: expected a whole number from 0 to 4294967295, got -1");
    EXPECT_EQ(refusal<IdRequest>(R"({"id": 1.5})"), "m.id: expected a whole number from 0 to 4294967295, got 1.5");
    EXPECT_EQ(refusal<PinSocketsRequest>(R"({"targets": [{"path": 1}, 5]})", "pin_sockets"),
              "pin_sockets.targets[1]: expected an object like {\"path\": 1} or {\"set\": 2}, got 5");
    EXPECT_EQ(refusal<PinSocketsRequest>(R"({"targets": [{"path": 1, "set": 2}]})"),
              "m.targets[0]: expected an object like {\"path\": 1} or {\"set\": 2}, got object");
    EXPECT_EQ(refusal<PinSocketsRequest>(R"({"targets": [{"path": 4096}]})"),
              "m.targets[0].path: expected a whole number from 0 to 4095, got 4096");
    EXPECT_EQ(refusal<PinSocketsRequest>(R"({"targets": [], "replace": "yes"})"),
              "m.replace: expected true or false, got \"yes\"");
    EXPECT_EQ(refusal<PinSocketsRequest>(R"({"targets": {}})"), "m.targets: expected an array, got object");
    EXPECT_EQ(refusal<AddPathRequest>(R"({"path": {"id": 1, "segments": ["nope"]}})", "add_path"),
              "add_path.path.segments[0]: invalid IPv6 address \"nope\" (expected e.g. fcbb:0:1004::)");
    EXPECT_EQ(refusal<AddPathRequest>(R"({"path": {"id": 1, "segments": [], "srh": "half"}})"),
              "m.path.srh: expected \"reduced\" or \"full\", got \"half\"");
    EXPECT_EQ(refusal<HelloRequest>(R"({"ifname": "a\u0000b"})", "hello"),
              "hello.ifname: expected a string of at most 4096 characters without NUL");
    EXPECT_EQ(refusal<HelloRequest>("{\"client\": \"\xff\"}", "hello"),
              "hello: the payload is not JSON: parse error at line 1, column 13: syntax error while parsing value - "
              "invalid string: ill-formed UTF-8 byte; last read: '\"<FF>'");
    EXPECT_EQ(refusal<Empty>(std::string(20, '[') + std::string(20, ']'), "stats"),
              "stats: nested deeper than 8 levels");
}

// Random bytes, random JSON and valid payloads with bytes changed, cut or
// added: every decoder answers with a value or BadMessage, nothing else.
template <class T>
void decodes_or_refuses(const std::string& payload) {
    try {
        decode<T>(payload, "m");
    } catch (const BadMessage&) {
    }
}
void every_decoder(const std::string& payload) {
    decodes_or_refuses<HelloRequest>(payload);
    decodes_or_refuses<Empty>(payload);
    decodes_or_refuses<AddPathRequest>(payload);
    decodes_or_refuses<IdRequest>(payload);
    decodes_or_refuses<DefineSetRequest>(payload);
    decodes_or_refuses<PinSocketsRequest>(payload);
    decodes_or_refuses<OkReply>(payload);
    decodes_or_refuses<ErrorReply>(payload);
    decodes_or_refuses<HelloReply>(payload);
    decodes_or_refuses<PathsReply>(payload);
    decodes_or_refuses<SetsReply>(payload);
    decodes_or_refuses<CountReply>(payload);
    decodes_or_refuses<RemovedReply>(payload);
    decodes_or_refuses<SocketPinReply>(payload);
    decodes_or_refuses<SocketsReply>(payload);
    decodes_or_refuses<StatusReply>(payload);
    decodes_or_refuses<StatsReply>(payload);
}

RC_GTEST_PROP(Messages, RandomBytesAreRefusedCleanly, (const std::string& bytes)) { every_decoder(bytes); }

RC_GTEST_PROP(Messages, MutatedPayloadsAreRefusedCleanly, ()) {
    SocketsReply socks;
    socks.sockets.push_back(pinned_socket());
    const std::vector<std::string> valid = {encode(AddPathRequest{*path()}), encode(DefineSetRequest{*path_set()}),
                                 encode(PinSocketsRequest{{*target(), *target()}, true}), encode(socks),
                                 encode(StatusReply{status()}), encode(StatsReply{stats()})};
    std::string p = *rc::gen::elementOf(valid);
    const int edits = *rc::gen::inRange(1, 6);
    for (int i = 0; i < edits && !p.empty(); i++) {
        const size_t at = *rc::gen::inRange<size_t>(0, p.size());
        switch (*rc::gen::inRange(0, 4)) {
        case 0:
            p[at] = *rc::gen::elementOf(std::string("{}[]\",:0123456789-.eE tfn\\u"));
            break;
        case 1:
            p[at] = *rc::gen::arbitrary<char>();
            break;
        case 2:
            p.resize(at);
            break;
        default:
            p.insert(at, *rc::gen::elementOf(std::vector<std::string>{"{", "[", "\"", "-1", "1e999", "null", ",",
                                                                       "18446744073709551616", "\"\\u0000\""}));
        }
    }
    every_decoder(p);
}

// Random JSON values (nested objects, arrays, numbers of every kind).
rc::Gen<json> any_json(int depth) {
    auto leaf = rc::gen::oneOf(rc::gen::just(json(nullptr)), rc::gen::map(rc::gen::arbitrary<bool>(), [](bool b) { return json(b); }),
                               rc::gen::map(rc::gen::arbitrary<int64_t>(), [](int64_t v) { return json(v); }),
                               rc::gen::map(rc::gen::arbitrary<uint64_t>(), [](uint64_t v) { return json(v); }),
                               rc::gen::map(rc::gen::arbitrary<double>(), [](double v) { return json(v); }),
                               rc::gen::map(text(), [](const std::string& s) { return json(s); }));
    if (depth == 0)
        return leaf;
    auto keys = rc::gen::element<std::string>("id", "path", "set", "paths", "segments", "targets", "replace",
                                              "ifname", "error", "code", "pin", "sockets", "flow", "x");
    return rc::gen::oneOf(
        leaf, rc::gen::map(sized<std::vector<json>>(0, 4, any_json(depth - 1)),
                           [](std::vector<json> v) { return json(std::move(v)); }),
        rc::gen::map(sized<std::map<std::string, json>>(0, 4, keys,
                                                                    any_json(depth - 1)),
                     [](std::map<std::string, json> m) { return json(std::move(m)); }));
}

RC_GTEST_PROP(Messages, RandomJsonIsRefusedCleanly, ()) { every_decoder((*any_json(4)).dump()); }

// ---- the JSON reader (remote::parse) against a reference ---------------------------------

// How parse read JSON before it checked depth and keys on nlohmann's SAX
// events: a parser callback on every event. Kept here as the reference.
json reference_parse(const std::string& payload, const std::string& what) {
    if (payload.empty())
        return json::object();
    std::vector<std::set<std::string>> objects;
    try {
        using E = json::parse_event_t;
        return json::parse(payload, [&](int depth, E event, json& parsed) {
            if (depth > 8)
                throw BadMessage(what + ": nested deeper than 8 levels");
            if (event == E::object_start)
                objects.emplace_back();
            else if (event == E::object_end && !objects.empty())
                objects.pop_back();
            else if (event == E::key && !objects.empty() && !objects.back().insert(parsed.get<std::string>()).second)
                throw BadMessage(what + ": key \"" + parsed.get<std::string>() + "\" given twice in one object");
            return true;
        });
    } catch (const json::exception&) {
        throw BadMessage(what + ": the payload is not JSON");
    }
}

// JSON text up to `depth` levels deep whose objects may repeat a key.
rc::Gen<std::string> json_text(int depth) {
    auto leaf = rc::gen::element<std::string>("null", "true", "1", "-2", "3.5", "\"s\"", "[]", "{}");
    if (depth == 0)
        return leaf;
    auto key = rc::gen::element<std::string>("\"a\"", "\"b\"", "\"c\"");
    auto array = rc::gen::map(sized<std::vector<std::string>>(0, 3, json_text(depth - 1)),
                              [](const std::vector<std::string>& v) {
                                  std::string s = "[";
                                  for (size_t i = 0; i < v.size(); i++)
                                      s += (i ? "," : "") + v[i];
                                  return s + "]";
                              });
    auto object = rc::gen::map(sized<std::vector<std::pair<std::string, std::string>>>(
                                   0, 3, rc::gen::pair(key, json_text(depth - 1))),
                               [](const std::vector<std::pair<std::string, std::string>>& v) {
                                   std::string s = "{";
                                   for (size_t i = 0; i < v.size(); i++)
                                       s += (i ? "," : "") + v[i].first + ":" + v[i].second;
                                   return s + "}";
                               });
    return rc::gen::weightedOneOf<std::string>({{1, leaf}, {2, array}, {2, object}});
}

// What reading gave: the value, or the refusal (for text that is not JSON,
// only that it was refused: the reference does not spell out nlohmann's message).
std::string outcome(const std::function<json()>& read) {
    try {
        return "value " + read().dump();
    } catch (const BadMessage& e) {
        const std::string m = e.what();
        const auto not_json = m.find(": the payload is not JSON");
        return "refused " + (not_json == std::string::npos ? m : m.substr(0, not_json + 25));
    }
}

RC_GTEST_PROP(Json, ReadsAsTheCallbackParserDid, ()) {
    // A random value at a random depth about the limit of 8.
    std::string t = *json_text(*rc::gen::inRange(0, 4)), close;
    for (int i = *rc::gen::inRange(0, 9); i > 0; i--) {
        const bool array = *rc::gen::arbitrary<bool>();
        t = (array ? "[" : "{\"a\":") + t;
        close += array ? "]" : "}";
    }
    t += close;
    if (*rc::gen::inRange(0, 4) == 0 && !t.empty())  // sometimes not JSON at all
        t.insert(*rc::gen::inRange<size_t>(0, t.size()), *rc::gen::element<std::string>("{", "]", ",", "\"", ":"));
    RC_ASSERT(outcome([&] { return parse(t, "m"); }) == outcome([&] { return reference_parse(t, "m"); }));
}

TEST(Json, DepthAndRepeatedKeysAtTheirLimits) {
    auto nested = [](int n, const std::string& open, const std::string& inner, const std::string& close) {
        std::string s;
        for (int i = 0; i < n; i++)
            s += open;
        s += inner;
        for (int i = 0; i < n; i++)
            s += close;
        return s;
    };
    for (const std::string& t :
         {nested(9, "[", "", "]"), nested(10, "[", "", "]"), nested(8, "[", "1", "]"), nested(9, "[", "1", "]"),
          nested(8, "{\"a\":", "{}", "}"), nested(8, "{\"a\":", "{\"b\":1}", "}"), nested(7, "[", "{\"a\":1}", "]"),
          nested(8, "[", "{\"a\":1}", "]"), nested(2, "{\"a\":", "{\"b\":1,\"b\":2}", "}"),
          std::string("{\"a\":{\"b\":1},\"b\":{\"a\":1},\"a\":2}"), nested(1, "[", std::string(64, ' ') + "{\"k\":1}", "]")}) {
        SCOPED_TRACE(t);
        EXPECT_EQ(outcome([&] { return parse(t, "m"); }), outcome([&] { return reference_parse(t, "m"); }));
    }
    // An object of many keys, one of them twice at the end.
    std::string many = "{";
    for (int i = 0; i < 5000; i++)
        many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    EXPECT_EQ(outcome([&] { return parse(many + "\"k0\":1}", "m"); }), "refused m: key \"k0\" given twice in one object");
    EXPECT_EQ(parse(many + "\"last\":1}", "m").size(), 5001u);
}

// The pin request is written by hand (no tree of 4,096 objects): byte for
// byte what nlohmann writes of the same value.
RC_GTEST_PROP(Messages, PinRequestIsWrittenAsNlohmannWritesIt, ()) {
    PinSocketsRequest pin;
    pin.targets = *sized<std::vector<Target>>(0, 50, target());
    pin.replace = *rc::gen::arbitrary<bool>();
    json targets = json::array();
    for (const Target& t : pin.targets)
        targets.push_back({{t.kind == Target::Kind::Path ? "path" : "set", t.id}});
    const json want = {{"targets", targets}, {"replace", pin.replace}};
    RC_ASSERT(encode(pin) == want.dump());
}

}  // namespace
}  // namespace srv6steer::remote
