// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer agent --config FILE`: the long-running mode (what the Kubernetes
// DaemonSet runs, see k8s/).
//
//  - start: attach to DEV, unless srv6steer is attached there already; then
//    the state is taken as it is (a restarted agent disturbs no steering);
//  - every interval (and once at the start): collect stale pins (gc), and
//    apply FILE when its content changed, when the last try failed, or when
//    DEV was attached anew by someone else. Applying is apply_file, the very
//    code path of `srv6steer apply`: validation, diff, undo on failure. A bad
//    file is logged and the previous state stays; the agent keeps running;
//  - SIGTERM/SIGINT: exit 0 at once (the wait is sigtimedwait: no polling);
//    steering stays unless --detach-on-exit.
// One timestamped line per action on stderr; the steps apply makes go to
// stdout, as `apply` prints them. --once: one round, then exit (1 if FILE
// could not be applied). --check: validate FILE on a data plane loaded in
// this process only (attached nowhere), touch nothing.
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli.hpp"

namespace srv6steer::cli {

namespace {

using Clock = std::chrono::steady_clock;

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// "2025-06-01T12:00:00.123Z"
std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t secs = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
    return buf;
}

// A message on one line: apply lists its problems on lines of their own.
std::string one_line(std::string_view text) {
    std::string out;
    for (size_t at = 0; at <= text.size();) {
        size_t end = text.find('\n', at);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(at, end - at);
        while (!line.empty() && line.front() == ' ')
            line.remove_prefix(1);
        if (!line.empty()) {
            if (!out.empty())
                out += out.back() == ':' ? " " : "; ";
            out += line;
        }
        at = end + 1;
    }
    return out;
}

std::optional<std::string> read_config(const std::string& file, std::string& error) {
    std::ifstream in(file);
    if (!in) {
        error = "cannot read " + file + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<std::string> interface_of(const std::string& text) {
    const json doc = json::parse(text, nullptr, false);
    if (doc.is_object() && doc.contains("interface") && doc["interface"].is_string())
        return doc["interface"].get<std::string>();
    return std::nullopt;
}

// Runs f with std::cout going into a string (apply_file prints its steps
// there), and returns that string. If f throws, what it printed is dropped.
template <class F>
std::string captured(F&& f) {
    std::ostringstream out;
    struct Restore {
        std::streambuf* old;
        ~Restore() { std::cout.rdbuf(old); }
    } restore{std::cout.rdbuf(out.rdbuf())};
    f();
    return out.str();
}

// apply's step lines ("+ path 3 ...", "~ set 10: ...", "- pin flow ...")
// counted: "+2 pins, ~1 set". Empty when there are none.
std::string summary(const std::string& steps) {
    static constexpr const char* kKinds[] = {"path", "set", "pin"};
    static constexpr char kOps[] = {'+', '~', '-'};
    size_t count[3][3] = {};
    std::istringstream in(steps);
    for (std::string line; std::getline(in, line);) {
        if (line.size() < 3 || line[1] != ' ')
            continue;
        const std::string kind = line.substr(2, line.find(' ', 2) - 2);
        for (size_t o = 0; o < 3; o++)
            for (size_t k = 0; k < 3; k++)
                if (line[0] == kOps[o] && kind == kKinds[k])
                    count[o][k]++;
    }
    std::string out;
    for (size_t o = 0; o < 3; o++)
        for (size_t k = 0; k < 3; k++)
            if (count[o][k])
                out += (out.empty() ? "" : ", ") + std::string(1, kOps[o]) + std::to_string(count[o][k]) + " " +
                       kKinds[k] + (count[o][k] == 1 ? "" : "s");
    return out;
}

std::string attached_text(const Status& st) {
    std::string out = st.ifname + " (" + st.attach_mode + ", prog " + std::to_string(st.prog_id);
    if (st.link_id)
        out += ", link " + std::to_string(st.link_id);
    return out + ")";
}

class Agent {
public:
    Agent(const Ctx& c, std::string dev, bool dev_given, std::string file)
        : c_(c), dev_(std::move(dev)), dev_given_(dev_given), file_(std::move(file)) {}

    // One round: the state, gc, the file. False if the file could not be applied.
    bool round(bool first) {
        std::optional<Steering> s;
        try {
            s = state(first);
        } catch (const Error& e) {
            if (first)
                throw;  // nothing to keep running for: exit 1 and say why
            report("cannot open the state of " + dev_ + ", trying again in the next round: " + one_line(e.what()));
            return false;
        }
        try {
            // Before applying: pins of processes that are gone may be what
            // holds paths the new file drops.
            if (const size_t n = s->gc())
                log("gc: removed " + std::to_string(n) + " stale pin" + (n == 1 ? "" : "s"));
        } catch (const Error& e) {
            report("gc failed: " + one_line(e.what()));
        }
        return apply(*s);
    }

    // One write per line: readers of the log never see half of one.
    void log(const std::string& msg) { std::cerr << timestamp() + " srv6steer[" + dev_ + "]: " + msg + "\n" << std::flush; }

private:
    const Ctx& c_;
    const std::string dev_;
    const bool dev_given_;
    const std::string file_;
    std::optional<std::string> applied_;  // the content applied last
    bool failed_ = false;                 // the last try to apply failed: try again
    std::string reported_;                // the last failure logged: a failure repeated is logged once
    std::optional<std::pair<int64_t, uint32_t>> attachment_;  // (attached at, prog) the file was applied to

    // A failure, logged unless it is the one logged last.
    void report(const std::string& msg) {
        if (msg != reported_)
            log(msg);
        reported_ = msg;
    }

    // Opens DEV's state, attaching first if srv6steer is not there (at the
    // start, or after someone detached it).
    Steering state(bool first) {
        const auto all = Steering::attached(c_.bpffs);
        if (std::find(all.begin(), all.end(), dev_) == all.end()) {
            if (!first)
                log("srv6steer is no longer attached to " + dev_ + " (detached by someone else?): attaching again");
            auto s = Steering::attach(attach_options(c_, dev_));
            const auto st = s.status();
            log("attached to " + attached_text(st) + ", state in " + st.pin_dir);
            return s;
        }
        auto s = Steering::open(dev_, c_.bpffs);
        if (first)
            log("srv6steer is already attached to " + attached_text(s.status()) + ": keeping its state");
        return s;
    }

    bool apply(Steering& s) {
        std::string error;
        const auto text = read_config(file_, error);
        if (!text) {
            report("cannot read the config, keeping the previous state: " + error);
            return false;
        }
        const Status st = s.status();
        const std::pair<int64_t, uint32_t> attachment{st.attached.time_since_epoch().count(), st.prog_id};
        const bool changed = text != applied_;
        if (!changed && !failed_ && attachment == attachment_)
            return true;
        if (!changed && !failed_ && attachment_)
            log(dev_ + " was attached anew by another process: applying the config again");
        if (const auto named = interface_of(*text); named && *named != dev_) {
            if (!dev_given_) {
                failed_ = true;
                report("the config now names interface " + quote(*named) + ", but this agent steers " + dev_ +
                       ": keeping the previous state (restart the agent to move it)");
                return false;
            }
            if (changed)
                log("-d " + dev_ + " overrides \"interface\": " + quote(*named) + " of " + file_);
        }
        // A dry run first tells a file that is wrong from a kernel that says
        // no halfway (apply undoes, and says so).
        try {
            captured([&] { apply_file(s, file_, true); });
        } catch (const std::exception& e) {
            failed_ = true;
            report("config invalid, keeping previous state: " + one_line(e.what()));
            return false;
        }
        std::string steps;
        try {
            steps = captured([&] { apply_file(s, file_, false); });
        } catch (const std::exception& e) {
            failed_ = true;
            report("applying the config failed, keeping previous state: " + one_line(e.what()));
            return false;
        }
        std::cout << steps << std::flush;
        const std::string counts = summary(steps);
        log("applied config: " + (counts.empty() ? dev_ + " already matches it, nothing to change" : counts));
        applied_ = text;
        failed_ = false;
        reported_.clear();
        attachment_ = attachment;
        return true;
    }
};

// Waits for one of `signals` until `until`: the signal, or 0 at the time.
int wait_signal(const sigset_t& signals, Clock::time_point until) {
    while (true) {
        const auto left = until - Clock::now();
        if (left <= Clock::duration::zero())
            return 0;
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
        const timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
        const int sig = sigtimedwait(&signals, nullptr, &ts);
        if (sig > 0)
            return sig;
        if (errno == EAGAIN)
            return 0;
        if (errno != EINTR)
            throw Error(std::string("waiting for signals: ") + std::strerror(errno), errno);
    }
}

int check(const Ctx& c, const std::string& file, const std::optional<std::string>& dev) {
    auto s = Steering::load_unattached(attach_options(c, dev.value_or("(check)")));
    const std::string steps = captured([&] { apply_file(s, file, true); });
    size_t paths = 0, sets = 0, pins = 0;
    std::istringstream in(steps);
    for (std::string line; std::getline(in, line);) {
        paths += line.starts_with("+ path ");
        sets += line.starts_with("+ set ");
        pins += line.starts_with("+ pin ");
    }
    std::cout << file << " is valid: " << paths << (paths == 1 ? " path, " : " paths, ") << sets
              << (sets == 1 ? " set, " : " sets, ") << pins << (pins == 1 ? " pin" : " pins") << "\n";
    return kOk;
}

}  // namespace

std::optional<std::string> config_interface(const std::string& file) {
    std::string error;
    const auto text = read_config(file, error);
    return text ? interface_of(*text) : std::nullopt;
}

int cmd_agent(const Ctx& c) {
    const auto file = c.text("config");
    if (!file)
        throw UsageError("missing --config FILE");
    if (c.flag("check") + c.flag("once") + c.flag("detach-on-exit") > 1)
        throw UsageError("--check, --once and --detach-on-exit do not go together");
    std::string error;
    const auto text = read_config(*file, error);
    if (!text)
        throw Error(error);
    const auto dev = c.text("dev") ? c.text("dev") : interface_of(*text);
    if (c.flag("check"))
        return check(c, *file, dev);
    if (!dev)
        throw UsageError("give the interface: -d DEV, or \"interface\": \"DEV\" in " + *file +
                         (json::accept(*text) ? "" : " (which is not valid JSON: srv6steer agent --check -c " +
                                                         *file + " says where)"));

    // SIGTERM and SIGINT wait for sigtimedwait, and never cut an apply in half.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    if (int e = pthread_sigmask(SIG_BLOCK, &signals, nullptr))
        throw Error(std::string("blocking SIGTERM and SIGINT: ") + std::strerror(e), e);

    Agent agent(c, *dev, c.text("dev").has_value(), *file);
    if (c.flag("once"))
        return agent.round(true) ? kOk : kFailure;

    const auto interval = std::chrono::seconds(c.number<uint32_t>("interval").value_or(10));
    agent.log("keeping " + *dev + " as " + *file + " says, every " + std::to_string(interval.count()) + " s");
    agent.round(true);
    int sig = 0;
    while ((sig = wait_signal(signals, Clock::now() + interval)) == 0)
        agent.round(false);
    const std::string name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
    if (c.flag("detach-on-exit")) {
        const bool was = Steering::detach(*dev, c.bpffs);
        agent.log(name + ": " + (was ? "detached from " + *dev : "srv6steer was not attached to " + *dev) +
                  ", exiting");
    } else {
        agent.log(name + ": exiting, steering on " + *dev + " stays in place");
    }
    return kOk;
}

}  // namespace srv6steer::cli
