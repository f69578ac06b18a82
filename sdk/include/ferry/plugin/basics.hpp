// Part of <ferry/plugin.hpp>: pointer+length conversions, the names of
// value types and status classes, and ferry::Error, which a plugin throws
// to return a status.
#ifndef FERRY_PLUGIN_BASICS_HPP_
#define FERRY_PLUGIN_BASICS_HPP_

#include <ferry/plugin.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#define FERRY_COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

namespace ferry {

inline std::string_view view(FerryBytes b) {
  return b.size == 0 ? std::string_view() : std::string_view(b.data, b.size);
}
inline FerryBytes bytes(std::string_view s) { return FerryBytes{s.data(), s.size()}; }

// A status class as the DLQ, logs and metrics name it ("retry",
// "invalid_data", "config_error", ...); null for a code this SDK does not
// define (say how you show it: the host takes it as internal_error).
inline const char* status_name(FerryStatus s) {
  switch (s) {
    case FERRY_OK: return "ok";
    case FERRY_END_OF_STREAM: return "end_of_stream";
    case FERRY_RETRY: return "retry";
    case FERRY_INVALID_DATA: return "invalid_data";
    case FERRY_NOT_IMPLEMENTED: return "not_implemented";
    case FERRY_STOP: return "stop";
    case FERRY_FENCED: return "fenced";
    case FERRY_PENDING: return "pending";
    case FERRY_ERROR_CONFIG: return "config_error";
    case FERRY_ERROR_IO: return "io_error";
    case FERRY_ERROR_AUTH: return "auth_error";
    case FERRY_ERROR_INTERNAL: return "internal_error";
    case FERRY_ERROR_CANCELLED: return "cancelled";
    default: return nullptr;
  }
}

// A value type's name as pipeline files and DLQ records spell it ("int64",
// "timestamp", ...); "unknown" for a code this SDK does not know.
inline const char* type_name(FerryType t) {
  switch (t) {
    case FERRY_TYPE_NULL: return "null";
    case FERRY_TYPE_BOOL: return "bool";
    case FERRY_TYPE_INT64: return "int64";
    case FERRY_TYPE_DOUBLE: return "double";
    case FERRY_TYPE_STRING: return "string";
    case FERRY_TYPE_BYTES: return "bytes";
    case FERRY_TYPE_TIMESTAMP: return "timestamp";
    case FERRY_TYPE_JSON: return "json";
    case FERRY_TYPE_DECIMAL: return "decimal";
    default: return "unknown";
  }
}

// Throw to end a call with a status other than FERRY_OK.
class Error : public std::runtime_error {
 public:
  Error(FerryStatus status, const std::string& message, uint64_t retry_after_ms = 0)
      : std::runtime_error(message), status_(status), retry_after_ms_(retry_after_ms) {}
  FerryStatus status() const { return status_; }
  uint64_t retry_after_ms() const { return retry_after_ms_; }

 private:
  FerryStatus status_;
  uint64_t retry_after_ms_;
};

// Fills a struct the host allocated for the plugin to fill (a batch, a
// plan) with `value`, writing no further than the host's struct reaches:
// its `struct_size`, which the host sets before the call. A host that sets
// none (a host before this rule) has the layout of `first_size` bytes, the
// struct as it was first released. A newer plugin thus never writes past
// an older host's struct; the host reads struct_size back to know what it
// got. A host struct smaller than the first layout is a broken host.
template <typename T>
void fill_host_struct(T* out, T value, size_t first_size = sizeof(T)) {
  size_t room = out->struct_size == 0 ? first_size : out->struct_size;
  if (room > sizeof(T)) room = sizeof(T);
  if (room < first_size)
    throw Error(FERRY_ERROR_INTERNAL, "the host's struct is smaller (" + std::to_string(room) +
                                          " bytes) than its first released layout (" +
                                          std::to_string(first_size) + " bytes)");
  value.struct_size = static_cast<uint32_t>(room);
  std::memcpy(static_cast<void*>(out), &value, room);
}

}  // namespace ferry

#endif  // FERRY_PLUGIN_BASICS_HPP_
