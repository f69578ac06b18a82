// The batch a change-data-capture source builds: the table's columns as
// fields (its primary key's flagged), a row per change with the record key
// and position it carries, and the changes no Ferry value can carry exactly
// sent to the DLQ instead, the row as JSON. Handing a batch over tells the
// lag gauge where it ends.
#pragma once

#include <ferry/plugin.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc_lag.h"

namespace ferry::support {

class CdcBatch {
 public:
  // A row's values as they read in a record key or a DLQ payload (bytes as
  // hex, say); nullopt for null.
  using Shown = std::vector<std::optional<std::string_view>>;

  // `who` begins each refusal's reason ("postgres-cdc"), `errors` each
  // error's message.
  CdcBatch(ferry::Host host, std::string who, std::string errors)
      : host_(host), who_(std::move(who)), errors_(std::move(errors)) {}

  // A new batch (the rows before went to the host), whose fields are
  // `names` of `types`; those named in `key` are the record key.
  void use(std::vector<std::string> names, const std::vector<FerryType>& types, const std::vector<std::string>& key,
           const std::string& table);
  // The same for a source's own columns (each has a `name`), each of the
  // Ferry type `type_of(column)`.
  template <class Column, class TypeOf>
  void use_columns(const std::vector<Column>& columns, TypeOf&& type_of, const std::vector<std::string>& key,
                   const std::string& table) {
    std::vector<FerryType> types;
    for (const Column& c : columns) types.push_back(type_of(c));
    use(names_of(columns), types, key, table);
  }
  void set_partition(std::string partition) { partition_ = std::move(partition); }
  size_t rows() const { return builder_ ? builder_->rows() : 0; }
  // Where the record key's columns stand among the fields.
  const std::vector<size_t>& key_at() const { return key_at_; }

  // Adds a change, or refuses it: `refused` already says why, or `parse(c,
  // &value)` says why column c has no exact value (an empty string when it
  // has). `put(builder, row, c, value)` then writes each non-null column.
  // `shown` must show the key columns; of the others it need only say
  // which are null, when `show_all()` gives the whole row for a refusal.
  template <class Parsed, class Parse, class Put, class ShowAll>
  void add(const Shown& shown, FerryOp op, const std::string& position, std::string refused, Parse&& parse,
           Put&& put, ShowAll&& show_all) {
    std::vector<Parsed> parsed(names_.size());
    for (size_t c = 0; c < names_.size() && c < shown.size() && refused.empty(); ++c) {
      if (!shown[c]) continue;
      const std::string why = parse(c, &parsed[c]);
      if (!why.empty()) refused = "column '" + names_[c] + "': " + why;
    }
    if (!refused.empty()) return refuse(show_all(), op, position, refused);
    const size_t row = builder_->add_row(key_of(shown, key_at_), position, op);
    for (size_t c = 0; c < parsed.size() && c < shown.size(); ++c)
      if (shown[c]) put(*builder_, row, c, parsed[c]);
  }
  template <class Parsed, class Parse, class Put>
  void add(const Shown& shown, FerryOp op, const std::string& position, std::string refused, Parse&& parse,
           Put&& put) {
    add<Parsed>(shown, op, position, std::move(refused), parse, put, [&]() -> const Shown& { return shown; });
  }
  // The change goes to the DLQ with its row: {"op": ..., column: value...}.
  void refuse(const Shown& shown, FerryOp op, const std::string& position, const std::string& reason);
  // Hands the batch over, ending at `position`.
  void finish(FerryBatch* out, const std::string& position);

  // The record key: the key columns' values as a JSON array.
  static std::string key_of(const Shown& row, const std::vector<size_t>& key_at);
  // Where the primary key's columns stand among `names`. Throws
  // ferry::Error (FERRY_ERROR_CONFIG) naming `table` when one is missing.
  std::vector<size_t> key_positions(const std::vector<std::string>& names, const std::vector<std::string>& key,
                                    const std::string& table) const;
  template <class Column>
  std::vector<size_t> key_positions(const std::vector<Column>& columns, const std::vector<std::string>& key,
                                    const std::string& table) const {
    return key_positions(names_of(columns), key, table);
  }

  CdcLag& lag() { return lag_; }
  const CdcLag& lag() const { return lag_; }

 private:
  template <class Column>
  static std::vector<std::string> names_of(const std::vector<Column>& columns) {
    std::vector<std::string> names;
    for (const Column& c : columns) names.push_back(c.name);
    return names;
  }

  ferry::Host host_;
  std::string who_;
  std::string errors_;
  std::string partition_;
  std::vector<std::string> names_;
  std::vector<size_t> key_at_;
  std::unique_ptr<ferry::BatchBuilder> builder_;
  CdcLag lag_;
};

}  // namespace ferry::support
