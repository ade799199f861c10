# The ValiMail ARC suite is YAML (tests/data/arc/); arc_suite_test.cpp reads it with yaml-cpp.
target_link_libraries(test_${component} PRIVATE PkgConfig::YAMLCPP)
# Message splitting, file reading and suite scores shared with tests/dkim (tests/support).
target_sources(test_${component} PRIVATE
  ${CMAKE_SOURCE_DIR}/tests/support/message_parts.cpp
  ${CMAKE_SOURCE_DIR}/tests/support/suite_support.cpp)
