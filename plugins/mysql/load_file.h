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
// Only values that both paths send as the same text take this one: a
// DOUBLE is bound as a binary double, BYTES must reach a binary column
// unconverted; a batch holding either goes as INSERT.
//
// Thread safety: none; one sink instance uses it.
#ifndef FERRY_PLUGINS_MYSQL_LOAD_FILE_H_
#define FERRY_PLUGINS_MYSQL_LOAD_FILE_H_

#include <ferry/plugin.hpp>

#include <string>

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

// The statement loading `path` into `table` (quoted) with `columns`
// (quoted, comma-separated), in the text form LoadFile writes.
std::string load_statement(const std::string& path, const std::string& table, const std::string& columns);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_LOAD_FILE_H_
