// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Receive, the facade: attach, open, detach, status, config and the lock.
// SIDs are in receive_sids.cpp, counters in receive_stats.cpp, the config
// conversion in receive_config.cpp.
//
// One state per network namespace (receive_maps.hpp), one writer at a time:
// every call runs under an flock on the state directory (DirLock), as the
// egress side's interface directories (docs/design.md §5, §14.3). The state
// is made, when there is none, under an exclusive lock on the namespace's
// directory (what egress attach takes to claim an interface), so two
// attaches that race make it once.
#include <bpf/bpf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hook.hpp"
#include "impl.hpp"
#include "netlink/netlink.hpp"
#include "receive_hook.hpp"
#include "receive_impl.hpp"

namespace srv6steer {

namespace {

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

std::string complete_pin(const std::string& dir) { return dir + "/" + rxmaps::attached.pin; }

std::string not_set_up(const std::string& dir) {
    return "the receive side is not attached to any interface in this network namespace (no state in " + dir + ")";
}

// Every interface hooked, by name.
std::vector<std::pair<std::string, RxAttachRecord>> records(const RxMapFds& fds) {
    std::vector<std::pair<std::string, RxAttachRecord>> out;
    for (const auto& [k, v] : fds[rxmaps::attached].entries())
        out.emplace_back(rx_if_name(k), v);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

UniqueFd pinned_prog(const std::string& dir, const char* pin) {
    const std::string path = dir + "/" + pin;
    UniqueFd fd(bpf_obj_get(path.c_str()));
    if (!fd)
        throw_errno("opening the receive program pinned at " + path, errno);
    return fd;
}

// Removes a receive directory's pins and the directory. Call with its lock
// held, after its hooks are off.
void remove_dir(const std::string& dir, std::vector<std::string>& problems) {
    RxMapFds::unpin_all(dir);
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT)
        problems.push_back("removing " + dir + ": " + std::strerror(errno));
}

// Makes the state (loads the programs, pins them and the maps, `attached`
// last) unless it is there. Returns the loaded object when this call made it.
std::optional<RxDataPlane> make_state(const std::string& bpffs, const netns::Identity& ns, const std::string& dir) {
    const std::string nsdir = netns_dir(bpffs, ns.cookie);
    for (int tries = 0;; tries++) {
        make_netns_dir(bpffs, ns.cookie);
        DirLock nslock(nsdir);
        if (!nslock.valid()) {  // an egress detach removed the namespace's directory meanwhile
            if (tries < 8)
                continue;
            throw Error("cannot create " + nsdir + ": it keeps disappearing", EAGAIN);
        }
        if (exists(complete_pin(dir))) {
            check_private_dir(dir);
            return std::nullopt;
        }
        if (exists(dir)) {  // made half way by one that died: makers hold this lock
            check_private_dir(dir);
            std::vector<std::string> ignored;
            remove_dir(dir, ignored);
        }
        RxDataPlane dp = RxDataPlane::load();
        if (::mkdir(dir.c_str(), 0700) != 0)
            throw_errno("creating " + dir, errno);
        try {
            RxMapFds fds = RxMapFds::of_object(dp.object());
            fds[rxmaps::config].update(0, rx_config_to_abi(ReceiveConfig{}));
            const std::pair<int, const char*> progs[] = {{dp.xdp_fd(), rxmaps::kXdpProgPin},
                                                         {dp.tc_fd(), rxmaps::kTcProgPin}};
            for (const auto& [fd, pin] : progs)
                if (bpf_obj_pin(fd, (dir + "/" + pin).c_str()))
                    throw_errno("pinning the receive program at " + dir + "/" + pin, errno);
            fds.pin_all(dir);
        } catch (...) {
            std::vector<std::string> ignored;
            remove_dir(dir, ignored);
            throw;
        }
        return dp;
    }
}

// The hooks of the state in dir off, its pins and directory gone. Call with
// its lock held.
std::vector<std::string> tear_down(const std::string& dir) {
    std::vector<std::string> problems;
    try {
        const RxMapFds fds = RxMapFds::open_pinned(dir);
        for (const auto& [name, rec] : records(fds))
            for (auto& p : rxhook::detach(rxmaps::link_pin(dir, name), rec))
                problems.push_back(name + ": " + p);
    } catch (const Error& e) {
        problems.push_back(e.what());
    }
    remove_dir(dir, problems);
    return problems;
}

void add_problem(ReceiveAttachment& a, Problem::Kind kind, std::string detail) {
    a.problems.push_back({kind, std::move(detail)});
}

ReceiveAttachment look_at(const std::string& dir, const std::string& name, const RxAttachRecord& rec,
                          nl::Netlink& nl) {
    ReceiveAttachment a;
    a.ifname = name;
    a.ifindex = static_cast<int>(rec.ifindex);
    a.mode = rx_hook_name(rec.mode);
    a.attached = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(rec.attached_ns)));
    try {
        const nl::Link link = nl.link(name);
        if (static_cast<uint32_t>(link.ifindex) != rec.ifindex)
            add_problem(a, Problem::Kind::IfindexChanged,
                        name + " is interface " + std::to_string(link.ifindex) +
                            " now; the receive program was attached to " + std::to_string(rec.ifindex) +
                            ", which is gone (deleted and created again)");
    } catch (const Error& e) {
        if (e.code() != ENODEV)
            throw;
        add_problem(a, Problem::Kind::InterfaceGone, "there is no interface " + name + " any more");
    }
    const std::string pin = rxmaps::link_pin(dir, name);
    const rxhook::Seen seen = rxhook::query(pin, rec);
    a.prog_id = seen.prog_id;
    a.link_id = seen.link_id;
    const bool linked = rec.mode != kRxClsact;
    if (linked && !seen.link_pinned)
        add_problem(a, Problem::Kind::LinkMissing, std::string("the link pin ") + pin + " is gone");
    else if (linked && seen.ifindex == 0)
        add_problem(a, Problem::Kind::ProgramNotAttached,
                    "the link is defunct: the interface it was attached to is gone");
    else if (seen.prog_id != rec.prog_id)
        add_problem(a, Problem::Kind::ProgramNotAttached,
                    seen.prog_id ? "another program (id " + std::to_string(seen.prog_id) + ") runs in its place"
                                 : std::string("the receive program is no longer attached"));
    return a;
}

uint32_t max_entries(int fd) {
    bpf_map_info info{};
    uint32_t len = sizeof info;
    return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.max_entries : 0u;
}

}  // namespace

std::string receive_dir(const std::string& bpffs, uint64_t netns_cookie) {
    return netns_dir(bpffs, netns_cookie) + "/" + kReceiveDir;
}

RxMode parse_rx_mode(std::string_view text) {
    if (text == "auto")
        return RxMode::Auto;
    if (text == "native" || text == "drv" || text == "driver")
        return RxMode::Native;
    if (text == "generic" || text == "skb")
        return RxMode::Generic;
    if (text == "tc")
        return RxMode::Tc;
    throw Error("invalid receive mode \"" + std::string(text) + "\": expected auto, native, generic or tc");
}

bool ReceiveStatus::healthy() const {
    return std::all_of(interfaces.begin(), interfaces.end(), [](const auto& a) { return a.healthy(); });
}

// ---- the lock ----------------------------------------------------------------------

void Receive::Impl::acquire() {
    if (!pinned() || depth++ > 0)
        return;
    try {
        held.emplace(dir);
        if (!held->valid() || !exists(complete_pin(dir)))
            throw Error(not_set_up(dir) + ": it was detached meanwhile", ENOENT);
        // A new directory (the last interface detached and another attached
        // since this object opened it) has new maps.
        if (const uint64_t ino = inode_of(dir); ino != dir_ino) {
            fds = RxMapFds::open_pinned(dir);
            dir_ino = ino;
        }
    } catch (...) {
        held.reset();
        depth = 0;
        throw;
    }
}

void Receive::Impl::release() {
    if (pinned() && depth > 0 && --depth == 0)
        held.reset();
}

Receive::Lock::Lock(Impl* impl) : impl_(impl) { impl_->acquire(); }
Receive::Lock::Lock(Lock&& o) noexcept : impl_(std::exchange(o.impl_, nullptr)) {}
Receive::Lock& Receive::Lock::operator=(Lock&& o) noexcept {
    if (this != &o) {
        if (impl_)
            impl_->release();
        impl_ = std::exchange(o.impl_, nullptr);
    }
    return *this;
}
Receive::Lock::~Lock() {
    if (impl_)
        impl_->release();
}
Receive::Lock Receive::lock() { return Lock(impl_.get()); }

// ---- lifecycle -----------------------------------------------------------------------

Receive::Receive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Receive::Receive(Receive&&) noexcept = default;
Receive& Receive::operator=(Receive&&) noexcept = default;
Receive::~Receive() = default;

int Receive::xdp_program_fd() const { return impl_->dp ? impl_->dp->xdp_fd() : -1; }
int Receive::tc_program_fd() const { return impl_->dp ? impl_->dp->tc_fd() : -1; }

Receive Receive::load_unattached() {
    auto im = std::make_unique<Impl>();
    im->dp.emplace(RxDataPlane::load());
    im->fds = RxMapFds::of_object(im->dp->object());
    im->fds[rxmaps::config].update(0, rx_config_to_abi(ReceiveConfig{}));
    return Receive(std::move(im));
}

Receive Receive::attach(const ReceiveAttachOptions& o) {
    check_ifname(o.ifname);
    require_bpffs(o.bpffs);
    nl::Netlink nl;
    const nl::Link link = nl.link(o.ifname);
    auto im = std::make_unique<Impl>();
    im->bpffs = o.bpffs;
    im->ns = netns::current();
    im->dir = receive_dir(o.bpffs, im->ns.cookie);
    check_private_path(o.bpffs, netns_dir(o.bpffs, im->ns.cookie));
    for (int tries = 0;; tries++) {
        std::optional<RxDataPlane> made = make_state(o.bpffs, im->ns, im->dir);
        try {
            auto guard = im->lock();
            if (im->fds[rxmaps::attached].lookup(rx_if_key(o.ifname)))
                throw Error("the receive program is already attached to " + o.ifname + " (state in " + im->dir +
                                "): use that attachment, or detach it first",
                            EEXIST);
            const UniqueFd xdp = made ? UniqueFd() : pinned_prog(im->dir, rxmaps::kXdpProgPin);
            const UniqueFd tc = made ? UniqueFd() : pinned_prog(im->dir, rxmaps::kTcProgPin);
            const std::string pin = rxmaps::link_pin(im->dir, o.ifname);
            ::unlink(pin.c_str());  // a link pin without a record: what a detach that failed half way leaves
            RxAttachRecord rec{};
            try {
                rec = rxhook::attach(made ? made->xdp_fd() : xdp.get(), made ? made->tc_fd() : tc.get(), link.ifindex,
                                     o.ifname, o.mode, pin);
                rec.attached_ns = now_ns();
                im->fds[rxmaps::attached].update(rx_if_key(o.ifname), rec, BPF_NOEXIST);
            } catch (...) {
                if (rec.mode)
                    rxhook::detach(pin, rec);
                // A state made for this attach goes with it.
                if (made && im->fds[rxmaps::attached].empty()) {
                    std::vector<std::string> ignored;
                    remove_dir(im->dir, ignored);
                }
                throw;
            }
        } catch (const Error& e) {
            // The last interface detached between making and locking: again.
            if (e.code() == ENOENT && !made && tries < 8)
                continue;
            throw;
        }
        im->dp.reset();  // the hooks hold the programs; the pins hold the maps
        return Receive(std::move(im));
    }
}

Receive Receive::open(const std::string& bpffs) {
    require_bpffs(bpffs);
    auto im = std::make_unique<Impl>();
    im->bpffs = bpffs;
    im->ns = netns::current();
    im->dir = receive_dir(bpffs, im->ns.cookie);
    if (!exists(complete_pin(im->dir)))
        throw Error(not_set_up(im->dir), ENOENT);
    check_private_path(bpffs, im->dir);
    auto guard = im->lock();  // opens the maps, under the lock
    return Receive(std::move(im));
}

bool Receive::detach(std::string_view ifname, const std::string& bpffs) {
    check_ifname(ifname);
    require_bpffs(bpffs);
    const netns::Identity ns = netns::current();
    const std::string dir = receive_dir(bpffs, ns.cookie);
    if (!exists(dir))
        return false;
    check_private_path(bpffs, dir);
    std::vector<std::string> problems;
    bool last = false;
    {
        DirLock guard(dir);
        if (!guard.valid() || !exists(complete_pin(dir)))
            return false;
        RxMapFds fds = RxMapFds::open_pinned(dir);
        const std::string name(ifname);
        const auto rec = fds[rxmaps::attached].lookup(rx_if_key(name));
        if (!rec)
            return false;
        problems = rxhook::detach(rxmaps::link_pin(dir, name), *rec);
        fds[rxmaps::attached].erase(rx_if_key(name));
        if (fds[rxmaps::attached].empty()) {
            last = true;
            remove_dir(dir, problems);
        }
    }
    // The namespace's directory goes when nothing else is in it.
    if (last)
        if (DirLock nslock(netns_dir(bpffs, ns.cookie)); nslock.valid())
            ::rmdir(netns_dir(bpffs, ns.cookie).c_str());
    if (!problems.empty()) {
        std::string msg = "detached the receive program from " + std::string(ifname) + ", but:";
        for (const auto& p : problems)
            msg += "\n  " + p;
        throw Error(msg, EIO);
    }
    return true;
}

std::vector<std::string> Receive::attached(const std::string& bpffs) {
    require_bpffs(bpffs);
    const std::string dir = receive_dir(bpffs, netns::current().cookie);
    if (!exists(complete_pin(dir)))
        return {};
    try {
        const Receive r = open(bpffs);
        auto guard = r.impl_->lock();
        std::vector<std::string> out;
        for (const auto& [name, rec] : records(r.impl_->fds))
            out.push_back(name);
        return out;
    } catch (const Error& e) {
        if (e.code() == ENOENT)
            return {};  // detached meanwhile
        throw;
    }
}

// ---- status and config ---------------------------------------------------------------

ReceiveStatus Receive::status() const {
    auto guard = impl_->lock();
    ReceiveStatus s;
    s.dir = impl_->dir;
    s.config = config();
    const RxMapFds& fds = impl_->fds;
    s.n_sids = fds[rxmaps::sids].keys().size();
    if (const auto v = fds[rxmaps::config].lookup(0); v && (v->flags & SRV6S_RX_CFG_BLOCK)) {
        Prefix b;
        std::memcpy(b.addr.bytes.data(), v->block, sizeof v->block);
        b.len = 0;
        for (uint8_t m : v->block_mask)
            b.len += static_cast<unsigned>(__builtin_popcount(m));
        s.sid_block = b;
    }
    s.max_sids = max_entries(fds.fd(rxmaps::sids.index));
    s.n_paths = Map<srv6s_rx_path_key, uint64_t>(fds.fd(rxmaps::paths.index), rxmaps::paths.pin).keys().size();
    s.max_paths = max_entries(fds.fd(rxmaps::paths.index));
    if (impl_->dp) {
        s.xdp_prog_id = hook::prog_id_of(impl_->dp->xdp_fd());
        s.tc_prog_id = hook::prog_id_of(impl_->dp->tc_fd());
    }
    if (!impl_->pinned())
        return s;
    s.xdp_prog_id = hook::prog_id_of(pinned_prog(impl_->dir, rxmaps::kXdpProgPin).get());
    s.tc_prog_id = hook::prog_id_of(pinned_prog(impl_->dir, rxmaps::kTcProgPin).get());
    nl::Netlink nl;
    for (const auto& [name, rec] : records(fds))
        s.interfaces.push_back(look_at(impl_->dir, name, rec, nl));
    return s;
}

ReceiveConfig Receive::config() const {
    auto guard = impl_->lock();
    return rx_config_from_abi(impl_->fds[rxmaps::config].lookup(0).value_or(srv6s_rx_config{}));
}

void Receive::set_config(const ReceiveConfig& c) {
    check_receive_config(c);  // before anything changes: a refused config keeps the old one
    auto guard = impl_->lock();
    auto map = impl_->fds[rxmaps::config];
    // The block filter is the SIDs' (receive_sids.cpp), not the user's: kept.
    const srv6s_rx_config old = map.lookup(0).value_or(srv6s_rx_config{});
    srv6s_rx_config v = rx_config_to_abi(c);
    v.flags |= old.flags & SRV6S_RX_CFG_BLOCK;
    std::memcpy(v.block, old.block, sizeof v.block);
    std::memcpy(v.block_mask, old.block_mask, sizeof v.block_mask);
    map.update(0, v);
}

// ---- dead state (Steering::remove_dead) ---------------------------------------------------

bool remove_dead_receive(const std::string& dir, bool mine) {
    DirLock guard(dir, DirLock::kTry);
    if (!guard.valid())
        return false;  // in use, or removed meanwhile
    check_private_dir(dir);
    bool live = false;
    if (exists(complete_pin(dir))) {
        const RxMapFds fds = RxMapFds::open_pinned(dir);
        for (const auto& [name, rec] : records(fds)) {
            if (rec.mode == kRxClsact && !mine) {
                // Only the filter held the program id: gone with its interface.
                UniqueFd prog(bpf_prog_get_fd_by_id(rec.prog_id));
                live = live || prog || errno != ENOENT;
                continue;
            }
            const rxhook::Seen seen = rxhook::query(rxmaps::link_pin(dir, name), rec);
            live = live || (seen.prog_id != 0 && seen.prog_id == rec.prog_id);
        }
    }
    if (live)
        return false;
    tear_down(dir);
    return true;
}

}  // namespace srv6steer
