#include "codec/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <ferry/plugin.hpp>

namespace ferry::support {
namespace {

// deflateInit2's windowBits: 15 (32 KiB window) + 16 = write a gzip wrapper.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;

struct Deflater {
  z_stream z{};
  bool live = false;
  ~Deflater() {
    if (live) deflateEnd(&z);
  }
};

}  // namespace

std::string gzip(std::string_view data, int level, std::string_view who) {
  auto fail = [&](const char* what) {
    return ferry::Error(FERRY_ERROR_INTERNAL, std::string(who) + ": gzip: " + what);
  };
  Deflater d;
  if (deflateInit2(&d.z, level, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK)
    throw fail("deflateInit2 failed");
  d.live = true;
  std::string out;
  out.resize(deflateBound(&d.z, static_cast<uLong>(std::min<size_t>(data.size(), ULONG_MAX))) + 64);
  d.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  size_t in_left = data.size();
  size_t produced = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    const size_t in_now = std::min<size_t>(in_left, UINT_MAX);
    d.z.avail_in = static_cast<uInt>(in_now);
    if (out.size() - produced < 64) out.resize(out.size() * 2);
    const size_t out_now = std::min<size_t>(out.size() - produced, UINT_MAX);
    d.z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    d.z.avail_out = static_cast<uInt>(out_now);
    rc = deflate(&d.z, in_now == in_left ? Z_FINISH : Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) throw fail("deflate failed");
    in_left -= in_now - d.z.avail_in;
    produced += out_now - d.z.avail_out;
  }
  out.resize(produced);
  return out;
}

}  // namespace ferry::support
