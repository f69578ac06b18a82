// What every SQL sink refuses of a single record, in the same words: an op
// it does not know, a delete it cannot apply, a key it cannot match, a
// value its column would round or cut without an error. Each
// is one record's fault, reported as that record's outcome, so the host
// need not bisect the batch to find it.
#pragma once

#include <ferry/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::support {

// Why a record with this op cannot be applied (in append mode a delete
// cannot), or nothing.
std::optional<std::string> refused_op(FerryOp op, bool upsert);

// "key column <name> is null" for the first of `key_fields` (batch field
// indexes) whose value in `row` is null, or nothing; the name quoted with
// `quote` as the sink's SQL quotes it.
std::optional<std::string> null_key(const ferry::BatchView& batch, size_t row, const std::vector<size_t>& key_fields,
                                    char quote);

// What an existing column keeps of a value, where it keeps less than Ferry
// has; -1 where it keeps all. Read from the table's declared types.
struct ColumnLimits {
  int fraction_digits = -1;  // timestamp(p), datetime(p), time(p); 6 where p is not given
  bool date_only = false;    // a date column: no time of day
  bool zone_ignored = false; // PostgreSQL's timestamp and time (without time zone) ignore a zone in text
  std::optional<int> scale;  // numeric(p,s), DECIMAL(p,s): digits after the point (negative: 10s, 100s)
  int64_t max_chars = -1;    // varchar(n) (not char(n): it pads and trims spaces by definition)
  int64_t max_bytes = -1;    // MySQL's TINYTEXT, TEXT, MEDIUMTEXT
  bool single_float = false; // PostgreSQL's real, MySQL's FLOAT: 24 bits of mantissa
  bool double_float = false; // double precision, DOUBLE: 53 bits (integers beyond 2^53, long text)
  bool time_only = false;    // a time column: no date
  bool unique_keys = false;  // jsonb, MySQL's JSON: an object keeps one value of a repeated key
  bool no_negative_zero = false;  // MariaDB's DOUBLE and FLOAT store -0 as 0

  // No limit at all: narrowed_value() has nothing to object to, and a sink
  // checking many rows may skip it.
  bool keeps_all() const {
    return fraction_digits < 0 && !date_only && !zone_ignored && !scale && max_chars < 0 && max_bytes < 0 &&
           !single_float && !double_float && !time_only && !unique_keys && !no_negative_zero;
  }
};

// Why `v` would not be stored as it is in a column with these limits, or
// nothing: the servers round a timestamp (typed, or its text) to the
// column's precision, drop its time of day in a date column, round a number
// to the column's scale, ignore a zone in text for a column without one,
// and cut the trailing spaces that overflow a varchar(n) (where other
// overflow is an error), and round a number to single precision in a real
// or FLOAT column (a value passes when the float prints as the same number:
// 0.1 does, 0.123456789 and 16777217 do not), or to double precision in a
// double column (an integer beyond 2^53, text with more digits than a
// double holds), and drop the date of a timestamp in a time column, and
// keep one value of a key that JSON repeats in a jsonb or JSON column, and
// store a double -0 as 0.
// Text is judged in its plain ISO-8601 and decimal forms; date/time text in
// another form that may carry a zone or a time is refused where either
// would be dropped. The field is named quoted with `quote`.
std::optional<std::string> narrowed_value(const FerryValue& v, const ColumnLimits& limits, std::string_view field,
                                          char quote);

}  // namespace ferry::support
