#include "plan.h"

#include <algorithm>

namespace ferry_map {
namespace {

using Fields = std::vector<OutputField>;

Fields::iterator find(Fields& fields, std::string_view name) {
  return std::find_if(fields.begin(), fields.end(), [&](const OutputField& f) { return f.name == name; });
}

size_t add_source(Plan& plan, Source s) {
  plan.sources.push_back(std::move(s));
  return plan.sources.size() - 1;
}

OutputField resolve_addition(Plan& plan, const Addition& a, size_t index) {
  OutputField out;
  out.name = a.name;
  out.origin = a.name;
  switch (a.kind) {
    case AddKind::kValue:
      out.type = a.constant.type;
      out.source = add_source(plan, Source{Source::Kind::kConstant, index, {}, {}});
      break;
    case AddKind::kFrom: {
      auto it = find(plan.fields, a.from);
      if (it == plan.fields.end()) {
        out.source = add_source(plan, Source{Source::Kind::kMissing, index, {}, a.from});
        break;
      }
      // A copy takes the value as it is now; a later cast of the original
      // does not reach it. It is not part of the record key.
      out.type = it->type;
      out.flags = it->flags & ~FERRY_FIELD_KEY;
      out.source = it->source;
      break;
    }
    case AddKind::kTemplate: {
      Source s{Source::Kind::kTemplate, index, {}, {}};
      for (const TemplatePiece& p : a.pieces) {
        std::optional<size_t> ref;
        if (p.is_field) {
          auto it = find(plan.fields, p.text);
          if (it != plan.fields.end()) ref = it->source;
        }
        s.pieces.push_back(ref);
      }
      out.type = FERRY_TYPE_STRING;
      out.source = add_source(plan, std::move(s));
      break;
    }
  }
  return out;
}

void apply_rename(const Options& opts, Fields& fields) {
  if (opts.rename.empty()) return;
  // All at once, so {"a": "b", "b": "a"} swaps.
  std::vector<bool> renamed(fields.size(), false);
  for (size_t i = 0; i < fields.size(); ++i) {
    for (const auto& [from, to] : opts.rename) {
      if (fields[i].name != from) continue;
      fields[i].name = to;
      renamed[i] = true;
      break;
    }
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!renamed[i]) continue;
    for (size_t j = 0; j < fields.size(); ++j)
      if (j != i && fields[j].name == fields[i].name)
        throw ferry::Error(FERRY_ERROR_CONFIG,
                           "map: rename of field '" + fields[i].origin + "' to '" + fields[i].name +
                               "' collides with another field of that name in the batch; rename "
                               "that one too");
  }
}

}  // namespace

Plan make_plan(const Options& opts, const ferry::BatchView& in) {
  Plan plan;
  for (size_t f = 0; f < in.fields(); ++f) {
    OutputField out;
    out.name = std::string(in.field_name(f));
    out.origin = out.name;
    out.type = in.field(f).type;
    out.flags = in.field(f).flags;
    out.source = add_source(plan, Source{Source::Kind::kInput, f, {}, {}});
    plan.fields.push_back(std::move(out));
  }

  for (size_t i = 0; i < opts.add.size(); ++i) {
    OutputField added = resolve_addition(plan, opts.add[i], i);
    // Adding an existing name replaces its value where it stands.
    auto it = find(plan.fields, added.name);
    if (it != plan.fields.end()) {
      *it = std::move(added);
    } else {
      plan.fields.push_back(std::move(added));
    }
  }

  for (const CastSpec& c : opts.cast) {
    auto it = find(plan.fields, c.field);
    if (it == plan.fields.end()) continue;
    it->cast = c.target;
    it->type = target_type(c.target);
  }

  apply_rename(opts, plan.fields);

  for (const std::string& name : opts.drop) {
    auto it = find(plan.fields, name);
    if (it != plan.fields.end()) plan.fields.erase(it);
  }

  if (opts.keep) {
    Fields kept;
    for (const std::string& name : *opts.keep) {
      auto it = find(plan.fields, name);
      if (it != plan.fields.end()) kept.push_back(std::move(*it));
    }
    plan.fields = std::move(kept);
  }
  return plan;
}

}  // namespace ferry_map
