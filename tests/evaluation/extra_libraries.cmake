# Whole messages fed as the milter hands them over, shared with tests/failure_report
# (tests/support).
target_sources(test_${component} PRIVATE
  ${CMAKE_SOURCE_DIR}/tests/support/evaluation_feed.cpp
  ${CMAKE_SOURCE_DIR}/tests/support/message_parts.cpp
  ${CMAKE_SOURCE_DIR}/tests/support/suite_support.cpp)
