// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Network namespaces for the command line: `-n NAME` switches this process
// into /run/netns/NAME (what `ip netns add NAME` made), as `ip -n NAME` does:
// the network namespace only, so the mounts (and the BPF filesystem at
// /sys/fs/bpf, where the state lives) stay the host's. `ip netns exec NAME`
// instead remounts /sys and so hides /sys/fs/bpf: refuse_hidden_bpffs says so.
#pragma once

#include <string>

namespace srv6steer::cli {

// setns(CLONE_NEWNET) into /run/netns/NAME; Error when there is none.
// Call it while the process has one thread.
void enter_netns(const std::string& name);

// Throws a clear Error when bpffs is not a BPF filesystem (or cannot be
// reached) while this process runs in a named network namespace: the mark of
// `ip netns exec`. Otherwise returns, and the library checks bpffs itself.
void refuse_hidden_bpffs(const std::string& bpffs);

// Throws Error(EACCES) when srv6steer's state directory in bpffs exists but
// this user may not read it (it is root's, mode 0700): a permission problem,
// not "not attached".
void refuse_unreadable_state(const std::string& bpffs);

}  // namespace srv6steer::cli
