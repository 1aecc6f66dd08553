// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_stack: what a packet costs in the whole sending stack with srv6steer
 * steering it, against plain routing, the least a TC program can do to
 * encapsulate (bench/floor_encap.bpf.c, "the floor") and the kernel's own
 * `ip -6 route ... encap seg6 mode encap.red` route, on real traffic, side by
 * side in one run. Goals: a socket pin costs at most 1.05x the floor; with
 * 65,536 live pinned sockets at most 1.1x the cost with one, with 65,536
 * live flow pins at most 1.3x the cost with one (each over its control).
 *
 * Traffic. Small UDP datagrams (--payload, 64 bytes) sent with sendmmsg
 * (--batch datagrams per call) by one thread pinned to one CPU (--cpu; by
 * default the last CPU this process may use), SCHED_FIFO unless
 * --realtime=false so that other tasks on that CPU do not run in the middle
 * of a turn. Each datagram goes down the whole stack: UDP, IPv6/IPv4 output
 * with the socket's cached route, the neighbour, TC egress (where the
 * programs run), veth, and the peer's receive path as far as its TC ingress,
 * where bench/sink.bpf.c drops it (veth hands the packet over on the same
 * CPU in the same call, so that part is timed too, equally for every case).
 * The figure is wall-clock time over packets sent: ns per packet, and packets
 * per second. UDP skbs are built with just the link layer's headroom, so
 * every encapsulating case (the floor, srv6steer, the kernel's route) pays a
 * reallocation of the skb head for the 40 bytes it pushes.
 *
 * Isolation (bench/stack_env.hpp): a private network namespace and bpffs,
 * one veth pair per kind of egress (nothing attached; the floor; srv6steer
 * with one pin of each kind; srv6steer with one socket and one flow pin;
 * srv6steer with 65,536 of each), every case's traffic to a network of its
 * own, so every case is set up once before the rounds.
 *
 * Cases (bench/stack_cases.cpp; --list prints them). For IPv6 and IPv4
 * inner packets, each from one connected socket: plain routing; the floor;
 * the kernel's seg6 encap.red route (one segment: outer IPv6, no SRH, as
 * srv6steer's path) with the namespace's tunnel source set (`ip sr tunsrc
 * set`), and the same route without it (as the seed's lab runs it: the
 * kernel then picks the outer source for every packet, walking every
 * address of the namespace; the case clears tunsrc for its turns only);
 * srv6steer socket pin, flow pin, prefix pin, and a miss (attached, a pin of
 * each kind present, none for this traffic). Every encapsulating case pushes
 * the same header: outer IPv6 to fcbb:0:1004:1001:1006:fe06:: (H.Encaps.Red,
 * one uSID container).
 * Scaling (IPv6, --many live, default 65,536):
 *  - sockets: 1 pinned socket vs --many pinned sockets, sending from one of
 *    them (a socket's pin is in its own storage: there is no shared table)
 *    and rotating over them (each sendmmsg call, of --rotate-batch
 *    datagrams, on the next socket). One process may hold only
 *    RLIMIT_NOFILE fds (its hard limit is raised only with
 *    CAP_SYS_RESOURCE): then the sender holds and rotates over as many as it
 *    can (8,192 under a limit of 20,000) and child processes hold the rest
 *    (bench/fd_holder.hpp). Rotating over thousands of sockets costs the
 *    socket layer cache misses of its own, with or without pins, so the same
 *    rotation is measured over as many unpinned sockets through the floor,
 *    and the goal is checked on the pins' own share: (pinned, rotating / 1)
 *    over (unpinned, rotating / 1).
 *  - flows: one unconnected socket (every datagram its own route lookup,
 *    the same in every flow case), 1 flow pin in a table of --max-flows
 *    entries vs --many flow pins in the same size of table, sending to one of
 *    them and to every flow in turn (each datagram the next flow of a fixed
 *    random order). The control sends the same way through the floor, to one
 *    destination and to the same destinations in the same order: what the
 *    sender and the route lookups pay for changing destination is in both,
 *    so the goal is checked on the ratio of the two ratios (the pins' own
 *    share: the flow table's cache and TLB misses); the raw ratio is shown.
 *
 * Rounds (bench/stack_rounds.hpp): --rounds (default 15) rounds of --packets
 * (50,000) datagrams per case, each round made of turns of --slice (5,000)
 * datagrams of every case in a rotating order, so that every case's round
 * spans the same stretch of time; reported are the median, min and max over
 * the rounds and the spread (max - min) / median. Ratios are taken per
 * round, then their median is reported (and judged against the goal) with
 * their range, every round's value, and the ratio of the two cases' best
 * rounds (a load that slows some rounds can only raise the others). Many
 * short rounds rather than a few long ones: on a shared machine a ratio's
 * spread over rounds is several times the few per cent the goals are about,
 * and the median of 15 moves less than the median of 7. --prog-time adds the
 * TC programs' own ns per packet (the kernel's run-time statistics).
 *
 * Verification (a failure exits 2): the peers' sinks must count exactly the
 * packets sent, all of the case's shape (outer IPv6 to the path's segment
 * with the right inner packet, or plain UDP), after every turn; srv6steer's
 * own counters must show every packet of the warm-up under the expected
 * reason (steered, or no_match for the miss); the scaling attachments must
 * list --many socket pins and flow pins. A missed goal is reported (MISS),
 * exit status 0.
 *
 * Output: a table on stderr (cpu%: the thread's CPU time over wall time,
 * ~100 when nothing else ran; *: preempted or late packets, counted on the
 * next line), ratios with goals, PASS/MISS; on stdout one JSON line per
 * figure, e.g.
 *  {"bench":"stack_ratio","case":"socket_pin_v6/floor_v6","value":1.012,"unit":"x","goal":1.05}
 * and for every ratio stack_ratio_min, stack_ratio_max (over the rounds) and
 * stack_ratio_best (of the best rounds).
 * Run as root.
 */
#include <bpf/bpf.h>
#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <cxxopts.hpp>

#include "common.hpp"
#include "stack_cases.hpp"
#include "stack_report.hpp"
#include "stack_rounds.hpp"

using namespace stack;
using benchutil::Failure;

namespace {

// The last CPU this process may run on.
int default_cpu() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set))
        return 0;
    for (int cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--)
        if (CPU_ISSET(cpu, &set))
            return cpu;
    return 0;
}

int bench(int argc, char** argv) {
    Options o;
    cxxopts::Options spec("bench_stack", "ns per packet in the whole stack: srv6steer vs plain routing, a minimal "
                                         "TC encap and the kernel's seg6 route");
    spec.add_options()
        ("packets", "datagrams per case and round", cxxopts::value(o.packets)->default_value("50000"))
        ("rounds", "rounds (every case once per round)", cxxopts::value(o.rounds)->default_value("15"))
        ("slice", "datagrams per case and turn: a round is turns of every case in turn",
         cxxopts::value(o.slice)->default_value("5000"))
        ("batch", "datagrams per sendmmsg call", cxxopts::value(o.batch)->default_value("32"))
        ("rotate-batch", "datagrams per call in the socket scaling cases",
         cxxopts::value(o.rotate_batch)->default_value("1"))
        ("payload", "UDP payload bytes", cxxopts::value(o.payload)->default_value("64"))
        ("many", "live sockets and flows of the scaling cases", cxxopts::value(o.many)->default_value("65536"))
        ("max-flows", "flow pins the scaling attachments take (their table has twice as many slots)",
         cxxopts::value(o.max_flows)->default_value("524288"))
        ("realtime", "run SCHED_FIFO during the rounds (--realtime=false: do not)",
         cxxopts::value(o.realtime)->default_value("true"))
        ("prog-time", "also report the TC programs' own ns per packet (BPF_STATS_RUN_TIME: adds the "
                      "kernel's two clock reads to every program run)",
         cxxopts::value(o.prog_time)->default_value("false")->implicit_value("true"));
    o.common = benchutil::parse_options(spec, argc, argv);
    if (o.rounds == 0 || o.packets == 0 || o.slice == 0 || o.batch == 0 || o.rotate_batch == 0 || o.many == 0)
        throw Failure("--rounds, --packets, --slice, --batch, --rotate-batch and --many must be at least 1");

    std::vector<const Spec*> selected;
    for (const Spec& s : specs())
        if (o.common.only.selects(s.name))
            selected.push_back(&s);
    if (o.common.list) {
        for (const Spec& s : specs())
            std::printf("%-22s %s\n", s.name, describe(s, o).c_str());
        return 0;
    }
    if (selected.empty())
        throw Failure("no case matches --only (see --list)");

    o.rotate = fd_budget(o);
    const int cpu = o.common.cpu >= 0 ? o.common.cpu : default_cpu();
    benchutil::pin_cpu(cpu);
    std::fprintf(stderr, "# bench_stack: kernel %s, CPU %d, %llu datagrams of %u bytes per case and round, "
                         "%u per sendmmsg, %u rounds\n",
                 benchutil::kernel_release().c_str(), cpu, static_cast<unsigned long long>(o.packets), o.payload,
                 o.batch, o.rounds);
    std::fprintf(stderr, "# setting up %zu cases...\n", selected.size());
    Setup setup(o, selected);
    std::vector<Case>& cases = setup.cases();

    std::fprintf(stderr, "# %zu IPv6 addresses in the namespace\n", setup.env().ipv6_addresses());
    warm_up(setup.env(), cases, o);
    UniqueFd stats;  // run-time statistics while it is open
    if (o.prog_time && !(stats = UniqueFd(bpf_enable_stats(BPF_STATS_RUN_TIME))))
        throw Failure(std::string("enabling BPF_STATS_RUN_TIME: ") + std::strerror(errno));
    const bool rt = o.realtime && realtime();
    std::fprintf(stderr, "# scheduling: %s\n",
                 rt ? "SCHED_FIFO" : (o.realtime ? "normal (SCHED_FIFO refused)" : "normal (--realtime=false)"));

    run_rounds(setup.env(), cases, o);
    report(cases, o);
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return benchutil::run_main("bench_stack", bench, argc, argv); }
