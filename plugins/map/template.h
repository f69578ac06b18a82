// String templates of the map transform: "order-{order_id}-{currency}".
#ifndef FERRY_PLUGINS_MAP_TEMPLATE_H_
#define FERRY_PLUGINS_MAP_TEMPLATE_H_

#include <string>
#include <string_view>
#include <vector>

namespace ferry_map {

struct TemplatePiece {
  bool is_field = false;
  std::string text;  // literal text, or the referenced field's name
};

// "{name}" inserts a field's text; "{{" and "}}" are literal braces.
// Throws ferry::Error(FERRY_ERROR_CONFIG) naming `field` (the field being added).
std::vector<TemplatePiece> parse_template(std::string_view text, const std::string& field);

}  // namespace ferry_map

#endif  // FERRY_PLUGINS_MAP_TEMPLATE_H_
