#include "text_codec.h"

#include <cstdint>

#include "codec/hex.h"

namespace ferry_s3 {

std::string hex(const unsigned char* data, size_t n) {
  return ferry::support::hex_encode(std::string_view(reinterpret_cast<const char*>(data), n));
}

}  // namespace ferry_s3
