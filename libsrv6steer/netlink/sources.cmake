# srv6steer::nl (libsrv6steer/netlink/), for srv6steer_dp. libnl-route-3 is
# needed by libnl.cpp, route_msg.cpp and route.cpp only.
set(SRV6S_NETLINK_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/socket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/attrs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/libnl.cpp
  ${CMAKE_CURRENT_LIST_DIR}/route_msg.cpp
  ${CMAKE_CURRENT_LIST_DIR}/format.cpp
  ${CMAKE_CURRENT_LIST_DIR}/link.cpp
  ${CMAKE_CURRENT_LIST_DIR}/route.cpp)
