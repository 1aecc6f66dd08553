// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The engine under options.hpp: argv through cxxopts, checked for what
// cxxopts does not check (an option given twice, missing and extra
// positionals), as text per spec; and the options every command has.

// Positionals are collected as a vector: do not split them at commas.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>

#include "options.hpp"
#include "text.hpp"

namespace srv6steer::cli {

using text::quote;

namespace {

std::string long_name(const std::string& spec) {
    const auto comma = spec.find(',');
    return comma == std::string::npos ? spec : spec.substr(comma + 1);
}

// cxxopts says "Option ‘x’ does not exist"; we say: unknown option "-x".
std::string cxxopts_message(const cxxopts::exceptions::exception& e) {
    std::string m = e.what();
    for (const std::string q : {"\u2018", "\u2019"})
        for (size_t at; (at = m.find(q)) != std::string::npos;)
            m.replace(at, q.size(), "\"");
    if (dynamic_cast<const cxxopts::exceptions::no_such_option*>(&e)) {
        const auto open = m.find('"'), close = m.rfind('"');
        const std::string name = m.substr(open + 1, close - open - 1);
        return "unknown option " + quote((name.size() == 1 ? "-" : "--") + name);
    }
    m[0] = static_cast<char>(std::tolower(m[0]));
    return m;
}

}  // namespace

uint64_t detail::number(const std::string& label, const std::string& t, uint64_t min, uint64_t max) {
    if (auto v = text::parse_uint(t, min, max))
        return *v;
    throw UsageError("invalid " + label + " " + quote(t) + ": expected a number from " + std::to_string(min) +
                     " to " + std::to_string(max));
}

std::string option_label(const std::string& name) { return "--" + long_name(name); }

std::string positional_label(const std::string& name) {
    std::string s = name.substr(0, name.find("..."));
    if (s.starts_with("[") && s.ends_with("]"))
        s = s.substr(1, s.size() - 2);
    return s;
}

std::vector<Opt<Common>> common_options(unsigned flags) {
    std::vector<Opt<Common>> out;
    if (flags & kDev)
        out.push_back(text("d,dev", "DEV", "interface (default: the only one srv6steer is attached to)", &Common::dev));
    if (flags & kJson)
        out.push_back(flag("j,json", "print JSON", &Common::json));
    out.push_back(text("n,netns", "NAME", "run in network namespace NAME (/run/netns/NAME, as ip -n NAME)",
                       &Common::netns));
    out.push_back(text("bpffs", "DIR", "BPF filesystem holding the state (default /sys/fs/bpf)", &Common::bpffs));
    return out;
}

std::optional<Words> parse_words(const std::string& command, const std::string& usage, const std::string& about,
                                 const std::vector<Spec>& opts, const std::vector<std::string>& args, int argc,
                                 char** argv) {
    cxxopts::Options parser("srv6steer " + command, about);
    parser.custom_help("").positional_help((usage.empty() ? "" : usage + " ") + "[OPTIONS]");
    parser.set_width(100);
    auto add = parser.add_options();
    for (const auto& o : opts) {
        if (o.arg)
            add(o.name, o.help, cxxopts::value<std::string>(), o.arg);
        else
            add(o.name, o.help);
    }
    add("h,help", "show this help");
    parser.add_options("positional")("args", "", cxxopts::value<std::vector<std::string>>());
    parser.parse_positional({"args"});

    cxxopts::ParseResult r;
    try {
        r = parser.parse(argc, argv);
    } catch (const cxxopts::exceptions::exception& e) {
        throw UsageError(cxxopts_message(e));
    }
    if (r.count("help")) {
        std::cout << parser.help({""});
        return std::nullopt;
    }

    Words w;
    for (const auto& o : opts) {
        const std::string name = long_name(o.name);
        const size_t n = r.count(name);
        if (n == 0 || (!o.arg && !r[name].as<bool>())) {  // absent, or --flag=false
            w.opts.emplace_back();
            continue;
        }
        if (n > 1 && o.arg)
            throw UsageError(option_label(o.name) + " given more than once");
        w.opts.emplace_back(o.arg ? r[name].as<std::string>() : "");
    }
    if (r.count("args"))
        w.args = r["args"].as<std::vector<std::string>>();

    // "[DEV]" may be left out; "PATH_ID..." takes one or more.
    const bool variadic = !args.empty() && args.back().ends_with("...");
    size_t required = 0;
    while (required < args.size() && !args[required].starts_with("["))
        required++;
    if (w.args.size() < required)
        throw UsageError("missing " + positional_label(args[w.args.size()]));
    if (!variadic && w.args.size() > args.size())
        throw UsageError("unexpected argument " + quote(w.args[args.size()]));
    return w;
}

}  // namespace srv6steer::cli
