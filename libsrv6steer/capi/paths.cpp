// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI's paths and path sets.
#include "capi.hpp"

using namespace srv6steer;
using namespace srv6steer::capi;

extern "C" {

int srv6s_add_path_usids(srv6s_handle* h, uint32_t id, const char* block, const char* usids,
                         int full_srh) {
    return guarded([&] {
        auto& s = steering_of(h);
        const Block b = Block::parse(text_arg(block, "no uSID block (NULL)"));
        const auto u = parse_usids(text_arg(usids, "no uSIDs (NULL)"));
        s.add_path(Path::from_usids(id, b, u, full_srh ? SrhMode::Full : SrhMode::Reduced));
        return 0;
    });
}

int srv6s_add_path_segments(srv6s_handle* h, uint32_t id, const char* const* sids, size_t n,
                            int full_srh) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(n == 0 || sids != nullptr, "no segments (NULL)");
        Path p;
        p.id = id;
        p.mode = full_srh ? SrhMode::Full : SrhMode::Reduced;
        for (size_t i = 0; i < n; i++)
            p.segments.push_back(Ipv6::parse(text_arg(sids[i], "segment is NULL")));
        s.add_path(p);
        return 0;
    });
}

int srv6s_remove_path(srv6s_handle* h, uint32_t id) {
    return guarded([&] {
        steering_of(h).remove_path(id);
        return 0;
    });
}

int srv6s_set_path_down(srv6s_handle* h, uint32_t id, int down) {
    return guarded([&] {
        steering_of(h).set_path_down(id, down != 0);
        return 0;
    });
}

int srv6s_set_path_fallback(srv6s_handle* h, uint32_t id, uint32_t target_kind, uint32_t target_id) {
    return guarded([&] {
        std::optional<Target> t;
        if (target_kind != SRV6S_FALLBACK_NONE)
            t = target_of(target_kind, target_id);
        steering_of(h).set_path_fallback(id, t);
        return 0;
    });
}

int srv6s_get_path_fallback(srv6s_handle* h, uint32_t id, uint32_t* target_kind, uint32_t* target_id) {
    return guarded([&] {
        need(target_kind != nullptr && target_id != nullptr, "no place for the fallback (NULL)");
        for (const Path& p : steering_of(h).paths()) {
            if (p.id != id)
                continue;
            *target_kind = !p.fallback ? SRV6S_FALLBACK_NONE
                           : p.fallback->kind == Target::Kind::Set ? uint32_t(SRV6S_TARGET_SET)
                                                                   : uint32_t(SRV6S_TARGET_PATH);
            *target_id = p.fallback ? p.fallback->id : 0;
            return 0;
        }
        throw Error("path " + std::to_string(id) + " does not exist", ENOENT);
    });
}

int srv6s_define_set(srv6s_handle* h, uint32_t id, const uint32_t* path_ids, size_t n) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(n == 0 || path_ids != nullptr, "no path ids (NULL)");
        PathSet set;
        set.id = id;
        if (n)
            set.paths.assign(path_ids, path_ids + n);
        s.define_set(set);
        return 0;
    });
}

int srv6s_remove_set(srv6s_handle* h, uint32_t id) {
    return guarded([&] {
        steering_of(h).remove_set(id);
        return 0;
    });
}

}  // extern "C"
