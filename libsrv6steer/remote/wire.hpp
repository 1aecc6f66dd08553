// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The framing of the agent protocol (docs/agent-protocol.md, "Framing"): on a
// Unix SOCK_SEQPACKET socket, a message is one or more packets, each a 16-byte
// header and a piece of the payload; every packet but the last has the MORE
// flag, and file descriptors (SCM_RIGHTS, at most 253 a packet) ride on the
// packets of a request. Shared by the client (libsrv6steer/remote/client.cpp)
// and the agent (loader/agent_server.cpp).
//
// Every fd that arrives is owned (UniqueFd) from the moment recvmsg returns,
// so a message that is refused closes them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fd.hpp"
#include "srv6steer/error.hpp"

namespace srv6steer::remote {

inline constexpr uint16_t kVersion = 1;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kMaxPacket = 65536;  // header included
inline constexpr size_t kMaxPacketPayload = kMaxPacket - kHeaderSize;
inline constexpr size_t kMaxPacketFds = 253;  // the kernel's SCM_MAX_FD
inline constexpr size_t kMaxRequestPayload = size_t(1) << 20;
inline constexpr size_t kMaxRequestFds = 4096;
inline constexpr size_t kMaxReplyPayload = size_t(64) << 20;

// The "S6SA" at the start of every packet.
inline constexpr std::array<uint8_t, 4> kMagic = {'S', '6', 'S', 'A'};

enum Flag : uint8_t {
    kMore = 1,   // another packet of this message follows
    kReply = 2,  // from the agent
    kError = 4,  // a reply that is an error
    kKnownFlags = kMore | kReply | kError,
};

struct Header {
    uint16_t version = kVersion;
    uint8_t type = 0;
    uint8_t flags = 0;
    uint32_t length = 0;  // payload bytes of this packet (of a Message: all of them)
    uint32_t seq = 0;     // the request's number, echoed by its reply
    friend bool operator==(const Header&, const Header&) = default;
};

// The peer broke the framing: what follows cannot be trusted. The receiver
// says why (if it can) and closes the connection. Code EPROTO.
struct ProtocolError : Error {
    explicit ProtocolError(const std::string& what) : Error(what, EPROTO) {}
};
// A packet of another protocol version (its header may mean something else).
struct VersionMismatch : ProtocolError {
    VersionMismatch(const std::string& what, uint16_t v) : ProtocolError(what), theirs(v) {}
    uint16_t theirs;
};

// Little-endian, as docs/agent-protocol.md draws it.
std::array<uint8_t, kHeaderSize> encode_header(const Header& h);
// Throws ProtocolError when there are fewer than 16 bytes or no magic.
Header decode_header(std::span<const uint8_t> bytes);

struct Packet {
    Header header;
    std::string payload;
    std::vector<UniqueFd> fds;
};

// A whole message: header.length is the payload's size, flags lack kMore.
struct Message {
    Header header;
    std::string payload;
    std::vector<UniqueFd> fds;
};

// A packet to send: header and payload piece in one buffer, and the fds
// (borrowed from the caller) that go with it.
struct OutPacket {
    std::string bytes;
    std::span<const int> fds;
};
// Cuts a message into packets: payload pieces of kMaxPacketPayload, at most
// kMaxPacketFds fds each, MORE on all but the last. h.length is ignored.
std::vector<OutPacket> packetize(Header h, std::string_view payload, std::span<const int> fds = {});

// Puts packets back together, checking what a packet must agree on with the
// ones before it (version, type, sequence number, flags) and the limits.
class Assembler {
public:
    Assembler(size_t max_payload, size_t max_fds) : max_payload_(max_payload), max_fds_(max_fds) {}
    // The message, once its last packet is in. Throws ProtocolError (the
    // partial message is dropped, its fds closed); VersionMismatch for a
    // packet of another version.
    std::optional<Message> add(Packet p);
    bool idle() const { return !partial_; }

private:
    size_t max_payload_, max_fds_;
    std::optional<Message> partial_;
};

// What one recvmsg on a SOCK_SEQPACKET socket gave.
struct Received {
    enum class Kind { Packet, Again, Closed } kind = Kind::Packet;
    Packet packet;
};
// One packet (fds taken with MSG_CMSG_CLOEXEC), or Again on a non-blocking
// socket with nothing to read, or Closed at the end (an empty packet is
// taken as the end too). Throws ProtocolError for a packet that is too large,
// shorter than a header, without magic, whose length field disagrees with its
// size, or whose fds did not all arrive; Error for the socket's errors.
Received recv_packet(int sock, std::vector<uint8_t>& buf);
// Sends one packet (MSG_NOSIGNAL). False when a non-blocking socket's buffer
// is full; Error otherwise (EPIPE: the peer is gone).
bool send_packet(int sock, const OutPacket& p);

}  // namespace srv6steer::remote
