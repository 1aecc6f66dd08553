// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The messages of the agent protocol as typed values, and their payloads
// (JSON objects, docs/agent-protocol.md "Messages"). encode() writes one;
// decode<T>() reads one and throws BadMessage, naming the field, for
// anything that is not exactly what the protocol says: bad JSON, nesting
// deeper than 8, a key given twice, a missing or unknown key (requests), a
// wrong type, a number out of range, an address that does not parse.
// Replies may carry keys this build does not know (a newer agent): ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "srv6steer/srv6steer.hpp"

namespace srv6steer::remote {

enum class Type : uint8_t {
    Hello = 1,
    Status = 2,
    AddPath = 3,
    RemovePath = 4,
    Paths = 5,
    DefineSet = 6,
    RemoveSet = 7,
    Sets = 8,
    PinSockets = 9,
    UnpinSocket = 10,
    SocketPin = 11,
    Sockets = 12,
    Stats = 13,
};
inline constexpr uint8_t kLastType = 13;
const char* type_name(Type t);              // "hello", "pin_sockets", ...
std::optional<Type> type_of(uint8_t byte);  // nullopt: not a type

// A payload that is not what its message must be: the request is refused
// with this message, the connection stays. Code EINVAL.
struct BadMessage : Error {
    explicit BadMessage(const std::string& what) : Error(what, EINVAL) {}
};

// ---- requests -------------------------------------------------------------------------

struct HelloRequest {
    std::string ifname;  // "": the agent's interface
    std::string client;  // "libsrv6steer 0.1.0": for the agent's log
};
struct Empty {};  // status, paths, sets, unpin_socket, socket_pin, sockets, stats
struct AddPathRequest {
    Path path;
};
struct IdRequest {  // remove_path, remove_set
    uint32_t id = 0;
};
struct DefineSetRequest {
    PathSet set;
};
// The i-th target is for the i-th fd sent with the request.
struct PinSocketsRequest {
    std::vector<Target> targets;
    bool replace = false;
};

// ---- replies ----------------------------------------------------------------------------

struct OkReply {};  // add_path, remove_path, define_set, remove_set
struct ErrorReply {
    std::string message;
    int code = 0;  // errno, 0 for invalid input
};
struct HelloReply {
    std::string agent;   // "srv6steer 0.1.0"
    std::string ifname;  // the interface the agent steers
    uint32_t pid = 0, uid = 0, gid = 0;  // the client, as the agent sees it (SO_PEERCRED)
    uint64_t cgroup = 0;                 // its cgroup v2 id
    uint32_t quota_sockets = 0, quota_paths = 0;  // per uid; 0: none
};
struct PathsReply {
    std::vector<Path> paths;
};
struct SetsReply {
    std::vector<PathSet> sets;
};
struct CountReply {  // pin_sockets: how many were new
    uint64_t count = 0;
};
struct RemovedReply {  // unpin_socket
    bool removed = false;
};
struct SocketPinReply {
    std::optional<PinnedSocket> pin;
};
struct SocketsReply {
    std::vector<PinnedSocket> sockets;
};
struct StatusReply {
    Status status;
};
struct StatsReply {
    Stats stats;
};

template <class T>
std::string encode(const T& message);
// what: the message's name in errors ("pin_sockets").
template <class T>
T decode(std::string_view payload, std::string_view what);

}  // namespace srv6steer::remote
