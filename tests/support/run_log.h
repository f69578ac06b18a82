// Reading what a `ferry run` wrote to stderr, for tests that act on what
// the run has been through (a server brought back once the run noticed it
// was gone) instead of on how much time passed.
#pragma once

#include <string>

namespace ferry::test {

// How often the run said a write or commit failed and it tries again
// ("write failed, retrying in ...", "commit failed, writing the batch again",
// "cannot learn whether the commit landed, asking again in ...").
inline int retries_logged(const std::string& err) {
  int n = 0;
  for (const char* what : {"retrying in ", "writing the batch again", "asking again in "})
    for (size_t at = err.find(what); at != std::string::npos; at = err.find(what, at + 1)) ++n;
  return n;
}

}  // namespace ferry::test
