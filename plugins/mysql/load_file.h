// Rows as the text of LOAD DATA LOCAL INFILE, held in memory: the mysql
// sink's fast path for append mode.
//
// The server parses one tab-separated stream instead of a multi-row INSERT
// with a placeholder per value. The text is what the INSERT path binds
// (row_binder.h), value for value, with LOAD DATA's backslash escapes and
// \N for NULL. An anonymous in-memory file (memfd) holds it and the client
// library reads it back as /proc/self/fd/N: nothing touches the disk, and
// memory stays one batch's text, as with a multi-row INSERT.
//
// Only values that land as they would by INSERT take this path. Text
// (strings, decimals, JSON, timestamps) is text either way. INSERT binds
// integers and booleans as numbers, and a number and its text differ in
// some columns (BIT takes the number but the text's bytes, YEAR reads text
// 0 as 2000, ENUM a number as a member's position): an integer field is
// loaded into a variable and assigned as CAST(@v AS SIGNED), a number
// again, whatever the column's type. A DOUBLE (bound as a binary double)
// or BYTES (which must reach a binary column unconverted) sends the batch
// as INSERT.
//
// Thread safety: none; one sink instance uses it.
#ifndef FERRY_PLUGINS_MYSQL_LOAD_FILE_H_
#define FERRY_PLUGINS_MYSQL_LOAD_FILE_H_

#include <ferry/plugin.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ferry_mysql {

// Whether `v` reaches the server as the same text in LOAD DATA as in an
// INSERT.
bool loadable(const FerryValue& v);

// The escaped text of one value: "\N" for NULL, backslash, tab, newline,
// carriage return and NUL escaped. `v` must be loadable().
void append_load_value(std::string& out, const FerryValue& v);

class LoadFile {
 public:
  // Throws ferry::Error(FERRY_ERROR_IO) when no in-memory file can be made.
  LoadFile();
  ~LoadFile();
  LoadFile(const LoadFile&) = delete;
  LoadFile& operator=(const LoadFile&) = delete;

  // Empties the file for the next rows.
  void clear();
  // Appends one line: the row's values in field order.
  void add_row(const ferry::BatchView& batch, size_t row);
  // Writes out what is buffered and rewinds; the file is ready to be read
  // by its path(). Throws ferry::Error(FERRY_ERROR_IO).
  void finish();
  // "/proc/self/fd/N": the name the client library opens.
  const std::string& path() const { return path_; }

 private:
  void flush();

  int fd_ = -1;
  std::string path_;
  std::string buffer_;
};

// Whether a failed LOAD DATA LOCAL was refused because local_infile is off
// (server or client), rather than failing on its data or connection.
bool refuses_local_infile(int code, std::string_view message);

// One field of a load: its quoted column, and whether its values are
// integers (loaded through a variable and cast back to a number).
struct LoadColumn {
  std::string quoted;
  bool integer = false;
};

// The statement loading `path` into `table` (quoted), in the text form
// LoadFile writes.
std::string load_statement(const std::string& path, const std::string& table, const std::vector<LoadColumn>& columns);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_LOAD_FILE_H_
