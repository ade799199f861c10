# The ValiMail ARC suite is YAML (tests/data/arc/); arc_suite_test.cpp reads it with yaml-cpp.
target_link_libraries(test_${component} PRIVATE PkgConfig::YAMLCPP)
