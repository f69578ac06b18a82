#include "pipeline/json_fields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "pipeline/json_pointer.h"

namespace ferry::core::pipeline_internal {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string format_number(double d) {
  std::ostringstream out;
  out << d;
  return out.str();
}

}  // namespace

std::string json_kind_name(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "number";
    case boost::json::kind::string:
      return "string";
    case boost::json::kind::array:
      return "array";
    case boost::json::kind::object:
      return "object";
  }
  return "unknown";
}

std::string type_mismatch(std::string_view expected, const boost::json::value& got) {
  return "expected " + std::string(expected) + ", got " + json_kind_name(got);
}

std::optional<std::string> wide_integer_text(const boost::json::value& v) {
  if (!v.is_double()) return std::nullopt;
  const double d = v.get_double();
  if (!std::isfinite(d) || d != std::trunc(d) || std::fabs(d) < 9223372036854775808.0) return std::nullopt;
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, d).ptr);
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) {
      out += ", ";
    }
    out += n;
  }
  return out;
}

std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string>& names) {
  // A third of the word, at least one edit: "sinkz" -> "sinks", not "x" -> "db".
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const std::string& n : names) {
    const std::size_t d = edit_distance(word, n);
    if (d < best_distance) {
      best_distance = d;
      best = n;
    }
  }
  return best;
}

void check_known_keys(const boost::json::object& object, const std::string& path,
                      const std::vector<std::string>& known, Issues& issues) {
  for (const auto& member : object) {
    const std::string_view key(member.key().data(), member.key().size());
    if (std::find(known.begin(), known.end(), key) != known.end()) {
      continue;
    }
    std::string message = "unknown key '" + std::string(key) + "'";
    if (auto guess = closest_name(key, known)) {
      message += " (did you mean '" + *guess + "'?)";
    } else {
      message += " (known: " + join_names(known) + ")";
    }
    issues.push_back({pointer_append(path, key), std::move(message)});
  }
}

void missing_key(std::string_view key, const std::string& parent_path, Issues& issues) {
  issues.push_back({pointer_append(parent_path, key), "missing required key '" + std::string(key) + "'"});
}

const boost::json::object* member_object(const boost::json::object& parent, std::string_view key,
                                         const std::string& parent_path, Issues& issues) {
  const boost::json::value* v = parent.if_contains(key);
  if (v == nullptr) {
    return nullptr;
  }
  if (!v->is_object()) {
    issues.push_back({pointer_append(parent_path, key), type_mismatch("object", *v)});
    return nullptr;
  }
  return &v->get_object();
}

std::optional<std::string> member_string(const boost::json::object& parent, std::string_view key,
                                         const std::string& parent_path, Issues& issues) {
  const boost::json::value* v = parent.if_contains(key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_string()) {
    issues.push_back({pointer_append(parent_path, key), type_mismatch("string", *v)});
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::optional<bool> member_bool(const boost::json::object& parent, std::string_view key,
                                const std::string& parent_path, Issues& issues) {
  const boost::json::value* v = parent.if_contains(key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_bool()) {
    issues.push_back({pointer_append(parent_path, key), type_mismatch("boolean", *v)});
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<uint64_t> member_uint(const boost::json::object& parent, std::string_view key,
                                    const std::string& parent_path, uint64_t min, uint64_t max,
                                    Issues& issues) {
  const boost::json::value* v = parent.if_contains(key);
  if (v == nullptr) {
    return std::nullopt;
  }
  const std::string path = pointer_append(parent_path, key);
  const std::string range = "must be between " + std::to_string(min) + " and " + std::to_string(max);
  if (v->is_int64()) {
    const int64_t i = v->get_int64();
    if (i < 0 || static_cast<uint64_t>(i) < min || static_cast<uint64_t>(i) > max) {
      issues.push_back({path, range + ", got " + std::to_string(i)});
      return std::nullopt;
    }
    return static_cast<uint64_t>(i);
  }
  if (v->is_uint64()) {
    const uint64_t u = v->get_uint64();
    if (u < min || u > max) {
      issues.push_back({path, range + ", got " + std::to_string(u)});
      return std::nullopt;
    }
    return u;
  }
  if (const std::optional<std::string> wide = wide_integer_text(*v)) {
    issues.push_back({path, range + ", got " + *wide});
    return std::nullopt;
  }
  if (v->is_double()) {
    issues.push_back({path, "expected integer, got decimal number"});
    return std::nullopt;
  }
  issues.push_back({path, type_mismatch("integer", *v)});
  return std::nullopt;
}

std::optional<double> member_number(const boost::json::object& parent, std::string_view key,
                                    const std::string& parent_path, double min, double max, Issues& issues) {
  const boost::json::value* v = parent.if_contains(key);
  if (v == nullptr) {
    return std::nullopt;
  }
  const std::string path = pointer_append(parent_path, key);
  if (!v->is_number()) {
    issues.push_back({path, type_mismatch("number", *v)});
    return std::nullopt;
  }
  const double d = v->to_number<double>();
  if (d < min || d > max) {
    issues.push_back({path, "must be between " + format_number(min) + " and " + format_number(max) + ", got " +
                                format_number(d)});
    return std::nullopt;
  }
  return d;
}

}  // namespace ferry::core::pipeline_internal
