# The conformance runner reads the openspf.org YAML suites.
target_link_libraries(test_${component} PRIVATE PkgConfig::YAMLCPP)
