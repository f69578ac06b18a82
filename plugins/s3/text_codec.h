// Hex and base64 spellings of digests (in headers).
#ifndef FERRY_PLUGINS_S3_TEXT_CODEC_H_
#define FERRY_PLUGINS_S3_TEXT_CODEC_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "codec/base64.h"

namespace ferry_s3 {

std::string hex(const unsigned char* data, size_t n);

template <size_t N>
std::string hex(const std::array<unsigned char, N>& d) {
  return hex(d.data(), N);
}
template <size_t N>
std::string base64(const std::array<unsigned char, N>& d) {
  return ferry::support::base64_encode(std::string_view(reinterpret_cast<const char*>(d.data()), N));
}

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_TEXT_CODEC_H_
