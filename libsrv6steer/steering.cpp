// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Steering: the one owner of an interface's srv6steer state.
#include "srv6steer/srv6steer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <type_traits>
#include <unordered_map>

#include "dataplane.hpp"
#include "srv6steer/flowhash.h"
#include "netlink.hpp"
#include "state.hpp"

namespace srv6steer {

namespace fs = std::filesystem;

namespace {

constexpr uint32_t kTcxEgress = 47;  // BPF_TCX_EGRESS (kernel BTF; not in libbpf 1.1's uapi)
constexpr uint32_t kTcHandle = 0x5e6;
constexpr uint32_t kTcPriority = 0x5e6;
constexpr uint32_t kSkipBits = SRV6S_CFG_NO_FLOWS | SRV6S_CFG_NO_QPS | SRV6S_CFG_NO_PREFIXES;

uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

void check_ifname(std::string_view ifname) {
    if (ifname.empty() || ifname.size() >= IF_NAMESIZE || ifname.find('/') != std::string_view::npos ||
        ifname == "." || ifname == "..")
        throw Error("invalid interface name " + quoted(ifname));
}

// The overhead a path adds: outer IPv6 + SRH.
uint32_t overhead(const srv6s_path& p) { return static_cast<uint32_t>(encap_len(p)); }

bool path_present(const srv6s_path& p) { return p.flags & SRV6S_PATH_PRESENT; }

// What to hand netlink to undo a journaled route MTU.
nl::RouteChange change_of(const srv6s_route& rec) {
    nl::RouteChange ch;
    ch.added = rec.flags & SRV6S_ROUTE_ADDED;
    ch.old_mtu = rec.old_mtu;
    ch.table = rec.table;
    ch.priority = rec.priority;
    return ch;
}

const srv6s_path_set_gen& active(const srv6s_path_set& s) { return s.gen[s.active & 1]; }

}  // namespace

// ---- small public helpers -------------------------------------------------------

Path Path::from_usids(uint32_t id, const Block& block, std::span<const uint16_t> usids, SrhMode mode) {
    Path p;
    p.id = id;
    p.segments = usid_containers(block, usids);
    p.mode = mode;
    return p;
}

Target Target::from_slot(uint32_t slot) {
    return slot >= kMaxUserSets ? path(slot - kMaxUserSets) : set(slot);
}

std::string Target::str() const {
    return (kind == Kind::Path ? "path " : "set ") + std::to_string(id);
}

const char* reason_name(uint32_t reason) {
    static constexpr const char* names[] = {
        "steered",       "no_match",      "disabled",       "not_ip",       "truncated",
        "bad_header",    "ext_hdr_limit", "already_encap",  "fragment",     "no_path_set",
        "no_path",       "all_paths_down", "bad_path",      "mtu_passed",   "mtu_dropped",
        "adjust_room_failed", "write_failed"};
    static_assert(std::size(names) == SRV6S_R_MAX, "a name for every reason");
    return reason < SRV6S_R_MAX ? names[reason] : "unknown";
}

// ---- Impl ----------------------------------------------------------------------

struct Steering::Impl {
    std::string ifname;
    std::string bpffs;
    std::string netns;
    std::string dir;             // pin directory; empty when not pinned
    MapFds fds;
    std::optional<DataPlane> dp;  // when loaded by this process
    UniqueFd link;                // tcx link, while attaching

    void load(const AttachOptions& o, const srv6s_config& cfg, const srv6s_meta& m);

    // -- basic map access --
    srv6s_config config() const { return fds.config_map().lookup(0).value_or(srv6s_config{}); }
    srv6s_meta meta() const { return fds.meta_map().lookup(0).value_or(srv6s_meta{}); }
    bool pinned() const { return !dir.empty(); }

    std::optional<DirLock> lock() const {
        if (!pinned())
            return std::nullopt;
        return std::optional<DirLock>(std::in_place, dir);
    }

    std::optional<srv6s_path> path(uint32_t id) const {
        if (id >= SRV6S_MAX_PATHS)
            return std::nullopt;
        auto p = fds.paths_map().lookup(id);
        if (p && path_present(*p))
            return p;
        return std::nullopt;
    }

    std::optional<srv6s_path_set> set_slot(uint32_t slot) const {
        if (slot >= SRV6S_MAX_PATH_SETS)
            return std::nullopt;
        auto s = fds.sets_map().lookup(slot);
        if (s && active(*s).n_paths > 0)
            return s;
        return std::nullopt;
    }

    void check_path_id(uint32_t id) const {
        if (id >= SRV6S_MAX_PATHS)
            throw Error("invalid path id " + std::to_string(id) + ": ids go from 0 to " +
                        std::to_string(SRV6S_MAX_PATHS - 1));
    }

    // The paths a target resolves to; throws when it does not exist.
    std::vector<srv6s_path> target_paths(Target t) const {
        if (t.kind == Target::Kind::Path) {
            check_path_id(t.id);
        } else if (t.id >= kMaxUserSets) {
            throw Error("invalid path set id " + std::to_string(t.id) + ": ids go from 0 to " +
                        std::to_string(kMaxUserSets - 1));
        }
        auto s = set_slot(t.slot());
        if (!s)
            throw Error(t.str() + " does not exist on " + ifname + ": " +
                        (t.kind == Target::Kind::Path ? "add it first (srv6steer path add)"
                                                      : "define it first (srv6steer set add)"));
        std::vector<srv6s_path> out;
        const auto& g = active(*s);
        for (uint32_t i = 0; i < g.n_paths; i++)
            if (auto p = path(g.paths[i]))
                out.push_back(*p);
        return out;
    }

    // -- skip bits: set only while a pin map is empty --
    void clear_skip(uint32_t bit) {
        auto c = config();
        if (c.flags & bit) {
            c.flags &= ~bit;
            fds.config_map().update(0, c);
        }
    }
    template <class K, class V>
    void set_skip_if_empty(const Map<K, V>& m, uint32_t bit) {
        K key{};
        if (bpf_map_get_next_key(m.fd(), nullptr, &key) == 0)
            return;
        auto c = config();
        if (!(c.flags & bit)) {
            c.flags |= bit;
            fds.config_map().update(0, c);
        }
    }

    // -- route MTUs --
    bool manages_routes() const { return pinned() && (meta().flags & SRV6S_META_ROUTE_MTU); }

    // Makes sure packets to dst leave with room for `over` bytes of encap,
    // and counts `refs` more pins that need it. Undo with release_route.
    void acquire_route(const Prefix& dst, uint32_t over, uint32_t refs) {
        if (!manages_routes())
            return;
        const auto m = meta();
        uint32_t mtu = m.link_mtu - over;
        auto routes = fds.routes_map();
        const auto key = dst.key();
        auto rec = routes.lookup(key);
        if (rec && rec->mtu <= mtu) {
            if (refs) {
                rec->refs += refs;
                routes.update(key, *rec);
            }
            return;
        }
        nl::Netlink nl;
        if (!rec) {
            // Never raise an MTU someone else set lower.
            const nl::Route r = nl.lookup(dst.addr);
            if (r.mtu && r.mtu <= mtu && r.dst == dst)
                return;
            if (r.mtu)
                mtu = std::min(mtu, r.mtu);
        }
        nl::RouteChange ch = nl.set_route_mtu(dst, static_cast<int>(m.ifindex), mtu);
        if (rec) {  // keep what was there before us; only our MTU changes
            rec->mtu = mtu;
            rec->refs += refs;
            routes.update(key, *rec);
            return;
        }
        srv6s_route r{};
        r.flags = ch.added ? SRV6S_ROUTE_ADDED : 0;
        r.old_mtu = ch.old_mtu;
        r.mtu = mtu;
        r.table = ch.table;
        r.priority = ch.priority;
        r.refs = refs;
        try {
            routes.update(key, r);
        } catch (...) {
            nl.undo_route_mtu(dst, ch);
            throw;
        }
    }

    // `refs` pins to dst are gone; the last one takes the route MTU along.
    void release_route(const Prefix& dst, uint32_t refs) {
        if (!pinned())
            return;
        auto routes = fds.routes_map();
        const auto key = dst.key();
        auto rec = routes.lookup(key);
        if (!rec)
            return;
        rec->refs -= std::min(rec->refs, refs);
        if (rec->refs)
            routes.update(key, *rec);
        else
            undo_route(key);
    }

    void undo_route(const srv6s_prefix_key& key) {
        auto routes = fds.routes_map();
        auto rec = routes.lookup(key);
        if (!rec)
            return;
        nl::Netlink nl;
        nl.undo_route_mtu(Prefix::from_key(key), change_of(*rec));
        routes.erase(key);
    }

    uint32_t max_overhead(const std::vector<srv6s_path>& paths) const {
        uint32_t m = 0;
        for (const auto& p : paths)
            m = std::max(m, overhead(p));
        return m;
    }

    // -- pins: one generic implementation for the three pin maps --
    // The pin stored under exactly this key. (A lookup in the LPM trie of
    // prefixes returns the longest match, which may be a shorter prefix.)
    template <class K, class V>
    static std::optional<V> exact(const Map<K, V>& map, const K& key) {
        if constexpr (std::is_same_v<K, srv6s_prefix_key>) {
            for (const auto& [k, v] : map.entries())
                if (std::memcmp(&k, &key, sizeof k) == 0)
                    return v;
            return std::nullopt;
        } else {
            return map.lookup(key);
        }
    }

    template <class K, class V>
    void pin_one(Map<K, V> map, const K& key, const Prefix& dst, uint32_t skip_bit,
                 const std::string& what, Target target, const PinOptions& opts) {
        auto guard = lock();
        const auto paths = target_paths(target);
        const auto old = exact(map, key);
        if (old) {
            if (old->path_set == target.slot())
                return;
            if (!opts.replace)
                throw Error(what + " is already pinned to " + Target::from_slot(old->path_set).str() +
                                (old->owner_pid ? " by pid " + std::to_string(old->owner_pid) : "") +
                                ": unpin it first, or pin with replace",
                            EEXIST);
        }
        const bool fresh = !old;
        acquire_route(dst, max_overhead(paths), fresh ? 1 : 0);
        try {
            clear_skip(skip_bit);
            srv6s_pin v{};
            v.path_set = target.slot();
            v.owner_pid = opts.owner.pid;
            v.owner_cgroup = opts.owner.cgroup;
            v.created_ns = now_ns();
            map.update(key, v, opts.replace ? BPF_ANY : BPF_NOEXIST);
        } catch (const Error& e) {
            if (fresh)
                release_route(dst, 1);
            if (e.code() == E2BIG)
                throw Error("the " + map.name() + " map of " + ifname + " is full (" +
                                std::to_string(map.keys().size()) + " pins): unpin some, or attach with a "
                                "larger --max-" + map.name(),
                            E2BIG);
            throw;
        } catch (...) {
            if (fresh)
                release_route(dst, 1);
            throw;
        }
    }

    template <class K, class V>
    bool unpin_one(Map<K, V> map, const K& key, const Prefix& dst, uint32_t skip_bit) {
        auto guard = lock();
        if (!map.erase(key))
            return false;
        set_skip_if_empty(map, skip_bit);
        release_route(dst, 1);
        return true;
    }

    // Is any pin pointing at this path-set slot?
    bool slot_in_use(uint32_t slot) const {
        auto uses = [slot](const auto& map) {
            for (const auto& [k, v] : map.entries())
                if (v.path_set == slot)
                    return true;
            return false;
        };
        return uses(fds.flows_map()) || uses(fds.qps_map()) || uses(fds.prefixes_map());
    }

    void write_set(uint32_t slot, const std::vector<uint32_t>& ids) {
        srv6s_path_set_gen g{};
        g.n_paths = static_cast<uint32_t>(ids.size());
        std::copy(ids.begin(), ids.end(), g.paths);
        auto map = fds.sets_map();
        auto cur = map.lookup(slot).value_or(srv6s_path_set{});
        if (active(cur).n_paths == 0) {  // nobody reads it yet: write and publish at once
            srv6s_path_set s{};
            s.gen[0] = g;
            map.update(slot, s);
            return;
        }
        if (std::memcmp(&active(cur), &g, sizeof g) == 0)
            return;
        // Double-buffer: fill the inactive half, then flip.
        const uint32_t next = (cur.active & 1) ^ 1;
        cur.gen[next] = g;
        map.update(slot, cur);
        cur.active = next;
        map.update(slot, cur);
    }
};

// ---- lifecycle -------------------------------------------------------------------

Steering::Steering(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Steering::Steering(Steering&&) noexcept = default;
Steering& Steering::operator=(Steering&&) noexcept = default;
Steering::~Steering() = default;

const std::string& Steering::ifname() const { return impl_->ifname; }

int Steering::tc_program_fd() const { return impl_->dp ? impl_->dp->tc_egress_fd() : -1; }

// Loads the object and writes its configuration; no attach, no pins.
void Steering::Impl::load(const AttachOptions& o, const srv6s_config& cfg, const srv6s_meta& m) {
    LoadOptions lo;
    lo.max_flows = o.max_flows;
    lo.max_qps = o.max_qps;
    lo.max_prefixes = o.max_prefixes;
    dp.emplace(DataPlane::load(lo));
    for (const char* name : MapNames::kAll) {
        int fd = fcntl(dp->map_fd(name), F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            throw_errno(std::string("duplicating the fd of map ") + name, errno);
        *fds.by_name(name) = UniqueFd(fd);
    }
    fds.config_map().update(0, cfg);
    fds.meta_map().update(0, m);
}

static srv6s_config make_config(const AttachOptions& o, const Ipv6& src, uint32_t mtu) {
    srv6s_config c{};
    std::memcpy(c.src, src.bytes.data(), 16);
    c.flags = SRV6S_CFG_ENABLED | kSkipBits;
    if (o.fixed_gso)
        c.flags |= SRV6S_CFG_FIXED_GSO;
    if (o.drop_oversize)
        c.flags |= SRV6S_CFG_DROP_OVERSIZE;
    c.mtu = mtu;
    c.hop_limit = o.hop_limit;
    return c;
}

Steering Steering::load_unattached(const AttachOptions& o) {
    auto im = std::make_unique<Impl>();
    im->ifname = o.ifname;
    im->bpffs = o.bpffs;
    Ipv6 src = o.source.value_or(Ipv6{});
    im->load(o, make_config(o, src, o.mtu ? o.mtu : 1500), srv6s_meta{});
    return Steering(std::move(im));
}

Steering Steering::attach(const AttachOptions& o) {
    check_ifname(o.ifname);
    if (o.hop_limit == 0)
        throw Error("invalid hop limit 0: use 1 to 255");
    require_bpffs(o.bpffs);
    nl::Netlink nl;
    const nl::Link link = nl.link(o.ifname);
    auto im = std::make_unique<Impl>();
    im->ifname = o.ifname;
    im->bpffs = o.bpffs;
    im->netns = nl::netns_name();
    im->dir = pin_dir(o.bpffs, im->netns, o.ifname);
    if (fs::exists(im->dir))
        throw Error("srv6steer is already attached to " + o.ifname + " (state in " + im->dir +
                        "): use it as it is, or detach first (srv6steer detach " + o.ifname + ")",
                    EEXIST);

    std::optional<Ipv6> src = o.source;
    if (!src)
        src = nl.global_ipv6(link.ifindex);
    if (!src)
        throw Error(o.ifname + " has no global IPv6 address to use as the outer source: give one "
                    "(--src ADDR, the host's SRv6 source address)");
    const uint32_t mtu = o.mtu ? o.mtu : link.mtu;
    if (mtu < 1280)
        throw Error("MTU " + std::to_string(mtu) + " on " + o.ifname +
                    " is below IPv6's minimum of 1280: SRv6 encapsulation needs at least that");

    srv6s_meta meta{};
    meta.ifindex = static_cast<uint32_t>(link.ifindex);
    meta.flags = o.route_mtu ? SRV6S_META_ROUTE_MTU : 0;
    meta.link_mtu = mtu;
    meta.attached_ns = now_ns();
    im->load(o, make_config(o, *src, mtu), meta);

    // Pin everything, then attach; undo all of it on any failure.
    std::error_code ec;
    fs::create_directories(im->dir, ec);
    if (ec)
        throw_errno("creating " + im->dir, ec.value());
    try {
        for (const char* name : MapNames::kAll) {
            std::string path = im->dir + "/" + name;
            if (bpf_obj_pin(im->fds.by_name(name)->get(), path.c_str()))
                throw_errno("pinning map " + std::string(name) + " at " + path, errno);
        }
        int prog = im->dp->tc_egress_fd();
        int lfd = -1;
        if (o.hook != Hook::Clsact) {
            lfd = bpf_link_create(prog, link.ifindex, static_cast<bpf_attach_type>(kTcxEgress), nullptr);
            if (lfd < 0 && o.hook == Hook::Tcx)
                throw_errno("attaching a tcx link to " + o.ifname + " (needs Linux 6.6 or later)", errno);
        }
        if (lfd >= 0) {
            im->link = UniqueFd(lfd);
            std::string path = im->dir + "/link";
            if (bpf_obj_pin(lfd, path.c_str()))
                throw_errno("pinning the tcx link at " + path, errno);
            meta.attach_mode = SRV6S_ATTACH_TCX;
        } else {
            // Kernels before 6.6 have no tcx: a clsact egress filter instead.
            LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = link.ifindex, .attach_point = BPF_TC_EGRESS);
            int err = bpf_tc_hook_create(&hook);
            if (err && err != -EEXIST)
                throw_errno("creating the clsact qdisc on " + o.ifname, -err);
            LIBBPF_OPTS(bpf_tc_opts, tc, .prog_fd = prog, .handle = kTcHandle, .priority = kTcPriority);
            if ((err = bpf_tc_attach(&hook, &tc)))
                throw_errno("attaching to TC egress of " + o.ifname, -err);
            meta.attach_mode = SRV6S_ATTACH_CLSACT;
            meta.tc_handle = kTcHandle;
            meta.tc_priority = kTcPriority;
        }
        im->fds.meta_map().update(0, meta);
    } catch (...) {
        detach(o.ifname, o.bpffs);
        throw;
    }
    im->link.reset();  // the pin holds the link now
    im->dp.reset();    // the attachment holds the program
    return Steering(std::move(im));
}

Steering Steering::open(std::string_view ifname, const std::string& bpffs) {
    check_ifname(ifname);
    require_bpffs(bpffs);
    auto im = std::make_unique<Impl>();
    im->ifname = std::string(ifname);
    im->bpffs = bpffs;
    im->netns = nl::netns_name();
    im->dir = pin_dir(bpffs, im->netns, im->ifname);
    if (!fs::exists(im->dir))
        throw Error("srv6steer is not attached to " + im->ifname + " (no state in " + im->dir +
                        "): attach first (srv6steer attach " + im->ifname + ")",
                    ENOENT);
    for (const char* name : MapNames::kAll) {
        std::string path = im->dir + "/" + name;
        int fd = bpf_obj_get(path.c_str());
        if (fd < 0)
            throw_errno("opening " + path + " (state of an older or broken attach? detach and attach again)",
                        errno);
        *im->fds.by_name(name) = UniqueFd(fd);
    }
    return Steering(std::move(im));
}

bool Steering::detach(std::string_view ifname, const std::string& bpffs) {
    check_ifname(ifname);
    require_bpffs(bpffs);
    const std::string dir = pin_dir(bpffs, nl::netns_name(), std::string(ifname));
    if (!fs::exists(dir))
        return false;
    std::vector<std::string> problems;
    {
        DirLock guard(dir);
        std::optional<MapFds> fds;
        try {
            fds.emplace();
            for (const char* name : {"meta", "routes"}) {
                int fd = bpf_obj_get((dir + "/" + name).c_str());
                if (fd < 0)
                    throw_errno(std::string("opening ") + name, errno);
                *fds->by_name(name) = UniqueFd(fd);
            }
        } catch (const Error& e) {
            problems.push_back(e.what());
            fds.reset();
        }
        const srv6s_meta meta = fds ? fds->meta_map().lookup(0).value_or(srv6s_meta{}) : srv6s_meta{};

        // 1. Stop steering.
        std::string link_pin = dir + "/link";
        if (fs::exists(link_pin)) {
            UniqueFd lfd(bpf_obj_get(link_pin.c_str()));
            if (!lfd || bpf_link_detach(lfd.get()))
                problems.push_back("detaching the tcx link: " + std::string(strerror(errno)));
            unlink(link_pin.c_str());
        } else if (meta.attach_mode == SRV6S_ATTACH_CLSACT) {
            LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(meta.ifindex),
                        .attach_point = BPF_TC_EGRESS);
            LIBBPF_OPTS(bpf_tc_opts, tc, .handle = meta.tc_handle, .priority = meta.tc_priority);
            // The clsact qdisc stays: other programs may use it.
            if (int err = bpf_tc_detach(&hook, &tc); err && err != -ENOENT)
                problems.push_back("removing the TC filter: " + std::string(strerror(-err)));
        }
        // 2. Put back the route MTUs we changed.
        if (fds) {
            nl::Netlink nl;
            for (const auto& [key, rec] : fds->routes_map().entries()) {
                try {
                    nl.undo_route_mtu(Prefix::from_key(key), change_of(rec));
                } catch (const Error& e) {
                    problems.push_back(e.what());
                }
            }
        }
        // 3. Remove the pins.
        for (const char* name : MapNames::kAll)
            unlink((dir + "/" + name).c_str());
    }
    std::error_code ec;
    fs::remove(dir, ec);
    if (ec)
        problems.push_back("removing " + dir + ": " + ec.message());
    // Empty parents (…/srv6steer, …/netns/<ns>) go too; non-empty ones stay.
    for (fs::path p = fs::path(dir).parent_path(); p != fs::path(bpffs); p = p.parent_path())
        if (!fs::remove(p, ec))
            break;
    if (!problems.empty()) {
        std::string msg = "detached from " + std::string(ifname) + ", but:";
        for (const auto& p : problems)
            msg += "\n  " + p;
        throw Error(msg, EIO);
    }
    return true;
}

std::vector<std::string> Steering::attached(const std::string& bpffs) {
    require_bpffs(bpffs);
    std::vector<std::string> out;
    const std::string root = pin_root(bpffs, nl::netns_name());
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root, ec))
        if (e.is_directory() && e.path().filename() != "netns" && fs::exists(e.path() / "config"))
            out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
}

Status Steering::status() const {
    Status s;
    s.ifname = impl_->ifname;
    s.pin_dir = impl_->dir;
    s.config = impl_->config();
    const auto meta = impl_->meta();
    s.ifindex = static_cast<int>(meta.ifindex);
    s.route_mtu = meta.flags & SRV6S_META_ROUTE_MTU;
    s.attached = std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::nanoseconds(meta.attached_ns)));
    auto count = [](const auto& map) { return map.keys().size(); };
    s.n_flows = count(impl_->fds.flows_map());
    s.n_qps = count(impl_->fds.qps_map());
    s.n_prefixes = count(impl_->fds.prefixes_map());
    s.n_paths = paths().size();
    s.n_sets = sets().size();
    auto max_of = [](const UniqueFd& fd) {
        bpf_map_info info{};
        uint32_t len = sizeof info;
        return bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0 ? info.max_entries : 0u;
    };
    s.max_flows = max_of(impl_->fds.flows);
    s.max_qps = max_of(impl_->fds.qps);
    s.max_prefixes = max_of(impl_->fds.prefixes);
    if (meta.attach_mode == SRV6S_ATTACH_TCX) {
        s.attach_mode = "tcx";
        UniqueFd lfd(bpf_obj_get((impl_->dir + "/link").c_str()));
        bpf_link_info info{};
        uint32_t len = sizeof info;
        if (lfd && bpf_obj_get_info_by_fd(lfd.get(), &info, &len) == 0) {
            s.link_id = info.id;
            s.prog_id = info.prog_id;
        }
    } else if (meta.attach_mode == SRV6S_ATTACH_CLSACT) {
        s.attach_mode = "clsact";
        LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = s.ifindex, .attach_point = BPF_TC_EGRESS);
        LIBBPF_OPTS(bpf_tc_opts, tc, .handle = meta.tc_handle, .priority = meta.tc_priority);
        if (bpf_tc_query(&hook, &tc) == 0)
            s.prog_id = tc.prog_id;
    } else {
        s.attach_mode = "none";
    }
    for (const auto& [key, rec] : impl_->fds.routes_map().entries())
        s.owned_routes.push_back(Prefix::from_key(key).str() + " mtu " + std::to_string(rec.mtu) +
                                 (rec.flags & SRV6S_ROUTE_ADDED ? std::string(" (added)")
                                  : rec.old_mtu ? " (was " + std::to_string(rec.old_mtu) + ")"
                                                : std::string(" (had none)")) +
                                 ", " + std::to_string(rec.refs) + (rec.refs == 1 ? " pin" : " pins"));
    return s;
}

// ---- paths and sets -------------------------------------------------------------

void Steering::add_path(const Path& p) {
    auto guard = impl_->lock();
    impl_->check_path_id(p.id);
    const srv6s_path enc = encode_path(p.segments, p.mode, p.down);  // validates
    if (auto cur = impl_->path(p.id)) {
        srv6s_path a = *cur, b = enc;
        a.flags = b.flags = 0;
        if (std::memcmp(&a, &b, sizeof a) != 0)
            throw Error("path " + std::to_string(p.id) + " already exists with other segments; a "
                        "path in place cannot change: add the new one under a free id and point "
                        "sets and pins at it, or remove path " + std::to_string(p.id) + " first",
                        EEXIST);
        if (cur->flags != enc.flags)
            impl_->fds.paths_map().update(p.id, enc);
        return;
    }
    impl_->fds.path_stats_map().reset(p.id);  // a new path starts from zero
    impl_->fds.paths_map().update(p.id, enc);
    try {
        impl_->write_set(Target::path(p.id).slot(), {p.id});
    } catch (...) {
        impl_->fds.paths_map().update(p.id, srv6s_path{});
        throw;
    }
}

void Steering::remove_path(uint32_t id) {
    auto guard = impl_->lock();
    impl_->check_path_id(id);
    if (!impl_->path(id))
        throw Error("path " + std::to_string(id) + " does not exist", ENOENT);
    for (const auto& s : sets())
        if (std::find(s.paths.begin(), s.paths.end(), id) != s.paths.end())
            throw Error("path " + std::to_string(id) + " is used by set " + std::to_string(s.id) +
                            ": change or remove that set first",
                        EBUSY);
    const uint32_t slot = Target::path(id).slot();
    if (impl_->slot_in_use(slot))
        throw Error("path " + std::to_string(id) + " still has pins: unpin them first (srv6steer list)",
                    EBUSY);
    impl_->fds.sets_map().update(slot, srv6s_path_set{});
    impl_->fds.paths_map().update(id, srv6s_path{});
    impl_->fds.path_stats_map().reset(id);
}

void Steering::set_path_down(uint32_t id, bool down) {
    auto guard = impl_->lock();
    impl_->check_path_id(id);
    auto p = impl_->path(id);
    if (!p)
        throw Error("path " + std::to_string(id) + " does not exist", ENOENT);
    const uint8_t flags =
        static_cast<uint8_t>(down ? (p->flags | SRV6S_PATH_DOWN) : (p->flags & ~SRV6S_PATH_DOWN));
    if (flags == p->flags)
        return;
    p->flags = flags;  // the only byte that changes: readers never see a mix
    impl_->fds.paths_map().update(id, *p);
}

std::vector<Path> Steering::paths() const {
    std::vector<Path> out;
    for (uint32_t id = 0; id < SRV6S_MAX_PATHS; id++) {
        if (auto p = impl_->path(id)) {
            Path path;
            path.id = id;
            path.segments = decode_path(*p);
            path.mode = path_mode(*p);
            path.down = p->flags & SRV6S_PATH_DOWN;
            out.push_back(std::move(path));
        }
    }
    return out;
}

void Steering::define_set(const PathSet& s) {
    auto guard = impl_->lock();
    if (s.id >= kMaxUserSets)
        throw Error("invalid path set id " + std::to_string(s.id) + ": ids go from 0 to " +
                    std::to_string(kMaxUserSets - 1));
    if (s.paths.empty() || s.paths.size() > SRV6S_MAX_SET_PATHS)
        throw Error("path set " + std::to_string(s.id) + " has " + std::to_string(s.paths.size()) +
                    " paths: a set has 1 to " + std::to_string(SRV6S_MAX_SET_PATHS) +
                    " (list a path twice to give it twice the weight)");
    for (uint32_t id : s.paths) {
        impl_->check_path_id(id);
        if (!impl_->path(id))
            throw Error("path set " + std::to_string(s.id) + " names path " + std::to_string(id) +
                            ", which does not exist: add it first",
                        ENOENT);
    }
    impl_->write_set(s.id, s.paths);
}

void Steering::remove_set(uint32_t id) {
    auto guard = impl_->lock();
    if (id >= kMaxUserSets || !impl_->set_slot(id))
        throw Error("path set " + std::to_string(id) + " does not exist", ENOENT);
    if (impl_->slot_in_use(id))
        throw Error("path set " + std::to_string(id) + " still has pins: unpin them first (srv6steer list)",
                    EBUSY);
    impl_->fds.sets_map().update(id, srv6s_path_set{});
}

std::vector<PathSet> Steering::sets() const {
    std::vector<PathSet> out;
    for (uint32_t id = 0; id < kMaxUserSets; id++) {
        if (auto s = impl_->set_slot(id)) {
            const auto& g = active(*s);
            out.push_back({id, std::vector<uint32_t>(g.paths, g.paths + g.n_paths)});
        }
    }
    return out;
}

// ---- pins ---------------------------------------------------------------------

namespace {

Prefix host_prefix(const Ipv6& a) { return Prefix{a, 128}; }

}  // namespace

void Steering::pin(const Flow& f, Target t, const PinOptions& o) {
    if (f.src.is_v4_mapped() != f.dst.is_v4_mapped())
        throw Error("flow " + f.str() + " mixes IPv4 and IPv6 addresses");
    impl_->pin_one(impl_->fds.flows_map(), f.key(), host_prefix(f.dst), SRV6S_CFG_NO_FLOWS,
                   "flow " + f.str(), t, o);
}

void Steering::pin(const Qp& q, Target t, const PinOptions& o) {
    if (q.qp > SRV6S_QP_MASK)
        throw Error("queue pair " + std::to_string(q.qp) + " does not fit 24 bits");
    impl_->pin_one(impl_->fds.qps_map(), q.key(), host_prefix(q.dst), SRV6S_CFG_NO_QPS,
                   "queue pair " + q.str(), t, o);
}

void Steering::pin(const Prefix& p, Target t, const PinOptions& o) {
    impl_->pin_one(impl_->fds.prefixes_map(), p.key(), p, SRV6S_CFG_NO_PREFIXES,
                   "prefix " + p.str(), t, o);
}

bool Steering::unpin(const Flow& f) {
    return impl_->unpin_one(impl_->fds.flows_map(), f.key(), host_prefix(f.dst), SRV6S_CFG_NO_FLOWS);
}
bool Steering::unpin(const Qp& q) {
    return impl_->unpin_one(impl_->fds.qps_map(), q.key(), host_prefix(q.dst), SRV6S_CFG_NO_QPS);
}
bool Steering::unpin(const Prefix& p) {
    return impl_->unpin_one(impl_->fds.prefixes_map(), p.key(), p, SRV6S_CFG_NO_PREFIXES);
}

size_t Steering::pin_flows(std::span<const std::pair<Flow, Target>> flows, const PinOptions& o) {
    auto guard = impl_->lock();
    auto map = impl_->fds.flows_map();

    // Validate everything first: targets, duplicates.
    std::map<uint32_t, uint32_t> overhead_of;  // slot -> max encap overhead
    std::vector<std::pair<srv6s_flow_key, uint32_t>> wanted;
    wanted.reserve(flows.size());
    for (const auto& [flow, target] : flows) {
        if (flow.src.is_v4_mapped() != flow.dst.is_v4_mapped())
            throw Error("flow " + flow.str() + " mixes IPv4 and IPv6 addresses");
        if (!overhead_of.count(target.slot()))
            overhead_of[target.slot()] = impl_->max_overhead(impl_->target_paths(target));
        wanted.emplace_back(flow.key(), target.slot());
    }
    auto key_less = [](const auto& a, const auto& b) {
        return std::memcmp(&a.first, &b.first, sizeof a.first) < 0;
    };
    std::sort(wanted.begin(), wanted.end(), key_less);
    size_t kept = 0;
    for (size_t i = 0; i < wanted.size(); i++) {
        if (kept && std::memcmp(&wanted[kept - 1].first, &wanted[i].first, sizeof wanted[i].first) == 0) {
            if (wanted[kept - 1].second != wanted[i].second)
                throw Error("flow " + Flow::from_key(wanted[i].first).str() +
                            " is listed twice, with different targets");
            continue;
        }
        wanted[kept++] = wanted[i];
    }
    wanted.resize(kept);

    // What is pinned already: same target is fine (skipped), another is a
    // conflict unless replacing. (Batch updates take no BPF_NOEXIST.)
    struct KeyHash {
        size_t operator()(const srv6s_flow_key& k) const { return srv6s_flow_hash(&k); }
    };
    struct KeyEq {
        bool operator()(const srv6s_flow_key& a, const srv6s_flow_key& b) const {
            return std::memcmp(&a, &b, sizeof a) == 0;
        }
    };
    std::unordered_map<srv6s_flow_key, srv6s_pin, KeyHash, KeyEq> existing;
    srv6s_flow_key probe{};
    if (bpf_map_get_next_key(map.fd(), nullptr, &probe) == 0)  // skip the dump when empty
        for (const auto& [k, v] : map.entries())
            existing.emplace(k, v);

    std::vector<srv6s_flow_key> keys;
    std::vector<srv6s_pin> values;
    keys.reserve(wanted.size());
    values.reserve(wanted.size());
    const uint64_t created = now_ns();
    size_t fresh = 0;
    for (const auto& [key, slot] : wanted) {
        auto it = existing.find(key);
        if (it != existing.end()) {
            if (it->second.path_set == slot)
                continue;
            if (!o.replace)
                throw Error("flow " + Flow::from_key(key).str() + " is already pinned to " +
                                Target::from_slot(it->second.path_set).str() +
                                ": unpin it first, or pin with replace; nothing was pinned",
                            EEXIST);
        } else {
            fresh++;
        }
        srv6s_pin v{};
        v.path_set = slot;
        v.owner_pid = o.owner.pid;
        v.owner_cgroup = o.owner.cgroup;
        v.created_ns = created;
        keys.push_back(key);
        values.push_back(v);
    }
    if (keys.empty())
        return 0;

    // Route MTUs for every destination, undone if anything below fails.
    struct Need {
        uint32_t over = 0;
        uint32_t refs = 0;  // new pins to this destination
    };
    std::map<Prefix, Need> dsts;
    for (size_t i = 0; i < keys.size(); i++) {
        Need& n = dsts[host_prefix(Flow::from_key(keys[i]).dst)];
        n.over = std::max(n.over, overhead_of[values[i].path_set]);
        n.refs += existing.count(keys[i]) ? 0 : 1;
    }
    std::vector<std::pair<Prefix, uint32_t>> acquired;
    uint32_t done = 0;
    try {
        for (const auto& [dst, need] : dsts) {
            impl_->acquire_route(dst, need.over, need.refs);
            acquired.emplace_back(dst, need.refs);
        }
        impl_->clear_skip(SRV6S_CFG_NO_FLOWS);

        done = static_cast<uint32_t>(keys.size());
        if (bpf_map_update_batch(map.fd(), keys.data(), values.data(), &done, nullptr)) {
            const int err = errno;
            if (err == E2BIG || err == ENOMEM)
                throw Error("the flows map of " + impl_->ifname + " is full: " +
                                std::to_string(existing.size()) + " pins are there and " +
                                std::to_string(fresh) +
                                " more do not fit; nothing was pinned (attach with a larger --max-flows)",
                            E2BIG);
            throw_map_error("flows", "batch update", err);
        }
        return fresh;
    } catch (...) {
        // Take back what this call wrote: new pins go, replaced ones return.
        for (uint32_t i = 0; i < done && i < keys.size(); i++) {
            auto it = existing.find(keys[i]);
            if (it == existing.end())
                map.erase(keys[i]);
            else
                map.update(keys[i], it->second);
        }
        for (const auto& [dst, refs] : acquired)
            impl_->release_route(dst, refs);
        impl_->set_skip_if_empty(map, SRV6S_CFG_NO_FLOWS);
        throw;
    }
}

template <class T, class K>
static std::vector<Pinned<T>> list_pins(const Map<K, srv6s_pin>& map) {
    std::vector<Pinned<T>> out;
    for (const auto& [k, v] : map.entries())
        out.push_back({T::from_key(k), Target::from_slot(v.path_set), PinInfo::from_value(v)});
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    return out;
}

std::vector<Pinned<Flow>> Steering::flows() const { return list_pins<Flow>(impl_->fds.flows_map()); }
std::vector<Pinned<Qp>> Steering::qps() const { return list_pins<Qp>(impl_->fds.qps_map()); }
std::vector<Pinned<Prefix>> Steering::prefixes() const {
    return list_pins<Prefix>(impl_->fds.prefixes_map());
}

Stats Steering::stats() const {
    Stats s;
    auto reasons = impl_->fds.reasons_map();
    for (uint32_t r = 0; r < SRV6S_R_MAX; r++) {
        auto c = reasons.sum(r);
        s.reasons[r] = {c.packets, c.bytes};
    }
    auto ps = impl_->fds.path_stats_map();
    for (uint32_t id = 0; id < SRV6S_MAX_PATHS; id++)
        if (impl_->path(id)) {
            auto c = ps.sum(id);
            s.paths.push_back({id, {c.packets, c.bytes}});
        }
    return s;
}

// ---- garbage collection -----------------------------------------------------------

namespace {

// When a process started, as CLOCK_REALTIME ns; nullopt when it is gone.
std::optional<uint64_t> process_start_ns(uint32_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line))
        return std::nullopt;
    // Field 22 (starttime, clock ticks after boot) follows the ")" of comm.
    auto close = line.rfind(')');
    if (close == std::string::npos)
        return std::nullopt;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    for (int i = 3; i < 22 && rest >> field; i++) {
    }
    unsigned long long ticks = 0;
    if (!(rest >> ticks))
        return std::nullopt;
    timespec boot{}, real{};
    clock_gettime(CLOCK_BOOTTIME, &boot);
    clock_gettime(CLOCK_REALTIME, &real);
    const int64_t boot_at = (int64_t(real.tv_sec) - boot.tv_sec) * 1000000000ll + (real.tv_nsec - boot.tv_nsec);
    return uint64_t(boot_at + int64_t(ticks) * 1000000000ll / sysconf(_SC_CLK_TCK));
}

bool owner_gone(const srv6s_pin& v) {
    if (v.owner_pid == 0)
        return false;  // declared by configuration: never stale
    auto start = process_start_ns(v.owner_pid);
    // Slack for clock tick granularity: a process started after its own pin
    // by more than a second is another process with a reused pid.
    return !start || *start > v.created_ns + 1000000000ull;
}

}  // namespace

size_t Steering::gc() {
    auto guard = impl_->lock();
    size_t removed = 0;
    std::map<Prefix, uint32_t> still_needed;  // destination -> pins
    auto sweep = [&](auto map, uint32_t bit, auto dst_of) {
        for (const auto& [k, v] : map.entries()) {
            if (owner_gone(v)) {
                map.erase(k);
                removed++;
            } else {
                still_needed[dst_of(k)]++;
            }
        }
        impl_->set_skip_if_empty(map, bit);
    };
    sweep(impl_->fds.flows_map(), SRV6S_CFG_NO_FLOWS,
          [](const srv6s_flow_key& k) { return host_prefix(Flow::from_key(k).dst); });
    sweep(impl_->fds.qps_map(), SRV6S_CFG_NO_QPS,
          [](const srv6s_qp_key& k) { return host_prefix(Qp::from_key(k).dst); });
    sweep(impl_->fds.prefixes_map(), SRV6S_CFG_NO_PREFIXES,
          [](const srv6s_prefix_key& k) { return Prefix::from_key(k); });
    // Route MTUs: recount the pins that need each (heals any drift), and
    // undo those nobody needs.
    auto routes = impl_->fds.routes_map();
    for (auto [key, rec] : routes.entries()) {
        auto it = still_needed.find(Prefix::from_key(key));
        if (it == still_needed.end()) {
            impl_->undo_route(key);
        } else if (rec.refs != it->second) {
            rec.refs = it->second;
            routes.update(key, rec);
        }
    }
    return removed;
}

}  // namespace srv6steer
