// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer agent --config FILE`: the long-running mode (what the Kubernetes
// DaemonSet runs, see k8s/).
//
//  - start: attach to DEV, unless srv6steer is attached there already; then
//    the state is taken as it is (a restarted agent disturbs no steering);
//  - every round (at the start, every --interval, and on SIGHUP): re-attach
//    if DEV's attachment is dead (Status::problems: the interface re-created,
//    the link or program gone), collect stale pins (gc), read FILE once and
//    apply it when its content changed, when the last try failed, or when
//    DEV was attached anew. Applying is plan.cpp's apply(), the very code of
//    `srv6steer apply`: validate, diff and run with undo under one lock. A
//    bad file is logged and the previous state stays; the agent keeps running;
//  - SIGTERM/SIGINT: exit 0 at once (the wait is sigtimedwait, or the
//    server's poll on a signalfd: no polling); steering stays unless
//    --detach-on-exit.
//  - between rounds it serves clients on its Unix socket (--socket PATH,
//    default /run/srv6steer/agent.sock; agent_server.hpp, agent_clients.hpp,
//    docs/agent-protocol.md): unprivileged processes pin their own sockets
//    with paths and sets of their own; each round also makes again what a
//    new attachment lost of theirs and removes what none of them uses.
//    Signals arrive on a signalfd in the same poll.
// One timestamped line per action on stderr (-v: also one per round done;
// one per client request); the plan applied goes to stdout, as `apply`
// prints it. --once: one round, then exit (1 if FILE could not be applied).
// --check: validate FILE on a data plane loaded in this process only
// (attached nowhere), touch nothing. Neither serves the socket.
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>

#include "agent_clients.hpp"
#include "agent_probe.hpp"
#include "agent_server.hpp"
#include "metrics_server.hpp"
#include "cli.hpp"
#include "plan.hpp"
#include "text.hpp"

namespace srv6steer::cli {

namespace {

using Clock = std::chrono::steady_clock;
using text::quote;

struct AgentCmd : Common {
    std::optional<std::string> config;
    uint32_t interval = 10;
    bool detach_on_exit = false;
    bool once = false;
    bool validate_only = false;  // --check
    bool verbose = false;
    AttachOptions attach;
    // The clients' socket.
    std::optional<std::string> socket;
    bool no_socket = false;
    std::optional<gid_t> socket_group;
    std::optional<mode_t> socket_mode;
    uint32_t quota_sockets = 4096;
    uint32_t quota_paths = 256;
    std::optional<metrics::Listen> metrics;  // --metrics ADDR:PORT
    ProbeOverrides probe;

    void check() const {
        if (!config)
            throw UsageError("missing --config FILE");
        if (validate_only + once + detach_on_exit > 1)
            throw UsageError("--check, --once and --detach-on-exit do not go together");
        if (metrics && (once || validate_only))
            throw UsageError("--metrics serves while the agent runs: not with --once or --check");
        if (no_socket && (socket || socket_group || socket_mode))
            throw UsageError("--no-socket and --socket, --socket-group or --socket-mode do not go together");
        if (probe.off && (probe.interval_ms || probe.timeout_ms || probe.misses || probe.recoveries ||
                          probe.hold_down_ms))
            throw UsageError("--no-probes and --probe-* options do not go together");
        const bool congestion_set = probe.congestion_window_ms || probe.congestion_mark_ppm ||
                                    probe.congestion_clear_ppm || probe.congestion_hold_ms;
        if ((probe.off || probe.no_congestion) && congestion_set)
            throw UsageError("--no-probes or --no-congestion and --congestion-* options do not go together");
        if (probe.congestion_mark_ppm && probe.congestion_clear_ppm &&
            *probe.congestion_clear_ppm >= *probe.congestion_mark_ppm)
            throw UsageError("--congestion-clear must be below --congestion-mark");
    }
    bool serves() const { return !no_socket && !once && !validate_only; }
    bool needs_bpffs() const { return !validate_only; }
};

// --socket-group: a group name or number.
gid_t parse_group(const std::string& t) {
    if (auto n = text::parse_uint(t, 0, UINT32_MAX - 1))
        return gid_t(*n);
    std::vector<char> buf(16384);
    group g{}, *found = nullptr;
    if (getgrnam_r(t.c_str(), &g, buf.data(), buf.size(), &found) != 0 || !found)
        throw Error("unknown group " + quote(t) + " (expected a group name or number)");
    return found->gr_gid;
}

// --socket-mode: octal permission bits, e.g. 0660 or 666.
mode_t parse_mode(const std::string& t) {
    unsigned long v = 0;
    size_t used = 0;
    try {
        v = std::stoul(t, &used, 8);
    } catch (const std::exception&) {
        used = 0;
    }
    if (t.empty() || used != t.size() || v > 0777 || t.find_first_not_of("01234567") != std::string::npos)
        throw Error("invalid socket mode " + quote(t) + ": expected octal permission bits from 0 to 0777, e.g. 0660");
    return mode_t(v);
}

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

#ifndef SRV6S_VERSION_STRING
#define SRV6S_VERSION_STRING "unknown"
#endif

class Agent {
public:
    // first_text: FILE as read at the start, for the first round.
    Agent(const AgentCmd& c, std::string dev, std::string first_text)
        : c_(c),
          dev_(std::move(dev)),
          file_(*c.config),
          first_text_(std::move(first_text)),
          clients_({dev_, "srv6steer " SRV6S_VERSION_STRING, c.quota_sockets, c.quota_paths},
                   [this]() -> Steering& { return current(); }, [this](const std::string& m) { log(m); }),
          probe_(dev_, c.bpffs, [this](const std::string& m) { log(m); }),
          probes_(c.probe.apply({})) {}

    // One round: the attachment, gc, the file. False if the file could not be applied.
    bool round(bool first) {
        const bool ok = attempt(first);
        if (!c_.once && attachment_now_)
            probe_.update(probes_, *attachment_now_);
        rounds_++;
        if (c_.verbose)
            log("round " + std::to_string(rounds_) + " done");
        return ok;
    }

    // One write per line: readers of the log never see half of one.
    void log(const std::string& msg) { std::cerr << timestamp() + " srv6steer[" + dev_ + "]: " + msg + "\n" << std::flush; }

    Clients& clients() { return clients_; }
    AgentProbe& probe() { return probe_; }
    void serving() { serving_ = true; }

private:
    const AgentCmd& c_;
    const std::string dev_;
    const std::string file_;
    std::optional<std::string> first_text_;
    size_t rounds_ = 0;
    std::optional<std::string> applied_;  // the text whose plan was applied last
    bool failed_ = false;                 // the last try to apply failed: try again
    std::string reported_;                // the last failure logged: a failure repeated is logged once
    std::optional<std::pair<int64_t, uint32_t>> attachment_;  // (attached at, prog) the file was applied to
    std::optional<Steering> s_;  // DEV's state as of the last round: what clients' requests use
    Clients clients_;
    bool serving_ = false;
    AgentProbe probe_;
    ProbesConfig probes_;  // of the file applied last, with the --probe-* options
    std::optional<std::pair<int64_t, uint32_t>> attachment_now_;  // DEV's, as of this round

    Steering& current() {
        if (!s_)
            throw Error("the agent cannot open the state of " + dev_ + " right now; try again in a moment", EAGAIN);
        return *s_;
    }

    bool attempt(bool first) {
        s_.reset();
        attachment_now_.reset();
        try {
            s_ = state(first);
        } catch (const Error& e) {
            if (first)
                throw;  // nothing to keep running for: exit 1 and say why
            report("cannot open the state of " + dev_ + ", trying again in the next round: " + one_line(e.what()));
            return false;
        }
        Steering* s = &*s_;
        try {
            // Before applying: pins of processes that are gone may be what
            // holds paths the new file drops.
            if (const size_t n = s->gc())
                log("gc: removed " + std::to_string(n) + " stale pin" + (n == 1 ? "" : "s"));
        } catch (const Error& e) {
            report("gc failed: " + one_line(e.what()));
        }
        if (serving_) {
            try {
                clients_.round(*s);
            } catch (const Error& e) {
                report("keeping the clients' paths and sets failed: " + one_line(e.what()));
            }
        }
        std::string text;
        if (first_text_) {
            text = std::move(*first_text_);
            first_text_.reset();
        } else {
            try {
                text = text::read_file(file_);
            } catch (const Error& e) {
                report("cannot read the config, keeping the previous state: " + one_line(e.what()));
                return false;
            }
        }
        return apply_text(*s, text);
    }

    // A failure, logged unless it is the one logged last.
    void report(const std::string& msg) {
        if (msg != reported_)
            log(msg);
        reported_ = msg;
    }

    Steering attach_now() {
        AttachOptions o = c_.attach;
        o.ifname = dev_;
        o.bpffs = c_.bpffs;
        auto s = Steering::attach(o);
        const auto st = s.status();
        log("attached to " + attached_text(st) + ", state in " + st.pin_dir);
        return s;
    }

    // The flowlet gap of the agent's --flowlet-gap, when given, also on an
    // attachment it found or that someone changed (without it, the prober
    // adapts the gap to the paths' delay skew, or with "flowlets":
    // {"adaptive": false} it is whatever attach or `srv6steer flowlets` set).
    void keep_flowlet_gap(Steering& s, const Status& st) {
        if (!c_.attach.flowlet_gap)
            return;
        const auto want = *c_.attach.flowlet_gap;
        if (st.config.flowlet_gap_us == static_cast<uint32_t>(want.count()))
            return;
        try {
            s.set_flowlet_gap(want);
            log(text::cat({"flowlet gap on ", dev_, ": ", std::to_string(st.config.flowlet_gap_us), " -> ",
                           std::to_string(want.count()), " us"}));
        } catch (const Error& e) {
            report(text::cat({"cannot set the flowlet gap: ", one_line(e.what())}));
        }
    }

    // Opens DEV's state, attaching first if srv6steer is not there (at the
    // start, or after someone detached it), or again if it no longer steers.
    Steering state(bool first) {
        const auto all = Steering::attached(c_.bpffs);
        if (std::find(all.begin(), all.end(), dev_) == all.end()) {
            if (!first)
                log("srv6steer is no longer attached to " + dev_ + " (detached by someone else?): attaching again");
            return attach_now();
        }
        std::string dead;
        {
            auto s = Steering::open(dev_, c_.bpffs);
            const Status st = s.status();
            if (st.healthy()) {
                if (first)
                    log("srv6steer is already attached to " + attached_text(st) + ": keeping its state");
                keep_flowlet_gap(s, st);
                return s;
            }
            dead = problems_text(st);
        }
        log("srv6steer on " + dev_ + " does not steer (" + dead + "): detaching and attaching again");
        Steering::detach(dev_, c_.bpffs);
        attachment_.reset();  // a new attachment: the file goes in again
        return attach_now();
    }

    bool apply_text(Steering& s, const std::string& text) {
        const Status st = s.status();
        const std::pair<int64_t, uint32_t> attachment{st.attached.time_since_epoch().count(), st.prog_id};
        attachment_now_ = attachment;
        const bool changed = text != applied_;
        if (!changed && !failed_ && attachment == attachment_)
            return true;
        if (!changed && !failed_ && attachment_)
            log(dev_ + " was attached anew by another process: applying the config again");
        Plan plan;
        try {
            const Config cfg = parse_config(text, file_);
            if (cfg.interface && *cfg.interface != dev_) {
                if (!c_.dev) {
                    failed_ = true;
                    report("the config now names interface " + quote(*cfg.interface) + ", but this agent steers " +
                           dev_ + ": keeping the previous state (restart the agent to move it)");
                    return false;
                }
                if (changed)
                    log("-d " + dev_ + " overrides \"interface\": " + quote(*cfg.interface) + " of " + file_);
            }
            // The file's probe settings with the options on top: checked as
            // a whole (an option and the file may disagree) before anything
            // changes, kept only if good.
            ProbesConfig probes = c_.probe.apply(cfg.probes);
            if (probes.enabled)
                check_probe_options(probes.options);
            plan = apply(s, cfg, false);
            probes_ = std::move(probes);
            const Plan sids = apply_sids(cfg, c_.bpffs, false);  // the receive side's, if the file has "sids"
            plan.steps.insert(plan.steps.end(), sids.steps.begin(), sids.steps.end());
        } catch (const Invalid& e) {
            failed_ = true;
            report("config invalid, keeping previous state: " + one_line(e.what()));
            return false;
        } catch (const Error& e) {
            failed_ = true;
            report("applying the config failed, keeping previous state: " + one_line(e.what()));
            return false;
        }
        print(plan, false);
        log("applied config: " + (plan.empty() ? dev_ + " already matches it, nothing to change" : plan.summary()));
        applied_ = text;
        failed_ = false;
        reported_.clear();
        attachment_ = attachment;
        return true;
    }
};

// Waits for one of `signals` until `until`: the signal, or 0 at the time.
// --check: the plan against an empty data plane loaded in this process only.
int check(const AgentCmd& c, const std::string& text) {
    const Config cfg = parse_config(text, *c.config);
    if (const ProbesConfig probes = c.probe.apply(cfg.probes); probes.enabled)
        check_probe_options(probes.options);
    AttachOptions o = c.attach;
    o.ifname = c.dev.value_or(cfg.interface.value_or("(check)"));
    const auto s = Steering::load_unattached(o);
    const Plan plan = diff(cfg, s);
    const size_t paths = plan.count(Step::Op::Add, Step::Kind::Path);
    const size_t sets = plan.count(Step::Op::Add, Step::Kind::Set);
    const size_t pins = plan.count(Step::Op::Add, Step::Kind::Pin);
    std::cout << *c.config << " is valid: " << paths << (paths == 1 ? " path, " : " paths, ") << sets
              << (sets == 1 ? " set, " : " sets, ") << pins << (pins == 1 ? " pin" : " pins") << "\n";
    return kOk;
}

int cmd_agent(const AgentCmd& given) {
    AgentCmd c = given;
    // --flowlet-gap fixes the gap: the prober does not adapt it.
    c.probe.fixed_flowlet_gap = c.attach.flowlet_gap.has_value();
    const std::string file = *c.config;
    std::string first_text = text::read_file(file);  // the first round's
    if (c.validate_only)
        return check(c, first_text);
    std::string dev;
    if (c.dev) {
        dev = *c.dev;
    } else {
        // The interface is the file's: it must be readable now (Invalid says why not).
        const Config cfg = parse_config(first_text, file);
        if (!cfg.interface)
            throw Error("give the interface: -d DEV, or \"interface\": \"DEV\" in " + file);
        dev = *cfg.interface;
    }

    // SIGTERM and SIGINT end the agent, SIGHUP asks for a round now; all wait
    // for sigtimedwait, so none cuts an apply in half.
    sigset_t signals;
    sigemptyset(&signals);
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&signals, sig);
    if (int e = pthread_sigmask(SIG_BLOCK, &signals, nullptr))
        throw Error(std::string("blocking SIGTERM, SIGINT and SIGHUP: ") + std::strerror(e), e);

    Agent agent(c, dev, std::move(first_text));
    if (c.once)
        return agent.round(true) ? kOk : kFailure;

    const auto interval = std::chrono::seconds(c.interval);
    agent.log("keeping " + dev + " as " + file + " says, every " + std::to_string(interval.count()) + " s");
    // The socket first (a path another agent serves: exit 1, nothing
    // touched); clients are read only after the first round, when DEV is
    // attached. Signals then come on a signalfd in the same poll (they stay
    // blocked, so none is lost in between).
    std::optional<Server> server;
    UniqueFd sigfd(signalfd(-1, &signals, SFD_CLOEXEC));
    if (!sigfd)
        throw_errno("creating a signalfd", errno);
    if (c.serves()) {
        ServerOptions so;
        so.path = c.socket.value_or(kDefaultAgentSocket);
        so.group = c.socket_group;
        so.mode = c.socket_mode.value_or(0660);
        server.emplace(so, agent.clients(), [&agent](const std::string& m) { agent.log(m); });
        agent.serving();
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", unsigned(so.mode));
        agent.log("serving clients on " + so.path + " (mode " + mode + "; per uid at most " +
                  std::to_string(c.quota_sockets) + " socket pins and " + std::to_string(c.quota_paths) +
                  " paths)");
    }
    // The Prometheus endpoint, in a thread of its own (it inherits the blocked signals).
    std::optional<metrics::Server> metrics_server;
    if (c.metrics) {
        metrics_server.emplace(*c.metrics, c.bpffs);
        metrics::Listen at = *c.metrics;
        at.port = metrics_server->port();
        agent.log("serving metrics on http://" + at.str() + "/metrics");
    }
    agent.round(true);
    auto wait = [&] {
        const auto until = Clock::now() + interval;
        // The prober's sockets are served in the same poll.
        return server ? server->serve_until(until, sigfd.get(), &agent.probe())
                      : agent.probe().wait(until, sigfd.get());
    };
    int sig = 0;
    while ((sig = wait()) == 0 || sig == SIGHUP)
        agent.round(false);
    const std::string name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
    if (c.detach_on_exit) {
        const bool was = Steering::detach(dev, c.bpffs);
        agent.log(name + ": " + (was ? "detached from " + dev : "srv6steer was not attached to " + dev) +
                  ", exiting");
    } else {
        agent.log(name + ": exiting, steering on " + dev + " stays in place");
    }
    return kOk;
}

}  // namespace

Command agent_command() {
    using A = AgentCmd;
    std::vector<Opt<A>> opts{
        text("c,config", "FILE", "the apply file to keep applied", &A::config),
        text<A, std::optional<std::string>>("d,dev", "DEV", "the interface (default: the file's \"interface\")",
                                            &A::dev),
        number("interval", "SECONDS", "re-read FILE and collect stale pins every SECONDS (default 10)", &A::interval,
               1, 86400),
        flag("detach-on-exit", "detach from DEV on SIGTERM/SIGINT (default: steering stays)", &A::detach_on_exit),
        flag("once", "attach if needed, apply FILE, collect stale pins, and exit", &A::once),
        flag("check", "only validate FILE (on an unattached data plane), change nothing, and exit",
             &A::validate_only),
        flag("v,verbose", "log every round done, too", &A::verbose),
        text<A, std::optional<std::string>>(
            "socket", "PATH", "serve clients (socket pins) on the Unix socket PATH (default /run/srv6steer/agent.sock)",
            &A::socket),
        flag("no-socket", "serve no clients", &A::no_socket),
        parsed("socket-group", "GROUP", "the socket's group (name or number; default: the agent's)",
               &A::socket_group, parse_group),
        parsed("socket-mode", "MODE", "the socket's mode, octal: who may connect (default 0660)", &A::socket_mode,
               parse_mode),
        number("quota-sockets", "N", "socket pins each uid may make through the socket (default 4096; root: any)",
               &A::quota_sockets, 1, 1u << 24),
        number("quota-paths", "N", "paths, and sets, each uid may define through the socket (default 256)",
               &A::quota_paths, 1, 2048),
        parsed("metrics", "ADDR:PORT",
               "serve the counters in the Prometheus text format at http://ADDR:PORT/metrics (a loopback "
               "address, e.g. 127.0.0.1:9469; port 0: any free one, logged)",
               &A::metrics, metrics::Listen::parse)};

    for (auto& o : within(&A::attach, attach_options()))
        opts.push_back(std::move(o));
    using P = ProbeOverrides;
    const std::vector<Opt<P>> probe{
        flag("no-probes", "do not probe paths (default: probe every path in use, docs/design.md §16)", &P::off),
        number("probe-interval", "MS", "probe each target every MS milliseconds, 1..10000 (default 10)",
               &P::interval_ms, 1, 10000),
        number("probe-timeout", "MS", "a probe is lost after MS milliseconds (default: twice the interval)",
               &P::timeout_ms, 1, 60000),
        number("probe-misses", "N", "mark a path down after N lost probes on every target (default 3)", &P::misses,
               1, 1000),
        number("probe-recoveries", "N", "mark it up again after N answered probes in a row (default 3)",
               &P::recoveries, 1, 1000),
        number("probe-hold-down", "MS", "... and no sooner than MS milliseconds after it went down (default 500)",
               &P::hold_down_ms, 0, 3600000),
        flag("no-congestion",
             "do not move flows off paths whose far ends count CE marks (default: do, docs/design.md §17)",
             &P::no_congestion),
        number("congestion-window", "MS", "judge each path's CE share every MS milliseconds (default 100)",
               &P::congestion_window_ms, 1, 60000),
        number("congestion-mark", "PPM", "a CE share of PPM parts per million is congestion (default 10000: 1 %)",
               &P::congestion_mark_ppm, 1, 1000000),
        number("congestion-clear", "PPM", "at most PPM is clear: flows come back (default 1000)",
               &P::congestion_clear_ppm, 0, 999999),
        number("congestion-hold", "MS", "... no sooner than MS milliseconds after the last congested window "
               "(default 1000)", &P::congestion_hold_ms, 0, 3600000)};
    for (auto& o : within(&A::probe, probe))
        opts.push_back(std::move(o));
    return command<A>("agent", "--config FILE",
                      "keep DEV attached and steered as FILE says: re-apply on change, gc (DaemonSet)", 0, {},
                      std::move(opts), cmd_agent);
}

}  // namespace srv6steer::cli
