// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Malformed input to the live agent (agent_fixture.hpp), on raw connections:
// each kind of bad packet or message gets the error docs/agent-protocol.md
// says, and the connection stays or is closed as it says; then random bytes,
// random headers, random payloads and random fds, after which the agent
// still answers, the data plane is as it was, and the agent holds no fd more
// than before (every fd that came with a refused message was closed: the
// pipes sent see no reader).
#include <sys/mman.h>
#include <sys/un.h>

#include <random>

#include "agent_fixture.hpp"
#include "remote/messages.hpp"
#include "remote/wire.hpp"

namespace agenttest {
namespace {

namespace rm = srv6steer::remote;

// A connection that sends whatever it is given.
class Raw {
public:
    explicit Raw(const std::string& path) : fd_(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) {
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        ok_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        int big = 4 << 20;
        setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
        const timeval limit{5, 0};  // a send the agent does not take in time fails the test, not hangs it
        setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    }
    bool ok() const { return ok_; }
    int fd() const { return fd_.get(); }
    // One packet, as given (false: the agent is gone, or it would block).
    bool packet(const std::string& bytes, std::span<const int> fds = {}) {
        try {
            return rm::send_packet(fd_.get(), rm::OutPacket{bytes, fds});
        } catch (const Error&) {
            return false;
        }
    }
    bool message(uint8_t type, const std::string& payload, std::span<const int> fds = {}, uint32_t seq = 1,
                 uint8_t flags = 0, uint16_t version = rm::kVersion) {
        for (const auto& p : rm::packetize({version, type, flags, 0, seq}, payload, fds))
            if (!packet(p.bytes, p.fds))
                return false;
        return true;
    }
    bool hello() { return message(1, R"({"client": "fuzz"})") && reply() && !error_; }
    // The next reply; nullopt when the connection closed or nothing came.
    std::optional<rm::Message> reply(std::chrono::milliseconds timeout = 10s) {
        rm::Assembler in(rm::kMaxReplyPayload, 0);
        const auto until = Clock::now() + timeout;
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
            pollfd p{fd_.get(), POLLIN, 0};
            if (left <= 0 || poll(&p, 1, int(left)) <= 0)
                return std::nullopt;
            try {
                auto r = rm::recv_packet(fd_.get(), buf_);
                if (r.kind == rm::Received::Kind::Closed)
                    return std::nullopt;
                if (r.kind == rm::Received::Kind::Again)
                    continue;
                if (auto m = in.add(std::move(r.packet))) {
                    error_ = m->header.flags & rm::kError;
                    return m;
                }
            } catch (const Error&) {
                return std::nullopt;
            }
        }
    }
    // The error a reply carries ("" if it is none).
    std::string error(std::chrono::milliseconds timeout = 10s) {
        auto m = reply(timeout);
        if (!m)
            return "(no reply)";
        if (!(m->header.flags & rm::kError))
            return "";
        return rm::decode<rm::ErrorReply>(m->payload, "error").message;
    }
    // The agent closed the connection (after its last reply).
    bool closed(std::chrono::milliseconds timeout = 10s) {
        const auto until = Clock::now() + timeout;
        while (Clock::now() < until) {
            pollfd p{fd_.get(), POLLIN, 0};
            if (poll(&p, 1, 100) < 0)
                return false;
            if (p.revents & (POLLHUP | POLLERR))
                return true;
            if (p.revents & POLLIN) {
                char b[rm::kMaxPacket];
                if (recv(fd_.get(), b, sizeof b, MSG_DONTWAIT) == 0)
                    return true;
            }
        }
        return false;
    }

private:
    srv6steer::UniqueFd fd_;
    bool ok_ = false;
    bool error_ = false;
    std::vector<uint8_t> buf_;
};

std::string head(uint16_t version, uint8_t type, uint8_t flags, uint32_t length, uint32_t seq) {
    const auto h = rm::encode_header({version, type, flags, length, seq});
    return std::string(h.begin(), h.end());
}

// A pipe whose read end is sent: once every copy of it is closed, writing
// to the other end fails with EPIPE.
struct Pipe {
    int r = -1, w = -1;
    Pipe() {
        int p[2];
        if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0)
            r = p[0], w = p[1];
    }
    void close_ours() {
        if (r >= 0)
            close(r);
        r = -1;
    }
    bool reader_left() { return write(w, "x", 1) == 1; }  // false: EPIPE, no reader
    ~Pipe() {
        close_ours();
        if (w >= 0)
            close(w);
    }
};

class Fuzz : public AgentTest {
protected:
    void SetUp() override {
        AgentTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        // --no-probes: the prober pins sockets of its own, which would show as state changes.
        ASSERT_NO_FATAL_FAILURE(start({"--no-probes"}));
    }
    // A refusal that closes the connection.
    void closes(Raw& c, const std::string& message) {
        EXPECT_EQ(c.error(), message);
        EXPECT_TRUE(c.closed()) << "the connection stayed open after: " << message;
    }
};

TEST_F(Fuzz, BrokenFramingIsAnsweredAndTheConnectionClosed) {
    struct Case {
        std::string bytes;
        std::string error;
    } cases[] = {
        {"XXXX" + head(1, 1, 0, 0, 1).substr(4),
         "not a packet of the srv6steer agent protocol (it does not start with \"S6SA\")"},
        {"S6SA!", "a packet of 5 bytes is shorter than the 16-byte header"},
        {head(1, 1, 0, 9, 1) + "{}", "a packet of 18 bytes whose header says 9 payload bytes (expected 2)"},
        {head(1, 1, 0, 70000, 1) + std::string(70000, ' '), "a packet larger than 65536 bytes"},
        {head(2, 1, 0, 2, 1) + "{}",
         "protocol version 2 is not spoken here: this agent speaks version 1; use a libsrv6steer of that version"},
        {head(1, 1, 0x40, 2, 1) + "{}", "a packet with unknown flags 0x40"},
        {head(1, 2, 0, 0, 1), "status before hello: the first message on a connection must be hello"},
    };
    for (const auto& c : cases) {
        Raw r(sock_);
        ASSERT_TRUE(r.ok());
        ASSERT_TRUE(r.packet(c.bytes));
        closes(r, c.error);
    }
    // A message of too many bytes, or fds, over several packets; packets of
    // two messages mixed.
    {
        Raw r(sock_);
        ASSERT_TRUE(r.hello());
        r.message(5, std::string(rm::kMaxRequestPayload + 1, ' '));
        closes(r, "a message of more than 1048576 bytes");
    }
    {
        raise_fd_limit(16384);
        Raw r(sock_);
        ASSERT_TRUE(r.hello());
        std::vector<int> fds(rm::kMaxRequestFds + 1, ::open("/dev/null", O_RDONLY | O_CLOEXEC));
        r.message(9, R"({"targets": []})", fds);
        close(fds[0]);
        closes(r, "a message with more than 4096 file descriptors");
    }
    {
        Raw r(sock_);
        ASSERT_TRUE(r.hello());
        ASSERT_TRUE(r.packet(head(1, 5, rm::kMore, 1, 7) + "{"));
        ASSERT_TRUE(r.packet(head(1, 8, 0, 1, 8) + "}"));
        closes(r, "a packet of message 8 (type 8) came while message 7 (type 5) was not complete");
    }
    // The agent serves on.
    Raw r(sock_);
    EXPECT_TRUE(r.hello());
}

TEST_F(Fuzz, BadRequestsAreRefusedAndTheConnectionStays) {
    Raw r(sock_);
    ASSERT_TRUE(r.hello());
    Pipe p1, p2, p3;
    const std::pair<std::string, std::function<bool()>> cases[] = {
        {"hello: said already on this connection", [&] { return r.message(1, "{}"); }},
        {"unknown message type 77: this agent knows types 1 to 13 of protocol version 1",
         [&] { return r.message(77, "{}"); }},
        {"status: a request may not have the reply or error flag", [&] { return r.message(2, "{}", {}, 1, rm::kReply); }},
        {"paths: the payload is not JSON: parse error at line 1, column 1: syntax error while parsing value - "
         "invalid literal; last read: 'x'",
         [&] { return r.message(5, "x"); }},
        {"add_path: unknown key \"paht\"", [&] { return r.message(3, R"({"paht": 1})"); }},
        {"add_path: missing key \"path\"", [&] { return r.message(3, "{}"); }},
        {"paths: unknown key \"all\"", [&] { return r.message(5, R"({"all": true})"); }},
        {"sets: nested deeper than 8 levels", [&] { return r.message(8, R"({"a":[[[[[[[[[1]]]]]]]]]})"); }},
        {"remove_set.id: expected a whole number from 0 to 4294967295, got \"7\"",
         [&] { return r.message(7, R"({"id": "7"})"); }},
        {"paths: takes no file descriptors, got 1", [&] { return r.message(5, "{}", std::span(&p1.r, 1)); }},
        {"pin_sockets: 2 targets for 1 file descriptor: send one socket per target",
         [&] { return r.message(9, R"({"targets": [{"path": 1}, {"path": 1}]})", std::span(&p2.r, 1)); }},
        {"unpin_socket: takes exactly one file descriptor (the socket), got 0", [&] { return r.message(10, "{}"); }},
        {"path 1 does not exist on veth0: add the path first",
         [&] { return r.message(9, R"({"targets": [{"path": 1}]})", std::span(&p3.r, 1)); }},
        {"path 4 does not exist", [&] { return r.message(4, R"({"id": 4})"); }},
    };
    for (const auto& [error, send] : cases) {
        ASSERT_TRUE(send()) << error;
        EXPECT_EQ(r.error(), error);
    }
    // A pipe sent as a socket: refused by what it is.
    ASSERT_TRUE(r.message(3, rm::encode(rm::AddPathRequest{lab_path(1)})));
    EXPECT_EQ(r.error(), "");
    Pipe p4;
    ASSERT_TRUE(r.message(9, R"({"targets": [{"path": 1}]})", std::span(&p4.r, 1)));
    EXPECT_EQ(r.error(),
              "fd #0 of the request is not a socket (it is a pipe): only TCP and UDP sockets can be pinned");
    // Each fd sent was closed by the agent: with ours closed, no reader is left.
    for (Pipe* p : {&p1, &p2, &p3, &p4}) {
        p->close_ours();
        EXPECT_FALSE(p->reader_left()) << "the agent kept an fd it was sent";
    }
    // Still the same connection, still answering.
    ASSERT_TRUE(r.message(2, "{}"));
    EXPECT_EQ(r.error(), "");
}

TEST_F(Fuzz, RandomInputLeavesTheAgentAsItWas) {
    // Something to keep: a client with a path, a set and a pinned socket.
    Steering s = client();
    s.add_path(lab_path(1));
    s.define_set({4, {1, 1}});
    const int pinned = udp_socket();
    s.pin_socket(pinned, Target::set(4));
    Steering l = local();
    auto state = [&] {
        json j = {{"paths", json::array()}, {"sets", json::array()}, {"sockets", json::array()}};
        for (const auto& p : l.paths())
            j["paths"].push_back({p.id, p.segments.at(0).str(), p.down});
        for (const auto& set : l.sets())
            j["sets"].push_back({set.id, set.paths});
        for (const auto& p : l.sockets())
            j["sockets"].push_back({p.cookie, p.target.str(), p.info.owner.pid});
        return j;
    };
    const json before = state();
    // The agent keeps the BPF iterators it lists sockets with once loaded
    // (libsrv6steer/iterators.hpp): load them before counting its fds.
    EXPECT_EQ(s.sockets().size(), 1u);
    const size_t fds_before = agent_fds();

    const unsigned seed = std::random_device{}();
    std::mt19937 rng(seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    auto pick = [&](uint32_t n) { return uint32_t(rng() % n); };
    auto bytes = [&](size_t n) {
        std::string b(n, '\0');
        for (auto& c : b)
            c = char(rng());
        return b;
    };
    const std::string payloads[] = {"{}", R"({"targets": [{"path": 1}]})", R"({"targets": [{"set": 4}], "replace": true})",
                                    R"({"id": 1})", R"({"id": 2048})", R"({"path": {"id": 9, "segments": []}})",
                                    rm::encode(rm::AddPathRequest{lab_path(2)}), R"({"set": {"id": 4, "paths": [1]}})",
                                    "[", "null", R"({"ifname": "veth0"})"};
    std::vector<std::unique_ptr<Pipe>> pipes;
    size_t answered = 0;
    std::map<std::string, size_t> refusals;  // by the start of the message
    for (int round_no = 0; round_no < 400; round_no++) {
        Raw r(sock_);
        ASSERT_TRUE(r.ok()) << "the agent stopped accepting at round " << round_no << "\n" << log();
        if (pick(2))
            r.hello();
        const uint32_t n = 1 + pick(4);
        for (uint32_t i = 0; i < n; i++) {
            // Fds of every kind: pipes (checked at the end), files, sockets.
            std::vector<int> fds, mine;
            for (uint32_t k = pick(4); k > 0; k--) {
                switch (pick(4)) {
                case 0:
                    pipes.push_back(std::make_unique<Pipe>());
                    fds.push_back(pipes.back()->r);
                    break;
                case 1: mine.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC)); fds.push_back(mine.back()); break;
                case 2:
                    if (const int u = udp_socket(uint16_t(1000 + pick(1000))); u >= 0)
                        mine.push_back(u), fds.push_back(u);
                    break;
                default: mine.push_back(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)); fds.push_back(mine.back());
                }
            }
            switch (pick(5)) {
            case 0: r.packet(bytes(pick(80)), fds); break;  // anything
            case 1: {                                        // a header of any values
                const uint32_t len = pick(64);
                r.packet(head(uint16_t(pick(3)), uint8_t(pick(16)), uint8_t(pick(8)), pick(2) ? len : pick(1000),
                              rng()) + bytes(len),
                         fds);
                break;
            }
            case 2:  // a request of a real type, the payload made or broken
                r.message(uint8_t(1 + pick(rm::kLastType)), payloads[pick(std::size(payloads))], fds, rng());
                break;
            case 3: {
                std::string p = payloads[pick(std::size(payloads))];
                for (uint32_t k = 1 + pick(3); k > 0 && !p.empty(); k--)
                    p[pick(uint32_t(p.size()))] = char(rng());
                r.message(uint8_t(1 + pick(rm::kLastType)), p, fds, rng(), uint8_t(pick(2) ? 0 : rm::kMore));
                break;
            }
            default: r.message(uint8_t(pick(256)), bytes(pick(100)), fds, rng(), uint8_t(pick(8))); break;
            }
            for (int fd : mine)
                close(fd);
            if (pick(2)) {
                const auto m = r.reply(10ms);
                if (!m)
                    continue;
                answered++;
                if (!(m->header.flags & rm::kError))
                    continue;
                std::string kind = rm::decode<rm::ErrorReply>(m->payload, "error").message.substr(0, 30);
                std::erase_if(kind, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
                refusals[kind]++;
            }
        }
        drain();
    }
    // The fuzzer reached the agent's checks, not only its first one.
    std::printf("[ fuzz ] %zu answers read, refusals of %zu kinds, %zu pipes sent\n", answered, refusals.size(),
                pipes.size());
    EXPECT_GE(refusals.size(), 10u);
    // Still answering; a round forgets what the fuzzer's clients left.
    Raw last(sock_);
    ASSERT_TRUE(last.hello()) << log();
    ASSERT_NO_FATAL_FAILURE(round());
    EXPECT_EQ(state(), before) << log().substr(log().size() > 4000 ? log().size() - 4000 : 0);
    EXPECT_EQ(s.socket_pin(pinned)->target, Target::set(4));
    EXPECT_EQ(s.paths().size(), 1u);
    size_t left = 0;
    for (auto& p : pipes) {
        p->close_ours();
        left += p->reader_left();
    }
    EXPECT_EQ(left, 0u) << "of " << pipes.size() << " pipes sent, the agent kept " << left;
    EXPECT_LE(agent_fds(), fds_before + 1) << "the agent has more fds open than before";  // +1: the last connection
    close(pinned);
}

}  // namespace
}  // namespace agenttest
