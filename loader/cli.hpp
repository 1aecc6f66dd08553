// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The srv6steer command line: a table of subcommands with typed options
// (cli.cpp parses them), one function per subcommand (commands.cpp), the
// declarative `apply` (apply.cpp), the long-running `agent` over it
// (agent.cpp), and one place each that prints tables and JSON.
//
// Exit codes: 0 ok, 1 failure (the library or the kernel said no), 2 usage
// (unknown subcommand or option, a value that does not parse).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "srv6steer/srv6steer.hpp"

namespace srv6steer::cli {

using nlohmann::json;

enum Exit { kOk = 0, kFailure = 1, kUsage = 2 };

// A command line the user got wrong: printed with the usage, exit 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Runs a parser of user input (Ipv6::parse, Flow::parse, ...) and turns its
// Error into a UsageError: a value that does not parse is a usage error.
template <class F>
auto parse_value(F&& parse) {
    try {
        return parse();
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
}

// A whole unsigned number, decimal or 0x-hex, from min to max; no sign, no
// spaces, nothing after it. nullopt otherwise.
std::optional<uint64_t> parse_uint(std::string_view text, uint64_t min, uint64_t max);

// ---- the table of subcommands -------------------------------------------------

// A typed option or positional argument. max == 0: text; else a number in [min, max].
struct Opt {
    const char* name;  // cxxopts spec: "d,dev", "hop-limit"; positionals: "ID"
    const char* arg;   // value name ("N", "ADDR"); nullptr for a flag
    const char* help;
    uint64_t min = 0, max = 0;
};

struct Ctx;
struct Command {
    const char* name;   // "status", "path add"
    const char* usage;  // after the name: "ID (--usids LIST --block PREFIX | --segs ADDR[,ADDR...])"
    const char* about;
    std::vector<Opt> args;  // positionals in order; a name ending in "..." takes the rest
    std::vector<Opt> opts;
    unsigned flags;         // kDev, kJson
    int (*run)(const Ctx&);
};
inline constexpr unsigned kDev = 1;   // has -d/--dev DEV
inline constexpr unsigned kJson = 2;  // a read command: has -j/--json

// The parsed command line of one subcommand, with typed access.
struct Ctx {
    const Command* cmd = nullptr;
    std::string bpffs = kDefaultBpffs;
    bool json = false;
    std::vector<std::string> args;               // positionals as given
    std::map<std::string, std::string> texts;    // options given, by long name
    std::map<std::string, uint64_t> numbers;     // numeric options, checked
    std::vector<uint64_t> arg_numbers;           // numeric positionals, checked (else 0)

    bool flag(const std::string& name) const { return texts.count(name) > 0; }
    std::optional<std::string> text(const std::string& name) const;
    template <class T>
    std::optional<T> number(const std::string& name) const {
        auto it = numbers.find(name);
        return it == numbers.end() ? std::nullopt : std::optional<T>(static_cast<T>(it->second));
    }
    template <class T>
    T arg_number(size_t i) const { return static_cast<T>(arg_numbers.at(i)); }

    // The interface: -d DEV, else the only one srv6steer is attached to.
    std::string dev() const;
    Steering open() const { return Steering::open(dev(), bpffs); }
};

const std::vector<Command>& commands();  // commands.cpp
int run_cli(int argc, char** argv);      // cli.cpp

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

// ---- text shared by the commands and apply ----------------------------------------

// "fcbb:0:1004:1001:1006:fe06::" or "C1,C2 full-srh", plus " down" when down.
std::string path_text(const Path& p);
std::string join_ids(const std::vector<uint32_t>& ids);  // "1,2,3"

// What the three kinds of pin have in common, for code written once for all three.
template <class K> struct PinKind;
template <> struct PinKind<Flow> {
    static constexpr const char* name = "flow";
    static constexpr const char* plural = "flows";  // the map, the apply key, --max-flows
    static auto list(const Steering& s) { return s.flows(); }
};
template <> struct PinKind<Qp> {
    static constexpr const char* name = "qp";
    static constexpr const char* plural = "qps";  // the map, the apply key, --max-qps
    static auto list(const Steering& s) { return s.qps(); }
};
template <> struct PinKind<Prefix> {
    static constexpr const char* name = "prefix";
    static constexpr const char* plural = "prefixes";  // the map, the apply key, --max-prefixes
    static auto list(const Steering& s) { return s.prefixes(); }
};

// ---- apply ---------------------------------------------------------------------

// `srv6steer apply -f FILE`: validates the file, diffs it against the live
// state of s and (unless dry_run) applies the difference, undoing every step
// on failure. Prints what it does; throws Error on failure.
void apply_file(Steering& s, const std::string& file, bool dry_run);

// ---- agent (agent.cpp) ----------------------------------------------------------

// The "interface" of an apply file, if it is readable JSON that has one (a
// file that is not is reported by apply_file).
std::optional<std::string> config_interface(const std::string& file);
// attach's options as given on c's command line (commands.cpp; attach and agent).
AttachOptions attach_options(const Ctx& c, const std::string& ifname);
int cmd_agent(const Ctx& c);

}  // namespace srv6steer::cli
