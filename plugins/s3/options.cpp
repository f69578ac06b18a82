#include "options.h"

#include <boost/json.hpp>
#include <ferry/plugin.hpp>
#include <options/option_reader.h>

#include <cstdlib>

#include "key_template.h"

namespace ferry_s3 {
namespace {

namespace json = boost::json;

[[noreturn]] void fail(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "s3: " + message);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool has_control(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

// A prefix is spelled by the user, so it is checked, not rewritten: a
// silently changed prefix would scatter objects where nobody looks.
std::string validate_prefix(std::string p) {
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (p.empty()) return p;
  if (p.front() == '/') fail("option 'prefix' must not start with '/'");
  size_t seg = 0;
  for (size_t i = 0; i <= p.size(); ++i) {
    if (i < p.size() && p[i] != '/') {
      const char c = p[i];
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-' || c == '=';
      if (!ok) fail("option 'prefix' may hold only A-Z a-z 0-9 . _ - = and '/', got '" + p + "'");
      continue;
    }
    const std::string_view s = std::string_view(p).substr(seg, i - seg);
    if (s.empty() || s == "." || s == "..")
      fail("option 'prefix' has an empty, '.' or '..' path segment: '" + p + "'");
    seg = i + 1;
  }
  return p;
}

// Bucket names per S3's rules (3-63 of a-z 0-9 . -), loosely: enough to keep
// a typo from becoming a path or a host name.
void validate_bucket(const std::string& b) {
  if (b.size() < 3 || b.size() > 63) fail("option 'bucket' must be 3 to 63 characters");
  for (char c : b)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
      fail("option 'bucket' may hold only a-z 0-9 . - _, got '" + b + "'");
}

std::string env_or_empty(const char* (*getenv)(const char*), const char* name) {
  const char* v = getenv(name);
  return v ? std::string(v) : std::string();
}

const char* system_getenv(const char* name) { return std::getenv(name); }

}  // namespace

Options parse_options(const ferry::Context& ctx, const char* (*getenv)(const char*)) {
  if (getenv == nullptr) getenv = &system_getenv;
  const ferry::support::OptionReader in(ctx, "s3");
  Options o;
  o.client.endpoint = in.string("endpoint");
  o.client.region = in.string("region", "us-east-1");
  o.client.bucket = in.string("bucket");
  const bool path_style_set = in.has("path_style");
  o.client.path_style = in.boolean("path_style", o.client.path_style);
  o.client.credentials.access_key_id = in.string("access_key_id");
  o.client.credentials.secret_access_key = in.string("secret_access_key");
  o.client.credentials.session_token = in.string("session_token");
  o.key_template = in.string("key_template", std::string(kDefaultKeyTemplate));
  o.prefix = in.string("prefix");
  o.format = in.choice("format", {{"jsonl", Format::kJsonl}, {"csv", Format::kCsv}}, Format::kJsonl);
  o.op_field = in.string("op_field");
  if (in.has("op_field") && o.op_field.empty()) in.fail("option 'op_field': expected a field name");
  o.gzip = in.boolean("gzip", o.gzip);
  o.upload.checksum = in.choice("checksum", {{"md5", Checksum::kMd5}, {"sha256", Checksum::kSha256}}, Checksum::kMd5);
  o.upload.multipart_threshold = static_cast<uint64_t>(
      in.integer("multipart_threshold", static_cast<int64_t>(o.upload.multipart_threshold), 1, INT64_MAX));
  o.upload.part_size = static_cast<uint64_t>(in.integer("part_size", static_cast<int64_t>(o.upload.part_size),
                                                        static_cast<int64_t>(kMinPartSize),
                                                        static_cast<int64_t>(kMaxPartSize)));
  o.client.timeout_ms = in.integer("timeout_ms", o.client.timeout_ms, 1, 3600000);
  o.abort_leftovers = in.boolean("abort_stale_uploads", o.abort_leftovers);
  o.upload_concurrency = in.integer("upload_concurrency", o.upload_concurrency, 0, 16);

  if (o.client.bucket.empty()) fail("option 'bucket' is required");
  validate_bucket(o.client.bucket);
  if (o.client.region.empty() || has_control(o.client.region) ||
      o.client.region.find(':') != std::string::npos)
    fail("option 'region' must be a region name such as us-east-1");
  if (o.client.endpoint.empty()) {
    o.client.endpoint = "https://s3." + o.client.region + ".amazonaws.com";
    if (!path_style_set) o.client.path_style = false;
  } else {
    if (!starts_with(o.client.endpoint, "http://") && !starts_with(o.client.endpoint, "https://"))
      fail("option 'endpoint' must start with http:// or https://");
    if (has_control(o.client.endpoint) || o.client.endpoint.find_first_of("?#") != std::string::npos)
      fail("option 'endpoint' must be scheme://host[:port] without a query");
    if (!path_style_set) o.client.path_style = true;
  }

  o.prefix = validate_prefix(o.prefix);

  Credentials& c = o.client.credentials;
  // Credentials come as a set: mixing a pipeline key with an environment
  // secret would sign with a pair nobody issued.
  if (c.access_key_id.empty() && c.secret_access_key.empty()) {
    c.access_key_id = env_or_empty(getenv, "AWS_ACCESS_KEY_ID");
    c.secret_access_key = env_or_empty(getenv, "AWS_SECRET_ACCESS_KEY");
    if (c.session_token.empty()) c.session_token = env_or_empty(getenv, "AWS_SESSION_TOKEN");
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    fail("no credentials: set 'access_key_id' and 'secret_access_key' (e.g. "
         "\"${MY_SECRET}\") or the environment variables AWS_ACCESS_KEY_ID and "
         "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)");
  if (has_control(c.access_key_id) || has_control(c.secret_access_key) ||
      has_control(c.session_token) || c.access_key_id.find(':') != std::string::npos)
    fail("the credentials hold a control character or the access key id a ':'");
  return o;
}

}  // namespace ferry_s3
