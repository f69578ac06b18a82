// Parsing of --admin HOST:PORT. Loopback is the default for a bare port: an
// API that can reset checkpoints must be exposed on purpose, never by habit.
#include <boost/asio/ip/address.hpp>

#include "admin/admin_server.h"
#include "common/error.h"

namespace ferry::core {
namespace {

[[noreturn]] void bad_spec(const std::string& spec, const std::string& why) {
  throw Error("invalid admin address '" + spec + "': " + why +
              " (expected PORT, :PORT, HOST:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9464)");
}

uint16_t parse_port(const std::string& spec, const std::string& text) {
  if (text.empty()) bad_spec(spec, "missing port");
  if (text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
    bad_spec(spec, "port '" + text + "' is not a number from 0 to 65535");
  unsigned long port = std::stoul(text);
  if (port > 65535) bad_spec(spec, "port " + text + " is out of range (0-65535)");
  return static_cast<uint16_t>(port);
}

std::string parse_host(const std::string& spec, const std::string& host, bool bracketed) {
  if (host.empty()) {
    if (bracketed) bad_spec(spec, "empty IPv6 address");
    return "127.0.0.1";
  }
  if (!bracketed && host == "localhost") return "127.0.0.1";
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec) bad_spec(spec, "'" + host + "' is not an IP address");
  if (bracketed && !address.is_v6()) bad_spec(spec, "brackets are for IPv6 addresses only");
  if (!bracketed && address.is_v6()) bad_spec(spec, "write IPv6 addresses in brackets, e.g. [::1]:9464");
  return host;
}

}  // namespace

AdminServer::Options AdminServer::parse_listen(const std::string& spec) {
  Options options;
  if (spec.empty()) bad_spec(spec, "empty");
  if (spec.front() == '[') {
    size_t close = spec.find(']');
    if (close == std::string::npos) bad_spec(spec, "missing ']'");
    if (close + 1 >= spec.size() || spec[close + 1] != ':') bad_spec(spec, "missing port after ']'");
    options.address = parse_host(spec, spec.substr(1, close - 1), true);
    options.port = parse_port(spec, spec.substr(close + 2));
    return options;
  }
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos) {
    if (spec.find_first_not_of("0123456789") != std::string::npos) bad_spec(spec, "missing port");
    options.port = parse_port(spec, spec);
    return options;
  }
  if (spec.find(':') != colon) bad_spec(spec, "write IPv6 addresses in brackets, e.g. [::1]:9464");
  options.address = parse_host(spec, spec.substr(0, colon), false);
  options.port = parse_port(spec, spec.substr(colon + 1));
  return options;
}

bool AdminServer::is_loopback(const std::string& address) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(address, ec);
  return !ec && a.is_loopback();
}

}  // namespace ferry::core
