// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_pins: pins per second, srv6steer's map updates against the seed's
 * method of one kernel SRv6 route per destination, measured side by side in
 * one run. Goals: a batch of pins at 1,000,000 pins/s or more, and at least
 * 20x the route method.
 *
 * Cases. Every case runs --reps times, interleaved (round 1 runs every case
 * once, then round 2, ...) so machine noise and drift hit all of them alike;
 * each run starts from a fresh state (a new map, an empty route table) and the
 * median is reported, with min and max.
 *  single          Steering::pin(flow, target) one by one, default PinOptions
 *                  (as a caller writes it), on a load_unattached instance:
 *                  the maps alone, no TC attachment, no route MTUs.
 *  single_opts     the same with one PinOptions built once and reused (a
 *                  default PinOptions runs Owner::self(), which reads
 *                  /proc/self/cgroup, on every call).
 *  batch           Steering::pin_flows of --batch flows in one call (the call
 *                  timed; building the vector is not), maps alone as above.
 *  batch_map_only  reference: the kernel's share of a batch, one
 *                  bpf_map_update_batch of the same keys and values into a
 *                  fresh hash map of the flow map's shape, no user-space work;
 *                  batch / batch_map_only is the share of pin_flows's time the
 *                  kernel takes.
 *  route_netlink   the seed's method, as its PyTorch plugin did per pair and
 *                  `ip -6 route add DST/128 encap seg6 mode encap.red segs C
 *                  dev DEV` does: one RTM_NEWROUTE (RTA_ENCAP_TYPE seg6,
 *                  RTA_ENCAP/SEG6_IPTUNNEL_SRH {mode encap.red, SRH}) built by
 *                  hand and sent on the library's NETLINK_ROUTE socket
 *                  (libsrv6steer/netlink/socket.hpp), one request and its ack
 *                  per route, from C++ (the plugin went through Python, so this
 *                  is the route method at its fastest one by one).
 *  route_netlink_pipelined  reference: the same messages, 256 per send, the
 *                  acks read afterwards (the best rtnetlink allows: it has no
 *                  batch route call). Sent this fast, the kernel refuses some
 *                  seg6 routes with ENOMEM (see kRetryUs in pins_routes.hpp); they are
 *                  retried, the waits count, and the retries are reported.
 *  route_exec      reference: fork/exec of `ip -6 route add ...` per route,
 *                  literally what the seed plugin ran (small N).
 *  single_attached           Steering::pin on an instance attached (tcx) to a
 *                  veth, state pinned in a private bpffs, route_mtu off.
 *  single_attached_one_dst   route_mtu on, every pin to the same destination
 *                  (one route MTU, set by the first pin).
 *  single_attached_new_dst   route_mtu on, a new destination per pin: every
 *                  pin also adds a /128 route with the reduced MTU. The rates
 *                  of the first and the last tenth of the pins are figures of
 *                  their own: they show whether a pin's cost grows with the
 *                  number of routes already there.
 *  batch_attached  pin_flows of --batch flows over --batch-dsts destinations on
 *                  the attached instance, route_mtu on (a route MTU each).
 * Clean-up is timed too: routes deleted one by one over netlink (or 256 per
 * send), in routes per second; Steering::detach of the attached cases, in ms.
 *
 * Isolation (pins_env.hpp): the process unshares its network and mount
 * namespaces first, so everything runs in a private network namespace (lo, a
 * veth pair with fcbb:0:800:1::1/64, fcbb:0:900::/40 routed out of it, set up
 * with `ip`) and a private bpffs mounted on a temporary directory; all of it
 * disappears when the process exits (the directory is removed at exit).
 *
 * Files: pins_env (the namespaces and addresses), pins_routes (the route
 * method), pins_cases (the cases), pins_report (JSON and table), this file
 * (options, the rounds).
 *
 * Verification (a failure exits 2): before anything is timed, one route added
 * by `ip` and one by the hand-built message must come back from the kernel with
 * the same seg6 encapsulation; after each timed step, the flow map must hold
 * exactly the pinned flows with their target (pin_flows: every key compared),
 * the kernel must hold exactly N seg6 /128 routes with that encapsulation
 * (route cases) or N route MTUs of srv6steer (new_dst), and after clean-up none
 * of them. A missed goal is reported ("goal missed"), exit status 0.
 *
 * Output: a table on stderr; on stdout one JSON line per figure, e.g.
 *  {"bench":"pins_per_s","case":"batch","value":1.8e6,"unit":"pins/s","goal":1000000}
 * Run as root.
 */
#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <cxxopts.hpp>

#include "common.hpp"
#include "pins_cases.hpp"
#include "pins_env.hpp"
#include "pins_report.hpp"
#include "pins_routes.hpp"

using namespace pins;

namespace {

using benchutil::Failure;

struct Options {
    uint32_t single = 20000;
    uint32_t batch = 1000000;
    uint32_t routes = 20000;
    uint32_t exec = 300;
    uint32_t attached = 2000;
    uint32_t batch_dsts = 256;
    uint32_t reps = 3;
    benchutil::Common common;
};

struct CaseInfo {
    const char* name;
    const char* what;
};

const std::vector<CaseInfo> kCases = {
    {"single", "Steering::pin one by one, maps alone"},
    {"single_opts", "the same, one PinOptions reused"},
    {"batch", "Steering::pin_flows, one call, maps alone"},
    {"batch_map_only", "bpf_map_update_batch alone, same keys"},
    {"route_netlink", "RTM_NEWROUTE seg6 encap.red + ack each"},
    {"route_netlink_pipelined", "the same, 256 requests per send"},
    {"route_exec", "fork/exec `ip -6 route add ... encap seg6`"},
    {"single_attached", "pin, attached (tcx), route_mtu off"},
    {"single_attached_one_dst", "pin, attached, route_mtu on, 1 dst"},
    {"single_attached_new_dst", "pin, attached, route_mtu on, a dst each"},
    {"batch_attached", "pin_flows, attached, route_mtu on"},
};

Options parse(int argc, char** argv) {
    cxxopts::Options spec("bench_pins",
                          "Pins per second: srv6steer's single and batch pins against one kernel "
                          "seg6 route per destination (netlink, and fork/exec of ip), side by side "
                          "in a private network namespace. Table on stderr, one JSON line per "
                          "figure on stdout.");
    Options o;
    spec.add_options()
        ("single", "flows pinned one by one (single, single_opts)",
         cxxopts::value(o.single)->default_value("20000"))
        ("batch", "flows in the pin_flows call (batch, batch_map_only, batch_attached)",
         cxxopts::value(o.batch)->default_value("1000000"))
        ("routes", "routes added one by one over netlink (route_netlink*)",
         cxxopts::value(o.routes)->default_value("20000"))
        ("exec", "routes added by fork/exec of ip (route_exec)",
         cxxopts::value(o.exec)->default_value("300"))
        ("attached", "flows pinned one by one on the attached instance (single_attached*)",
         cxxopts::value(o.attached)->default_value("2000"))
        ("batch-dsts", "destinations of the batch_attached flows (a route MTU each)",
         cxxopts::value(o.batch_dsts)->default_value("256"))
        ("reps", "repetitions, interleaved (every case once per round); medians are reported",
         cxxopts::value(o.reps)->default_value("3"));
    o.common = benchutil::parse_options(spec, argc, argv);
    if (o.common.list) {
        for (const CaseInfo& c : kCases)
            std::printf("%-26s %s\n", c.name, c.what);
        std::exit(0);
    }
    if (!o.single || !o.batch || !o.routes || !o.exec || !o.attached || !o.batch_dsts || !o.reps)
        throw Failure("--single, --batch, --routes, --exec, --attached, --batch-dsts and --reps must be at least 1");
    if (o.batch > (1u << 28) || o.single > (1u << 28) || o.attached > (1u << 24) || o.routes > (1u << 24) ||
        o.exec > (1u << 24) || o.batch_dsts > (1u << 24))
        throw Failure("--batch/--single at most 2^28, the other counts at most 2^24");
    if (std::none_of(kCases.begin(), kCases.end(),
                     [&](const CaseInfo& c) { return o.common.only.selects(c.name); }))
        throw Failure("no case matches --only (see --list)");
    return o;
}

// A case to run every round, and what it measured.
struct Case {
    Outcome out;
    std::function<void(Result&)> run;
};

int bench(int argc, char** argv) {
    const Options o = parse(argc, argv);
    benchutil::pin_cpu(o.common.cpu);
    Env env;

    std::fprintf(stderr,
                 "# bench_pins: kernel %s, %u interleaved rounds (every case once per round, medians "
                 "reported), private netns with veth %s/%s, private bpffs on %s%s\n",
                 benchutil::kernel_release().c_str(), o.reps, kDev, kPeer, env.bpffs().c_str(),
                 benchutil::cpu_text(o.common.cpu).c_str());
    check_route_message(env.nl(), env.oif());
    std::fprintf(stderr, "# route message check: a route added by `ip -6 route add ... encap seg6 mode "
                         "encap.red` and one added by the hand-built RTM_NEWROUTE read back with the same "
                         "encapsulation\n");

    // Inputs, built once (not timed).
    const Batch single = make_batch(o.single, map_flow);
    const Batch batch = make_batch(o.batch, map_flow);
    const Batch new_dst = make_batch(o.attached, [](uint32_t i) { return steer_flow(i, 0); });
    const Batch one_dst = make_batch(o.attached, [](uint32_t i) { return steer_flow(i, 1); });
    const Batch spread = make_batch(o.batch, [&](uint32_t i) { return steer_flow(i, o.batch_dsts); });
    RouteMsgs routes = make_routes(o.routes, env.oif());
    const uint32_t spread_dsts = std::min(o.batch_dsts, o.batch);

    std::vector<Case> cases;
    auto add = [&](const char* name, uint64_t n, std::function<void(Result&)> run, std::optional<double> goal = {},
                   std::string removal = "", const char* removal_unit = "pins/s") {
        if (!o.common.only.selects(name))
            return;
        const auto info = std::find_if(kCases.begin(), kCases.end(),
                                       [&](const CaseInfo& c) { return std::string(c.name) == name; });
        cases.push_back({{name, info->what, n, goal, std::move(removal), removal_unit, {}}, std::move(run)});
    };
    add("single", o.single, [&](Result& r) { run_single(single, false, "single", r); });
    add("single_opts", o.single, [&](Result& r) { run_single(single, true, "single_opts", r); });
    add("batch", o.batch, [&](Result& r) { run_batch(batch, r); }, kGoalBatch);
    add("batch_map_only", o.batch, [&](Result& r) { run_batch_map_only(batch, r); });
    add("route_netlink", o.routes, [&](Result& r) { run_route_netlink(env, routes, 1, "route_netlink", r); }, {},
        "RTM_DELROUTE + ack each", "routes/s");
    add("route_netlink_pipelined", o.routes,
        [&](Result& r) { run_route_netlink(env, routes, 256, "route_netlink_pipelined", r); }, {},
        "RTM_DELROUTE, 256 per send", "routes/s");
    add("route_exec", o.exec, [&](Result& r) { run_route_exec(env, o.exec, r); });
    add("single_attached", o.attached,
        [&](Result& r) { run_single_attached(env, new_dst, false, 0, "single_attached", false, r); }, {},
        "Steering::detach, route_mtu off", "ms");
    add("single_attached_one_dst", o.attached,
        [&](Result& r) { run_single_attached(env, one_dst, true, 1, "single_attached_one_dst", false, r); }, {},
        "Steering::detach, 1 route", "ms");
    add("single_attached_new_dst", o.attached,
        [&](Result& r) {
            run_single_attached(env, new_dst, true, o.attached, "single_attached_new_dst", true, r);
        },
        {}, "Steering::detach, a route per pin", "ms");
    add("batch_attached", o.batch, [&](Result& r) { run_batch_attached(env, spread, spread_dsts, r); }, {},
        "Steering::detach, " + std::to_string(spread_dsts) + " routes", "ms");
    for (Case& c : cases)
        if (c.out.name == "batch_attached")
            c.out.what += ", " + std::to_string(spread_dsts) + " dsts";

    for (uint32_t round = 0; round < o.reps; round++) {
        for (Case& c : cases) {
            c.run(c.out.res);
            std::fprintf(stderr, "# round %u %-26s %12.0f pins/s\n", round + 1, c.out.name.c_str(),
                         c.out.res.pins.rates.back());
        }
    }

    std::vector<Outcome> outcomes;
    for (Case& c : cases)
        outcomes.push_back(std::move(c.out));
    print_json(outcomes);
    print_table(outcomes, o.reps);
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return benchutil::run_main("bench_pins", bench, argc, argv); }
