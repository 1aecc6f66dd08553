// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "netlink/libnl.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "netlink/attrs.hpp"
#include "srv6steer/error.hpp"

namespace srv6steer::nl {

int nle_errno(int nle) {
    switch (nle < 0 ? -nle : nle) {
    case NLE_NOMEM: return ENOMEM;
    case NLE_EXIST: return EEXIST;
    case NLE_INVAL: return EINVAL;
    case NLE_RANGE: return ERANGE;
    case NLE_MSGSIZE: return EMSGSIZE;
    case NLE_OPNOTSUPP: return EOPNOTSUPP;
    case NLE_AF_NOSUPPORT: return EAFNOSUPPORT;
    case NLE_OBJ_NOTFOUND: return ENOENT;
    case NLE_AGAIN: return EAGAIN;
    case NLE_INTR: return EINTR;
    case NLE_BUSY: return EBUSY;
    case NLE_NOACCESS: return EACCES;
    case NLE_PERM: return EPERM;
    case NLE_NODEV: return ENODEV;
    case NLE_DUMP_INTR: return EINTR;
    case NLE_BAD_SOCK: return EBADF;
    default: return EIO;
    }
}

void throw_nle(const std::string& what, int nle) {
    throw Error(what + ": " + nl_geterror(nle), nle_errno(nle));
}

namespace {

AddrPtr to_nl_addr(const Prefix& p) {
    const bool v4 = p.is_v4();
    auto [af, bytes] = family_bytes(p.addr, v4);
    AddrPtr a(nl_addr_build(af, bytes.data(), bytes.size()));
    if (!a)
        throw Error("out of memory building a netlink address", ENOMEM);
    nl_addr_set_prefixlen(a.get(), static_cast<int>(v4 ? p.len - 96 : p.len));
    return a;
}

}  // namespace

RoutePtr new_route(const Prefix& dst, uint32_t table, const std::string& what) {
    RoutePtr r(rtnl_route_alloc());
    if (!r)
        throw Error("out of memory building a route", ENOMEM);
    AddrPtr a = to_nl_addr(dst);
    rtnl_route_set_family(r.get(), static_cast<uint8_t>(dst.is_v4() ? AF_INET : AF_INET6));
    if (int e = rtnl_route_set_dst(r.get(), a.get()); e < 0)
        throw_nle(what + ": building the route failed", e);
    rtnl_route_set_table(r.get(), table);
    return r;
}

}  // namespace srv6steer::nl
