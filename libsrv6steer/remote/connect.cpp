// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Steering::connect: a Steering whose calls go to `srv6steer agent`
// (remote/client.hpp). Its Impl holds only the client and the interface
// name the agent reported.
#include "impl.hpp"
#include "remote/client.hpp"

namespace srv6steer {

Steering Steering::connect(const std::string& socket_path, std::string_view ifname) {
    auto im = std::make_unique<Impl>();
    im->remote.reset(new remote::Client(socket_path, std::string(ifname)));
    im->ifname = im->remote->ifname();
    return Steering(std::move(im));
}

bool Steering::remote() const { return impl_->remote != nullptr; }

}  // namespace srv6steer
