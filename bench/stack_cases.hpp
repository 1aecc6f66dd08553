// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// bench_stack's cases: what each one sends, through which device, and what
// the peer's sink must see of every packet; set up once, before the rounds
// (bench/stack.cpp describes them).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "fd_holder.hpp"
#include "stack_env.hpp"
#include "stack_send.hpp"

namespace stack {

struct Options {
    uint64_t packets = 100000;   // per case and round
    uint32_t rounds = 7;
    uint32_t slice = 10000;      // per case and turn (stack_rounds.hpp)
    uint32_t batch = 32;         // datagrams per sendmmsg call
    uint32_t rotate_batch = 1;   // per call in the socket cases (a call per socket)
    uint32_t payload = 64;       // UDP payload bytes
    uint32_t many = 65536;       // live sockets / flows of the scaling cases
    uint32_t rotate = 0;         // sockets the sender itself holds and rotates over (fd_budget)
    uint32_t max_flows = 1u << 19;  // flow pins of the scaling attachments (2^20 slots)
    bool realtime = true;        // SCHED_FIFO during the rounds
    bool prog_time = false;      // also the TC program's own ns per packet (BPF_STATS_RUN_TIME)
    benchutil::Common common;
};

// Raises RLIMIT_NOFILE as far as allowed and returns how many sockets the
// sender can rotate over (and as many again for the control): o.many if it
// may hold 2 * o.many fds, else the largest power of two that fits. The rest
// of the o.many live sockets are held by child processes (fd_holder.hpp).
uint32_t fd_budget(const Options& o);

enum class Group { V6, V4, Sockets, Flows };
const char* group_title(Group g, const Options& o);

// What a case is, before it is set up (for --list and --only).
struct Spec {
    const char* name;
    Group group;
    const char* what;  // may contain %u twice: Options::many, Options::rotate
};
const std::vector<Spec>& specs();
std::string describe(const Spec& s, const Options& o);

struct Case {
    const Spec* spec;
    Sender sender;
    unsigned shape;                      // enum bench_shape every packet must have
    srv6steer::Steering* steering;       // its attachment, if any
    uint32_t reason;                     // the reason srv6steer must count (with steering)
    int prog_fd;                         // the TC egress program its packets run (-1: none)
    bool auto_tunsrc;                    // the kernel's seg6 routes choose their source per packet
    std::vector<Sample> samples;         // one per round
};

struct Def;  // a spec and how it is set up (stack_cases.cpp)

// The environment, the attachments and the sockets, for the selected specs.
class Setup {
public:
    Setup(const Options& o, const std::vector<const Spec*>& selected);
    ~Setup();
    std::vector<Case>& cases() { return cases_; }
    Env& env() { return env_; }

private:
    // The srv6steer attachment of a role (attached on first use), or null.
    srv6steer::Steering* attachment(Role r);
    int program(srv6steer::Steering* s);  // its TC program's fd
    // `total` connected sockets on d's extra addresses, pinned on pin_on
    // unless null; the first o.rotate are the sender's (returned), the rest
    // go to holder processes. Checks that the data plane lists them all.
    std::vector<int> socket_pool(const Device& d, uint32_t total, srv6steer::Steering* pin_on);
    // o.many flow pins on d's attachment from one unconnected socket.
    void flow_table(const Device& d);
    std::vector<Endpoint> flow_destinations(const Device& d);
    static std::vector<Endpoint> shuffled(std::vector<Endpoint> dsts);
    void add_case(const Def& d, uint16_t port);

    const Options& o_;
    Env env_;
    std::optional<srv6steer::Steering> steer_, one_, many_;
    std::map<srv6steer::Steering*, int> prog_of_;
    std::vector<UniqueFd> progs_;  // program fds opened by id
    std::vector<UniqueFd> socks_;  // every case's sockets
    std::vector<std::unique_ptr<benchfd::Holder>> holders_;  // the live sockets the sender does not hold
    std::vector<int> many_socks_, floor_socks_;  // the sender's part of the socket pools
    int flow_sock_ = -1;                         // the flow table's sender
    std::vector<Endpoint> flow_dsts_;
    std::vector<Case> cases_;
};

}  // namespace stack
