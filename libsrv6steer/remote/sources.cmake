# Remote mode (libsrv6steer/remote/): the agent protocol's framing (wire),
# its JSON payloads (nlohmann_json, header-only: json_in reads JSON text,
# values the library's values, messages one codec per message) and the
# client behind Steering::connect. The agent (loader/agent_server.cpp) uses the same files.
find_package(nlohmann_json 3 REQUIRED)
set(SRV6S_REMOTE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/wire.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_in.cpp
  ${CMAKE_CURRENT_LIST_DIR}/values.cpp
  ${CMAKE_CURRENT_LIST_DIR}/messages.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connect.cpp)
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/client.cpp PROPERTIES
  COMPILE_DEFINITIONS SRV6S_VERSION_STRING="${PROJECT_VERSION}")
