# The daemon's milter stages (filter/daemon/milter_stages.h) and what they link: run against a
# recording MilterContext, an in-memory zone and a temporary SQLite store.
target_link_libraries(test_${component} PRIVATE filter_milter)
