# The DMARC conformance tables are YAML (tests/data/dmarc/); see conformance_support.h.
target_link_libraries(test_${component} PRIVATE PkgConfig::YAMLCPP)
