# authmilter-check's probe pieces and the daemon's probe token and reply (filter/): the
# programs' own libraries (filter/CMakeLists.txt), each source compiled once.
target_link_libraries(test_${component} PRIVATE filter_check)
