// The bundled `file` plugin: the descriptor and entry point. The source
// reads JSON Lines and CSV files; the sink writes JSON Lines files.
#include <ferry/plugin.hpp>

#include "file_sink.h"
#include "file_source.h"

namespace {

const FerryOptionSpec kSourceOptions[] = {
    {"paths", FERRY_OPTION_ANY, FERRY_OPTION_REQUIRED, nullptr,
     "File path or glob(3) pattern, or an array of them, relative to the pipeline's directory. "
     "Each matched file is a partition named by its path as matched; a pattern that matches "
     "no file is a config error."},
    {"format", FERRY_OPTION_STRING, 0, nullptr,
     "\"jsonl\" or \"csv\". Default: from the extension (.jsonl, .ndjson, .json: jsonl; "
     ".csv: csv)."},
    {"delimiter", FERRY_OPTION_STRING, 0, "\",\"", "CSV: the field delimiter, one character."},
    {"header", FERRY_OPTION_BOOL, 0, "true",
     "CSV: the first record names the columns. Without a header, columns are c1..cN."},
    {"null_string", FERRY_OPTION_STRING, 0, "\"\"",
     "CSV: an unquoted field equal to this is null. With the default, an empty unquoted field "
     "is null and a quoted \"\" is an empty string."},
    {"columns_types", FERRY_OPTION_OBJECT, 0, nullptr,
     "CSV: {\"column\": \"int64\"|\"double\"|\"bool\"|\"string\"|\"timestamp\"|\"json\"}. "
     "Other columns are strings. A value that does not convert rejects its row."},
    {"key", FERRY_OPTION_ANY, 0, nullptr,
     "Field name or array of field names forming the record key: one field gives its text, "
     "several a JSON array of their values."},
    {"max_record_bytes", FERRY_OPTION_INT, 0, "67108864",
     "Longest record read whole; a longer one is rejected (its first 64 KiB kept as payload) "
     "and skipped. Bounds memory on a runaway line or an unterminated CSV quote."},
};

const FerryOptionSpec kSinkOptions[] = {
    {"directory", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_DESTINATION | FERRY_OPTION_PATH, nullptr,
     "Output directory, relative to the pipeline's directory; created if missing."},
    {"prefix", FERRY_OPTION_STRING, FERRY_OPTION_DESTINATION, nullptr,
     "File name prefix, [A-Za-z0-9._-]. Default: the pipeline name. Each batch is written to "
     "<prefix>-<partition>_<hash>-<first position>-<last position>.jsonl."},
    {"op_field", FERRY_OPTION_STRING, 0, nullptr,
     "Write each record as a change event: this field, first on each line, names its operation "
     "(\"insert\", \"update\", \"delete\"), e.g. \"_op\". Without it, rows are written as they are and a "
     "delete is refused (DLQ): a row cannot say that it is gone."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SOURCE, 0,
     "Reads JSON Lines or CSV files, one partition per file, resuming from a byte offset. "
     "Malformed lines go to the dead-letter queue with file and line.",
     kSourceOptions, FERRY_COUNT_OF(kSourceOptions)},
    {FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT | FERRY_CAP_NAMED_BY_BATCH,
     "Writes each batch as one JSON Lines file with a deterministic name, renamed into place "
     "on commit, so a replayed batch overwrites its own file.",
     kSinkOptions, FERRY_COUNT_OF(kSinkOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("file", "0.1.0", "JSON Lines and CSV files: source and sink", kKinds)
FERRY_PLUGIN(ferry_file::FileSource, ferry_file::FileSink)
