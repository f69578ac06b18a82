/*
 * Part of <ferry/plugin.h>: helpers for plugins written in C: reading typed
 * options, value text, and the one-kind descriptor macros.
 * Include <ferry/plugin.h>, which includes every part in order.
 */
#ifndef FERRY_ABI_C_HELPERS_H_
#define FERRY_ABI_C_HELPERS_H_

#ifndef FERRY_PLUGIN_H_INSIDE
#error "include <ferry/plugin.h>, not its parts"
#endif /* the parts are C, inside plugin.h's extern "C" */

/* ------------------------------------------------------------------------ */
/* Helpers for plugins written in C                                         */
/* ------------------------------------------------------------------------ */

/* The option `name` (NUL-terminated) as the host handed it over, or NULL
 * when the host is older than 1.4 or the kind declares no such option.
 * Check `present` before reading a value without a default. */
static FERRY_MAYBE_UNUSED const FerryOptionValue* ferry_option(const FerryOpenArgs* args, const char* name) {
  size_t i, n;
  if (args->struct_size < offsetof(FerryOpenArgs, n_options) + sizeof(size_t)) return NULL;
  for (i = 0; i < args->n_options; ++i) {
    const FerryBytes* have = &args->options[i].name;
    for (n = 0; n < have->size && name[n] != 0 && name[n] == have->data[n]; ++n) {
    }
    if (n == have->size && name[n] == 0) return &args->options[i];
  }
  return NULL;
}

/* Reports `message` (NUL-terminated) through the host and returns `status`:
 *   return ferry_fail(host, FERRY_ERROR_IO, "cannot open the output file"); */
static FERRY_MAYBE_UNUSED FerryStatus ferry_fail(const FerryHost* host, FerryStatus status, const char* message) {
  size_t n = 0;
  while (message[n] != 0) ++n;
  host->set_error(host->host_data, message, n);
  return status;
}

/* FerrySinkApi.checkpoint for a sink that is not transactional: it holds
 * no checkpoint (the host keeps it). */
static FERRY_MAYBE_UNUSED FerryStatus ferry_no_checkpoint(FerryInstance self, FerryBytes partition,
                                                          FerryBytes* position, int32_t* found) {
  (void)self;
  (void)partition;
  position->data = NULL;
  position->size = 0;
  *found = 0;
  return FERRY_OK;
}

/* A value as text: NULL as "\\N", booleans as true/false, numbers in
 * decimal (a double with 17 significant digits, which reads back as the
 * same double; timestamps as microseconds), text types as they are. `buf`
 * holds a number's digits; the result may point into it or into the value. */
typedef struct FerryValueText {
  char buf[32];
} FerryValueText;
static FERRY_MAYBE_UNUSED FerryBytes ferry_value_text(const FerryValue* v, FerryValueText* scratch) {
  FerryBytes out;
  char digits[24];
  uint64_t magnitude;
  size_t n = 0, i;
  out.data = scratch->buf;
  out.size = 0;
  switch (v->type) {
    case FERRY_TYPE_NULL:
      out.data = "\\N";
      out.size = 2;
      return out;
    case FERRY_TYPE_BOOL:
      out.data = v->as.boolean ? "true" : "false";
      out.size = v->as.boolean ? 4 : 5;
      return out;
    case FERRY_TYPE_INT64:
    case FERRY_TYPE_TIMESTAMP:
      /* Digits by hand: C89 has no snprintf, and "%lld" is not C89. */
      magnitude = v->as.i64 < 0 ? (uint64_t)0 - (uint64_t)v->as.i64 : (uint64_t)v->as.i64;
      do {
        digits[n++] = (char)('0' + (int)(magnitude % 10u));
        magnitude /= 10u;
      } while (magnitude != 0);
      if (v->as.i64 < 0) scratch->buf[out.size++] = '-';
      for (i = 0; i < n; ++i) scratch->buf[out.size++] = digits[n - 1 - i];
      return out;
    case FERRY_TYPE_DOUBLE:
      out.size = (size_t)sprintf(scratch->buf, "%.17g", v->as.f64);
      return out;
    default:
      return v->as.bytes;
  }
}

/* The descriptor and entry point of a plugin that provides one kind, in C:
 *   FERRY_C_PLUGIN("tsv", "1.0.0", "Appends rows as tab-separated text.",
 *                  FERRY_KIND_SINK, 0, kOptions, sink, kSink)
 * `options` is a static array of FerryOptionSpec (its size is taken with
 * sizeof), `table_field` the FerryPluginApi field (source, transform, sink,
 * checkpoint_hook, backlog_hook) that gets `&table`. No semicolon after it. */
#define FERRY_C_PLUGIN(name, version, description, kind, capabilities, options, table_field, table)         \
  static const FerryKindSpec ferry_c_kinds_[] = {                                                             \
      {kind, capabilities, description, options, sizeof(options) / sizeof((options)[0])}};                     \
  FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {                                         \
      sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, name, version, description, ferry_c_kinds_, 1}; \
  FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version, FerryPluginApi* api) {                    \
    if (!ferry_plugin_api_accept(abi_version, api)) return FERRY_NOT_IMPLEMENTED;                              \
    api->table_field = &(table);                                                                               \
    return FERRY_OK;                                                                                           \
  }

#endif /* FERRY_ABI_C_HELPERS_H_ */
