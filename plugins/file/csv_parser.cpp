#include "csv_parser.h"

#include <cstring>

namespace ferry_file {

bool CsvParser::parse(std::string_view record, std::vector<CsvField>& fields,
                      std::string* error) {
  fields.clear();
  unescaped_.clear();
  // Unescaped text is never longer than the record: reserving once keeps the
  // views into unescaped_ valid while it is appended to.
  unescaped_.reserve(record.size());
  const char* p = record.data();
  const size_t n = record.size();
  size_t i = 0;
  for (;;) {
    if (i < n && p[i] == quote_) {
      // Quoted field: runs to the quote not followed by another quote.
      size_t j = i + 1;
      bool escaped = false;
      size_t close = std::string_view::npos;
      while (j < n) {
        const void* q = std::memchr(p + j, quote_, n - j);
        if (!q) break;
        const size_t k = static_cast<size_t>(static_cast<const char*>(q) - p);
        if (k + 1 < n && p[k + 1] == quote_) {
          escaped = true;
          j = k + 2;
          continue;
        }
        close = k;
        break;
      }
      if (close == std::string_view::npos) {
        *error = "unterminated quoted field " + std::to_string(fields.size() + 1);
        return false;
      }
      std::string_view body = record.substr(i + 1, close - i - 1);
      if (escaped) {
        const size_t start = unescaped_.size();
        for (size_t k = 0; k < body.size(); ++k) {
          unescaped_.push_back(body[k]);
          if (body[k] == quote_) ++k;  // "" -> "
        }
        body = std::string_view(unescaped_).substr(start);
      }
      fields.push_back(CsvField{body, true});
      i = close + 1;
      if (i == n) return true;
      if (p[i] != delimiter_) {
        *error = "unexpected text after the closing quote of field " +
                 std::to_string(fields.size());
        return false;
      }
      ++i;
      continue;
    }
    // Unquoted field: up to the next delimiter.
    const void* d = i < n ? std::memchr(p + i, delimiter_, n - i) : nullptr;
    const size_t end = d ? static_cast<size_t>(static_cast<const char*>(d) - p) : n;
    const std::string_view text = record.substr(i, end - i);
    if (text.find(quote_) != std::string_view::npos) {
      *error = "quote inside unquoted field " + std::to_string(fields.size() + 1);
      return false;
    }
    fields.push_back(CsvField{text, false});
    if (!d) return true;
    i = end + 1;
  }
}

}  // namespace ferry_file
