# sqlite3 directly: the durability test inspects the database file itself.
target_link_libraries(test_${component} PRIVATE PkgConfig::SQLITE)
# authmilter-report's command-line parser (filter/report/) is tested here too.
target_sources(test_${component} PRIVATE ${CMAKE_SOURCE_DIR}/filter/report/report_command_line.cpp)
target_include_directories(test_${component} PRIVATE ${CMAKE_SOURCE_DIR}/filter/report)
