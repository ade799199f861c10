# The real-validation test (key_dnssec_unbound_test.cpp) serves a signed key zone from a test
# unbound: compile the DNS tests' server and zone-signing helpers into this program too.
target_sources(test_${component} PRIVATE
  ${CMAKE_SOURCE_DIR}/tests/dns/test_unbound_support.cpp
  ${CMAKE_SOURCE_DIR}/tests/dns/signed_zone_support.cpp)
target_include_directories(test_${component} PRIVATE ${CMAKE_SOURCE_DIR}/tests/dns)
# Message splitting, file reading and suite scores shared with tests/arc (tests/support).
target_sources(test_${component} PRIVATE
  ${CMAKE_SOURCE_DIR}/tests/support/message_parts.cpp
  ${CMAKE_SOURCE_DIR}/tests/support/suite_support.cpp)
