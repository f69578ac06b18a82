// ferry-s3-probe: the s3 sink's client on the command line, for tests, the
// bench and checking credentials by hand. Credentials come from
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
//
//   ferry-s3-probe [options] request METHOD KEY   raw request; body to stdout
//   ferry-s3-probe [options] list [PREFIX]        object keys, one a line
//   ferry-s3-probe [options] get KEY              object bytes to stdout
//   ferry-s3-probe [options] uploads [PREFIX]     "KEY UPLOAD_ID" of multipart uploads
//   ferry-s3-probe [options] cat [PREFIX]         every object's bytes, in key order
//
// options: --endpoint URL --bucket B [--region R] [--virtual-host]
//          [-H "Name: value"]... [-q name=value]... [--body TEXT | --body-file F]
//          [--connect-to HOST:PORT:HOST2:PORT2] [--amz-date 20130524T000000Z]
// Exit status: 0 on 2xx, 1 on an S3 error (message on stderr), 2 on misuse.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "s3_client.h"
#include "s3_errors.h"
#include "xml_text.h"

namespace {

using ferry_s3::Method;
using ferry_s3::S3Client;
using ferry_s3::S3Request;
using ferry_s3::S3Response;

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "ferry-s3-probe: " << why
            << "\nusage: ferry-s3-probe --endpoint URL --bucket B [--region R] [--virtual-host]\n"
               "       [-H 'Name: value']... [-q name=value]... [--body T | --body-file F]\n"
               "       [--connect-to H:P:H2:P2] [--amz-date D]\n"
               "       (request METHOD KEY | list [PREFIX] | get KEY | uploads [PREFIX] |\n"
               "        cat [PREFIX])\n";
  std::exit(2);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

Method parse_method(const std::string& m) {
  if (m == "GET") return Method::kGet;
  if (m == "PUT") return Method::kPut;
  if (m == "POST") return Method::kPost;
  if (m == "DELETE") return Method::kDelete;
  usage("unknown method " + m);
}

S3Response must(S3Client& client, const S3Request& r, const char* op) {
  S3Response resp = client.send(r, SIZE_MAX);
  if (resp.ok()) return resp;
  const ferry_s3::Redactor redact(client.config().credentials);
  std::cerr << ferry_s3::s3_error(resp, op, client, r.key, redact).what() << "\n";
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  ferry_s3::ClientConfig config;
  config.region = "us-east-1";
  config.credentials = {env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"),
                        env("AWS_SESSION_TOKEN")};
  S3Request request;
  std::string body;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--endpoint") config.endpoint = value();
    else if (a == "--bucket") config.bucket = value();
    else if (a == "--region") config.region = value();
    else if (a == "--virtual-host") config.path_style = false;
    else if (a == "--connect-to") config.connect_to = value();
    else if (a == "--amz-date") config.fixed_amz_date = value();
    else if (a == "--body") body = value();
    else if (a == "--body-file") {
      std::ifstream in(value(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      body = ss.str();
    } else if (a == "-H") {
      const std::string h = value();
      const size_t colon = h.find(':');
      if (colon == std::string::npos) usage("header without ':': " + h);
      size_t v = colon + 1;
      while (v < h.size() && h[v] == ' ') ++v;
      request.headers.emplace_back(h.substr(0, colon), h.substr(v));
    } else if (a == "-q") {
      const std::string q = value();
      const size_t eq = q.find('=');
      request.query.emplace_back(q.substr(0, eq), eq == std::string::npos ? "" : q.substr(eq + 1));
    } else if (!a.empty() && a[0] == '-') usage("unknown option " + a);
    else words.push_back(a);
  }
  if (config.endpoint.empty() || config.bucket.empty()) usage("--endpoint and --bucket are required");
  if (words.empty()) usage("no command");
  S3Client client(config);
  const std::string& cmd = words[0];
  request.body = body;

  if (cmd == "request") {
    if (words.size() != 3) usage("request METHOD KEY");
    request.method = parse_method(words[1]);
    request.key = words[2] == "/" ? "" : words[2];
    const S3Response r = client.send(request, SIZE_MAX);
    std::cerr << "HTTP " << r.status << (r.transport != CURLE_OK ? " " + r.transport_error : "") << "\n";
    std::fwrite(r.body.data(), 1, r.body.size(), stdout);
    return r.ok() ? 0 : 1;
  }
  if (cmd == "get") {
    if (words.size() != 2) usage("get KEY");
    request.key = words[1];
    const S3Response r = must(client, request, "GetObject");
    std::fwrite(r.body.data(), 1, r.body.size(), stdout);
    return 0;
  }
  if (cmd == "list" || cmd == "uploads" || cmd == "cat") {
    const std::string prefix = words.size() > 1 ? words[1] : "";
    const bool uploads = cmd == "uploads";
    const bool cat = cmd == "cat";
    std::string marker, id_marker;
    for (;;) {
      S3Request list;
      if (uploads) {
        list.query = {{"uploads", ""}, {"prefix", prefix}};
        if (!marker.empty()) {
          list.query.emplace_back("key-marker", marker);
          list.query.emplace_back("upload-id-marker", id_marker);
        }
      } else {
        list.query = {{"list-type", "2"}, {"prefix", prefix}};
        if (!marker.empty()) list.query.emplace_back("continuation-token", marker);
      }
      const S3Response r = must(client, list, uploads ? "ListMultipartUploads" : "ListObjectsV2");
      for (std::string_view item : ferry_s3::xml_blocks(r.body, uploads ? "Upload" : "Contents")) {
        if (cat) {
          S3Request get;
          get.key = ferry_s3::xml_text(item, "Key").value_or("");
          const S3Response object = must(client, get, "GetObject");
          std::cout.write(object.body.data(), static_cast<std::streamsize>(object.body.size()));
          continue;
        }
        std::cout << ferry_s3::xml_text(item, "Key").value_or("");
        if (uploads) std::cout << " " << ferry_s3::xml_text(item, "UploadId").value_or("");
        std::cout << "\n";
      }
      if (ferry_s3::xml_text(r.body, "IsTruncated").value_or("false") != "true") return 0;
      marker = ferry_s3::xml_text(r.body, uploads ? "NextKeyMarker" : "NextContinuationToken")
                   .value_or("");
      id_marker = ferry_s3::xml_text(r.body, "NextUploadIdMarker").value_or("");
      if (marker.empty()) return 0;
    }
  }
  usage("unknown command " + cmd);
}
