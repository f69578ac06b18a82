/* Declares ABI 2.0, which this host does not speak. If any of its code ran
 * (even a static constructor), it would create the file named by
 * FERRY_TEST_MARKER: the test checks that it does not exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

__attribute__((constructor)) static void ran_code(void) {
  const char* marker = getenv("FERRY_TEST_MARKER");
  FILE* f = marker ? fopen(marker, "w") : NULL;
  if (f) fclose(f);
}

static const FerryKindSpec kKinds[] = {{FERRY_KIND_SINK, 0, "from the future", NULL, 0}};

FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {
    sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION(2, 0), "future-plugin", "9.0.0",
    "built for ABI 2.0", kKinds, 1};

FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version, FerryPluginApi* api) {
  (void)abi_version;
  (void)api;
  ran_code();
  return FERRY_OK;
}
