// Hex and base64 spellings of bytes (digests in headers, BYTES values in
// rows). Pure C++.
#ifndef FERRY_PLUGINS_S3_TEXT_CODEC_H_
#define FERRY_PLUGINS_S3_TEXT_CODEC_H_

#include <array>
#include <cstddef>
#include <string>

namespace ferry_s3 {

std::string hex(const unsigned char* data, size_t n);
std::string base64(const unsigned char* data, size_t n);

template <size_t N>
std::string hex(const std::array<unsigned char, N>& d) {
  return hex(d.data(), N);
}
template <size_t N>
std::string base64(const std::array<unsigned char, N>& d) {
  return base64(d.data(), N);
}

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_TEXT_CODEC_H_
