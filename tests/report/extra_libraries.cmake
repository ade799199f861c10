# sqlite3 directly: the durability test inspects the database file itself.
target_link_libraries(test_${component} PRIVATE PkgConfig::SQLITE)
# authmilter-report's command-line parser (filter/report/) is tested here too.
target_link_libraries(test_${component} PRIVATE filter_report)
