# MySQL Connector/C++ 1.1 for the bundled plugins that talk to MySQL /
# MariaDB (the mysql plugin, and the mysql driver of the SQL hooks).
#
# Debian's libmysqlcppconn-dev cannot be installed beside libboost1.81-dev
# (it depends on libboost-dev 1.74), so its headers are unpacked into a
# build-local prefix by scripts/fetch-mysqlcppconn-headers.sh, and targets
# link the runtime library of libmysqlcppconn7v5 by its full path (without
# the -dev package there is no unversioned libmysqlcppconn.so to find).
#
# Only included by plugins that are built, so a build that skips "mysql"
# (the quickstart's core build) never needs the connector.
include_guard(GLOBAL)

set(FERRY_MYSQLCPPCONN_PREFIX "${PROJECT_SOURCE_DIR}/build-deps/mysqlcppconn"
    CACHE PATH "Where the Connector/C++ 1.1 headers are (include/cppconn/driver.h)")
# By its versioned file name, in the multiarch directories CMake searches
# (/usr/lib/<arch>), whatever the machine's architecture.
find_library(FERRY_MYSQLCPPCONN_LIBRARY NAMES libmysqlcppconn.so.7 mysqlcppconn
             DOC "The Connector/C++ 1.1 runtime library (package libmysqlcppconn7v5)")

# Fetches the headers if missing and checks the library, once per configure.
function(_ferry_mysql_connector_check)
  get_property(done GLOBAL PROPERTY _FERRY_MYSQLCPPCONN_CHECKED)
  if(done)
    return()
  endif()
  set(fetch "${PROJECT_SOURCE_DIR}/scripts/fetch-mysqlcppconn-headers.sh")
  set(header "${FERRY_MYSQLCPPCONN_PREFIX}/include/cppconn/driver.h")
  if(NOT EXISTS "${header}")
    message(STATUS "MySQL Connector/C++: fetching headers into ${FERRY_MYSQLCPPCONN_PREFIX}")
    execute_process(COMMAND bash "${fetch}" "${FERRY_MYSQLCPPCONN_PREFIX}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR NOT EXISTS "${header}")
      message(FATAL_ERROR
        "MySQL Connector/C++ 1.1 headers are missing and could not be fetched.\n"
        "Run: ${fetch} ${FERRY_MYSQLCPPCONN_PREFIX}\n"
        "(it needs apt-get and the package libmysqlcppconn7v5 installed), or set "
        "FERRY_MYSQLCPPCONN_PREFIX to a directory holding include/cppconn/driver.h, "
        "or add mysql to FERRY_PLUGINS_SKIP.\n"
        "${out}${err}")
    endif()
  endif()
  if(NOT FERRY_MYSQLCPPCONN_LIBRARY OR NOT EXISTS "${FERRY_MYSQLCPPCONN_LIBRARY}")
    message(FATAL_ERROR "MySQL Connector/C++: libmysqlcppconn.so.7 not found; "
                        "install libmysqlcppconn7v5, set FERRY_MYSQLCPPCONN_LIBRARY, "
                        "or add mysql to FERRY_PLUGINS_SKIP")
  endif()
  set_property(GLOBAL PROPERTY _FERRY_MYSQLCPPCONN_CHECKED TRUE)
endfunction()

# Compiles `target` against the connector headers and links the library.
function(ferry_use_mysql_connector target)
  _ferry_mysql_connector_check()
  # SYSTEM: the 2019 headers are not warning-clean under -Wextra.
  target_include_directories(${target} SYSTEM PRIVATE "${FERRY_MYSQLCPPCONN_PREFIX}/include")
  target_link_libraries(${target} PRIVATE "${FERRY_MYSQLCPPCONN_LIBRARY}")
endfunction()
