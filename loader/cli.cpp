// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Command-line plumbing: finding the subcommand (exact words only), -n NAME,
// the exit codes and the words added to errors, the one table printer and
// the one JSON printer, and small text shared by the commands.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli.hpp"
#include "setns.hpp"
#include "text.hpp"

namespace srv6steer::cli {

using text::quote;

namespace {

constexpr const char* kProg = "srv6steer";

std::string usage_line(const Command& cmd) {
    std::string u = std::string(kProg) + " " + cmd.name;
    if (!cmd.usage.empty())
        u += " " + cmd.usage;
    return u + " [OPTIONS]";
}

void print_tool_help(std::ostream& out, std::string_view group = {}) {
    out << "Usage: " << kProg << " [-n NAME] COMMAND [ARGS] [OPTIONS]\n"
        << "Steers sockets, cgroups, flows, RoCEv2 queue pairs and prefixes onto SRv6 paths (eBPF on TC egress).\n\n"
        << "Commands:\n";
    size_t width = 0;
    for (const auto& c : commands())
        width = std::max(width, c.name.size() + 1 + c.usage.size());
    width = std::min<size_t>(width, 44);
    for (const auto& c : commands()) {
        if (!group.empty() && !c.name.starts_with(std::string(group) + " "))
            continue;
        const std::string head = c.name + (c.usage.empty() ? "" : " " + c.usage);
        out << "  " << head;
        if (head.size() > width)
            out << "\n  " << std::string(width, ' ');
        else
            out << std::string(width - head.size(), ' ');
        out << "  " << c.about << "\n";
    }
    out << "\nEvery command takes --help, -n/--netns NAME (the network namespace /run/netns/NAME, as\n"
        << "ip -n NAME) and --bpffs DIR; read commands take -j (JSON).\n"
        << "Exit codes: 0 ok, 1 failure, 2 usage.\n";
}

bool is_group(std::string_view word) {
    return std::any_of(commands().begin(), commands().end(), [&](const Command& c) {
        return c.name.starts_with(std::string(word) + " ");
    });
}

// The words that name a command: "status", or a group and a word ("path add").
const Command& find_command(const std::vector<char*>& words, size_t& used) {
    const std::string first = words[0];
    std::vector<std::string> in_group;
    for (const auto& c : commands()) {
        const std::string_view name = c.name;
        if (name == first) {
            used = 1;
            return c;
        }
        if (name.starts_with(first + " "))
            in_group.emplace_back(name.substr(first.size() + 1));
    }
    if (in_group.empty())
        throw UsageError("unknown command " + quote(first) + " (see " + kProg + " --help)");
    const std::string choices = join(in_group, ", ");
    if (words.size() < 2)
        throw UsageError(first + " needs a subcommand: " + choices);
    const std::string second = words[1];
    for (const auto& c : commands())
        if (c.name == first + " " + second) {
            used = 2;
            return c;
        }
    throw UsageError("unknown " + first + " subcommand " + quote(second) + ": expected one of " + choices);
}

// `srv6steer -n NAME COMMAND ...`, as `ip -n NAME ...`: the name, taken off words.
std::optional<std::string> leading_netns(std::vector<char*>& words) {
    if (words.empty())
        return std::nullopt;
    const std::string_view w = words[0];
    if (w.starts_with("--netns=")) {
        std::string name(w.substr(8));
        words.erase(words.begin());
        return name;
    }
    if (w != "-n" && w != "--netns")
        return std::nullopt;
    if (words.size() < 2)
        throw UsageError(std::string(w) + " needs a network namespace name");
    std::string name = words[1];
    words.erase(words.begin(), words.begin() + 2);
    return name;
}

std::string pad(const std::string& s, size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

// Parses, switches the network namespace, and runs.
int parse_and_run(int argc, char** argv, const Command*& cmd) {
    std::vector<char*> words(argv + 1, argv + argc);
    const auto outer = leading_netns(words);
    if (words.empty())
        throw UsageError("missing COMMAND");
    const std::string_view first = words[0];
    if (first == "-h" || first == "--help" || first == "help") {
        print_tool_help(std::cout);
        return kOk;
    }
    // "srv6steer path --help": the commands of that group.
    if (words.size() >= 2 && (std::string_view(words[1]) == "--help" || std::string_view(words[1]) == "-h") &&
        is_group(first)) {
        print_tool_help(std::cout, first);
        return kOk;
    }
    size_t used = 0;
    cmd = &find_command(words, used);
    // cxxopts wants argv[0] first.
    std::vector<char*> rest{argv[0]};
    rest.insert(rest.end(), words.begin() + static_cast<long>(used), words.end());
    auto inv = cmd->parse(static_cast<int>(rest.size()), rest.data());
    if (!inv)
        return kOk;
    if (outer && inv->common.netns)
        throw UsageError("-n/--netns given more than once");
    const auto netns = outer ? outer : inv->common.netns;
    // Before anything else: every name and every state from here on is the namespace's.
    if (netns)
        enter_netns(*netns);
    if (inv->needs_bpffs) {
        if (!netns)
            refuse_hidden_bpffs(inv->common.bpffs);
        refuse_unreadable_state(inv->common.bpffs);
    }
    return inv->run();
}

}  // namespace

int run_cli(int argc, char** argv) {
    if (argc < 2) {
        print_tool_help(std::cerr);
        return kUsage;
    }
    const Command* cmd = nullptr;
    try {
        return parse_and_run(argc, argv, cmd);
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
        const std::string_view what = e.what();
        // Unless the message already says which capability it needs.
        if ((e.code() == EACCES || e.code() == EPERM) && what.find("CAP_") == std::string_view::npos)
            std::cerr << kProg << ": this is a permission problem: run srv6steer as root, or with CAP_BPF, "
                         "CAP_NET_ADMIN and CAP_PERFMON (attach needs all three)\n";
        return kFailure;
    } catch (const std::exception& e) {
        std::cerr << kProg << ": " << e.what() << "\n";
        return kFailure;
    }
}

// ---- the interface ------------------------------------------------------------------

std::string dev_of(const Common& c) {
    if (c.dev)
        return *c.dev;
    const auto all = Steering::attached(c.bpffs);
    if (all.size() == 1)
        return all[0];
    if (all.empty())
        throw Error("srv6steer is not attached to any interface: attach one first (srv6steer attach DEV)", ENOENT);
    throw Error("srv6steer is attached to " + join(all, ", ") + ": choose one with -d DEV");
}

Steering open_state(const std::string& dev, const Common& c) {
    try {
        return Steering::open(dev, c.bpffs);
    } catch (const Error& e) {
        if (e.code() == ENOENT)
            rethrow_with(e, "attach it first: srv6steer attach " + dev);
        throw;
    }
}

void rethrow_with(const Error& e, const std::string& words) {
    throw Error(std::string(e.what()) + " (" + words + ")", e.code());
}

std::string pin_advice(const Error& e, const std::string& plural, Target t) {
    if (e.code() == E2BIG || e.code() == ENOSPC)
        return "srv6steer attach DEV --max-" + plural + " N";
    if (e.code() == ENOENT && std::string_view(e.what()).find(t.str() + " does not exist") != std::string_view::npos)
        return t.kind == Target::Kind::Path ? "srv6steer path add" : "srv6steer set add";
    return {};
}

// ---- output ---------------------------------------------------------------------------

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

// ---- shared text ----------------------------------------------------------------------

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (const auto& p : parts) {
        if (&p != &parts.front())
            out += sep;
        out += p;
    }
    return out;
}

std::string segments_text(const std::vector<Ipv6>& segments) {
    std::vector<std::string> parts;
    for (const auto& a : segments)
        parts.push_back(a.str());
    return join(parts, ",");
}

std::string path_text(const Path& p) {
    std::string out = segments_text(p.segments);
    if (p.mode == SrhMode::Full)
        out += " full-srh";
    if (p.down)
        out += " down";
    if (p.fallback) {
        out += " fallback ";
        out += target_text(*p.fallback);
    }
    return out;
}

std::string target_text(Target t) {
    std::string out = t.kind == Target::Kind::Path ? "path:" : "set:";
    out += std::to_string(t.id);
    return out;
}

std::string join_ids(const std::vector<uint32_t>& ids) {
    std::vector<std::string> parts;
    for (uint32_t id : ids)
        parts.push_back(std::to_string(id));
    return join(parts, ",");
}

std::string attached_text(const Status& st) {
    std::string out = st.ifname + " (" + st.attach_mode + ", prog " + std::to_string(st.prog_id);
    if (st.link_id)
        out += ", link " + std::to_string(st.link_id);
    return out + ")";
}

std::string problems_text(const Status& st) {
    std::vector<std::string> parts;
    for (const auto& p : st.problems)
        parts.push_back(p.detail);
    return join(parts, "; ");
}

}  // namespace srv6steer::cli

int main(int argc, char** argv) { return srv6steer::cli::run_cli(argc, argv); }
