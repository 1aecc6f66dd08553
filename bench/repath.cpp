// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Path failover without the lab (docs/design.md §16): how long after a path
// goes dark the prober has marked it down (its flows move at the next
// packet: the data plane reads the DOWN bit per packet), with 10 ms and 5 ms
// probes; and what probing costs: CPU of the prober's thread, bytes per
// second on the wire, per (path, host).
//
// This process (srv6steer on veth sb-rp0, fcbb:0:800:1::1) -- a far
// namespace that ends two paths with End.DT6 (fcbb:0:1::6, fcbb:0:2::6)
// and answers probes on fcbb:0:800:2::20 (a responder thread of this
// process, in that namespace). A prefix pin sends the host to set 10 =
// {1, 2}, so the prober probes both paths. A "cut" is the far end no longer
// seeing path 1: from the instant taken as the cut, the responder drops path
// 1's probes (exact, unlike a `tc` command whose effect lands somewhere
// within its run time).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "common.hpp"
#include "netns.hpp"
#include "srv6steer/probe.hpp"
#include "srv6steer/srv6steer.hpp"

using namespace srv6steer;
using benchutil::Failure;
using namespace std::chrono_literals;

namespace {

constexpr const char* kHost = "fcbb:0:800:1::1";
constexpr const char* kFar = "fcbb:0:800:2::20";
constexpr uint32_t kCut = 1, kOther = 2;
// On the wire per probe and reply, Ethernet included: request = 14 + outer
// IPv6 40 + inner IPv6 40 + UDP 8 + probe 56; reply by plain routing = 14 +
// 40 + 8 + 56.
constexpr double kRequestBytes = 158, kReplyBytes = 118;

// A network namespace of a child process (it pauses until killed).
class Far {
public:
    Far() {
        int ready[2];
        if (pipe(ready))
            throw Failure("pipe");
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            char ok = unshare(CLONE_NEWNET) == 0;
            (void)!write(ready[1], &ok, 1);
            pause();
            _exit(0);
        }
        char ok = 0;
        if (read(ready[0], &ok, 1) != 1 || !ok)
            throw Failure("the far namespace could not be made");
        close(ready[0]);
        close(ready[1]);
    }
    ~Far() {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    std::string pid() const { return std::to_string(pid_); }
    void run(const std::vector<std::string>& args) const {
        std::vector<std::string> cmd{"nsenter", "-t", pid(), "-n"};
        cmd.insert(cmd.end(), args.begin(), args.end());
        benchns::run(cmd);
    }

private:
    pid_t pid_ = -1;
};

// Answers probe requests (probe_abi.h) in the far namespace, on a thread.
class Responder {
public:
    explicit Responder(const Far& far) {
        std::string err;
        std::thread([&] {
            const int ns = open(("/proc/" + far.pid() + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
            if (ns < 0 || setns(ns, CLONE_NEWNET))
                err = "setns";
            else
                fd_ = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            sockaddr_in6 a{};
            a.sin6_family = AF_INET6;
            a.sin6_port = htons(SRV6S_PROBE_PORT);
            inet_pton(AF_INET6, kFar, &a.sin6_addr);
            if (err.empty() && bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a))
                err = std::string("bind: ") + std::strerror(errno);
            if (ns >= 0)
                close(ns);
        }).join();
        if (!err.empty())
            throw Failure("the responder: " + err);
        thread_ = std::thread([this] { loop(); });
    }
    ~Responder() {
        stop_ = true;
        thread_.join();
        close(fd_);
    }
    std::atomic<bool> cut{false};
    std::atomic<uint64_t> requests{0};

private:
    void loop() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 50) != 1)
                continue;
            srv6s_probe m{};
            sockaddr_in6 from{};
            socklen_t len = sizeof from;
            if (recvfrom(fd_, &m, sizeof m, 0, reinterpret_cast<sockaddr*>(&from), &len) != ssize_t(sizeof m))
                continue;
            requests++;
            if (m.type != SRV6S_PROBE_REQUEST || (cut && ntohl(m.path_id) == kCut))
                continue;
            m.type = SRV6S_PROBE_REPLY;
            sendto(fd_, &m, sizeof m, 0, reinterpret_cast<sockaddr*>(&from), len);
        }
    }
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

bool is_down(const Steering& s, uint32_t id) {
    for (const Path& p : s.paths())
        if (p.id == id)
            return p.down;
    return false;
}

// Serves the prober until done() (checked after each service), or `limit`.
template <class Done>
void serve(Prober& p, Done&& done, std::chrono::milliseconds limit, const char* what) {
    const auto end = ProbeClock::now() + limit;
    while (!done()) {
        const auto now = ProbeClock::now();
        if (now >= end)
        {
            std::string h;
            for (const auto& [id, ph] : p.health())
                h += " path " + std::to_string(id) + ": state " + std::to_string(ph.state) + ", sent " +
                     std::to_string(ph.sent) + ", replies " + std::to_string(ph.replies);
            throw Failure(std::string("timed out waiting for ") + what + ";" + h);
        }
        std::vector<pollfd> fds;
        for (int fd : p.fds())
            fds.push_back({fd, POLLIN, 0});
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(std::min(end, p.next_deadline()) - now).count();
        poll(fds.data(), fds.size(), int(std::clamp<int64_t>(ms, 0, 100)));
        p.service();
    }
}

uint64_t thread_cpu_ns() {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return uint64_t(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1'000'000'000ULL +
           uint64_t(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000ULL;
}

int bench(int argc, char** argv) {
    cxxopts::Options spec("bench_repath", "path failover: detection time after a cut, probe cost");
    int cuts = 20;
    spec.add_options()("cuts", "cuts per probe interval", cxxopts::value(cuts)->default_value("20"));
    const auto common = benchutil::parse_options(spec, argc, argv);
    const std::vector<std::string> cases{"detect_10ms", "detect_5ms", "cost_10ms"};
    if (common.list) {
        for (const auto& c : cases)
            std::printf("%s\n", c.c_str());
        return 0;
    }
    benchutil::pin_cpu(common.cpu);
    benchns::Private ns("repath");
    Far far;
    benchns::ip({"link", "set", "lo", "up"});
    benchns::ip({"link", "add", "sb-rp0", "address", "02:5e:00:00:01:02", "type", "veth", "peer", "name", "sb-rp1",
                 "address", "02:5e:00:00:02:01", "netns", far.pid()});
    benchns::ip({"addr", "add", std::string(kHost) + "/64", "dev", "sb-rp0", "nodad"});
    benchns::ip({"link", "set", "sb-rp0", "up"});
    far.run({"ip", "link", "set", "lo", "up"});
    far.run({"ip", "addr", "add", "fcbb:0:800:1::2/64", "dev", "sb-rp1", "nodad"});
    far.run({"ip", "addr", "add", std::string(kFar) + "/128", "dev", "lo"});
    far.run({"ip", "link", "set", "sb-rp1", "up"});
    far.run({"sysctl", "-qw", "net.ipv6.conf.all.seg6_enabled=1", "net.ipv6.conf.sb-rp1.seg6_enabled=1"});
    for (const char* sid : {"fcbb:0:1::6", "fcbb:0:2::6"})
        far.run({"ip", "-6", "route", "add", std::string(sid) + "/128", "encap", "seg6local", "action", "End.DT6",
                 "table", "254", "dev", "sb-rp1"});
    benchns::ip({"-6", "route", "add", "fcbb:0::/32", "via", "fcbb:0:800:1::2", "dev", "sb-rp0"});
    benchns::ip({"-6", "route", "add", std::string(kFar) + "/128", "via", "fcbb:0:800:1::2", "dev", "sb-rp0"});
    // Static neighbours: nothing waits for neighbour discovery.
    benchns::ip({"-6", "neigh", "add", "fcbb:0:800:1::2", "lladdr", "02:5e:00:00:02:01", "dev", "sb-rp0", "nud",
                 "permanent"});
    far.run({"ip", "-6", "neigh", "add", kHost, "lladdr", "02:5e:00:00:01:02", "dev", "sb-rp1", "nud", "permanent"});

    AttachOptions ao;
    ao.ifname = "sb-rp0";
    ao.bpffs = ns.bpffs();
    auto s = Steering::attach(ao);
    for (uint32_t id : {kCut, kOther}) {
        Path p;
        p.id = id;
        p.segments = {Ipv6::parse(id == kCut ? "fcbb:0:1::6" : "fcbb:0:2::6")};
        s.add_path(p);
    }
    s.define_set({10, {kCut, kOther}});
    s.pin(Prefix::parse(std::string(kFar) + "/128"), Target::set(10));
    Responder r(far);

    std::printf("# bench_repath: kernel %s%s; a cut = the far end stops seeing path 1's probes\n",
                benchutil::kernel_release().c_str(), benchutil::cpu_text(common.cpu).c_str());
    for (const auto interval : {10ms, 5ms}) {
        const std::string name = interval == 10ms ? "detect_10ms" : "detect_5ms";
        if (!common.only.selects(name))
            continue;
        ProberOptions o;
        o.interval = interval;
        o.policy = {3, 3, 50ms};
        Prober p(s, o);
        std::vector<double> ms;
        for (int i = 0; i < cuts; i++) {
            serve(p, [&] { return !is_down(s, kCut) && p.health().size() == 2 &&
                                  p.health()[0].second.state == SRV6S_HEALTH_UP; },
                  10s, "path 1 up");
            const auto cut = ProbeClock::now();
            r.cut = true;
            serve(p, [&] { return is_down(s, kCut); }, 10s, "path 1 down");
            ms.push_back(std::chrono::duration<double, std::milli>(ProbeClock::now() - cut).count());
            r.cut = false;
        }
        if (is_down(s, kOther))
            throw Failure("path 2 was marked down: the cut was not path 1's alone");
        std::sort(ms.begin(), ms.end());
        std::printf("# %s: misses 3, timeout 2 x interval: detection median %.1f ms, min %.1f, max %.1f (%d cuts)\n",
                    name.c_str(), benchutil::median(ms), ms.front(), ms.back(), cuts);
        benchutil::json("repath", name, benchutil::median(ms), "ms", 50.0);
    }
    if (common.only.selects("cost_10ms")) {
        ProberOptions o;
        Prober p(s, o);
        serve(p, [&] { return p.health().size() == 2 && p.health()[0].second.replies > 10; }, 10s, "replies");
        const uint64_t sent0 = p.health()[0].second.sent + p.health()[1].second.sent;
        const uint64_t cpu0 = thread_cpu_ns(), t0 = benchutil::now_ns();
        const auto until = ProbeClock::now() + 5s;
        serve(p, [&] { return ProbeClock::now() >= until; }, 10s, "5 s of probes");
        const double secs = double(benchutil::now_ns() - t0) / 1e9;
        const uint64_t sent = p.health()[0].second.sent + p.health()[1].second.sent - sent0;
        const double cpu = double(thread_cpu_ns() - cpu0) / 1e9 / secs * 100;
        const double per_target = double(sent) / secs / 2;
        std::printf("# cost_10ms: 2 paths x 1 host, %.0f probes/s each: prober thread %.2f %% of a CPU "
                    "(%.3f %% per path), %.0f bytes/s per path on the wire (requests + replies)\n",
                    per_target, cpu, cpu / 2, per_target * (kRequestBytes + kReplyBytes));
        benchutil::json("repath", "cost_10ms_cpu_per_path", cpu / 2, "%", std::nullopt, 3);
        benchutil::json("repath", "cost_10ms_bytes_per_path", per_target * (kRequestBytes + kReplyBytes), "B/s");
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return benchutil::run_main("bench_repath", bench, argc, argv); }
