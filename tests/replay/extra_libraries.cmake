# The replay is checked against the daemon's own pipeline (MessageEvaluation, run_dmarc_step)
# and through a real SQLite store: link those components too.
target_link_libraries(test_${component} PRIVATE policy_evaluation policy_report)
# The private PostgreSQL of the store tests, for the migration and read-only tests.
target_sources(test_${component} PRIVATE ${CMAKE_SOURCE_DIR}/tests/report/postgres_support.cpp)
target_include_directories(test_${component} PRIVATE ${CMAKE_SOURCE_DIR}/tests/report)
