// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Command-line plumbing: finding the subcommand (exact words only), parsing
// its typed options with cxxopts, the exit codes, and the one table printer
// and the one JSON printer.

// Positionals are collected as a vector: do not split them at commas.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>

#include "cli.hpp"

namespace srv6steer::cli {

namespace {

constexpr const char* kProg = "srv6steer";

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string long_name(const char* spec) {
    std::string s = spec;
    auto comma = s.find(',');
    return comma == std::string::npos ? s : s.substr(comma + 1);
}

std::string option_label(const char* spec) { return "--" + long_name(spec); }

// The options every command has, and those the flags ask for.
std::vector<Opt> all_options(const Command& cmd) {
    std::vector<Opt> out = cmd.opts;
    if (cmd.flags & kDev)
        out.push_back({"d,dev", "DEV", "interface (default: the only one srv6steer is attached to)"});
    if (cmd.flags & kJson)
        out.push_back({"j,json", nullptr, "print JSON"});
    out.push_back({"bpffs", "DIR", "BPF filesystem holding the state (default /sys/fs/bpf)"});
    out.push_back({"h,help", nullptr, "show this help"});
    return out;
}

std::string usage_line(const Command& cmd) {
    std::string u = std::string(kProg) + " " + cmd.name;
    if (*cmd.usage)
        u += " " + std::string(cmd.usage);
    return u + " [OPTIONS]";
}

void print_tool_help(std::ostream& out, std::string_view group = {}) {
    out << "Usage: " << kProg << " COMMAND [ARGS] [OPTIONS]\n"
        << "Steers flows, RoCEv2 queue pairs and prefixes onto SRv6 paths (eBPF on TC egress).\n\n"
        << "Commands:\n";
    size_t width = 0;
    for (const auto& c : commands())
        width = std::max(width, std::strlen(c.name) + 1 + std::strlen(c.usage));
    width = std::min<size_t>(width, 44);
    for (const auto& c : commands()) {
        if (!group.empty() && !std::string_view(c.name).starts_with(std::string(group) + " "))
            continue;
        std::string head = std::string(c.name) + (*c.usage ? " " + std::string(c.usage) : "");
        out << "  " << head;
        if (head.size() > width)
            out << "\n  " << std::string(width, ' ');
        else
            out << std::string(width - head.size(), ' ');
        out << "  " << c.about << "\n";
    }
    out << "\nEvery command takes --help and --bpffs DIR; read commands take -j (JSON).\n"
        << "Exit codes: 0 ok, 1 failure, 2 usage.\n";
}

// The words that name a command: "status", or a group and a word ("path add").
const Command& find_command(int argc, char** argv, int& used) {
    const std::string first = argv[1];
    bool is_group = false;
    std::vector<std::string> in_group;
    for (const auto& c : commands()) {
        std::string_view name = c.name;
        if (name == first) {
            used = 1;
            return c;
        }
        if (name.starts_with(first + " ")) {
            is_group = true;
            in_group.emplace_back(name.substr(first.size() + 1));
        }
    }
    if (!is_group)
        throw UsageError("unknown command " + quote(first) + " (see " + kProg + " --help)");
    std::string choices;
    for (const auto& w : in_group)
        choices += (choices.empty() ? "" : ", ") + w;
    if (argc < 3)
        throw UsageError(first + " needs a subcommand: " + choices);
    const std::string second = argv[2];
    for (const auto& c : commands())
        if (c.name == first + " " + second) {
            used = 2;
            return c;
        }
    throw UsageError("unknown " + first + " subcommand " + quote(second) + ": expected one of " + choices);
}

void check_bpffs(const std::string& dir) {
    struct statfs st {};
    if (statfs(dir.c_str(), &st) != 0)
        throw Error(dir + " is not there: " + std::strerror(errno) + " (mount the BPF filesystem: mount -t bpf bpf " +
                        dir + ")",
                    errno);
    if (st.f_type != BPF_FS_MAGIC)
        throw Error(dir + " is not a BPF filesystem, so srv6steer cannot keep its state there (mount -t bpf bpf " +
                    dir + ")");
}

uint64_t checked_number(const Opt& o, const std::string& label, const std::string& text) {
    auto v = parse_uint(text, o.min, o.max);
    if (!v)
        throw UsageError("invalid " + label + " " + quote(text) + ": expected a number from " +
                         std::to_string(o.min) + " to " + std::to_string(o.max));
    return *v;
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

// Parses argv (after the command words) into a Ctx; nullopt after --help.
std::optional<Ctx> parse(const Command& cmd, int argc, char** argv) {
    cxxopts::Options parser(std::string(kProg) + " " + cmd.name, cmd.about);
    parser.custom_help("").positional_help((*cmd.usage ? std::string(cmd.usage) + " " : "") + "[OPTIONS]");
    parser.set_width(100);
    const auto opts = all_options(cmd);
    auto add = parser.add_options();
    for (const auto& o : opts) {
        if (o.arg)
            add(o.name, o.help, cxxopts::value<std::string>(), o.arg);
        else
            add(o.name, o.help);
    }
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

    Ctx c;
    c.cmd = &cmd;
    for (const auto& o : opts) {
        const std::string name = long_name(o.name);
        const size_t n = r.count(name);
        if (n == 0 || (!o.arg && !r[name].as<bool>()))  // absent, or --flag=false
            continue;
        if (n > 1 && o.arg)
            throw UsageError(option_label(o.name) + " given more than once");
        const std::string v = o.arg ? r[name].as<std::string>() : "";
        c.texts[name] = v;
        if (o.max)
            c.numbers[name] = checked_number(o, option_label(o.name), v);
    }
    if (auto b = c.text("bpffs"))
        c.bpffs = *b;
    c.json = c.flag("json");
    if (r.count("args"))
        c.args = r["args"].as<std::vector<std::string>>();

    // "[DEV]" may be left out; "PATH_ID..." takes one or more.
    const auto& spec = cmd.args;
    const bool variadic = !spec.empty() && std::string_view(spec.back().name).ends_with("...");
    size_t required = 0;
    while (required < spec.size() && spec[required].name[0] != '[')
        required++;
    if (c.args.size() < required) {
        std::string name = spec[c.args.size()].name;
        throw UsageError("missing " + name.substr(0, name.find("...")));
    }
    if (!variadic && c.args.size() > spec.size())
        throw UsageError("unexpected argument " + quote(c.args[spec.size()]));
    for (size_t i = 0; i < c.args.size(); i++) {
        const Opt& o = spec[std::min(i, spec.size() - 1)];
        std::string label = o.name;
        label = label.substr(0, label.find("..."));
        c.arg_numbers.push_back(o.max ? checked_number(o, label, c.args[i]) : 0);
    }
    return c;
}

std::string pad(const std::string& s, size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::optional<uint64_t> parse_uint(std::string_view text, uint64_t min, uint64_t max) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
        return std::nullopt;
    return v;
}

std::optional<std::string> Ctx::text(const std::string& name) const {
    auto it = texts.find(name);
    return it == texts.end() ? std::nullopt : std::optional(it->second);
}

std::string Ctx::dev() const {
    if (auto d = text("dev"))
        return *d;
    const auto all = Steering::attached(bpffs);
    if (all.size() == 1)
        return all[0];
    if (all.empty())
        throw UsageError("srv6steer is not attached to any interface: attach one first (srv6steer attach DEV)");
    std::string names;
    for (const auto& n : all)
        names += (names.empty() ? "" : ", ") + n;
    throw UsageError("srv6steer is attached to " + names + ": choose one with -d DEV");
}

void print(const Table& t) {
    if (t.rows.empty() && !t.empty.empty()) {
        std::cout << t.empty << "\n";
        return;
    }
    std::vector<size_t> width(t.head.size());
    auto measure = [&](const std::vector<std::string>& cells) {
        for (size_t i = 0; i < cells.size() && i < width.size(); i++)
            width[i] = std::max(width[i], cells[i].size());
    };
    measure(t.head);
    for (const auto& r : t.rows)
        if (!r.child)
            measure(r.cells);
    width[0] = std::max<size_t>(width[0], 3);  // room for " =>"
    size_t total = 0;
    for (size_t w : width)
        total += w + 2;
    total -= 2;

    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (size_t i = 0; i < cells.size(); i++)
            out += i + 1 < cells.size() ? pad(cells[i], width[i] + 2) : cells[i];
        std::cout << out << "\n";
    };
    if (!t.title.empty())
        std::cout << t.title << "\n\n";
    line(t.head);
    std::cout << std::string(total, '-') << "\n";
    for (const auto& r : t.rows) {
        if (r.child)
            std::cout << pad(" =>", width[0] + 2) << r.cells[0] << "\n";
        else
            line(r.cells);
    }
}

void print(const json& j) { std::cout << j.dump() << "\n"; }

int run_cli(int argc, char** argv) {
    if (argc < 2) {
        print_tool_help(std::cerr);
        return kUsage;
    }
    const std::string_view first = argv[1];
    if (first == "-h" || first == "--help" || first == "help") {
        print_tool_help(std::cout);
        return kOk;
    }
    const Command* cmd = nullptr;
    try {
        int used = 0;
        if (argc >= 3 && (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h")) {
            // "srv6steer path --help": the commands of that group.
            bool group = std::any_of(commands().begin(), commands().end(), [&](const Command& c) {
                return std::string_view(c.name).starts_with(std::string(first) + " ");
            });
            if (group) {
                print_tool_help(std::cout, first);
                return kOk;
            }
        }
        cmd = &find_command(argc, argv, used);
        // cxxopts wants argv[0] first: hand it the command's words as one.
        std::vector<char*> rest{argv[0]};
        rest.insert(rest.end(), argv + 1 + used, argv + argc);
        auto ctx = parse(*cmd, static_cast<int>(rest.size()), rest.data());
        if (!ctx)
            return kOk;
        check_bpffs(ctx->bpffs);
        return cmd->run(*ctx);
    } catch (const UsageError& e) {
        std::cerr << kProg << ": " << e.what() << "\n";
        if (cmd)
            std::cerr << "Usage: " << usage_line(*cmd) << "\nRun '" << kProg << " " << cmd->name
                      << " --help' for the options.\n";
        else
            std::cerr << "Run '" << kProg << " --help' for the commands.\n";
        return kUsage;
    } catch (const Error& e) {
        std::cerr << kProg << ": " << e.what() << "\n";
        return kFailure;
    } catch (const std::exception& e) {
        std::cerr << kProg << ": " << e.what() << "\n";
        return kFailure;
    }
}

}  // namespace srv6steer::cli

int main(int argc, char** argv) { return srv6steer::cli::run_cli(argc, argv); }
