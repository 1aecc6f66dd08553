// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Steering, the facade: attach, open, detach, status and the state lock.
// Paths and sets are in paths.cpp, pins in pins.cpp, gc in gc.cpp.
//
// One writer at a time: every change runs under an flock on the interface's
// state directory (DirLock), taken before any map is read, held until the
// change is complete (detach: until the directory is gone). Attach claims the
// directory with mkdir, under a lock on its network namespace's directory
// that openers also take, so an opener never sees a half-made state.
#include "srv6steer/srv6steer.hpp"

#include <bpf/bpf.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "hook.hpp"
#include "impl.hpp"
#include "remote/client.hpp"
#include "netlink/netlink.hpp"
#include "receive_impl.hpp"
#include "route_journal.hpp"
#include "text.hpp"

namespace srv6steer {

namespace fs = std::filesystem;

uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

namespace {

// Whether a path exists; a permission problem is said as one, not taken
// for "not there".
bool exists(const std::string& path) {
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0)
        return true;
    if (errno == EACCES || errno == EPERM)
        throw_errno("no permission to look at " + path + " (needs root, or CAP_BPF and CAP_NET_ADMIN)", errno);
    return false;
}

uint64_t inode_of(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

std::string meta_pin(const std::string& dir) { return dir + "/" + maps::meta.pin; }
std::string link_pin(const std::string& dir) { return dir + "/" + maps::kLinkPin; }

std::string not_attached(const std::string& ifname, const std::string& dir) {
    return "srv6steer is not attached to " + ifname + " in this network namespace (no state in " + dir + ")";
}

// The lock on a network namespace's state directory: exclusive while an
// attach claims an interface directory or a detach removes the namespace's
// directory, shared while an opener picks an interface directory up.
class NetnsLock {
public:
    NetnsLock() = default;
    NetnsLock(NetnsLock&&) = default;
    NetnsLock& operator=(NetnsLock&&) = default;
    NetnsLock(const std::string& dir, int op) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
        if (!fd_)
            return;
        while (flock(fd_.get(), op) != 0)
            if (errno != EINTR)
                throw_errno("locking " + dir, errno);
        valid_ = inode_of(dir) == [&] {
            struct stat st {};
            return fstat(fd_.get(), &st) == 0 ? st.st_ino : 0;
        }();
    }
    bool valid() const { return valid_; }

private:
    UniqueFd fd_;
    bool valid_ = false;
};

srv6s_config make_config(const AttachOptions& o, const Ipv6& src, uint32_t mtu) {
    srv6s_config c{};
    std::memcpy(c.src, src.bytes.data(), 16);
    c.flags = SRV6S_CFG_ENABLED | kSkipBits;
    if (o.fixed_gso)
        c.flags |= SRV6S_CFG_FIXED_GSO;
    if (o.drop_oversize)
        c.flags |= SRV6S_CFG_DROP_OVERSIZE;
    c.mtu = mtu;
    c.hop_limit = o.hop_limit;
    c.flowlet_gap_us = static_cast<uint32_t>(o.flowlet_gap.value_or(kDefaultFlowletGap).count());
    return c;
}

DataPlane load(const AttachOptions& o) {
    LoadOptions lo;
    lo.max_flows = o.max_flows;
    lo.max_qps = o.max_qps;
    lo.max_prefixes = o.max_prefixes;
    lo.max_cgroups = o.max_cgroups;
    return DataPlane::load(lo);
}

// Removes a state directory's pins (maps, link) and the directory itself.
// Call with its lock held.
void remove_state_dir(const std::string& dir, std::vector<std::string>& problems) {
    MapFds::unpin_all(dir);
    ::unlink(link_pin(dir).c_str());
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT)
        problems.push_back("removing " + dir + ": " + std::strerror(errno));
}

// Takes everything an attachment did off the system: the hook, the route
// MTUs, the pins, the directory. Call with the directory's lock held.
// `known`: how it was hooked, when the caller knows better than the pins (an
// attach that failed before it pinned meta).
std::vector<std::string> tear_down(const std::string& dir, bool undo_routes,
                                   std::optional<srv6s_meta> known = std::nullopt) {
    std::vector<std::string> problems;
    srv6s_meta meta = known.value_or(srv6s_meta{});
    UniqueFd meta_fd(bpf_obj_get(meta_pin(dir).c_str()));
    if (meta_fd && !known)
        meta = Map<uint32_t, srv6s_meta>(meta_fd.get(), "meta").lookup(0).value_or(srv6s_meta{});
    // 1. Stop steering.
    for (auto& p : hook::detach(link_pin(dir), meta))
        problems.push_back(std::move(p));
    // 2. Put back the route MTUs.
    if (undo_routes && meta_fd) {
        try {
            MapFds fds = MapFds::open_pinned(dir);
            for (auto& p : RouteJournal::undo_all(fds))
                problems.push_back(std::move(p));
        } catch (const Error& e) {
            problems.push_back(e.what());
        }
    }
    // 3. Remove the pins and the directory.
    remove_state_dir(dir, problems);
    return problems;
}

// State of another layout (another srv6steer build) is invisible to this
// one: attaching beside it would hook a second program. Refuse instead.
// True when dir holds anything but empty directories (an unreadable one
// counts as holding state): what a detach of another layout's build leaves
// behind (its empty namespace directories) blocks nothing.
bool holds_state(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(dir, ec)))
        return true;
    for (fs::recursive_directory_iterator it(dir, ec), end; it != end; it.increment(ec)) {
        if (ec)
            return true;
        if (!it->is_directory(ec) || it->is_symlink(ec))
            return true;
    }
    return bool(ec);
}

void refuse_other_layouts(const std::string& bpffs) {
    const std::string top = bpffs + "/srv6steer";
    const std::string mine = fs::path(state_root(bpffs)).filename();
    for (const std::string& name : dir_entries(top))
        if (name != mine && holds_state(fs::path(top) / name))
            throw Error(top + "/" + name + " holds state of another srv6steer layout (this build uses " + mine +
                            "): detach it with the build that made it, or remove it if that build is gone",
                        EPROTO);
}

}  // namespace

// ---- the lock -----------------------------------------------------------------

void Steering::Impl::acquire() {
    if (!pinned() || depth++ > 0)
        return;
    try {
        held.emplace(dir);
        if (!held->valid() || !exists(meta_pin(dir)))
            throw Error(not_attached(ifname, dir) + ": it was detached meanwhile", ENOENT);
        // The directory may be a new one (detached and attached again since
        // this object opened it): then its maps are new too.
        const uint64_t ino = inode_of(dir);
        if (ino != dir_ino) {
            fds = MapFds::open_pinned(dir);
            dir_ino = ino;
            lister.reset();      // it reads the old socket pin map
            flow_table.reset();  // it maps the old flow table
            if (const uint32_t layout = meta().layout; layout != SRV6S_STATE_LAYOUT)
                throw Error("the state in " + dir + " has layout " + std::to_string(layout) + ", this build uses " +
                                std::to_string(SRV6S_STATE_LAYOUT) + ": detach it with the build that attached it",
                            EPROTO);
        }
    } catch (...) {
        held.reset();
        depth = 0;
        throw;
    }
}

void Steering::Impl::release() {
    if (pinned() && depth > 0 && --depth == 0)
        held.reset();
}

Steering::Lock::Lock(Impl* impl) : impl_(impl) { impl_->acquire(); }
Steering::Lock::Lock(Lock&& o) noexcept : impl_(std::exchange(o.impl_, nullptr)) {}
Steering::Lock& Steering::Lock::operator=(Lock&& o) noexcept {
    if (this != &o) {
        if (impl_)
            impl_->release();
        impl_ = std::exchange(o.impl_, nullptr);
    }
    return *this;
}
Steering::Lock::~Lock() {
    if (impl_)
        impl_->release();
}

Steering::Lock Steering::lock() {
    if (auto* r = impl_->remote.get())
        r->lock();  // refused: no lock across calls through the agent
    return Lock(impl_.get());
}

// ---- lifecycle -------------------------------------------------------------------

Steering::Steering(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Steering::Steering(Steering&&) noexcept = default;
Steering& Steering::operator=(Steering&&) noexcept = default;
Steering::~Steering() = default;

const std::string& Steering::ifname() const { return impl_->ifname; }

int Steering::tc_program_fd() const { return impl_->dp ? impl_->dp->tc_egress_fd() : -1; }

Steering Steering::load_unattached(const AttachOptions& o) {
    auto im = std::make_unique<Impl>();
    im->ifname = o.ifname;
    im->bpffs = o.bpffs;
    im->dp.emplace(load(o));
    im->fds = MapFds::of_object(im->dp->object());
    im->fds[maps::config].update(0, make_config(o, o.source.value_or(Ipv6{}), o.mtu ? o.mtu : 1500));
    return Steering(std::move(im));
}

Steering Steering::attach(const AttachOptions& o) {
    check_ifname(o.ifname);
    if (o.hop_limit == 0)
        throw Error("invalid hop limit 0: use 1 to 255");
    check_flowlet_gap(o.flowlet_gap.value_or(kDefaultFlowletGap));
    require_bpffs(o.bpffs);
    nl::Netlink nl;
    const nl::Link link = nl.link(o.ifname);
    std::optional<Ipv6> src = o.source;
    if (!src)
        src = nl.global_ipv6(link.ifindex);
    if (!src)
        throw Error(o.ifname + " has no global IPv6 address to use as the outer source: add one, or give "
                    "the host's SRv6 source address in the attach options");
    const uint32_t mtu = o.mtu ? o.mtu : link.mtu;
    if (mtu < 1280)
        throw Error("MTU " + std::to_string(mtu) + " on " + o.ifname +
                    " is below IPv6's minimum of 1280: SRv6 encapsulation needs at least that");

    auto im = std::make_unique<Impl>();
    im->ifname = o.ifname;
    im->bpffs = o.bpffs;
    im->ns = netns::current();
    im->dir = pin_dir(o.bpffs, im->ns.cookie, o.ifname);
    const std::string nsdir = netns_dir(o.bpffs, im->ns.cookie);

    // Load first: without the privileges to, nothing is created.
    im->dp.emplace(load(o));
    refuse_other_layouts(o.bpffs);

    // Claim the directory: exactly one attach wins; a loser touches nothing.
    std::optional<DirLock> claim;
    for (int tries = 0; !claim; tries++) {
        make_netns_dir(o.bpffs, im->ns.cookie);
        NetnsLock nslock(nsdir, LOCK_EX);
        if (!nslock.valid()) {  // a detach removed the namespace's directory meanwhile
            if (tries < 8)
                continue;
            throw Error("cannot create " + nsdir + ": it keeps disappearing", EAGAIN);
        }
        if (::mkdir(im->dir.c_str(), 0700) != 0) {
            if (errno == EEXIST)
                throw Error("srv6steer is already attached to " + o.ifname + " (state in " + im->dir +
                                "): use that attachment, or detach it first",
                            EEXIST);
            throw_errno("creating " + im->dir, errno);
        }
        claim.emplace(im->dir);
        if (!claim->valid())
            throw Error("the state directory " + im->dir + " disappeared while attaching", EAGAIN);
    }

    srv6s_meta meta{};
    try {
        im->fds = MapFds::of_object(im->dp->object());
        meta.ifindex = static_cast<uint32_t>(link.ifindex);
        meta.flags = o.route_mtu ? SRV6S_META_ROUTE_MTU : 0;
        meta.link_mtu = mtu;
        meta.attached_ns = now_ns();
        meta.layout = SRV6S_STATE_LAYOUT;
        meta.netns_cookie = im->ns.cookie;
        meta.netns_inode = im->ns.inode;
        meta.netns_dev = im->ns.dev;
        im->fds[maps::config].update(0, make_config(o, *src, mtu));
        im->fds[maps::meta].update(0, meta);
        // Hook the program, then pin the maps, meta last: a state directory
        // with meta is complete.
        const hook::Attached a =
            hook::attach(im->dp->tc_egress_fd(), link.ifindex, o.hook, o.ifname, link_pin(im->dir));
        meta.attach_mode = a.mode;
        meta.prog_id = a.prog_id;
        meta.tc_handle = a.tc_handle;
        meta.tc_priority = a.tc_priority;
        im->fds[maps::meta].update(0, meta);
        im->fds.pin_all(im->dir);
    } catch (...) {
        tear_down(im->dir, false, meta);
        throw;
    }
    im->dir_ino = inode_of(im->dir);
    im->dp.reset();  // the attachment holds the program; the pins hold the maps
    return Steering(std::move(im));
}

Steering Steering::open(std::string_view ifname, const std::string& bpffs) {
    check_ifname(ifname);
    require_bpffs(bpffs);
    auto im = std::make_unique<Impl>();
    im->ifname = std::string(ifname);
    im->bpffs = bpffs;
    im->ns = netns::current();
    im->dir = pin_dir(bpffs, im->ns.cookie, im->ifname);
    {
        // Under the namespace's lock, so a directory an attach is still
        // making is seen whole or not at all.
        NetnsLock nslock(netns_dir(bpffs, im->ns.cookie), LOCK_SH);
        if (!nslock.valid() || !exists(im->dir))
            throw Error(not_attached(im->ifname, im->dir), ENOENT);
        check_private_path(bpffs, im->dir);
    }
    auto guard = im->lock();  // opens the maps, under the lock
    return Steering(std::move(im));
}

bool Steering::detach(std::string_view ifname, const std::string& bpffs) {
    check_ifname(ifname);
    require_bpffs(bpffs);
    const netns::Identity ns = netns::current();
    const std::string dir = pin_dir(bpffs, ns.cookie, std::string(ifname));
    if (!exists(dir))
        return false;
    check_private_path(bpffs, dir);
    std::vector<std::string> problems;
    {
        DirLock guard(dir);
        if (!guard.valid())
            return false;  // another detach was first
        problems = tear_down(dir, true);
    }
    // The namespace's directory goes with its last interface.
    if (NetnsLock nslock(netns_dir(bpffs, ns.cookie), LOCK_EX); nslock.valid())
        ::rmdir(netns_dir(bpffs, ns.cookie).c_str());
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
    const std::string nsdir = netns_dir(bpffs, netns::current().cookie);
    std::vector<std::string> out;
    for (const auto& name : dir_entries(nsdir))
        if (exists(meta_pin(nsdir + "/" + name)))
            out.push_back(name);
    return out;
}

// ---- status ---------------------------------------------------------------------

namespace {

void add_problem(Status& s, Problem::Kind kind, std::string detail) {
    s.problems.push_back({kind, std::move(detail)});
}

// Whether the attachment still steers: the interface is the one attached to,
// and our program runs at its hook.
void check_health(Status& s, const srv6s_meta& meta, const std::string& dir) {
    try {
        nl::Netlink nl;
        const nl::Link link = nl.link(s.ifname);
        if (static_cast<uint32_t>(link.ifindex) != meta.ifindex)
            add_problem(s, Problem::Kind::IfindexChanged,
                        s.ifname + " is interface " + std::to_string(link.ifindex) + " now; srv6steer was attached to " +
                            std::to_string(meta.ifindex) + ", which is gone (deleted and created again)");
    } catch (const Error& e) {
        if (e.code() != ENODEV)
            throw;
        add_problem(s, Problem::Kind::InterfaceGone, "there is no interface " + s.ifname + " any more");
    }
    const hook::Seen seen = hook::query(link_pin(dir), meta);
    s.prog_id = seen.prog_id;
    s.link_id = seen.link_id;
    if (meta.attach_mode == SRV6S_ATTACH_TCX && !seen.link_pinned)
        add_problem(s, Problem::Kind::LinkMissing, "the tcx link pin " + link_pin(dir) + " is gone");
    else if (meta.attach_mode == SRV6S_ATTACH_TCX && seen.ifindex == 0)
        add_problem(s, Problem::Kind::ProgramNotAttached,
                    "the tcx link is defunct: the interface it was attached to is gone");
    else if (seen.prog_id != meta.prog_id)
        add_problem(s, Problem::Kind::ProgramNotAttached,
                    seen.prog_id ? "another program (id " + std::to_string(seen.prog_id) + ") runs in its place"
                                 : std::string("srv6steer's TC program is no longer attached"));
}

}  // namespace

Status Steering::status() const {
    if (auto* r = impl_->remote.get())
        return r->status();
    auto guard = impl_->lock();
    Status s;
    s.ifname = impl_->ifname;
    s.pin_dir = impl_->dir;
    s.netns = impl_->ns.label;
    s.netns_cookie = impl_->ns.cookie;
    s.config = impl_->config();
    const auto meta = impl_->meta();
    s.ifindex = static_cast<int>(meta.ifindex);
    s.route_mtu = meta.flags & SRV6S_META_ROUTE_MTU;
    s.attached = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(meta.attached_ns)));
    s.n_flows = impl_->flows().size();
    s.n_qps = impl_->fds[maps::qps].keys().size();
    s.n_prefixes = impl_->fds[maps::prefixes].keys().size();
    s.n_sockets = impl_->live_socket_pins().size();
    s.n_cgroups = impl_->fds[maps::cgroups].keys().size();
    s.n_paths = paths().size();
    s.n_sets = sets().size();
    auto max_of = [](int fd) {
        bpf_map_info info{};
        uint32_t len = sizeof info;
        return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.max_entries : 0u;
    };
    s.max_flows = impl_->flows().max_pins();
    s.max_qps = max_of(impl_->fds.fd(maps::qps.index));
    s.max_prefixes = max_of(impl_->fds.fd(maps::prefixes.index));
    s.max_cgroups = max_of(impl_->fds.fd(maps::cgroups.index));
    s.attach_mode = meta.attach_mode == SRV6S_ATTACH_TCX      ? "tcx"
                    : meta.attach_mode == SRV6S_ATTACH_CLSACT ? "clsact"
                                                              : "none";
    if (impl_->pinned())
        check_health(s, meta, impl_->dir);
    s.owned_routes = RouteJournal::list(impl_->fds);
    return s;
}

}  // namespace srv6steer

// ---- dead attachments -----------------------------------------------------------------

namespace srv6steer {

std::vector<std::string> Steering::remove_dead(const std::string& bpffs) {
    require_bpffs(bpffs);
    const netns::Identity me = netns::current();
    const std::string root = state_root(bpffs);
    check_private_path(bpffs, root);
    std::vector<std::string> removed;
    for (const std::string& ns_name : dir_entries(root)) {
        const std::string nsdir = root + "/" + ns_name;
        const bool mine = ns_name == std::to_string(me.cookie);
        // Shared: an attach claiming a directory (exclusive) is never seen
        // half way. Interface directories are only tried (LOCK_NB): one that
        // is locked is in use, so not dead, and nothing here waits on an
        // interface while holding the namespace's lock.
        NetnsLock shared(nsdir, LOCK_SH);
        if (!shared.valid())
            continue;  // removed meanwhile
        check_private_dir(nsdir);
        for (const std::string& ifname : dir_entries(nsdir)) {
            const std::string dir = nsdir + "/" + ifname;
            if (ifname == kReceiveDir) {  // the receive side's state (receive.cpp), no interface's
                if (remove_dead_receive(dir, mine))
                    removed.push_back(dir);
                continue;
            }
            DirLock guard(dir, DirLock::kTry);
            if (!guard.valid())
                continue;  // in use, or removed meanwhile
            check_private_dir(dir);
            std::optional<srv6s_meta> meta;
            if (UniqueFd fd(bpf_obj_get(meta_pin(dir).c_str())); fd)
                meta = Map<uint32_t, srv6s_meta>(fd.get(), "meta").lookup(0);
            bool dead = !meta;  // an attach that died half way (it holds no lock now)
            if (meta && mine) {
                Status s;
                s.ifname = ifname;
                check_health(s, *meta, dir);
                dead = !s.healthy();
            } else if (meta && meta->attach_mode == SRV6S_ATTACH_TCX) {
                // Another namespace: its interface is gone exactly when the
                // link is defunct (the kernel clears its ifindex), whether
                // the namespace was deleted or only the interface.
                const hook::Seen seen = hook::query(link_pin(dir), *meta);
                dead = !seen.link_pinned || seen.ifindex == 0;
            } else if (meta) {
                // clsact: only the filter holds the program; a program id
                // that no longer resolves means the filter (and its
                // interface or namespace) is gone.
                UniqueFd prog(bpf_prog_get_fd_by_id(meta->prog_id));
                dead = !prog && errno == ENOENT;
            }
            if (!dead)
                continue;
            // Routes of another namespace went with its interfaces; ours are put back.
            tear_down(dir, mine, meta);
            removed.push_back(dir);
        }
        shared = NetnsLock();
        if (NetnsLock nslock(nsdir, LOCK_EX); nslock.valid())
            ::rmdir(nsdir.c_str());  // only when empty
    }
    return removed;
}

}  // namespace srv6steer
