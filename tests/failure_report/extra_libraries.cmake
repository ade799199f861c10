# sqlite3 directly: the atomicity test breaks the failures table under the store's feet.
target_link_libraries(test_${component} PRIVATE PkgConfig::SQLITE)
