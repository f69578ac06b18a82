#include "generator_source.h"

#include <charconv>
#include <cstring>

namespace ferry_generator {
namespace {

constexpr uint64_t kDefaultBatchRecords = 1000;
constexpr std::string_view kNamePrefix = "name-";

[[noreturn]] void fail(FerryStatus status, const std::string& message) {
  throw ferry::Error(status, "generator: " + message);
}

// Partition names are "p<index>"; anything else is not ours.
bool parse_partition(std::string_view name, uint64_t partitions, uint64_t* index) {
  if (name.size() < 2 || name[0] != 'p') return false;
  const char* first = name.data() + 1;
  const char* last = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(first, last, *index);
  if (ec != std::errc() || ptr != last) return false;
  // Reject "p01": one spelling per partition keeps checkpoints unambiguous.
  if (name.size() > 2 && name[1] == '0') return false;
  return *index < partitions;
}

// In a backfill each window's rows get ids of their own: the date's
// YYYYMMDD times 10^7 is added, so windows never collide and a window's rows
// are the same on every run (never the clock).
uint64_t window_offset(std::string_view data_date, uint64_t count) {
  if (data_date.empty()) return 0;
  uint64_t ymd = 0;
  for (char c : data_date) {
    if (c == '-') continue;
    if (c < '0' || c > '9') fail(FERRY_ERROR_CONFIG, "data_date '" + std::string(data_date) + "' is not YYYY-MM-DD");
    ymd = ymd * 10 + static_cast<uint64_t>(c - '0');
  }
  if (ymd < 10000101 || ymd > 99991231)
    fail(FERRY_ERROR_CONFIG, "data_date '" + std::string(data_date) + "' is not YYYY-MM-DD");
  if (count >= 10000000)
    fail(FERRY_ERROR_CONFIG, "in a backfill window 'count' must be below 10,000,000 (ids are date * 10^7 + n)");
  return ymd * 10000000ull;
}

}  // namespace

void GeneratorSource::check_config(const ferry::Context& ctx) { field_specs(parse_options(ctx).fields); }

GeneratorSource::GeneratorSource(const ferry::Context& ctx)
    : opts_(parse_options(ctx)),
      fields_(field_specs(opts_.fields)),
      batch_records_(ctx.max_batch_records() > 0 ? ctx.max_batch_records() : kDefaultBatchRecords),
      batch_bytes_(ctx.max_batch_bytes()),
      id_offset_(window_offset(ctx.data_date(), opts_.count)) {
  for (size_t f = 0; f < fields_.size(); ++f) {
    kinds_.push_back(fields_[f].kind);
    const bool is_key = opts_.key && fields_[f].kind == FieldKind::kId;
    builder_.add_field(fields_[f].name, fields_[f].type, is_key ? FERRY_FIELD_KEY : 0u);
  }
}

std::vector<std::string> GeneratorSource::partitions() {
  std::vector<std::string> names;
  names.reserve(opts_.partitions);
  for (uint64_t p = 0; p < opts_.partitions; ++p) names.push_back("p" + std::to_string(p));
  return names;
}

IdRange GeneratorSource::range_of(std::string_view partition) const {
  uint64_t index = 0;
  if (!parse_partition(partition, opts_.partitions, &index))
    fail(FERRY_ERROR_CONFIG, "unknown partition '" + std::string(partition) + "' (have p0..p" +
                                 std::to_string(opts_.partitions - 1) + ")");
  IdRange range = partition_range(opts_.count, opts_.partitions, index);
  range.first_id += id_offset_;
  range.end_id += id_offset_;
  return range;
}

void GeneratorSource::start(std::string_view partition, const std::string_view* position) {
  const IdRange range = range_of(partition);
  uint64_t next = range.first_id;
  if (position != nullptr && !position->empty()) {
    uint64_t last = 0;
    auto [ptr, ec] = std::from_chars(position->data(), position->data() + position->size(), last);
    // A checkpoint outside the partition means a changed `count` or
    // `partitions`: resuming would silently skip or repeat rows.
    if (ec != std::errc() || ptr != position->data() + position->size() ||
        last + 1 < range.first_id || last >= range.end_id)
      fail(FERRY_ERROR_CONFIG,
           "position '" + std::string(*position) + "' is not an id of partition '" +
               std::string(partition) + "' (ids " + std::to_string(range.first_id) + ".." +
               std::to_string(range.end_id - 1) + "); were 'count' or 'partitions' changed?");
    next = last + 1;
  }
  partition_.assign(partition);
  next_id_ = next;
  end_id_ = range.end_id;
  started_ = true;
}

void GeneratorSource::fill_row(uint64_t id, std::string_view id_text) {
  const size_t row = builder_.add_row(opts_.key ? id_text : std::string_view(), id_text);
  FerryValue* values = &builder_.slot(row, 0);
  const uint64_t v = value_base(id, opts_.seed);
  for (size_t f = 0; f < kinds_.size(); ++f) {
    FerryValue& slot = values[f];
    switch (kinds_[f]) {
      case FieldKind::kId:
        slot.type = FERRY_TYPE_INT64;
        slot.as.i64 = static_cast<int64_t>(id);
        break;
      case FieldKind::kName:
        slot.type = FERRY_TYPE_STRING;
        slot.as.bytes = name_of(v, v == id ? id_text : std::string_view());
        break;
      case FieldKind::kAmount:
        slot.type = FERRY_TYPE_DOUBLE;
        slot.as.f64 = static_cast<double>(v) * 0.25;
        break;
      case FieldKind::kTs:
        slot.type = FERRY_TYPE_TIMESTAMP;
        // Unsigned: wraps instead of overflowing for absurd counts.
        slot.as.i64 = static_cast<int64_t>(static_cast<uint64_t>(kEpochMicros) + v * 1000);
        break;
    }
  }
}

// "name-<v>" in batch memory; `v_text` is v's decimal text when the caller
// has it already.
FerryBytes GeneratorSource::name_of(uint64_t v, std::string_view v_text) {
  char formatted[20];
  if (v_text.empty()) {
    const char* end = std::to_chars(formatted, formatted + sizeof formatted, v).ptr;
    v_text = std::string_view(formatted, static_cast<size_t>(end - formatted));
  }
  const size_t len = kNamePrefix.size() + v_text.size();
  char* mem = builder_.allocate(len);
  std::memcpy(mem, kNamePrefix.data(), kNamePrefix.size());
  std::memcpy(mem + kNamePrefix.size(), v_text.data(), v_text.size());
  return FerryBytes{mem, len};
}

bool GeneratorSource::next(FerryBatch* out) {
  if (!started_) fail(FERRY_ERROR_INTERNAL, "next() called before start()");
  if (next_id_ >= end_id_) return false;

  const uint64_t rows = std::min<uint64_t>(batch_records_, end_id_ - next_id_);
  builder_.reserve(rows);
  uint64_t id = next_id_;
  const uint64_t stop = next_id_ + rows;
  DecimalText id_text;
  id_text.set(id);
  for (;;) {
    fill_row(id, id_text.view());
    ++id;
    if (id >= stop || (batch_bytes_ != 0 && builder_.approx_bytes() >= batch_bytes_)) break;
    id_text.increment();
  }
  next_id_ = id;
  builder_.finish(out, partition_, id_text.view());
  return true;
}

ferry::Source::Estimate GeneratorSource::estimate(std::string_view partition) {
  Estimate e;
  e.records = range_of(partition).size();
  return e;
}

}  // namespace ferry_generator
