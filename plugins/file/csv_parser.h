// Splits one CSV record (RFC 4180) into fields. Pure C++, no host.
#ifndef FERRY_PLUGINS_FILE_CSV_PARSER_H_
#define FERRY_PLUGINS_FILE_CSV_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

namespace ferry_file {

struct CsvField {
  std::string_view text;  // unescaped content, without the surrounding quotes
  bool quoted = false;    // quoted fields are never null: "" is an empty string
};

class CsvParser {
 public:
  explicit CsvParser(char delimiter = ',', char quote = '"')
      : delimiter_(delimiter), quote_(quote) {}

  // Splits `record` (one record as framed by LineReader, without its line
  // terminator; it may contain newlines inside quoted fields). On success
  // fills `fields`, whose views point into `record` or into this parser and
  // stay valid until the next call. On failure returns false and sets
  // `error` (a quote inside an unquoted field, text after a closing quote,
  // an unterminated quoted field).
  bool parse(std::string_view record, std::vector<CsvField>& fields, std::string* error);

 private:
  char delimiter_;
  char quote_;
  std::string unescaped_;  // quoted fields that contained "" escapes
};

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_CSV_PARSER_H_
