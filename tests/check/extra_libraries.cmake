# authmilter-check's probe pieces and the daemon's probe token are program sources (filter/),
# not part of the policy library: compile the ones under test into the test program.
target_sources(test_${component} PRIVATE
  ${CMAKE_SOURCE_DIR}/filter/check/postfix_facts.cpp
  ${CMAKE_SOURCE_DIR}/filter/check/probe_diagnosis.cpp
  ${CMAKE_SOURCE_DIR}/filter/check/program_output.cpp
  ${CMAKE_SOURCE_DIR}/filter/check/smtp_probe.cpp
  ${CMAKE_SOURCE_DIR}/filter/daemon/probe_reply.cpp
  ${CMAKE_SOURCE_DIR}/filter/daemon/probe_token.cpp)
target_include_directories(test_${component} PRIVATE ${CMAKE_SOURCE_DIR}/filter)
target_link_libraries(test_${component} PRIVATE authconfig OpenSSL::Crypto)
# authmilter-check --history's option parsing and setting comparison.
target_sources(test_${component} PRIVATE
  ${CMAKE_SOURCE_DIR}/filter/check/check_options.cpp
  ${CMAKE_SOURCE_DIR}/filter/check/history_time.cpp
  ${CMAKE_SOURCE_DIR}/filter/check/setting_changes.cpp)
