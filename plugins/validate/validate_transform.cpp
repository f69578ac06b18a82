#include "validate_transform.h"

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "check.h"
#include "value_text.h"

namespace ferry_validate {
namespace {

constexpr size_t kAbsent = SIZE_MAX;

// Where each ruled field sits in this batch's schema, and which schema fields
// have no rules. Recomputed per batch: a source may change its schema.
struct Layout {
  std::vector<size_t> ruled;    // per Rules::fields entry: schema index or kAbsent
  std::vector<size_t> unknown;  // schema indexes of fields without rules
};

Layout layout_of(const Rules& rules, const ferry::BatchView& in) {
  std::unordered_map<std::string_view, size_t> index;
  for (size_t f = 0; f < in.fields(); ++f) index.emplace(in.field_name(f), f);  // first wins
  Layout l;
  std::unordered_set<std::string_view> declared;
  for (const FieldRules& r : rules.fields) {
    auto it = index.find(r.field);
    l.ruled.push_back(it == index.end() ? kAbsent : it->second);
    declared.insert(r.field);
  }
  for (size_t f = 0; f < in.fields(); ++f)
    if (!declared.count(in.field_name(f))) l.unknown.push_back(f);
  return l;
}

}  // namespace

void ValidateTransform::check_config(const ferry::Context& ctx) { parse_rules(ctx); }

ValidateTransform::ValidateTransform(const ferry::Context& ctx) : rules_(parse_rules(ctx)) {}

void ValidateTransform::apply(const ferry::BatchView& in, FerryBatch* out, ferry::Outcomes& outcomes) {
  const Layout layout = layout_of(rules_, in);
  ferry::BatchBuilder builder;
  for (size_t f = 0; f < in.fields(); ++f) builder.add_field(in.field_name(f), in.field(f).type, in.field(f).flags);
  builder.reserve(in.rows());

  std::vector<std::string> violations;
  for (size_t row = 0; row < in.rows(); ++row) {
    violations.clear();
    for (size_t i = 0; i < rules_.fields.size(); ++i) {
      const size_t f = layout.ruled[i];
      check_field(rules_.fields[i], f == kAbsent ? nullptr : &in.value(row, f), violations);
    }
    // A null in an undeclared field is how a JSON source says "absent" when
    // another row of the batch has it, so only values count as unknown.
    if (rules_.on_unknown_field == UnknownFields::kReject) {
      for (size_t f : layout.unknown)
        if (in.value(row, f).type != FERRY_TYPE_NULL)
          violations.push_back("field '" + std::string(in.field_name(f)) +
                               "' breaks rule 'on_unknown_field': not declared in rules");
    }
    if (!violations.empty()) {
      outcomes.reject(row, ferry::support::join_reasons(violations));
      continue;
    }
    const FerryRecordMeta& meta = in.meta(row);
    const size_t r = builder.add_row(ferry::view(meta.key), ferry::view(meta.position), meta.op);
    for (size_t f = 0; f < in.fields(); ++f) builder.set_value(r, f, in.value(row, f));
  }
  builder.finish(out, in.partition(), in.end_position());
}

}  // namespace ferry_validate
