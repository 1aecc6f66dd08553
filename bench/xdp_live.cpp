// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_xdp_live: nanoseconds per frame that srv6steer's receive-side XDP
 * program (bpf/srv6steer_decap.bpf.c) adds over an XDP program that returns
 * XDP_PASS (bench/xdp_pass.bpf.c), on a stream of real frames: the figure
 * bench_xdp_decap cannot give.
 *
 * Why a second method. bench_xdp_decap runs every frame in a call of its own
 * (BPF_PROG_TEST_RUN, repeat 1: an XDP test run does not restore a frame
 * the program shortened), so every map value the program touches is fetched
 * afresh after the syscall's own work pushed it out of the caches: it prices
 * the first frame of a burst. Here the programs run where they run on a
 * host, in the receive path of an interface, frame after frame, and their
 * time is the kernel's own per-program statistics (BPF_STATS_RUN_TIME:
 * run_time_ns / run_cnt, two clock reads around every run, paid by both
 * programs alike). What the decapsulation adds is the difference of the two
 * programs' time per run.
 *
 * Rig (a private network namespace, bench/netns.hpp): one veth pair per case,
 * the case's program attached to the receiving end (--mode generic, what
 * srv6steer picks on a veth, or native); the other end sends prebuilt
 * Ethernet frames from an AF_PACKET socket with sendmmsg (--batch per call)
 * from one pinned CPU. Every case is its own loaded object, so the
 * statistics of one program are one case's. After the program the kernel
 * drops the frame (forwarding off; nothing is listening).
 *
 * Cases (outer IPv6 to a local uDT46 SID, 64-byte TCP payload)
 *  pass            bench/xdp_pass.bpf.c, on reduced_v6 frames: the baseline
 *  floor           bench/xdp_floor_decap.bpf.c: strips and does nothing else
 *  reduced_v6      IPv6 in IPv6, one sender path, counted per path
 *  reduced_v4      IPv4 in IPv6
 *  srh_v6          IPv6 behind an SRH of 2, segments left 0
 *  reduced_v6_nostats  per-path counters off
 *  reduced_v6_paths    --paths sender paths (outer source x path id), one
 *                  frame of each in turn: the per-path table's misses
 *  not_ours        IPv6 TCP to a host address (one SID lookup, untouched)
 *
 * Rounds: --rounds rounds, each a turn of --slice frames of every case, the
 * order rotating every round; per round and case the program's ns per run
 * (run_time_ns / run_cnt over the turn). Reported: the median over rounds,
 * the median of the per-round differences against pass ("added"; goal at
 * most 50 ns for the decapsulating cases) and their range.
 *
 * Verification (a failure exits 2): every program must have run exactly
 * once per frame sent, and the srv6steer cases' reason counters must hold
 * every frame under the expected reason (decapsulated, not_ours).
 *
 * Output: a table on stderr; on stdout one JSON line per figure, e.g.
 *  {"bench":"xdp_live_added_ns","case":"reduced_v6","value":21.3,"unit":"ns","goal":50}
 * Run as root.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <cxxopts.hpp>

#include "bench_xdp_floor_decap.skel.h"
#include "bench_xdp_pass.skel.h"
#include "common.hpp"
#include "decap_harness.hpp"
#include "fd.hpp"
#include "netns.hpp"

using namespace testpkt;
using benchutil::Failure;

namespace {

constexpr double kGoalNs = 50.0;

struct Options {
    uint32_t rounds = 15;
    uint32_t slice = 100000;
    uint32_t batch = 64;
    uint32_t paths = 256;
    std::string mode = "generic";
    benchutil::Common common;
};

const Addr6 kSender = a6("fcbb:0:800:1::1");
const Addr6 kSid = a6("fcbb:0:e002:fe46::");  // uDT46
const Addr6 kSeg = a6("fcbb:0:1004:1001:1006:e002::");
const Addr6 kH1 = a6("fcbb:0:800:1::10");
const Addr6 kH2 = a6("fcbb:0:800:2::20");

// The frame as it arrives: outer IPv6 from src with path id `path` in the
// flow label (include/srv6steer/flowhash.h), SRH if segs, then the inner
// frame's IP packet.
Bytes arriving(const Bytes& inner, const Addr6& src, uint32_t path, const Addr6& dst,
               const std::vector<Addr6>& segs) {
    const uint8_t nh = inner[12] == 0x08 ? 4 : 41;
    Builder b;
    b.eth(0x86dd).ipv6(src, dst, segs.empty() ? nh : 43, 0, 0x5a000 | path);
    if (!segs.empty())
        b.srh(nh, 0, segs);
    return b.raw(inner.data() + 14, inner.size() - 14).build();
}

using srv6steer::UniqueFd;

struct PassSkel {
    void operator()(bench_xdp_pass* s) const { bench_xdp_pass__destroy(s); }
};
struct FloorSkel {
    void operator()(bench_xdp_floor_decap* s) const { bench_xdp_floor_decap__destroy(s); }
};

struct Case {
    std::string name, what;
    std::vector<Bytes> frames;                // sent in turn
    srv6s_rx_reason reason = SRV6S_RX_R_MAX;  // srv6steer's cases: every frame's reason
    uint32_t flags = SRV6S_RX_CFG_DEFAULT;
    // The loaded program: one object per case, so its statistics are the case's.
    std::shared_ptr<void> object;
    std::unique_ptr<DecapHarness> harness;
    int prog = -1;
    // The rig.
    std::string rx, tx;  // receiving (program attached) and sending veth ends
    int rx_ifindex = 0;
    UniqueFd sock;
    std::vector<double> ns_per_run;  // per round
    uint64_t sent = 0;
    uint64_t run_cnt0 = 0;
};

std::vector<Case> make_cases(const Options& o) {
    const Bytes i6 = Builder().eth(0x86dd).ipv6(kH1, kH2, 6).tcp(40000, 5201).payload(64).build();
    const Bytes i4 = Builder().eth(0x0800).ipv4("10.0.1.10", "10.0.2.20", 6).tcp(40000, 5201).payload(64).build();
    const Bytes r6 = arriving(i6, kSender, 7, kSid, {});
    std::vector<Bytes> many;
    for (uint32_t i = 0; i < o.paths; i++) {
        Addr6 src = kSender;
        src[14] = static_cast<uint8_t>(i >> 10);
        src[15] = static_cast<uint8_t>(1 + ((i >> 2) & 0xff));
        many.push_back(arriving(i6, src, i & 3, kSid, {}));
    }
    std::vector<Case> cs;
    auto add = [&](std::string name, std::string what, std::vector<Bytes> frames, srv6s_rx_reason r,
                   uint32_t flags = SRV6S_RX_CFG_DEFAULT) {
        Case c;
        c.name = std::move(name);
        c.what = std::move(what);
        c.frames = std::move(frames);
        c.reason = r;
        c.flags = flags;
        cs.push_back(std::move(c));
    };
    add("pass", "XDP_PASS, reduced_v6 frames (the baseline)", {r6}, SRV6S_RX_R_MAX);
    add("floor", "strip only (bench/xdp_floor_decap.bpf.c)", {r6}, SRV6S_RX_R_MAX);
    add("reduced_v6", "IPv6 in IPv6, one sender path", {r6}, SRV6S_RX_DECAPSULATED);
    add("reduced_v4", "IPv4 in IPv6", {arriving(i4, kSender, 7, kSid, {})}, SRV6S_RX_DECAPSULATED);
    add("srh_v6", "IPv6, SRH of 2, SL 0", {arriving(i6, kSender, 7, kSid, {kSid, kSeg})}, SRV6S_RX_DECAPSULATED);
    add("reduced_v6_nostats", "reduced_v6, per-path counters off", {r6}, SRV6S_RX_DECAPSULATED,
        SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_NO_PATH_STATS);
    add("reduced_v6_paths", std::to_string(o.paths) + " sender paths in turn", many, SRV6S_RX_DECAPSULATED);
    add("not_ours", "IPv6 TCP to a host address", {i6}, SRV6S_RX_NOT_OURS);
    return cs;
}

void load(Case& c) {
    if (c.name == "pass") {
        std::shared_ptr<bench_xdp_pass> s(bench_xdp_pass__open_and_load(), PassSkel{});
        if (!s)
            throw Failure("loading bench/xdp_pass.bpf.c: " + std::string(std::strerror(errno)));
        c.prog = bpf_program__fd(s->progs.bench_xdp_pass);
        c.object = s;
    } else if (c.name == "floor") {
        std::shared_ptr<bench_xdp_floor_decap> s(bench_xdp_floor_decap__open_and_load(), FloorSkel{});
        if (!s)
            throw Failure("loading bench/xdp_floor_decap.bpf.c: " + std::string(std::strerror(errno)));
        c.prog = bpf_program__fd(s->progs.bench_xdp_floor_decap);
        c.object = s;
    } else {
        c.harness = std::make_unique<DecapHarness>(4096);
        c.harness->config(c.flags);
        c.harness->sid(kSid, 64, SRV6S_SID_UDT46);
        c.prog = c.harness->prog_fd(Hook::Xdp);
    }
}

void write_file(const std::string& path, const std::string& text) {
    FILE* f = std::fopen(path.c_str(), "w");
    const bool ok = f && std::fputs(text.c_str(), f) >= 0;
    if (!f || std::fclose(f) != 0 || !ok)
        throw Failure("writing " + path + ": " + std::strerror(errno));
}

bpf_prog_info prog_info(int fd) {
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len))
        throw Failure("reading a program's statistics: " + std::string(std::strerror(errno)));
    return info;
}

// The veth pair of case i, its program on the receiving end, a packet
// socket on the sending end.
void rig(Case& c, size_t i, const std::string& mode) {
    c.rx = "xl" + std::to_string(i) + "r";
    c.tx = "xl" + std::to_string(i) + "t";
    benchns::ip({"link", "add", c.rx, "type", "veth", "peer", "name", c.tx});
    benchns::ip({"link", "set", c.rx, "up"});
    benchns::ip({"link", "set", c.tx, "up"});
    c.rx_ifindex = static_cast<int>(if_nametoindex(c.rx.c_str()));
    const int tx_ifindex = static_cast<int>(if_nametoindex(c.tx.c_str()));
    if (!c.rx_ifindex || !tx_ifindex)
        throw Failure("veth " + c.rx + " did not appear");
    const uint32_t flags = mode == "native" ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
    if (int err = bpf_xdp_attach(c.rx_ifindex, c.prog, flags, nullptr))
        throw Failure("attaching XDP (" + mode + ") to " + c.rx + ": " + std::strerror(-err));

    c.sock = UniqueFd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));  // protocol 0: sends only
    if (!c.sock)
        throw Failure(std::string("AF_PACKET socket: ") + std::strerror(errno));
    sockaddr_ll a{};
    a.sll_family = AF_PACKET;
    a.sll_ifindex = tx_ifindex;
    if (bind(c.sock.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)))
        throw Failure(std::string("binding the packet socket: ") + std::strerror(errno));
    const int one = 1;
    setsockopt(c.sock.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
    c.run_cnt0 = prog_info(c.prog).run_cnt;
}

// Sends n frames of c (in turn), batch at a time; the frames sent.
uint64_t send(Case& c, uint64_t n, uint32_t batch) {
    std::vector<mmsghdr> msgs(batch);
    std::vector<iovec> iov(batch);
    uint64_t done = 0;
    size_t next = 0;
    while (done < n) {
        const uint32_t k = static_cast<uint32_t>(std::min<uint64_t>(batch, n - done));
        for (uint32_t j = 0; j < k; j++) {
            Bytes& f = c.frames[next];
            next = (next + 1) % c.frames.size();
            iov[j] = {f.data(), f.size()};
            msgs[j] = {};
            msgs[j].msg_hdr.msg_iov = &iov[j];
            msgs[j].msg_hdr.msg_iovlen = 1;
        }
        const int r = sendmmsg(c.sock.get(), msgs.data(), k, 0);
        if (r < 0) {
            if (errno == ENOBUFS || errno == EAGAIN)
                continue;
            throw Failure(std::string("sendmmsg: ") + std::strerror(errno));
        }
        done += static_cast<uint64_t>(r);
        // A partial batch leaves `next` ahead of what was sent: frames of a
        // case are equivalent for its figure, so that only reorders them.
    }
    return done;
}

}  // namespace

int main(int argc, char** argv) {
    return benchutil::run_main("bench_xdp_live", [](int ac, char** av) {
        Options o;
        cxxopts::Options spec("bench_xdp_live",
                              "ns per frame srv6steer's XDP decapsulation adds over XDP_PASS, on a stream of frames");
        spec.add_options()
            ("rounds", "rounds (a turn of every case each)", cxxopts::value(o.rounds)->default_value("15"))
            ("slice", "frames per case and turn", cxxopts::value(o.slice)->default_value("100000"))
            ("batch", "frames per sendmmsg call", cxxopts::value(o.batch)->default_value("64"))
            ("paths", "sender paths of reduced_v6_paths", cxxopts::value(o.paths)->default_value("256"))
            ("mode", "XDP mode: generic or native", cxxopts::value(o.mode)->default_value("generic"));
        o.common = benchutil::parse_options(spec, ac, av);
        if (o.mode != "generic" && o.mode != "native")
            throw Failure("--mode is generic or native");
        if (o.rounds == 0 || o.slice == 0 || o.batch == 0 || o.paths == 0)
            throw Failure("--rounds, --slice, --batch and --paths must be positive");
        std::vector<Case> cases;
        for (Case& c : make_cases(o))
            if (c.name == "pass" || o.common.only.selects(c.name))
                cases.push_back(std::move(c));
        if (o.common.list) {
            for (const Case& c : cases)
                std::fprintf(stderr, "%-20s %s\n", c.name.c_str(), c.what.c_str());
            return 0;
        }

        benchns::Private ns("xdp-live");
        // No IPv6 of the namespace's own (router solicitations, MLD) on the
        // rig: every frame a program sees is one this benchmark sent.
        for (const char* knob : {"all", "default"})
            write_file(std::string("/proc/sys/net/ipv6/conf/") + knob + "/disable_ipv6", "1");
        const int cpu = o.common.cpu >= 0 ? o.common.cpu : static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)) - 1;
        benchutil::pin_cpu(cpu);
        const int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
        UniqueFd stats(stats_fd < 0 ? -1 : stats_fd);
        if (!stats)
            throw Failure(std::string("enabling BPF run-time statistics: ") + std::strerror(errno));
        for (size_t i = 0; i < cases.size(); i++) {
            load(cases[i]);
            rig(cases[i], i, o.mode);
        }
        std::fprintf(stderr, "# bench_xdp_live: kernel %s%s, XDP %s, %u rounds of %u frames per case, %u per call\n",
                     benchutil::kernel_release().c_str(), benchutil::cpu_text(cpu).c_str(), o.mode.c_str(),
                     o.rounds, o.slice, o.batch);
        for (Case& c : cases)  // warm-up, not measured
            send(c, o.slice / 10 + 1, o.batch);

        for (uint32_t r = 0; r < o.rounds; r++) {
            for (size_t k = 0; k < cases.size(); k++) {
                Case& c = cases[(k + r) % cases.size()];
                const bpf_prog_info before = prog_info(c.prog);
                const uint64_t n = send(c, o.slice, o.batch);
                const bpf_prog_info after = prog_info(c.prog);
                const uint64_t runs = after.run_cnt - before.run_cnt;
                if (runs != n)
                    throw Failure(c.name + ": the program ran " + std::to_string(runs) + " times for " +
                                  std::to_string(n) + " frames sent");
                c.sent += n;
                c.ns_per_run.push_back(static_cast<double>(after.run_time_ns - before.run_time_ns) /
                                       static_cast<double>(runs));
            }
        }

        for (const Case& c : cases) {
            if (!c.harness)
                continue;
            const auto reasons = c.harness->reasons();
            const uint64_t total = prog_info(c.prog).run_cnt - c.run_cnt0;
            if (reasons[c.reason].packets != total)
                throw Failure(c.name + ": " + std::to_string(reasons[c.reason].packets) + " of " +
                              std::to_string(total) + " frames counted under the expected reason");
        }

        const Case& base = cases.front();
        std::fprintf(stderr, "\nns per frame in the XDP program (kernel run-time statistics), a stream of frames\n");
        std::fprintf(stderr, "%-20s %-40s %8s %8s %17s  %s\n", "case", "frames", "prog ns", "added", "added range",
                     "goal <= 50 ns");
        for (const Case& c : cases) {
            std::vector<double> added;
            for (size_t r = 0; r < c.ns_per_run.size(); r++)
                added.push_back(c.ns_per_run[r] - base.ns_per_run[r]);
            const double med = benchutil::median(c.ns_per_run), add = benchutil::median(added);
            const auto [lo, hi] = std::minmax_element(added.begin(), added.end());
            const bool judged = c.harness && c.reason == SRV6S_RX_DECAPSULATED;
            std::fprintf(stderr, "%-20s %-40s %8.1f %8.1f %8.1f..%-8.1f %s\n", c.name.c_str(), c.what.c_str(), med,
                         add, *lo, *hi, !judged ? "-" : add <= kGoalNs ? "PASS" : "MISS");
            benchutil::json("xdp_live_prog_ns", c.name, med, "ns");
            if (&c != &base)
                benchutil::json("xdp_live_added_ns", c.name, add, "ns",
                                judged ? std::optional<double>(kGoalNs) : std::nullopt);
        }
        return 0;
    }, argc, argv);
}
