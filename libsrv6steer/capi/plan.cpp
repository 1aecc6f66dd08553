// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI's planning calls (srv6steer.h, "planning"): a job's per-rank-pair
// plan from the planner (planner/api.hpp) or from Jalapeno
// (planner/from_jalapeno.hpp), as a malloc'd string. No handle, no kernel.
#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "api.hpp"
#include "capi.hpp"
#include "from_jalapeno.hpp"

namespace srv6steer::capi {

namespace {

namespace jp = jalapeno;

// The text for C: a copy the caller frees with srv6s_free_string.
char* c_string(const std::string& s) {
    auto* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (!out)
        throw std::bad_alloc();
    std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
}

char** out_arg(char** rank_pairs) {
    need(rank_pairs != nullptr, "nowhere to put the plan (rank_pairs is NULL)");
    *rank_pairs = nullptr;
    return rank_pairs;
}

// What a Jalapeno failure is as an errno, for callers that act on it.
int errno_of(jp::Failure f) {
    switch (f) {
    case jp::Failure::Connect:
        return ECONNREFUSED;
    case jp::Failure::Timeout:
        return ETIMEDOUT;
    case jp::Failure::Transport:
        return ECONNRESET;
    case jp::Failure::TooLarge:
        return EMSGSIZE;
    case jp::Failure::Http:
        return EIO;
    case jp::Failure::NoPath:
        return ENOENT;
    case jp::Failure::BadAnswer:
        return EPROTO;
    case jp::Failure::Encoding:
    case jp::Failure::Refused:
        return EINVAL;
    }
    return EIO;
}

}  // namespace

}  // namespace srv6steer::capi

using namespace srv6steer;
using namespace srv6steer::capi;

extern "C" {

int srv6s_plan(const char* topology_json, const char* job_json, char** rank_pairs) {
    return guarded([&] {
        char** out = out_arg(rank_pairs);
        const auto topo = planner::Topology::parse(text_arg(topology_json, "no topology (NULL)"), "topology");
        const auto job = planner::Job::parse(text_arg(job_json, "no job (NULL)"), "job");
        *out = c_string(planner::to_rank_pairs_json(planner::plan(topo, job)));
        return 0;
    });
}

int srv6s_plan_jalapeno(const char* endpoint, const char* collection, const char* dest_function,
                        const char* job_json, unsigned timeout_ms, char** rank_pairs) {
    return guarded([&] {
        char** out = out_arg(rank_pairs);
        jp::Config cfg;
        cfg.endpoint = text_arg(endpoint, "no Jalapeno endpoint (NULL), e.g. http://127.0.0.1:30800/api/v1");
        cfg.collection = text_arg(collection, "no Jalapeno collection (NULL), e.g. fabric_graph");
        cfg.dest_function = planner::parse_dest_function(dest_function ? dest_function : "", "dest_function");
        if (timeout_ms) {
            const std::chrono::milliseconds t{timeout_ms};
            cfg.total_timeout = t;
            cfg.read_timeout = std::min(cfg.read_timeout, t);
            cfg.connect_timeout = std::min(cfg.connect_timeout, t);
        }
        const auto job = planner::Job::parse(text_arg(job_json, "no job (NULL)"), "job");
        try {
            jp::Client client(cfg);
            *out = c_string(planner::rank_pairs_from_jalapeno(client, job));
        } catch (const jp::ApiError& e) {
            throw Error(e.what(), errno_of(e.failure()));
        }
        return 0;
    });
}

void srv6s_free_string(char* s) { std::free(s); }

}  // extern "C"
