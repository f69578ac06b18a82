// Just enough XML for S3's answers (<Error><Code>, <UploadId>, the uploads of
// ListMultipartUploads, the keys of ListObjectsV2): flat elements found by
// name, entities decoded. S3 responses are machine-written and shallow, so a
// scan is enough; a full parser would be one more dependency for no gain.
// Pure C++.
#ifndef FERRY_PLUGINS_S3_XML_TEXT_H_
#define FERRY_PLUGINS_S3_XML_TEXT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_s3 {

// Text of the first <tag>...</tag> (or "" for <tag/>), entities decoded;
// nullopt when there is none.
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag);

// Inner XML of every <tag>...</tag>, in document order (not nested in itself).
std::vector<std::string_view> xml_blocks(std::string_view xml, std::string_view tag);

// `s` with & < > " ' escaped, for text we put into request bodies.
std::string xml_escape(std::string_view s);

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_XML_TEXT_H_
