target_link_libraries(test_${component} PRIVATE authconfig)
