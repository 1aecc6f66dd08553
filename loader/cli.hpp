// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The srv6steer command line: a table of subcommands, each with a typed
// options struct (options.hpp), one function per subcommand (commands.cpp,
// status.cpp, pins.cpp), the declarative `apply` (config.cpp reads the file,
// plan.cpp diffs and runs it, apply.cpp is the command), the long-running
// `agent` over it (agent.cpp), -n NAME (setns.cpp), and one place
// each that prints tables and JSON (cli.cpp).
//
// Exit codes: 0 ok, 1 failure (the library, the kernel or the state said no),
// 2 usage (the command line is wrong whatever the state: an unknown
// subcommand or option, a value that does not parse).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "options.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer::cli {

using nlohmann::json;

enum Exit { kOk = 0, kFailure = 1, kUsage = 2 };

const std::vector<Command>& commands();  // commands.cpp
int run_cli(int argc, char** argv);      // cli.cpp

// The table entries defined next to their commands.
std::vector<Command> status_commands();  // status.cpp: status, stats, gc
std::vector<Command> pin_commands();     // pins.cpp: path, set, pin, unpin, list
std::vector<Command> receive_commands(); // receive.cpp: receive attach/detach/status/stats/config, sid add/del/list
Command apply_command();                 // apply.cpp
Command agent_command();                 // agent.cpp
Command plan_command();                  // plan_job.cpp: a job's paths (planner or Jalapeno)
Command simulate_command();              // simulate.cpp: planner vs ECMP vs greedy
Command metrics_command();               // metrics_server.cpp: the Prometheus text once
Command probe_command();                 // probe.cpp: a one-shot ping over a path

// attach's options (commands.cpp): `attach` and `agent` take them.
std::vector<Opt<AttachOptions>> attach_options();

// ---- the interface a command works on ---------------------------------------------

// -d DEV, else the only interface srv6steer is attached to (Error otherwise).
std::string dev_of(const Common& c);
// Steering::open, with the CLI's words when there is no state.
Steering open_state(const std::string& dev, const Common& c);
inline Steering open_state(const Common& c) { return open_state(dev_of(c), c); }

// e with the CLI's words added: "<what e says> (<words>)".
[[noreturn]] void rethrow_with(const Error& e, const std::string& words);

// ---- output: the one place for tables, the one place for JSON -----------------

struct Table {
    std::string title;                    // printed above the table
    std::vector<std::string> head;
    struct Row {
        std::vector<std::string> cells;
        bool child = false;               // " =>" row: cells[0] spans the columns after the first
    };
    std::vector<Row> rows;
    std::string empty;                    // said in words instead of an empty table

    void add(std::vector<std::string> cells) { rows.push_back({std::move(cells), false}); }
    void child(std::string text) { rows.push_back({{std::move(text)}, true}); }
};
void print(const Table& t);
void print(const json& j);

// ---- text shared by the commands, apply and the agent ------------------------------

// join({"a", "b"}, ", ") = "a, b"
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// "C1,C2"
std::string segments_text(const std::vector<Ipv6>& segments);
// "fcbb:0:1004:1001:1006:fe06::" or "C1,C2 full-srh", plus " down" when down.
std::string path_text(const Path& p);
// A target as the commands and the apply file take it: "path:3", "set:10".
std::string target_text(Target t);
std::string join_ids(const std::vector<uint32_t>& ids);  // "1,2,3"
// "veth0 (tcx, prog 12, link 3)"
std::string attached_text(const Status& st);
// What makes st not steer, in words ("; " between problems); "" when healthy.
std::string problems_text(const Status& st);
// {"packets": N, "bytes": N}; a problem's kind as JSON says it ("interface_gone").
json counter_json(const Counter& c);  // status.cpp
const char* problem_name(Problem::Kind k);

// The receive side in `status` (receive.cpp): its table, when it is attached
// in this network namespace; and what makes it not decapsulate, in words
// ("" when it does, or is not attached).
void print_receive_status(const Common& c, bool verbose);
std::string receive_problems(const Common& c);

// What the kinds of pin with a key in the maps have in common (sockets are
// pinned in their own storage), for code written once for all of them.
template <class K> struct PinKind;
template <> struct PinKind<Flow> {
    static constexpr const char* name = "flow";
    static constexpr const char* plural = "flows";  // the apply key, --max-flows
    static auto list(const Steering& s) { return s.flows(); }
};
template <> struct PinKind<Qp> {
    static constexpr const char* name = "qp";
    static constexpr const char* plural = "qps";  // the apply key, --max-qps
    static auto list(const Steering& s) { return s.qps(); }
};
template <> struct PinKind<Prefix> {
    static constexpr const char* name = "prefix";
    static constexpr const char* plural = "prefixes";  // the apply key, --max-prefixes
    static auto list(const Steering& s) { return s.prefixes(); }
};
template <> struct PinKind<Cgroup> {
    static constexpr const char* name = "cgroup";
    static constexpr const char* plural = "cgroups";  // the apply key, --max-cgroups
    static auto list(const Steering& s) { return s.cgroups(); }
};

// The CLI's words for a library error about a pin of kind `plural` ("flows"):
// a full map wants a larger --max-<plural>, a missing target wants adding.
std::string pin_advice(const Error& e, const std::string& plural, Target t);

// ---- pins as the commands take and show them (pins.cpp) ----------------------------

inline constexpr uint64_t kMaxPathId = SRV6S_MAX_PATHS - 1;
inline constexpr uint64_t kMaxSetId = kMaxUserSets - 1;
inline constexpr uint64_t kMaxPid = 4194304;  // PID_MAX_LIMIT

// --path ID or --set ID, --replace, --owner-pid PID.
struct PinTarget {
    std::optional<uint32_t> path, set;
    bool replace = false;
    std::optional<uint32_t> owner_pid;

    Target target() const;       // UsageError unless exactly one of --path, --set
    PinOptions options() const;  // owned by nobody, or by --owner-pid
};
// --path, --set, --replace; and --owner-pid where a pin can belong to a process.
std::vector<Opt<PinTarget>> target_options(bool owner = true);

std::string iso_time(std::chrono::system_clock::time_point t);  // "2025-06-01T12:00:00Z"
// A list's row: the key's cells, then the target, the owner, when, and the counters.
std::vector<std::string> pin_cells(std::vector<std::string> key, Target t, const PinInfo& i);
// The same as JSON: j with "path"/"set", "owner_pid", "owner_cgroup", "created", "packets", "bytes",
// and "ignore_down": true for a pin that has it (a path probe's).
json pin_fields(json j, Target t, const PinInfo& i);

// Socket pins (sockets.cpp): `pin socket`, `unpin socket` and `list sockets`.
struct SocketCommands {
    Command pin, unpin, list;
};
SocketCommands socket_commands();

}  // namespace srv6steer::cli
