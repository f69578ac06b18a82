#include "pgoutput.h"

#include <ferry/plugin.hpp>

namespace ferry_pg_cdc {
namespace {

// Big-endian fields, each read checked against the end of the message.
class Reader {
 public:
  explicit Reader(std::string_view data) : d_(data) {}

  uint64_t uint(size_t bytes) {
    need(bytes);
    uint64_t v = 0;
    for (size_t k = 0; k < bytes; ++k) v = (v << 8) | static_cast<unsigned char>(d_[at_ + k]);
    at_ += bytes;
    return v;
  }
  char byte() { return static_cast<char>(uint(1)); }
  std::string cstring() {
    const size_t end = d_.find('\0', at_);
    if (end == std::string_view::npos) fail("a NUL-terminated string");
    std::string s(d_.substr(at_, end - at_));
    at_ = end + 1;
    return s;
  }
  std::string bytes(size_t n) {
    need(n);
    std::string s(d_.substr(at_, n));
    at_ += n;
    return s;
  }
  Tuple tuple() {
    const auto n = static_cast<size_t>(uint(2));
    Tuple t(n);
    for (TupleValue& v : t) {
      const char kind = byte();
      if (kind == 'n') continue;
      if (kind == 'u') {
        v.kind = TupleValue::Kind::Unchanged;
        continue;
      }
      if (kind != 't') fail("a column of kind n, u or t (binary values are not asked for)");
      v.kind = TupleValue::Kind::Text;
      v.text = bytes(static_cast<size_t>(uint(4)));
    }
    return t;
  }

 private:
  void need(size_t n) const {
    if (d_.size() - at_ < n) fail(std::to_string(n) + " more bytes");
  }
  [[noreturn]] void fail(const std::string& expected) const {
    throw ferry::Error(FERRY_ERROR_IO, "postgres-cdc: malformed pgoutput message '" + std::string(1, d_[0]) +
                                           "': expected " + expected + " at byte " + std::to_string(at_));
  }

  std::string_view d_;
  size_t at_ = 0;
};

}  // namespace

Message decode_pgoutput(std::string_view data) {
  if (data.empty()) throw ferry::Error(FERRY_ERROR_IO, "postgres-cdc: empty pgoutput message");
  Reader in(data);
  Message m;
  switch (in.byte()) {
    case 'B':
      m.kind = Message::Kind::Begin;
      m.commit_lsn = in.uint(8);
      return m;
    case 'C':
      m.kind = Message::Kind::Commit;
      in.uint(1);  // flags, unused
      m.commit_lsn = in.uint(8);
      m.end_lsn = in.uint(8);
      m.commit_time = static_cast<int64_t>(in.uint(8));
      return m;
    case 'R': {
      m.kind = Message::Kind::Relation;
      Relation& r = m.described;
      r.oid = static_cast<uint32_t>(in.uint(4));
      r.schema = in.cstring();
      r.name = in.cstring();
      r.replica_identity = in.byte();
      r.columns.resize(in.uint(2));
      for (RelationColumn& c : r.columns) {
        c.key = (in.uint(1) & 1) != 0;
        c.name = in.cstring();
        c.type_oid = static_cast<uint32_t>(in.uint(4));
        c.typmod = static_cast<int32_t>(static_cast<uint32_t>(in.uint(4)));
      }
      return m;
    }
    case 'I':
      m.kind = Message::Kind::Insert;
      m.relation = static_cast<uint32_t>(in.uint(4));
      in.byte();  // 'N'
      m.new_tuple = in.tuple();
      return m;
    case 'U': {
      m.kind = Message::Kind::Update;
      m.relation = static_cast<uint32_t>(in.uint(4));
      char next = in.byte();
      if (next == 'K' || next == 'O') {
        m.old_kind = next;
        m.old_tuple = in.tuple();
        next = in.byte();
      }
      m.new_tuple = in.tuple();
      return m;
    }
    case 'D':
      m.kind = Message::Kind::Delete;
      m.relation = static_cast<uint32_t>(in.uint(4));
      m.old_kind = in.byte();
      m.old_tuple = in.tuple();
      return m;
    case 'T': {
      m.kind = Message::Kind::Truncate;
      const auto n = in.uint(4);
      in.uint(1);  // options (CASCADE, RESTART IDENTITY)
      for (uint64_t k = 0; k < n; ++k) m.truncated.push_back(static_cast<uint32_t>(in.uint(4)));
      return m;
    }
    default:  // Origin, Type, Message: nothing a row depends on
      return m;
  }
}

}  // namespace ferry_pg_cdc
