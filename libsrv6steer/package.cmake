# The shipped library: libsrv6steer.so (C++ API + C ABI), its headers, a
# pkg-config file and a CMake package. Included at the end of
# libsrv6steer/CMakeLists.txt.
#
# The implementation lives in the static libraries srv6steer_core and
# srv6steer_dp; the shared library takes them whole, so every symbol of the
# C++ API (srv6steer.hpp) and of the C ABI (srv6steer.h) is exported. The BPF
# object is embedded in the skeleton, so nothing else ships.
#
# The target is called srv6steer_lib (the CLI executable is `srv6steer`);
# its file is libsrv6steer.so and consumers know it as srv6steer::srv6steer.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The C ABI (srv6steer.h) over the C++ API, one file per part of it.
add_library(srv6steer_lib SHARED
  ${CMAKE_CURRENT_LIST_DIR}/capi/library.cpp
  ${CMAKE_CURRENT_LIST_DIR}/capi/lifecycle.cpp
  ${CMAKE_CURRENT_LIST_DIR}/capi/status.cpp
  ${CMAKE_CURRENT_LIST_DIR}/capi/paths.cpp
  ${CMAKE_CURRENT_LIST_DIR}/capi/pins.cpp
  ${CMAKE_CURRENT_LIST_DIR}/capi/stats.cpp
  ${CMAKE_CURRENT_LIST_DIR}/capi/plan.cpp
  ${CMAKE_CURRENT_LIST_DIR}/capi/receive.cpp)
add_library(srv6steer::srv6steer ALIAS srv6steer_lib)
# srv6s_plan, srv6s_plan_jalapeno (capi/plan.cpp): the planner and the
# Jalapeno client (planner/, defined after this directory), whole too and
# before srv6steer_core, which they need (the client brings cpp-httplib's
# shared library).
target_link_libraries(srv6steer_lib PRIVATE
  $<LINK_LIBRARY:WHOLE_ARCHIVE,srv6steer_plan_jalapeno>
  $<LINK_LIBRARY:WHOLE_ARCHIVE,srv6steer_plan>
  $<LINK_LIBRARY:WHOLE_ARCHIVE,srv6steer_jalapeno>
  $<LINK_LIBRARY:WHOLE_ARCHIVE,srv6steer_dp>
  $<LINK_LIBRARY:WHOLE_ARCHIVE,srv6steer_core>)
# srv6steer_dp also brings srv6steer_core in without a feature: take it whole.
set_property(TARGET srv6steer_lib PROPERTY LINK_LIBRARY_OVERRIDE_srv6steer_core WHOLE_ARCHIVE)
# srv6steer_plan_jalapeno brings the planner and the client in the same way.
set_property(TARGET srv6steer_lib PROPERTY LINK_LIBRARY_OVERRIDE_srv6steer_plan WHOLE_ARCHIVE)
set_property(TARGET srv6steer_lib PROPERTY LINK_LIBRARY_OVERRIDE_srv6steer_jalapeno WHOLE_ARCHIVE)
target_include_directories(srv6steer_lib PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(srv6steer_lib PUBLIC cxx_std_20)
target_compile_definitions(srv6steer_lib PRIVATE SRV6S_VERSION_STRING="${PROJECT_VERSION}")
# The soname's number is the C ABI's version, written once: SRV6S_ABI_VERSION
# in srv6steer.h (bumped with every change that breaks callers built against
# an older header; 1: sized options structs, no reason count in a layout).
# The file is libsrv6steer.so.<abi>.<release>, e.g. libsrv6steer.so.1.0.1.0.
file(STRINGS ${PROJECT_SOURCE_DIR}/include/srv6steer/srv6steer.h SRV6S_ABI_LINE
     REGEX "^#define SRV6S_ABI_VERSION [0-9]+$")
string(REGEX REPLACE "^#define SRV6S_ABI_VERSION " "" SRV6S_ABI_VERSION "${SRV6S_ABI_LINE}")
if(NOT SRV6S_ABI_VERSION MATCHES "^[0-9]+$")
  message(FATAL_ERROR "no '#define SRV6S_ABI_VERSION N' in include/srv6steer/srv6steer.h")
endif()
set_target_properties(srv6steer_lib PROPERTIES
  OUTPUT_NAME srv6steer
  EXPORT_NAME srv6steer
  VERSION ${SRV6S_ABI_VERSION}.${PROJECT_VERSION}
  SOVERSION ${SRV6S_ABI_VERSION}
  # Nothing undefined may be left for the application to provide.
  LINK_OPTIONS "LINKER:--no-undefined")

set(SRV6S_PUBLIC_HEADERS
  ${PROJECT_SOURCE_DIR}/include/srv6steer/srv6steer.hpp
  ${PROJECT_SOURCE_DIR}/include/srv6steer/srv6steer.h
  ${PROJECT_SOURCE_DIR}/include/srv6steer/types.hpp
  ${PROJECT_SOURCE_DIR}/include/srv6steer/sid.hpp
  ${PROJECT_SOURCE_DIR}/include/srv6steer/error.hpp
  ${PROJECT_SOURCE_DIR}/include/srv6steer/abi.h
  ${PROJECT_SOURCE_DIR}/include/srv6steer/decap_abi.h
  ${PROJECT_SOURCE_DIR}/include/srv6steer/probe.hpp
  ${PROJECT_SOURCE_DIR}/include/srv6steer/probe_abi.h
  ${PROJECT_SOURCE_DIR}/include/srv6steer/receive.h
  ${PROJECT_SOURCE_DIR}/include/srv6steer/flowhash.h)

install(TARGETS srv6steer_lib EXPORT srv6steerTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT srv6steer_runtime
          NAMELINK_COMPONENT srv6steer_devel)
install(FILES ${SRV6S_PUBLIC_HEADERS}
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/srv6steer COMPONENT srv6steer_devel)

# pkg-config: relocatable (prefix from the .pc file's own place), so that
# `cmake --install build --prefix P` gives a working P/lib/pkgconfig/srv6steer.pc.
file(RELATIVE_PATH SRV6S_PC_TO_PREFIX
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" SRV6S_PC_TO_PREFIX "${SRV6S_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/srv6steer.pc.in
  ${CMAKE_CURRENT_BINARY_DIR}/srv6steer.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/srv6steer.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT srv6steer_devel)

# CMake package: find_package(srv6steer) -> srv6steer::srv6steer.
set(SRV6S_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/srv6steer)
install(EXPORT srv6steerTargets NAMESPACE srv6steer::
  DESTINATION ${SRV6S_CMAKE_DIR} COMPONENT srv6steer_devel)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/srv6steerConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/srv6steerConfig.cmake
  INSTALL_DESTINATION ${SRV6S_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/srv6steerConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  # 0.x: minor versions may break the C++ API; the C ABI's breaks change the
  # soname (libsrv6steer.so.${SRV6S_ABI_VERSION}).
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/srv6steerConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/srv6steerConfigVersion.cmake
  DESTINATION ${SRV6S_CMAKE_DIR} COMPONENT srv6steer_devel)
