/* A shared library that is not a Ferry plugin: it exports no entry point. */
#include <ferry/plugin.h>

FERRY_EXPORT int some_other_function(void);
FERRY_EXPORT int some_other_function(void) { return 7; }
