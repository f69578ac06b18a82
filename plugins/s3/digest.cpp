#include "digest.h"

#include <openssl/evp.h>

#include <ferry/plugin.hpp>

namespace ferry_s3 {
namespace {

template <size_t N>
std::array<unsigned char, N> digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, N> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1 || len != N)
    throw ferry::Error(FERRY_ERROR_INTERNAL, "s3: libcrypto could not compute a digest");
  return out;
}

}  // namespace

Sha256 sha256(std::string_view data) { return digest<32>(EVP_sha256(), data); }

Md5 md5(std::string_view data) { return digest<16>(EVP_md5(), data); }

}  // namespace ferry_s3
