# Remote mode (libsrv6steer/remote/): the agent protocol's framing (wire) and
# messages (JSON payloads, nlohmann_json, header-only), the client behind
# Steering::connect. The agent (loader/agent_server.cpp) uses the same files.
find_package(nlohmann_json 3 REQUIRED)
set(SRV6S_REMOTE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/wire.cpp
  ${CMAKE_CURRENT_LIST_DIR}/messages.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connect.cpp)
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/client.cpp PROPERTIES
  COMPILE_DEFINITIONS SRV6S_VERSION_STRING="${PROJECT_VERSION}")
