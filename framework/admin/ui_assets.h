// The status page's files (framework/admin/ui), compiled into the binary by
// cmake/EmbedFiles.cmake. They carry no data: the page fetches everything
// from the API with the token it asks for, so they are served without one.
#pragma once

#include <string_view>

namespace ferry::core::admin {

struct UiAsset {
  std::string_view path;  // "/", "/ui/app.js", ...
  std::string_view content_type;
  std::string_view body;
};

// nullptr when `path` is not a file of the page.
const UiAsset* find_ui_asset(std::string_view path);

}  // namespace ferry::core::admin
