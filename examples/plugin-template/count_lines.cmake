# cmake -DFILE=F -DLINES=N -P count_lines.cmake: fails unless F has N lines.
file(STRINGS "${FILE}" lines)
list(LENGTH lines n)
if(NOT n EQUAL LINES)
  message(FATAL_ERROR "${FILE} has ${n} lines, expected ${LINES}")
endif()
