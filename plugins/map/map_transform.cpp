#include "map_transform.h"

#include <string>
#include <vector>

#include "cast.h"
#include "plan.h"
#include "value_text.h"

namespace ferry_map {
namespace {

FerryValue constant_value(const Constant& c) {
  FerryValue v{};
  v.type = c.type;
  switch (c.type) {
    case FERRY_TYPE_BOOL: v.as.boolean = c.boolean ? 1 : 0; break;
    case FERRY_TYPE_INT64: v.as.i64 = c.i64; break;
    case FERRY_TYPE_DOUBLE: v.as.f64 = c.f64; break;
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_JSON: v.as.bytes = ferry::bytes(c.text); break;
    default: break;
  }
  return v;
}

// Computes one row's values; text built here lives in the caller's storage.
class RowEvaluator {
 public:
  RowEvaluator(const Options& opts, const Plan& plan, const ferry::BatchView& in)
      : opts_(opts), plan_(plan), in_(in) {}

  // Sets *out, or returns why the row cannot have this value.
  std::string evaluate(size_t source, size_t row, FerryValue* out, std::string& storage) const {
    const Source& s = plan_.sources[source];
    switch (s.kind) {
      case Source::Kind::kInput:
        *out = in_.value(row, s.index);
        return {};
      case Source::Kind::kConstant:
        *out = constant_value(opts_.add[s.index].constant);
        return {};
      case Source::Kind::kMissing:
        return "field '" + opts_.add[s.index].name + "' breaks add: source field '" + s.missing +
               "' is missing";
      case Source::Kind::kTemplate:
        return render(s, row, out, storage);
    }
    return "internal error: unknown source";
  }

 private:
  std::string render(const Source& s, size_t row, FerryValue* out, std::string& storage) const {
    const Addition& a = opts_.add[s.index];
    auto broke = [&](const std::string& field, const std::string& why) {
      return "field '" + a.name + "' breaks add: template field '" + field + "' " + why;
    };
    std::string text;
    for (size_t p = 0; p < a.pieces.size(); ++p) {
      const TemplatePiece& piece = a.pieces[p];
      if (!piece.is_field) {
        text += piece.text;
        continue;
      }
      // A missing or null field would leave a hole in the text (say, a key
      // "order-" shared by many rows): reject rather than guess.
      if (!s.pieces[p]) return broke(piece.text, "is missing");
      FerryValue v{};
      std::string nested;
      if (std::string why = evaluate(*s.pieces[p], row, &v, nested); !why.empty()) return why;
      if (v.type == FERRY_TYPE_NULL) return broke(piece.text, "is null");
      std::string part;
      if (std::string why = text_of(v, part); !why.empty()) return broke(piece.text, "has no text: " + why);
      text += part;
    }
    storage = std::move(text);
    *out = FerryValue{};
    out->type = FERRY_TYPE_STRING;
    out->as.bytes = ferry::bytes(storage);
    return {};
  }

  const Options& opts_;
  const Plan& plan_;
  const ferry::BatchView& in_;
};

}  // namespace

void MapTransform::check_config(const ferry::Context& ctx) { parse_options(ctx); }

MapTransform::MapTransform(const ferry::Context& ctx) : opts_(parse_options(ctx)) {}

void MapTransform::apply(const ferry::BatchView& in, FerryBatch* out, ferry::Outcomes& outcomes) {
  const Plan plan = make_plan(opts_, in);
  const RowEvaluator eval(opts_, plan, in);
  const size_t n = plan.fields.size();

  ferry::BatchBuilder builder;
  for (const OutputField& f : plan.fields) builder.add_field(f.name, f.type, f.flags);
  builder.reserve(in.rows());

  // Reused across rows: a row's values are copied into the batch before the
  // next row overwrites them.
  std::vector<FerryValue> values(n);
  std::vector<std::string> storage(n), cast_storage(n);
  std::vector<std::string> errors;
  for (size_t row = 0; row < in.rows(); ++row) {
    errors.clear();
    for (size_t c = 0; c < n; ++c) {
      const OutputField& f = plan.fields[c];
      std::string why = eval.evaluate(f.source, row, &values[c], storage[c]);
      if (!why.empty()) {
        errors.push_back(std::move(why));
        continue;
      }
      if (!f.cast) continue;
      CastResult r = cast_value(values[c], *f.cast, cast_storage[c]);
      if (!r.error.empty()) {
        errors.push_back("field '" + f.origin + "' breaks cast to " + target_name(*f.cast) + ": " + r.error);
        continue;
      }
      values[c] = r.value;
    }
    if (!errors.empty()) {
      outcomes.reject(row, ferry::support::join_reasons(errors));
      continue;
    }
    const FerryRecordMeta& meta = in.meta(row);
    const size_t r = builder.add_row(ferry::view(meta.key), ferry::view(meta.position), meta.op);
    for (size_t c = 0; c < n; ++c) builder.set_value(r, c, values[c]);
  }
  builder.finish(out, in.partition(), in.end_position());
}

}  // namespace ferry_map
