// Part of <ferry/plugin.hpp>: batches. A read-only view of one handed to a
// plugin, per-row outcomes, and a builder owning the memory of one a
// plugin hands over.
#ifndef FERRY_PLUGIN_BATCH_HPP_
#define FERRY_PLUGIN_BATCH_HPP_

#include <ferry/plugin/basics.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

// Read-only view of a batch handed to a plugin.
class BatchView {
 public:
  explicit BatchView(const FerryBatch* b) : b_(b) {}
  size_t rows() const { return b_->n_rows; }
  size_t fields() const { return b_->schema.n_fields; }
  const FerryField& field(size_t f) const { return b_->schema.fields[f]; }
  std::string_view field_name(size_t f) const { return view(field(f).name); }
  const FerryValue& value(size_t row, size_t f) const {
    return b_->values[row * b_->schema.n_fields + f];
  }
  const FerryRecordMeta& meta(size_t row) const { return b_->records[row]; }
  std::string_view key(size_t row) const { return view(b_->records[row].key); }
  std::string_view position(size_t row) const { return view(b_->records[row].position); }
  std::string_view partition() const { return view(b_->partition); }
  std::string_view end_position() const { return view(b_->end_position); }
  const FerryBatch* raw() const { return b_; }

 private:
  const FerryBatch* b_;
};

// Per-row outcomes of a sink write or transform.
class Outcomes {
 public:
  Outcomes(FerryRecordOutcome* o, size_t n) : o_(o), n_(n) {}
  // Rejects `row`; the message is copied and kept until the next call. A
  // row outside the batch is a bug in the plugin, and ends the call.
  void reject(size_t row, std::string message, FerryStatus status = FERRY_INVALID_DATA) {
    if (row >= n_)
      throw Error(FERRY_ERROR_INTERNAL, "rejected row " + std::to_string(row) + " of a batch of " + std::to_string(n_) +
                                            " rows");
    messages_.push_back(std::make_unique<std::string>(std::move(message)));
    o_[row].status = status;
    o_[row].message = bytes(*messages_.back());
  }
  bool ok(size_t row) const { return o_[row].status == FERRY_OK; }
  size_t size() const { return n_; }

 private:
  FerryRecordOutcome* o_;
  size_t n_;
  std::vector<std::unique_ptr<std::string>> messages_;
};

// Builds a batch whose memory it owns; hand it over with finish().
class BatchBuilder {
 public:
  BatchBuilder() = default;
  BatchBuilder(const BatchBuilder&) = delete;
  BatchBuilder& operator=(const BatchBuilder&) = delete;

  // Schema: add all fields before the first row.
  size_t add_field(std::string_view name, FerryType type, uint32_t flags = FERRY_FIELD_NULLABLE) {
    Data& d = data();
    d.fields.push_back(FerryField{d.arena.copy(name), type, flags});
    d.schema_bytes += name.size();
    return d.fields.size() - 1;
  }
  size_t field_count() const { return d_ ? d_->fields.size() : schema_.size(); }
  FerryField& field(size_t f) { return data().fields[f]; }
  void reserve(size_t rows) {
    Data& d = data();
    d.values.reserve(rows * d.fields.size());
    d.records.reserve(rows);
  }

  // Starts a row: its values are null until set.
  size_t add_row(std::string_view key = {}, std::string_view position = {},
                 FerryOp op = FERRY_OP_INSERT) {
    Data& d = data();
    // Null values are made ahead, doubling within the storage there is:
    // growing by one row at a time costs more than the row.
    const size_t need = (d.records.size() + 1) * d.fields.size();
    if (d.values.size() < need) d.values.resize(std::max(need, std::min(d.values.capacity(), 2 * need)));
    const FerryBytes k = d.arena.copy(key);
    // A position handed over as the key itself (an id that is both) is
    // stored once.
    const bool same = position.data() == key.data() && position.size() == key.size();
    const FerryBytes p = same ? k : d.arena.copy(position);
    d.records.push_back(FerryRecordMeta{k, p, op, 0});
    return d.records.size() - 1;
  }
  size_t rows() const { return d_ ? d_->records.size() : 0; }
  void set_key(size_t row, std::string_view key) { data().records[row].key = copy_bytes(key); }
  void set_null(size_t row, size_t f) { slot(row, f) = FerryValue{}; }
  void set_bool(size_t row, size_t f, bool v) {
    FerryValue& x = slot(row, f);
    x.type = FERRY_TYPE_BOOL;
    x.as.boolean = v ? 1 : 0;
  }
  void set_int(size_t row, size_t f, int64_t v) { set_i64(row, f, FERRY_TYPE_INT64, v); }
  void set_timestamp(size_t row, size_t f, int64_t micros) {
    set_i64(row, f, FERRY_TYPE_TIMESTAMP, micros);
  }
  void set_double(size_t row, size_t f, double v) {
    FerryValue& x = slot(row, f);
    x.type = FERRY_TYPE_DOUBLE;
    x.as.f64 = v;
  }
  // STRING, BYTES, JSON or DECIMAL; the bytes are copied.
  void set_bytes(size_t row, size_t f, FerryType type, std::string_view v) {
    FerryValue& x = slot(row, f);
    x.type = type;
    x.as.bytes = copy_bytes(v);
  }
  void set_string(size_t row, size_t f, std::string_view v) { set_bytes(row, f, FERRY_TYPE_STRING, v); }
  // Copies a value from another batch (bytes are copied).
  void set_value(size_t row, size_t f, const FerryValue& v) {
    FerryValue& x = slot(row, f);
    x = v;
    if (v.type == FERRY_TYPE_STRING || v.type == FERRY_TYPE_BYTES || v.type == FERRY_TYPE_JSON ||
        v.type == FERRY_TYPE_DECIMAL)
      x.as.bytes = copy_bytes(view(v.as.bytes));
  }
  // Reserves `n` bytes that stay valid as long as the batch: for values a
  // plugin formats in place.
  char* allocate(size_t n) { return data().arena.allocate(n); }
  FerryValue& slot(size_t row, size_t f) {
    Data& d = data();
    return d.values[row * d.fields.size() + f];
  }
  // The rows' bytes so far (not the schema's): 0 before the first row.
  size_t approx_bytes() const {
    if (!d_) return 0;
    return d_->records.size() * (d_->fields.size() * sizeof(FerryValue) + sizeof(FerryRecordMeta)) +
           d_->arena.used() - d_->schema_bytes;
  }

  // Hands the batch over; the builder starts empty with the same schema.
  void finish(FerryBatch* out, std::string_view partition, std::string_view end_position) {
    // The next batch's storage is taken when it gets its first row, not
    // now: while the host is not ready for this batch, the plugin holds
    // one batch's memory, not two. Its schema is kept apart, made before
    // anything moves, so a failure here leaves the builder as it was.
    const Data& current = data();  // a batch without rows has storage and schema too
    std::vector<Field> schema;
    schema.reserve(current.fields.size());
    for (const FerryField& f : current.fields) schema.push_back(Field{std::string(view(f.name)), f.type, f.flags});
    std::unique_ptr<Data> d = std::move(d_);
    schema_.swap(schema);
    // The next batch is most likely as long as this one: growing to it
    // row by row would copy every value log2(rows) times.
    last_rows_ = d->records.size();
    FerryBatch b{};
    b.schema.n_fields = d->fields.size();
    b.schema.fields = d->fields.data();
    b.n_rows = d->records.size();
    b.values = d->values.data();
    b.records = d->records.data();
    b.partition = d->arena.copy(partition);
    b.end_position = d->arena.copy(end_position);
    b.release = &release;
    b.private_data = d.get();
    fill_host_struct(out, b);
    d.release();  // the host owns it now, through release()
  }

 private:
  class Arena {
   public:
    char* allocate(size_t n) {
      if (n > kBlock / 4) {
        large_.push_back(std::make_unique<char[]>(n));
        used_ += n;
        return large_.back().get();
      }
      if (left_ < n) {
        if (next_chunk_ == chunks_.size()) chunks_.push_back(std::make_unique<char[]>(kBlock));
        cur_ = chunks_[next_chunk_++].get();
        left_ = kBlock;
      }
      char* p = cur_;
      cur_ += n;
      left_ -= n;
      used_ += n;
      return p;
    }
    FerryBytes copy(std::string_view s) {
      if (s.empty()) return FerryBytes{nullptr, 0};
      char* p = allocate(s.size());
      std::memcpy(p, s.data(), s.size());
      return FerryBytes{p, s.size()};
    }
    size_t used() const { return used_; }
    // Empty again; its blocks stay for the next batch.
    void reset() {
      large_.clear();
      next_chunk_ = 0;
      cur_ = nullptr;
      left_ = 0;
      used_ = 0;
    }

   private:
    static constexpr size_t kBlock = 64 * 1024;
    std::vector<std::unique_ptr<char[]>> chunks_;
    std::vector<std::unique_ptr<char[]>> large_;
    size_t next_chunk_ = 0;
    char* cur_ = nullptr;
    size_t left_ = 0;
    size_t used_ = 0;
  };
  struct Data {
    std::vector<FerryField> fields;
    std::vector<FerryValue> values;  // null ahead of the rows (see add_row)
    std::vector<FerryRecordMeta> records;
    Arena arena;
    size_t schema_bytes = 0;  // of the arena, the field names'
    void reset() {
      fields.clear();
      values.clear();
      records.clear();
      arena.reset();
      schema_bytes = 0;
    }
  };
  // Released batches' storage, for the next ones: a few (what is in flight
  // is bounded by the host's queue), shared by the plugin's builders, and
  // given back by release() on whatever thread the host calls it.
  class Pool {
   public:
    static std::unique_ptr<Data> take() {
      Pool& p = instance();
      std::lock_guard<std::mutex> lock(p.mutex_);
      if (p.free_.empty()) return nullptr;
      std::unique_ptr<Data> d = std::move(p.free_.back());
      p.free_.pop_back();
      return d;
    }
    static void give(std::unique_ptr<Data> d) {
      d->reset();
      Pool& p = instance();
      std::lock_guard<std::mutex> lock(p.mutex_);
      if (p.free_.size() < kKept) p.free_.push_back(std::move(d));
    }

   private:
    static constexpr size_t kKept = 4;
    static Pool& instance() {
      static Pool pool;
      return pool;
    }
    std::mutex mutex_;
    std::vector<std::unique_ptr<Data>> free_;
  };
  FerryBytes copy_bytes(std::string_view s) { return data().arena.copy(s); }
  void set_i64(size_t row, size_t f, FerryType t, int64_t v) {
    FerryValue& x = slot(row, f);
    x.type = t;
    x.as.i64 = v;
  }
  static void release(FerryBatch* b) {
    std::unique_ptr<Data> owned(static_cast<Data*>(b->private_data));
    b->release = nullptr;
    b->private_data = nullptr;
    Pool::give(std::move(owned));
  }
  // The batch being built, its storage taken on first use: the storage
  // of a batch the host released comes back (a batch's memory is not taken
  // from the system and faulted in again each time), with the schema of
  // the batch before.
  Data& data() {
    if (!d_) d_ = fresh_data();
    return *d_;
  }
  std::unique_ptr<Data> fresh_data() {
    std::unique_ptr<Data> d = Pool::take();
    if (!d) {
      d = std::make_unique<Data>();
      d->values.reserve(last_rows_ * schema_.size());
      d->records.reserve(last_rows_);
    }
    for (const Field& f : schema_) {
      d->fields.push_back(FerryField{d->arena.copy(f.name), f.type, f.flags});
      d->schema_bytes += f.name.size();
    }
    return d;
  }

  struct Field {
    std::string name;
    FerryType type;
    uint32_t flags;
  };
  std::unique_ptr<Data> d_;   // none between finish() and the next batch's first use
  std::vector<Field> schema_;  // of the batch last finished
  size_t last_rows_ = 0;
};

}  // namespace ferry

#endif  // FERRY_PLUGIN_BATCH_HPP_
