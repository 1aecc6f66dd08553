// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "fd_holder.hpp"

#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "common.hpp"

namespace benchfd {

using benchutil::Failure;

namespace {

constexpr size_t kPerMessage = 250;  // below SCM_MAX_FD (253)
constexpr int kChildSock = 3;

// A message of one byte with room for `controllen` bytes of control data.
msghdr one_byte(char& byte, iovec& iov, std::vector<char>& control, size_t controllen) {
    iov = {&byte, 1};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control.data();
    m.msg_controllen = controllen;
    return m;
}

// The child: receives fds until the parent goes, acknowledging each message
// with one byte once its fds are installed.
[[noreturn]] void hold(int sock) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (sock != kChildSock) {
        dup2(sock, kChildSock);
        close(sock);
    }
    syscall(SYS_close_range, kChildSock + 1, ~0U, 0);  // nothing of the parent's but the socket
    std::vector<char> control(CMSG_SPACE(sizeof(int) * kPerMessage));
    for (;;) {
        char byte = 0;
        iovec iov;
        msghdr m = one_byte(byte, iov, control, control.size());
        const ssize_t n = recvmsg(kChildSock, &m, MSG_CMSG_CLOEXEC);
        if (n <= 0 || (m.msg_flags & MSG_CTRUNC))
            _exit(n == 0 ? 0 : 1);
        (void)!write(kChildSock, &byte, 1);
    }
}

}  // namespace

size_t Holder::capacity() {
    rlimit r{};
    getrlimit(RLIMIT_NOFILE, &r);
    return r.rlim_cur > 64 ? static_cast<size_t>(r.rlim_cur) - 64 : 0;
}

Holder::Holder() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
        throw Failure(std::string("socketpair: ") + std::strerror(errno));
    pid_ = fork();
    if (pid_ < 0) {
        const int err = errno;
        close(sv[0]);
        close(sv[1]);
        throw Failure(std::string("fork: ") + std::strerror(err));
    }
    if (pid_ == 0) {
        close(sv[0]);
        hold(sv[1]);
    }
    close(sv[1]);
    sock_ = srv6steer::UniqueFd(sv[0]);
}

Holder::~Holder() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

void Holder::give(std::span<const int> fds) {
    if (held_ + fds.size() > capacity())
        throw Failure("a holder process keeps at most " + std::to_string(capacity()) + " fds");
    std::vector<char> control(CMSG_SPACE(sizeof(int) * kPerMessage));
    for (size_t at = 0; at < fds.size(); at += kPerMessage) {
        const size_t n = std::min(kPerMessage, fds.size() - at);
        char byte = 0;
        iovec iov;
        msghdr m = one_byte(byte, iov, control, CMSG_SPACE(sizeof(int) * n));
        cmsghdr* c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        std::memcpy(CMSG_DATA(c), fds.data() + at, sizeof(int) * n);
        if (sendmsg(sock_.get(), &m, 0) != 1)
            throw Failure(std::string("passing sockets to the holder process: ") + std::strerror(errno));
        if (read(sock_.get(), &byte, 1) != 1)
            throw Failure("the holder process did not take the sockets (it died)");
        held_ += n;
    }
}

}  // namespace benchfd
