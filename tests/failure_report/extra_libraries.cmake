# sqlite3 directly: the atomicity test breaks the failures table under the store's feet.
target_link_libraries(test_${component} PRIVATE PkgConfig::SQLITE)
# Whole messages fed as the milter hands them over, shared with tests/evaluation (tests/support).
target_sources(test_${component} PRIVATE
  ${CMAKE_SOURCE_DIR}/tests/support/evaluation_feed.cpp
  ${CMAKE_SOURCE_DIR}/tests/support/message_parts.cpp
  ${CMAKE_SOURCE_DIR}/tests/support/suite_support.cpp)
