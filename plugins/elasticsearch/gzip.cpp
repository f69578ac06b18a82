#include "gzip.h"

#include <zlib.h>

#include <ferry/plugin.hpp>

namespace ferry_es {

std::string gzip_compress(std::string_view in) {
  z_stream z{};
  // 15 window bits + 16 selects the gzip wrapper. Level 1: the CPU spent on
  // better ratios would slow the pipeline more than the saved bytes speed it.
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw ferry::Error(FERRY_ERROR_INTERNAL, "elasticsearch sink: zlib deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(in.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END)
    throw ferry::Error(FERRY_ERROR_INTERNAL, "elasticsearch sink: gzip compression failed");
  out.resize(written);
  return out;
}

}  // namespace ferry_es
