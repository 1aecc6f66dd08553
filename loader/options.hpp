// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Typed command lines: every subcommand has a struct of its own (derived
// from Common) with one named field per option and positional, and a table
// of Opt entries that say, with a pointer to the member, where each value
// goes and how it is checked. cxxopts reads argv (options.cpp); the setters
// fill the struct once, before the command runs. Nothing is looked up by a
// string key later: a command reads its struct's fields.
//
//   struct SetAddCmd : Common { uint32_t id = 0; std::vector<uint32_t> paths; };
//   command<SetAddCmd>("set add", "ID PATH_ID...", "define a path set", kDev,
//                      {number("ID", &SetAddCmd::id, 0, 4095),
//                       number("PATH_ID...", &SetAddCmd::paths, 0, 4095)},
//                      {}, cmd_set_add);
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "srv6steer/error.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer::cli {

// A command line the user got wrong, whatever the state of the system:
// printed with the usage, exit 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What every command takes (where it applies).
struct Common {
    std::string bpffs = kDefaultBpffs;  // --bpffs DIR
    std::optional<std::string> netns;   // -n/--netns NAME: run in /run/netns/NAME
    std::optional<std::string> dev;     // -d/--dev DEV (commands with kDev)
    bool json = false;                  // -j/--json (read commands, kJson)
};
inline constexpr unsigned kDev = 1;   // the command takes -d/--dev DEV
inline constexpr unsigned kJson = 2;  // a read command: takes -j/--json

// One option ("d,dev", "hop-limit") or positional ("ID", "[DEV]": may be
// left out, "PATH_ID...": one or more) of a command whose options are S.
template <class S>
struct Opt {
    std::string name;
    const char* arg = nullptr;  // options: the value's name ("N"); nullptr: a flag
    std::string help;
    // Puts the text given into s; label names it in messages ("--mtu", "ID").
    std::function<void(S&, const std::string& label, const std::string& text)> set;
};

namespace detail {

template <class T> struct Slot { using type = T; };
template <class T> struct Slot<std::optional<T>> { using type = T; };
template <class T> struct Slot<std::vector<T>> { using type = T; };

// field = v for a plain member or an optional; appends to a vector.
template <class T, class V>
void put(T& field, V&& v) {
    if constexpr (std::is_same_v<T, std::vector<typename Slot<T>::type>>)
        field.push_back(std::forward<V>(v));
    else
        field = std::forward<V>(v);
}

uint64_t number(const std::string& label, const std::string& text, uint64_t min, uint64_t max);  // options.cpp

}  // namespace detail

// A whole number from min to max (decimal or 0x-hex) into an integer
// member, an optional one, or a vector of them (a "NAME..." positional).
template <class S, class T>
Opt<S> number(const char* name, const char* arg, const char* help, T S::*m, uint64_t min, uint64_t max) {
    using V = typename detail::Slot<T>::type;
    static_assert(std::is_integral_v<V> && std::is_unsigned_v<V>);
    if (max > std::numeric_limits<V>::max())
        throw std::logic_error(std::string("option ") + name + ": its range does not fit the field");
    return {name, arg, help, [m, min, max](S& s, const std::string& label, const std::string& text) {
                detail::put(s.*m, static_cast<V>(detail::number(label, text, min, max)));
            }};
}
template <class S, class T>
Opt<S> number(const char* positional, T S::*m, uint64_t min, uint64_t max) {
    return number(positional, nullptr, "", m, min, max);
}

// Text as given.
template <class S, class T>
Opt<S> text(const char* name, const char* arg, const char* help, T S::*m) {
    return {name, arg, help, [m](S& s, const std::string&, const std::string& t) { detail::put(s.*m, t); }};
}
template <class S, class T>
Opt<S> text(const char* positional, T S::*m) {
    return text(positional, nullptr, "", m);
}

// A value of the library's text form (Ipv6::parse, Prefix::parse, ...): its
// Error is a usage error.
template <class S, class T, class F>
Opt<S> parsed(const char* name, const char* arg, const char* help, T S::*m, F parse) {
    return {name, arg, help, [m, parse](S& s, const std::string&, const std::string& t) {
                try {
                    detail::put(s.*m, parse(t));
                } catch (const Error& e) {
                    throw UsageError(e.what());
                }
            }};
}
template <class S, class T, class F>
Opt<S> parsed(const char* positional, T S::*m, F parse) {
    return parsed(positional, nullptr, "", m, parse);
}

// A flag: sets the member to `value` when given.
template <class S>
Opt<S> flag(const char* name, const char* help, bool S::*m, bool value = true) {
    return {name, nullptr, help, [m, value](S& s, const std::string&, const std::string&) { s.*m = value; }};
}

// The options of a part (Sub, a member of S) as options of S.
template <class S, class Sub>
std::vector<Opt<S>> within(Sub S::*part, const std::vector<Opt<Sub>>& opts) {
    std::vector<Opt<S>> out;
    for (const auto& o : opts)
        out.push_back({o.name, o.arg, o.help, [part, set = o.set](S& s, const std::string& l, const std::string& t) {
                           set(s.*part, l, t);
                       }});
    return out;
}

// ---- the engine (options.cpp) and the command table's entries ---------------------

struct Spec {
    std::string name;
    const char* arg;
    std::string help;
};
struct Words {  // what argv said, per spec, in spec order
    std::vector<std::optional<std::string>> opts;  // a flag given: ""
    std::vector<std::string> args;                 // positionals as given
};
// Parses argv (argv[0], then the words after the command's name); nullopt
// after --help, which it prints. Throws UsageError.
std::optional<Words> parse_words(const std::string& command, const std::string& usage, const std::string& about,
                                 const std::vector<Spec>& opts, const std::vector<std::string>& args,
                                 int argc, char** argv);
std::vector<Opt<Common>> common_options(unsigned flags);
std::string positional_label(const std::string& name);  // "PATH_ID..." -> "PATH_ID", "[DEV]" -> "DEV"
std::string option_label(const std::string& name);      // "d,dev" -> "--dev"

// A command line parsed: what run_cli needs before running it, and the run.
struct Invocation {
    Common common;
    bool needs_bpffs = true;  // false: runs without srv6steer's state (agent --check)
    std::function<int()> run;
};

struct Command {
    std::string name;   // "status", "path add"
    std::string usage;  // after the name: "ID (--usids LIST --block PREFIX | --segs ADDR[,ADDR...])"
    std::string about;
    // Parses the words after the name (argv[0] first); nullopt after --help.
    std::function<std::optional<Invocation>(int argc, char** argv)> parse;
};

// A table entry: the command's positionals and options fill an S (derived
// from Common), then S::check() (if it has one) may refuse combinations
// (UsageError), and run(s) is the command.
template <class S>
Command command(std::string name, std::string usage, std::string about, unsigned flags, std::vector<Opt<S>> args,
                std::vector<Opt<S>> opts, int (*run)(const S&)) {
    static_assert(std::is_base_of_v<Common, S>);
    for (auto& o : common_options(flags))
        opts.push_back({o.name, o.arg, o.help, [set = o.set](S& s, const std::string& l, const std::string& t) {
                            set(static_cast<Common&>(s), l, t);
                        }});
    auto parse = [=](int argc, char** argv) -> std::optional<Invocation> {
        std::vector<Spec> specs;
        for (const auto& o : opts)
            specs.push_back({o.name, o.arg, o.help});
        std::vector<std::string> names;
        for (const auto& a : args)
            names.push_back(a.name);
        const auto words = parse_words(name, usage, about, specs, names, argc, argv);
        if (!words)
            return std::nullopt;
        S s{};
        for (size_t i = 0; i < opts.size(); i++)
            if (words->opts[i])
                opts[i].set(s, option_label(opts[i].name), *words->opts[i]);
        for (size_t i = 0; i < words->args.size(); i++) {
            const auto& a = args[std::min(i, args.size() - 1)];
            a.set(s, positional_label(a.name), words->args[i]);
        }
        if constexpr (requires { s.check(); })
            s.check();
        bool needs_bpffs = true;
        if constexpr (requires { s.needs_bpffs(); })
            needs_bpffs = s.needs_bpffs();
        return Invocation{static_cast<const Common&>(s), needs_bpffs, [s, run] { return run(s); }};
    };
    return {name, usage, about, parse};
}

}  // namespace srv6steer::cli
