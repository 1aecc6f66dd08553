# The Jalapeno client's tests: a fake Jalapeno on 127.0.0.1 (cpp-httplib's
# server), no network beyond loopback, no privileges.
find_package(nlohmann_json 3 REQUIRED)
pkg_check_modules(CPP_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
add_executable(jalapeno_tests ${CMAKE_CURRENT_LIST_DIR}/jalapeno_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/jalapeno_usid_test.cpp)
target_link_libraries(jalapeno_tests PRIVATE srv6steer_jalapeno srv6steer_core PkgConfig::CPP_HTTPLIB
                      nlohmann_json::nlohmann_json GTest::gtest_main rapidcheck)
gtest_discover_tests(jalapeno_tests PROPERTIES LABELS unit)
