// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_agent: how long one rank of a training job takes to pin its
 * connections through `srv6steer agent` (docs/agent-protocol.md), as an
 * unprivileged rank does: Steering::connect to the agent's socket, add_path
 * of the rank's path, pin_sockets of its --connections (1,024) connected TCP
 * sockets in one call. Goal: at most 50 ms per rank, the three together.
 *
 * Isolation (bench/agent_env.hpp): a private network namespace and bpffs
 * (bench/netns.hpp) with a veth pair sb-agent (fcbb:0:800:1::1/64) to a peer
 * namespace of its own where --peers addresses fcbb:0:800:1::1N listen: the
 * job's other hosts. The connections leave through the steered interface, as
 * a job's do (over loopback the library refuses them: a socket pin sets a
 * route MTU towards the peer, and ::1 has a local route). The agent is the
 * built srv6steer (SRV6STEER_BIN, set by bench/run-all, or the one of this
 * build) with an empty config file (`{}`) and its default rounds (every 10 s),
 * its socket (mode 0666) in the temporary directory, awaited by its log line
 * "round 1 done" (no sleeps).
 *
 * Each run (--runs, default 9, after one unmeasured warm-up run) is a new
 * rank: a child process running as --uid (65534, nobody: the agent then
 * applies its per-uid quota, as for a real rank; 0: root, no quota) opens
 * --connections TCP connections spread over the peers (untimed), then times
 * the three calls, each and together, checks that the agent lists exactly
 * its sockets as pinned to its path, and holds them while this process
 * checks, in the data plane itself (Steering::open), that exactly those
 * --connections socket pins exist with the rank's pid as owner. Then the
 * rank closes them (the pins end with them) and exits. As a reference, this
 * (privileged) process then pins as many other connections with the
 * library itself, no agent (what the agent adds), and times the library's
 * listing of every socket pin (Steering::sockets(), which the agent runs for
 * its quota). Reported: median, min and max over the runs, in ms, and pins
 * per second of pin_sockets.
 *
 * Output: a table on stderr; on stdout one JSON line per figure, e.g.
 *  {"bench":"agent_pin_ms","case":"rank_total","value":12.3,"unit":"ms","goal":50}
 * A missed goal is reported (MISS), exit status 0; a failed check exits 2.
 * Run as root (the agent attaches; the rank itself needs no privilege).
 */
#include <fcntl.h>
#include <grp.h>
#include <time.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <cxxopts.hpp>

#include "agent_env.hpp"
#include "common.hpp"
#include "netns.hpp"
#include "srv6steer/srv6steer.hpp"

using namespace agentbench;
using benchutil::Failure;
using benchutil::json;
using benchutil::median;
using benchutil::now_ns;

namespace {

constexpr double kGoalMs = 50;
constexpr uint32_t kPathId = 1;

struct Options {
    uint32_t runs = 9, connections = 1024, peers = 8, uid = 65534;
    std::string socket, bpffs;
    pid_t agent = 0;
};

struct Run {
    double connect_ms = 0, path_ms = 0, pin_ms = 0, total_ms = 0;
    double direct_ms = 0;  // reference: pin_sockets by this process itself, no agent
    double list_ms = 0;    // reference: Steering::sockets() by this process (the data plane's listing)
    // On-CPU time (steadier than the wall clock when the machine is busy):
    double pin_cpu_ms = 0;     // pin_sockets: the rank's and the agent's together
    double direct_cpu_ms = 0;  // the reference's pin_sockets
};

srv6steer::Path rank_path() {
    return srv6steer::Path::from_usids(kPathId, srv6steer::Block::parse("fcbb:0::/32"),
                                       srv6steer::parse_usids("1004,1001,1006,fe06"));
}

double ms(uint64_t from, uint64_t to) { return static_cast<double>(to - from) / 1e6; }

// This process's on-CPU time in ns (schedstat counts a running process's
// time only up to its last tick).
uint64_t own_cpu_ns() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return uint64_t(t.tv_sec) * 1000000000ull + uint64_t(t.tv_nsec);
}

std::vector<std::pair<int, srv6steer::Target>> pins_of(const Connections& c) {
    std::vector<std::pair<int, srv6steer::Target>> pins;
    for (const UniqueFd& fd : c.mine)
        pins.emplace_back(fd.get(), srv6steer::Target::path(kPathId));
    return pins;
}

// The rank, in the child: the timed calls and the agent's listing; then the
// timings go to `out` and it waits for a byte on `go` before it closes its
// sockets.
void rank(const Options& o, const Peers& peers, int out, int go) {
    if (o.uid != 0 && (setgroups(0, nullptr) || setresgid(o.uid, o.uid, o.uid) || setresuid(o.uid, o.uid, o.uid)))
        throw Failure("becoming uid " + std::to_string(o.uid) + ": " + std::strerror(errno));
    Connections conns(peers, o.connections);
    const auto pins = pins_of(conns);
    const srv6steer::Path path = rank_path();
    Run r;
    const uint64_t t0 = now_ns();
    srv6steer::Steering s = srv6steer::Steering::connect(o.socket, kDev);
    const uint64_t t1 = now_ns();
    s.add_path(path);
    const uint64_t c2 = own_cpu_ns() + cpu_ns(o.agent);
    const uint64_t t2 = now_ns();
    const size_t added = s.pin_sockets(pins);
    const uint64_t t3 = now_ns();
    const uint64_t c3 = own_cpu_ns() + cpu_ns(o.agent);
    r = {ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t0, t3), 0, 0, ms(c2, c3), 0};
    if (added != o.connections)
        throw Failure("pin_sockets said " + std::to_string(added) + " new pins, not " +
                      std::to_string(o.connections));
    size_t ours = 0;
    for (const srv6steer::PinnedSocket& p : s.sockets())
        ours += p.target == srv6steer::Target::path(kPathId) && p.info.owner.pid == static_cast<uint32_t>(getpid());
    if (ours != o.connections)
        throw Failure("the agent lists " + std::to_string(ours) + " of the rank's " +
                      std::to_string(o.connections) + " sockets as pinned to its path");
    const char tag = 'R';
    if (write(out, &tag, 1) != 1 || write(out, &r, sizeof r) != sizeof r)
        throw Failure("reporting to the parent: " + std::string(std::strerror(errno)));
    char byte;
    (void)!read(go, &byte, 1);
}

// One rank in a child process; its timings, checked.
Run one_rank(const Options& o, const Peers& peers) {
    int res[2], go[2];
    if (pipe2(res, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
        throw Failure(std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(res[0]);
        close(go[1]);
        int code = 0;
        try {
            rank(o, peers, res[1], go[0]);
        } catch (const std::exception& e) {
            const std::string msg = std::string("E") + e.what();
            (void)!write(res[1], msg.data(), msg.size());
            code = 1;
        }
        _exit(code);
    }
    close(res[1]);
    close(go[0]);
    UniqueFd from(res[0]), to(go[1]);
    if (pid < 0)
        throw Failure(std::string("fork: ") + std::strerror(errno));
    struct Reap {
        pid_t pid;
        ~Reap() { waitpid(pid, nullptr, 0); }
    } reap{pid};

    std::string got;
    char buf[4096];
    for (ssize_t n; got.size() < 1 + sizeof(Run) && (n = read(from.get(), buf, sizeof buf)) > 0;)
        got.append(buf, static_cast<size_t>(n));
    if (got.empty() || got[0] != 'R' || got.size() != 1 + sizeof(Run))
        throw Failure("the rank failed: " + (got.size() > 1 ? got.substr(1) : std::string("(no word)")));
    Run r;
    std::memcpy(&r, got.data() + 1, sizeof r);

    // The data plane's own account, while the rank holds its sockets.
    size_t theirs = 0;
    for (const srv6steer::PinnedSocket& p : srv6steer::Steering::open(kDev, o.bpffs).sockets())
        theirs += p.info.owner.pid == static_cast<uint32_t>(pid);
    if (theirs != o.connections)
        throw Failure("the data plane holds " + std::to_string(theirs) + " socket pins of the rank, not " +
                      std::to_string(o.connections));
    (void)!write(to.get(), "x", 1);
    return r;
}

// The references: as many connections pinned by this process with the
// library itself (privileged, path kPathId of its own), and the listing of
// every socket pin then.
void direct(const Options& o, const Peers& peers, Run& r) {
    Connections conns(peers, o.connections);
    const auto pins = pins_of(conns);
    srv6steer::Steering s = srv6steer::Steering::open(kDev, o.bpffs);
    const uint64_t c0 = own_cpu_ns();
    const uint64_t t0 = now_ns();
    if (s.pin_sockets(pins) != o.connections)
        throw Failure("the library's pin_sockets did not pin every socket");
    const uint64_t t1 = now_ns();
    r.direct_cpu_ms = ms(c0, own_cpu_ns());
    const size_t listed = s.sockets().size();
    r.direct_ms = ms(t0, t1);
    r.list_ms = ms(t1, now_ns());
    if (listed != o.connections)
        throw Failure("the data plane lists " + std::to_string(listed) + " socket pins, not " +
                      std::to_string(o.connections));
}

std::string agent_binary() {
    if (const char* env = std::getenv("SRV6STEER_BIN"); env && *env)
        return env;
    return SRV6S_BENCH_CLI;  // the build's srv6steer (bench/CMakeLists.txt)
}

void report(const std::vector<Run>& all, const Options& o, const benchutil::Only& only) {
    struct Figure {
        const char* name;
        const char* what;
        double Run::*field;
    };
    const Figure figures[] = {
        {"rank_total", "connect + add_path + pin_sockets", &Run::total_ms},
        {"connect", "Steering::connect (socket, hello)", &Run::connect_ms},
        {"add_path", "add_path (content-addressed)", &Run::path_ms},
        {"pin_sockets", "pin_sockets, one call", &Run::pin_ms},
        {"direct", "reference: the library's own pin_sockets", &Run::direct_ms},
        {"list", "reference: the library's sockets() then", &Run::list_ms},
        {"pin_cpu", "pin_sockets on-CPU, the rank's + the agent's", &Run::pin_cpu_ms},
        {"direct_cpu", "the reference's pin_sockets on-CPU", &Run::direct_cpu_ms},
    };
    std::fprintf(stderr, "\n%-12s %-42s %9s %9s %9s\n", "case", "what", "ms", "min", "max");
    for (const Figure& f : figures) {
        if (!only.selects(f.name))
            continue;
        std::vector<double> v;
        for (const Run& r : all)
            v.push_back(r.*f.field);
        const double med = median(v);
        const bool goal = f.field == &Run::total_ms;
        std::fprintf(stderr, "%-12s %-42s %9.2f %9.2f %9.2f%s\n", f.name, f.what, med,
                     *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()),
                     goal ? (med <= kGoalMs ? "  goal <= 50 ms: PASS" : "  goal <= 50 ms: MISS") : "");
        if (goal) {
            const auto over = std::count_if(v.begin(), v.end(), [](double x) { return x > kGoalMs; });
            std::fprintf(stderr, "%-12s %ld of %zu ranks over 50 ms\n", "", static_cast<long>(over), v.size());
        }
        json("agent_pin_ms", f.name, med, "ms", goal ? std::optional<double>(kGoalMs) : std::nullopt, 2);
        if (f.field == &Run::pin_ms || f.field == &Run::direct_ms)
            json("agent_pins_per_s", f.name, med > 0 ? o.connections * 1e3 / med : 0, "pins/s", std::nullopt, 0);
    }
}

int bench(int argc, char** argv) {
    Options o;
    cxxopts::Options spec("bench_agent", "ms for one rank to pin its TCP connections through srv6steer agent");
    spec.add_options()
        ("runs", "measured runs (ranks)", cxxopts::value(o.runs)->default_value("9"))
        ("connections", "TCP connections per rank", cxxopts::value(o.connections)->default_value("1024"))
        ("peers", "peer addresses the connections go to", cxxopts::value(o.peers)->default_value("8"))
        ("uid", "the ranks' uid (0: root, which the agent's quota does not limit)",
         cxxopts::value(o.uid)->default_value("65534"));
    const benchutil::Common common = benchutil::parse_options(spec, argc, argv);
    if (common.list) {
        std::printf("rank_total\nconnect\nadd_path\npin_sockets\ndirect\nlist\npin_cpu\ndirect_cpu\n");
        return 0;
    }
    if (o.runs == 0 || o.connections == 0 || o.peers == 0 || o.peers > 200)
        throw Failure("--runs and --connections must be at least 1, --peers 1 to 200");
    benchutil::pin_cpu(common.cpu);

    benchns::Private ns("agent");
    o.bpffs = ns.bpffs();
    o.socket = ns.bpffs() + ".sock";
    const std::string config = ns.bpffs() + ".json";
    struct Cleanup {  // what the run leaves in /tmp: the config, the socket and its lock
        std::vector<std::string> files;
        ~Cleanup() {
            for (const std::string& f : files)
                unlink(f.c_str());
        }
    } cleanup{{config, o.socket, o.socket + ".lock"}};
    benchns::ip({"link", "set", "lo", "up"});
    const Peers peers(o.peers);
    std::ofstream(config) << "{}\n";
    const std::string bin = agent_binary();
    std::fprintf(stderr, "# bench_agent: kernel %s%s, %s, %u connections per rank to %u peers, ranks as uid %u, %u runs\n",
                 benchutil::kernel_release().c_str(), benchutil::cpu_text(common.cpu).c_str(), bin.c_str(),
                 o.connections, o.peers, o.uid, o.runs);
    Agent agent(bin, {"agent", "--bpffs", o.bpffs, "-c", config, "-d", kDev, "--socket", o.socket, "--socket-mode",
                      "0666", "-v"});
    agent.wait_log("round 1 done", std::chrono::seconds(30));
    o.agent = agent.pid();
    srv6steer::Steering::open(kDev, o.bpffs).add_path(rank_path());  // the reference's own path

    one_rank(o, peers);  // warm-up
    std::vector<Run> all;
    for (uint32_t i = 0; i < o.runs; i++) {
        all.push_back(one_rank(o, peers));
        direct(o, peers, all.back());
    }
    report(all, o, common.only);
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return benchutil::run_main("bench_agent", bench, argc, argv); }
